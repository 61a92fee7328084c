"""Scoring for data pipelines: pandas DataFrames and Hugging Face ``datasets``.

pandas is imported only by the caller who hands us a DataFrame, so the plain
scoring path stays light. In ``score_frame`` and ``score_batch`` each row
holds one sentence: a cell with several sentences is scored as one blob. With
a document-id column, rows of one document (in their order in the table) are
read together by the context stage, as ``score_documents`` reads them; without
one, each sentence is scored alone, as ``score_sentences`` does. For cells
that hold whole texts, ``score_frame_sentences`` is the document mode: each
cell is cut into sentences and read as a document, one output row per
sentence, indexed by its source row. Missing values (None, NaN of any
float type, pandas' NA and NaT) and empty text get no score: NaN and
``flagged`` False. A row whose document id is missing belongs to no
document and is scored alone. Other non-string cells are scored as
``str(value)``. Lone surrogates (possible in a ``str``, impossible in
UTF-8) are scored as ``score_text`` scores them; in the ``text`` column of
``score_frame_sentences`` they come out as U+FFFD, one character for one,
so ``start`` and ``end`` still index the cell. A document id that cannot be
hashed (a list) is a TypeError.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..core.artifacts import load_model
from ..core.pipeline import probabilities
from ..core.score import score_texts
from ..core.surrogates import replace_surrogates

__all__ = ["score_batch", "score_frame", "score_frame_sentences"]


def _is_missing(value: object) -> bool:
    """None, a NaN of any type (numpy's float32 too), pandas' NA or NaT."""
    if value is None or isinstance(value, str):
        return value is None
    pandas = sys.modules.get("pandas")  # a pandas value implies pandas is imported
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    try:
        return bool(value != value)  # NaN alone is unequal to itself
    except (TypeError, ValueError):  # arrays and the like: not a missing scalar
        return False


def _text(value: object) -> str | None:
    """The cell as text, or None for a missing or empty value."""
    if _is_missing(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _score_column(
    values: Sequence[object],
    doc_ids: Sequence[object] | None,
    model_dir: str | os.PathLike | None,
    threshold: float | None,
) -> tuple[list[float], list[bool], list[str | None]]:
    """Scores, flags and bands for one column, NaN/False/None where there is no text."""
    model = load_model(model_dir)
    decision = model.decision.with_threshold(threshold)
    texts = [_text(v) for v in values]
    present = [i for i, t in enumerate(texts) if t is not None]
    scores = [math.nan] * len(texts)
    if doc_ids is None:  # each row a sentence alone: one batched call
        probs = probabilities([[texts[i] for i in present]], model, alone=True)[0].tolist()
        for i, p in zip(present, probs, strict=True):
            scores[i] = p
    else:
        order: dict[object, list[int]] = {}
        alone = []
        for i in present:
            if _is_missing(doc_ids[i]):
                alone.append(i)
            else:
                order.setdefault(doc_ids[i], []).append(i)
        groups = list(order.values())
        docs = probabilities([[texts[i] for i in g] for g in groups], model) if groups else []
        if alone:
            groups.append(alone)
            docs.extend(probabilities([[texts[i] for i in alone]], model, alone=True))
        for group, doc_probs in zip(groups, docs, strict=True):
            for i, p in zip(group, doc_probs.tolist(), strict=True):
                scores[i] = p
    flagged = [s == s and decision.flagged(s) for s in scores]
    bands = [decision.band(s) if s == s else None for s in scores]
    return scores, flagged, bands


def _missing(name: str, present: Sequence[object], what: str) -> KeyError:
    return KeyError(f"column {name!r} not in {what} (has: {', '.join(map(str, present))})")


def score_frame(
    df: Any,
    column: str = "text",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
    prefix: str = "claim_risk_",
    document_column: str | None = None,
) -> Any:
    """A copy of ``df`` with ``<prefix>score``, ``<prefix>flagged`` and ``<prefix>band`` added.

    ``column`` holds one sentence per row. With ``document_column``, rows that
    share its value are one document, read in table order with its context.
    """
    for name in (column, document_column):
        if name is not None and name not in df.columns:
            raise _missing(name, list(df.columns), "DataFrame")
    doc_ids = df[document_column].tolist() if document_column is not None else None
    scores, flagged, bands = _score_column(df[column].tolist(), doc_ids, model_dir, threshold)
    out = df.copy()
    out[f"{prefix}score"] = scores
    out[f"{prefix}flagged"] = flagged
    out[f"{prefix}band"] = bands
    return out


def score_frame_sentences(
    df: Any,
    column: str = "text",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
    prefix: str = "claim_risk_",
) -> Any:
    """Document mode: one row per sentence of each cell, indexed by the cell's row.

    Each cell is a document, cut into sentences and read with its context, as
    ``score_text`` reads it. Columns: ``sentence`` (its position in the cell),
    ``text``, ``start``, ``end`` (offsets into the cell) and ``<prefix>score``,
    ``<prefix>flagged``, ``<prefix>band``. Missing and blank cells give no rows;
    ``df.join(result)`` puts the sentences beside their rows.
    """
    import pandas as pd

    if column not in df.columns:
        raise _missing(column, list(df.columns), "DataFrame")
    texts = [_text(v) for v in df[column].tolist()]
    present = [i for i, t in enumerate(texts) if t is not None]
    docs = score_texts([texts[i] for i in present], threshold, model_dir) if present else []
    labels, rows = [], []
    for i, records in zip(present, docs, strict=True):
        for r in records:
            labels.append(df.index[i])
            text = replace_surrogates(r.text)  # pyarrow-backed str columns refuse them
            rows.append((r.index, text, r.start, r.end, r.score, r.flagged, r.band))
    columns = ["sentence", "text", "start", "end"]
    columns += [f"{prefix}score", f"{prefix}flagged", f"{prefix}band"]
    index = pd.Index(labels, name=df.index.name, dtype=df.index.dtype if labels else object)
    return pd.DataFrame(rows, columns=columns, index=index)


def score_batch(
    batch: dict[str, list],
    column: str = "text",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
    prefix: str = "",
    document_column: str | None = None,
) -> dict[str, list]:
    """For ``Dataset.map(score_batch, batched=True)``: adds ``score``, ``flagged`` and ``band``.

    A top-level function, so it pickles into ``num_proc`` workers; each worker
    loads the model once. With ``document_column``, keep each document's rows
    within one batch (a document split across batches is read as two).
    ``band`` is None for a missing cell: if a first batch may hold only
    missing cells, pass ``features=`` to ``map`` with ``band`` a string, as
    datasets fixes a column's type from the first batch it writes.
    """
    for name in (column, document_column):
        if name is not None and name not in batch:
            raise _missing(name, list(batch), "batch")
    doc_ids = batch[document_column] if document_column is not None else None
    scores, flagged, bands = _score_column(batch[column], doc_ids, model_dir, threshold)
    return {f"{prefix}score": scores, f"{prefix}flagged": flagged, f"{prefix}band": bands}
