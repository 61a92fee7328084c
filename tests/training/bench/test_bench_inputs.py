"""Benchmarks cannot time a cache: every timed repeat reads text no earlier repeat read.

Timing one batch three times once reported the semantic tier's cache of its
last batch's embeddings (10.3 s, then 0.034 s) as its speed (issue 21). These
tests run the benches on a tiny corpus with fake scorers that record what they
are given: sentences no earlier call had, or documents made of such sentences
(a short perturbation such as "for you" may still be cut off as a sentence of
its own, which no cache keyed by batch can serve).
"""

from __future__ import annotations

from collections.abc import Sequence

import claim_risk
import numpy as np
import pytest
from claim_risk.core import artifacts
from claim_risk.core import embedding as embedding_module
from claim_risk.core.encoder import DIM
from claim_risk.core.segment import split_sentences
from claim_risk.training.bench import scoring, tiers
from claim_risk.training.bench.kit import corpora, timed


def key(sentence: str) -> str:
    return sentence.rstrip(".!?")


def assert_each_new(calls: Sequence[Sequence[str]]) -> None:
    """No text (sentence or document) of a call was in an earlier call."""
    seen: set[str] = set()
    for i, call in enumerate(calls):
        keys = {key(s) for s in call}
        assert not keys & seen, f"call {i + 1} repeats {sorted(keys & seen)[:3]}"
        seen |= keys


def test_corpora_are_full_sized_and_share_no_sentence() -> None:
    sets = corpora(40, 5, seed=7)
    assert [len(s) for s in sets] == [40] * 5
    assert_each_new(sets)
    assert corpora(40, 5, seed=7) == sets  # seeded: the same corpora each time


def test_timed_runs_once_per_input_in_order() -> None:
    seen: list[list[str]] = []
    t = timed(seen.append, [["a"], ["b"], ["c"]])
    assert seen == [["a"], ["b"], ["c"]]
    assert t["runs"] == 3 and t["min_s"] <= t["median_s"] <= t["max_s"]


@pytest.mark.parametrize("inputs", [[["a"], ["b"], ["a"]], [x := ["a"], x]])
def test_timed_refuses_an_input_an_earlier_repeat_saw(inputs: list[list[str]]) -> None:
    with pytest.raises(ValueError, match="earlier repeat"):
        timed(len, inputs)


class FakeTier:
    """What ``bench_tiers`` asks of the cascade after timing: a cut and re-scored flags."""

    cut = 0.5

    def document_logits(self, documents: Sequence[Sequence[str]]) -> object:
        n = sum(map(len, documents))
        return type("Logits", (), {"rescored": np.zeros(n, dtype=bool)})()


