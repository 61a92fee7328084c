"""Scoring for data pipelines: pandas DataFrames and Hugging Face ``datasets``.

pandas is imported only when a DataFrame is asked for, so the plain scoring
path stays light.
"""

from __future__ import annotations

import os
from typing import Any

from model.artifacts import load_model
from model.score import score_sentences

__all__ = ["score_batch", "score_frame"]


def score_frame(
    df: Any,
    column: str = "text",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
    prefix: str = "claim_risk_",
) -> Any:
    """A copy of ``df`` with ``<prefix>score`` and ``<prefix>flagged`` columns added.

    ``column`` holds one sentence per row; missing values score as empty text.
    """
    if column not in df.columns:
        raise KeyError(
            f"column {column!r} not in DataFrame (has: {', '.join(map(str, df.columns))})"
        )
    texts = ["" if v is None or v != v else str(v) for v in df[column].tolist()]
    scores = score_sentences(texts, model_dir)
    cut = load_model(model_dir).threshold if threshold is None else float(threshold)
    out = df.copy()
    out[f"{prefix}score"] = scores
    out[f"{prefix}flagged"] = [s >= cut for s in scores]
    return out


def score_batch(
    batch: dict[str, list],
    column: str = "text",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
) -> dict[str, list]:
    """For ``datasets.Dataset.map(score_batch, batched=True)``: adds ``score`` and ``flagged``.

    A top-level function, so it pickles into ``num_proc`` workers; each worker
    loads the model once.
    """
    texts = ["" if v is None else str(v) for v in batch[column]]
    scores = score_sentences(texts, model_dir)
    cut = load_model(model_dir).threshold if threshold is None else float(threshold)
    return {"score": scores, "flagged": [s >= cut for s in scores]}
