"""Fuzzing the frames helpers with hostile cells: they score, or raise a documented error.

Every helper (``score_frame`` with and without ``document_column``,
``score_frame_sentences``, ``score_batch``) gets columns of None, NaN of
several types, pandas' NA and NaT, blank text, lone surrogates, NUL, a huge
cell and non-string objects. Each must return output aligned to its input
(same rows, same index; a score exactly for the cells holding text) and
never raise. 150 examples by default (a few seconds); ``CLAIM_RISK_FUZZ=1``
runs 3,000.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
from claim_risk import score_batch, score_frame, score_text
from claim_risk.core.surrogates import replace_surrogates
from claim_risk.frontends.frames import _text, score_frame_sentences
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 3_000 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 150
HUGE = "Garlic cures flu overnight, guaranteed. Ask your doctor first.\n" * 1_500  # 94,500 chars

MISSING = st.sampled_from([None, float("nan"), np.float32("nan"), np.float64("nan"), pd.NA, pd.NaT])
FRAGMENTS = ["Garlic cures flu overnight.", "Ask a doctor!", " ", "\n", "\t", "\x00", "\ud800",
             "\udfff", "\ufffd", "\u202e", "\u00e9t\u00e9", "?", "\r\n"]  # fmt: skip
TEXT = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=10).map("".join),
    st.text(max_size=60),
)
OBJECTS = st.one_of(
    st.integers(), st.floats(), st.booleans(), st.binary(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                         max_size=2),
)  # fmt: skip
CELLS = st.one_of(MISSING, TEXT, st.sampled_from(["", "   ", "\x00", HUGE]), OBJECTS)
DOC_IDS = st.one_of(MISSING, st.sampled_from(["a", "b", "\ud800", 1, 2.5]))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check_scores(cells: list[object], scores: list[float], flagged: list[bool]) -> None:
    """A score in [0, 1] exactly where the cell holds text; NaN and unflagged elsewhere."""
    assert len(scores) == len(flagged) == len(cells)
    for cell, score, flag in zip(cells, scores, flagged, strict=True):
        if _text(cell) is None:
            assert math.isnan(score) and flag is False, (cell, score)
        else:
            assert 0.0 <= score <= 1.0, (cell, score)


@FUZZ
@given(
    rows=st.lists(st.tuples(CELLS, DOC_IDS), max_size=8),
    index=st.sampled_from(["range", "strings", "shuffled"]),
)
def test_frames_helpers_never_raise_and_stay_aligned(
    rows: list[tuple[object, object]], index: str
) -> None:
    cells = [c for c, _ in rows]
    labels = {
        "range": list(range(len(rows))),
        "strings": [f"r{i}" for i in range(len(rows))],
        "shuffled": list(range(len(rows)))[::-1],
    }[index]
    df = pd.DataFrame({"text": pd.Series(cells, dtype=object),
                       "doc": pd.Series([d for _, d in rows], dtype=object)})  # fmt: skip
    df.index = pd.Index(labels, dtype=object)

    for document_column in (None, "doc"):
        out = score_frame(df, document_column=document_column)
        assert out.index.equals(df.index) and out["text"].tolist() is not None
        _check_scores(cells, out["claim_risk_score"].tolist(), out["claim_risk_flagged"].tolist())
        batch = score_batch({"text": cells, "doc": [d for _, d in rows]},
                            document_column=document_column)  # fmt: skip
        _check_scores(cells, batch["score"], batch["flagged"])
        assert batch["score"] == out["claim_risk_score"].tolist() or all(
            a == b or (a != a and b != b)
            for a, b in zip(batch["score"], out["claim_risk_score"], strict=True)
        )

    sentences = score_frame_sentences(df)
    assert set(sentences.index) <= set(df.index)
    for label in df.index:
        cell = df.loc[label, "text"]
        part = sentences[sentences.index == label]
        text = _text(cell)
        if text is None:
            assert part.empty
            continue
        records = score_text(text)
        assert part["sentence"].tolist() == list(range(len(records)))
        assert part["text"].tolist() == [replace_surrogates(r.text) for r in records]
        assert [text[s:e] for s, e in zip(part["start"], part["end"], strict=True)] == [
            r.text for r in records
        ]
        assert part["claim_risk_score"].tolist() == [r.score for r in records]


def test_score_batch_through_a_dataset_with_hostile_cells() -> None:
    """``Dataset.map`` over None, blank, NUL and a huge cell (pyarrow holds no surrogates).

    The first batch holds text: one of missing cells only would fix ``band``'s
    type as null in datasets' writer (see ``score_batch``).
    """
    from datasets import Dataset

    cells = ["Garlic cures flu.", None, "", "   ", "Zinc\x00cures acne.", HUGE, "\ufffd"]
    out = Dataset.from_dict({"text": cells}).map(score_batch, batched=True, batch_size=3)
    want = score_frame(pd.DataFrame({"text": cells}, dtype=object))["claim_risk_score"].tolist()
    got = [math.nan if s is None else s for s in out["score"]]
    assert len(got) == len(cells)
    assert all(a == b or (a != a and b != b) for a, b in zip(got, want, strict=True))
