"""DataFrame and datasets helpers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from claim_risk import score_batch, score_documents, score_frame, score_sentences, score_text
from claim_risk.frontends.frames import score_frame_sentences

TEXTS = ["This oil cures cancer in weeks.", "Ask your doctor before starting supplements.", None]


def test_score_frame_adds_columns_without_touching_the_input() -> None:
    df = pd.DataFrame({"sentence": TEXTS, "other": [1, 2, 3]})
    out = score_frame(df, column="sentence")
    assert list(df.columns) == ["sentence", "other"]
    assert out["claim_risk_score"].tolist()[:2] == pytest.approx(score_sentences(TEXTS[:2]))
    assert out["claim_risk_flagged"].dtype == bool
    assert set(out["claim_risk_band"].dropna()) <= {"low", "review", "high"}


@pytest.mark.parametrize("missing", [None, float("nan"), "", "   "])
def test_missing_text_gets_no_score(missing: object) -> None:
    out = score_frame(pd.DataFrame({"text": ["Garlic cures flu.", missing]}))
    assert math.isnan(out["claim_risk_score"].iloc[1])
    assert not out["claim_risk_flagged"].iloc[1]
    assert pd.isna(out["claim_risk_band"].iloc[1])


def test_document_column_reads_rows_with_their_page() -> None:
    page = ["Our tea detoxes the liver.", "It is safe for everyone.", "Buy now.", "Ships today."]
    other = ["Ask a pharmacist.", "Evidence is weak."]
    df = pd.DataFrame({"text": page + other, "doc": ["a"] * 4 + ["b"] * 2})
    out = score_frame(df, document_column="doc", prefix="r_")
    expected = [s for doc in score_documents([page, other]) for s in doc]
    assert out["r_score"].tolist() == pytest.approx(expected)


def test_score_frame_names_a_missing_column() -> None:
    with pytest.raises(KeyError, match="'text' not in DataFrame"):
        score_frame(pd.DataFrame({"sentence": ["x"]}))
    with pytest.raises(KeyError, match=r"'doc' not in batch \(has: text\)"):
        score_batch({"text": ["x"]}, document_column="doc")


def test_dataset_map_batched_with_workers() -> None:
    from datasets import Dataset

    ds = Dataset.from_dict({"text": [t or "" for t in TEXTS] * 4})
    out = ds.map(score_batch, batched=True, batch_size=4, num_proc=2)
    assert out["score"][:2] == pytest.approx(score_sentences(ds["text"][:2]))
    assert out["score"][2] is None or math.isnan(out["score"][2])
    assert set(out.column_names) == {"text", "score", "flagged", "band"}


def test_score_frame_sentences_is_a_document_mode() -> None:
    pages = [
        "Our tea detoxes the liver. It is safe for everyone. Buy now.",
        None,
        "Ask a pharmacist.",
    ]
    df = pd.DataFrame({"body": pages, "site": ["a", "b", "c"]}, index=[10, 20, 30])
    out = score_frame_sentences(df, column="body", prefix="r_")
    assert out.index.tolist() == [10, 10, 10, 30]  # no rows for the missing cell
    assert out["sentence"].tolist() == [0, 1, 2, 0]
    first_page = ["Our tea detoxes the liver.", "It is safe for everyone.", "Buy now."]
    expected = [s for doc in score_documents([first_page, [pages[2]]]) for s in doc]
    assert out["r_score"].tolist() == pytest.approx(expected)
    first = out.iloc[1]
    assert pages[0][first["start"] : first["end"]] == first["text"]
    assert set(out.columns) == {"sentence", "text", "start", "end", "r_score", "r_flagged",
                                "r_band"}  # fmt: skip
    assert df.join(out[["r_score"]]).loc[10, "r_score"].tolist() == pytest.approx(expected[:3])


def test_score_frame_sentences_takes_a_lone_surrogate() -> None:
    """pandas 3 stores text in pyarrow, which refuses lone surrogates: they come out as U+FFFD."""
    cell = "Garlic cures flu \ud800 overnight.\nAsk a doctor."
    df = pd.DataFrame({"text": [cell, "Zinc heals acne."]}, dtype=object)
    out = score_frame_sentences(df)
    want = score_text(cell)
    assert out.index.tolist() == [0] * len(want) + [1]
    assert out["text"].iloc[0] == "Garlic cures flu \ufffd overnight."
    assert cell[out["start"].iloc[0] : out["end"].iloc[0]] == "Garlic cures flu \ud800 overnight."
    assert out["claim_risk_score"].tolist()[:-1] == pytest.approx([r.score for r in want])


@pytest.mark.parametrize("missing", [pd.NA, np.float32("nan"), np.float64("nan"), pd.NaT])
def test_every_kind_of_missing_cell_gets_no_score(missing: object) -> None:
    """pandas' NA and NaT and numpy NaNs are missing, not the text "<NA>" or "nan"."""
    df = pd.DataFrame({"text": ["Garlic cures flu.", missing]}, dtype=object)
    assert math.isnan(score_frame(df)["claim_risk_score"].iloc[1])
    assert score_frame_sentences(df).index.tolist() == [0]
    nullable = pd.DataFrame({"text": pd.array(["Garlic cures flu.", None], dtype="string")})
    assert math.isnan(score_frame(nullable)["claim_risk_score"].iloc[1])


def test_rows_without_a_document_id_are_read_alone() -> None:
    """A missing id (None, NaN, NA) joins no document: the row is scored as score_sentences does."""
    texts = ["Our tea detoxes the liver.", "It is safe for everyone.", "Buy now.", "Ships today."]
    nan = float("nan")
    df = pd.DataFrame({"text": texts, "doc": [None, None, nan, nan]}, dtype=object)
    out = score_frame(df, document_column="doc")
    assert out["claim_risk_score"].tolist() == pytest.approx(score_sentences(texts))
