"""The scoring contract of the shipped model: types, range, order, offsets, summary."""

from __future__ import annotations

import math
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest
from claim_risk import Scorer, score_sentence, score_sentences, score_text, score_texts, summarize

CLAIM = (
    "Ketamine is not passed through breast milk, so breastfeeding can be continued without risk."
)
NEUTRAL = "Call the National Maternal Mental Health Hotline for free, confidential support."


def test_one_float_per_sentence_in_order() -> None:
    sentences = [CLAIM, NEUTRAL, "", "🙂", CLAIM]
    scores = score_sentences(sentences)
    assert len(scores) == len(sentences)
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 and math.isfinite(s) for s in scores)
    assert scores[0] == scores[4]
    assert scores[0] > scores[1]


def test_accepts_any_iterable_and_empty_input() -> None:
    assert score_sentences(iter([CLAIM])) == score_sentences([CLAIM])
    assert score_sentences([]) == []
    assert score_sentence(CLAIM) == score_sentences([CLAIM])[0]


def test_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="sentence 1"):
        score_sentences([CLAIM, 3])


def test_score_text_offsets_slice_back() -> None:
    text = f"Safety for the baby.\n\n  • {CLAIM} {NEUTRAL}\nReferences"
    records = score_text(text)
    assert [r.index for r in records] == list(range(len(records)))
    for r in records:
        assert text[r.start : r.end] == r.text == r["text"]
        assert r.flagged == (r.score >= _threshold())
    assert dict(records[0])["text"] == "Safety for the baby."


def _threshold() -> float:
    from claim_risk.core.artifacts import load_model

    return load_model().threshold


def test_threshold_override_and_summary() -> None:
    records = score_text(f"{CLAIM} {NEUTRAL}", threshold=0.0)
    assert all(r.flagged for r in records)
    summary = summarize(records)
    assert summary.sentences == 2 and summary.flagged == 2
    assert summary.share_flagged == 1.0
    assert summary.max_score == max(r.score for r in records)
    assert summarize([]).sentences == 0


def _score_in_worker(scorer: Scorer) -> list[float]:
    return scorer([CLAIM, NEUTRAL])


def test_scorer_pickles_and_works_in_worker_processes() -> None:
    scorer = Scorer()
    clone = pickle.loads(pickle.dumps(scorer))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_score_in_worker, [clone, clone]))
    assert results[0] == results[1] == pytest.approx(score_sentences([CLAIM, NEUTRAL]))


def test_score_texts_matches_score_text() -> None:
    docs = [f"{CLAIM}\n{NEUTRAL}", "", "  \n", NEUTRAL]
    batched = score_texts(docs)
    assert [len(b) for b in batched] == [2, 0, 0, 1]
    assert batched == [score_text(d) for d in docs]
