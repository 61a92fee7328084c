"""DataFrame and datasets helpers."""

from __future__ import annotations

import pandas as pd
import pytest

from model import score_batch, score_frame, score_sentences

TEXTS = ["This oil cures cancer in weeks.", "Ask your doctor before starting supplements.", None]


def test_score_frame_adds_columns_without_touching_the_input() -> None:
    df = pd.DataFrame({"sentence": TEXTS, "other": [1, 2, 3]})
    out = score_frame(df, column="sentence")
    assert list(df.columns) == ["sentence", "other"]
    assert out["claim_risk_score"].tolist() == pytest.approx(score_sentences([*TEXTS[:2], ""]))
    assert out["claim_risk_flagged"].dtype == bool


def test_score_frame_names_a_missing_column() -> None:
    with pytest.raises(KeyError, match="'text' not in DataFrame"):
        score_frame(pd.DataFrame({"sentence": ["x"]}))


def test_dataset_map_batched_with_workers() -> None:
    from datasets import Dataset

    ds = Dataset.from_dict({"text": [t or "" for t in TEXTS] * 4})
    out = ds.map(score_batch, batched=True, batch_size=4, num_proc=2)
    assert out["score"] == pytest.approx(score_sentences(ds["text"]))
    assert set(out.column_names) == {"text", "score", "flagged"}