def test_every_timed_repeat_of_every_tier_misses_the_embedding_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each ``score_texts`` call embeds sentences no earlier call saw, through the real
    ``EmbeddingTerm`` (which keeps its last batch): the encoder runs on every call."""
    encoded: list[list[str]] = []

    def encode(sentences: Sequence[str]) -> np.ndarray:
        encoded.append(list(sentences))
        return np.zeros((len(sentences), DIM), dtype=np.float32)

    term = embedding_module.EmbeddingTerm(np.zeros(DIM), 1.0, "sha", encode=encode)
    calls: list[tuple[str, list[str]]] = []

    def score_texts(docs: Sequence[str], model_dir: str) -> list:
        calls.append((model_dir, list(docs)))
        term.embed([s for d in docs for s in split_sentences(d)])
        return []

    monkeypatch.setattr(claim_risk, "score_texts", score_texts)
    monkeypatch.setattr(artifacts, "load_model", lambda name=None: FakeTier())
    monkeypatch.setattr(embedding_module, "missing_packages", lambda: [])
    monkeypatch.setattr(tiers, "_cold_start", lambda name, repeats: {"median_s": 1.0})
    repeats = 3
    out = tiers.bench_tiers(60, repeats)
    assert [name for name, _ in calls] == [n for n in tiers.TIERS for _ in range(repeats + 1)]
    assert_each_new([docs for _, docs in calls])
    assert len(encoded) == len(calls)  # no call was served from the cache
    for name in tiers.TIERS:
        assert out[name]["timing"]["runs"] == repeats


def test_every_timed_repeat_of_the_scoring_bench_reads_new_sentences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: dict[str, list[list[str]]] = {"sentences": [], "texts": []}

    def score_sentences(sentences: Sequence[str]) -> list:
        calls["sentences"].append(list(sentences))
        return []

    def score_texts(docs: Sequence[str]) -> list:
        calls["texts"].append(list(docs))
        return []

    monkeypatch.setattr(claim_risk, "score_sentences", score_sentences)
    monkeypatch.setattr(claim_risk, "score_texts", score_texts)
    monkeypatch.setattr(claim_risk, "score_text", split_sentences)
    monkeypatch.setattr(artifacts, "load_model", lambda name=None: FakeTier())
    out = scoring.bench_scoring(200, 3)
    assert len(calls["sentences"]) == 4 and len(calls["texts"]) == 3
    assert_each_new(calls["sentences"])
    assert_each_new(calls["texts"])
    assert out["end_to_end_timing"]["runs"] == 3


def test_spark_bench_rounds_each_read_their_own_documents() -> None:
    """``interleaved`` gives each round its own documents; round 0 is the warm-up's."""
    from claim_risk.training.bench.spark import interleaved

    seen: dict[str, list[int]] = {"a": [], "b": []}
    timings = interleaved({k: v.append for k, v in seen.items()}, 3)
    assert seen == {"a": [1, 2, 3], "b": [1, 2, 3]}
    assert timings["a"]["runs"] == 3


def test_every_end_to_end_run_reads_new_sentences_and_ratios_are_within_a_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each contender of ``peers.bench_end_to_end`` reads its own new sentences in every
    round (the peer through the same segmenter), and ``predict`` a folder of them."""
    from pathlib import Path

    from claim_risk.training.bench import peers

    seen: dict[str, list[list[str]]] = {name: [] for name in peers.CONTENDERS}

    def record(name: str, sentences: Sequence[str]) -> None:
        seen[name].append(list(sentences))

    def split(docs: Sequence[str]) -> list[str]:
        return [s for d in docs for s in split_sentences(d)]

    monkeypatch.setattr(claim_risk, "score_sentences", lambda s: record("score_sentences", s))
    monkeypatch.setattr(claim_risk, "score_texts", lambda d: record("score_texts", split(d)))

    def run_command(cmd: list[str]) -> tuple[float, int]:
        folder = Path(cmd[-1])
        docs = [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())]
        record("predict", split(docs))
        return 0.0, 0

    monkeypatch.setattr(peers, "run_command", run_command)
    fasttext_calls: list[str] = []
    out = peers.bench_end_to_end(60, 3, fasttext_calls.append, ["predict"])
    n_fasttext = len(fasttext_calls)
    assert n_fasttext > 4 * 60  # four runs of pre-split sentences, four of documents
    assert [len(v) for k, v in seen.items() if not k.startswith("fasttext")] == [4, 4, 4]
    assert_each_new([s for runs in seen.values() for s in runs] + [fasttext_calls])
    assert set(out["ratios"]) == set(peers.RATIOS)
    for ratio in out["ratios"].values():
        assert ratio["low"] <= ratio["median"] <= ratio["high"]
    assert out["rounds"] == 3 and out["sentences_per_s"]["predict"]["median"] > 0
    without = peers.bench_end_to_end(20, 1, None, ["predict"])
    assert "ratios" not in without and without["fasttext"] == "not installed"
    assert set(without["sentences_per_s"]) == {"score_sentences", "score_texts", "predict"}


def test_stages_give_each_stage_of_the_sentence_model_per_sentence() -> None:
    """The stage figures (names, shape, features, the whole model) are there, in µs a
    sentence, and the parts cost less than the whole they are part of."""
    out = scoring.bench_stages(300, 2)
    us = out["us_per_sentence"]
    assert out["sentences"] == 300 and set(us) == {"names", "shape", "features", "sentence_model"}
    assert all(v > 0 for v in us.values())
    assert max(us["names"], us["shape"], us["features"]) < us["sentence_model"]
