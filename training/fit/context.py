"""Fitting and choosing the document-context stage on out-of-fold sentence log-odds.

The stage's inputs are the sentence model's log-odds of each sentence and of
its page, taken from document-grouped out-of-fold scores, so no sentence is
scored by a sentence model that saw its document. Feature sets and the
regularisation are chosen by held-out topics: the stage is fitted on the other
topics and applied to the held-out topic's leave-one-topic-out log-odds (a
sentence model that never saw the topic), which is the setting closest to a
new page on a new subject.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from claim_risk.core.context import context_features
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from ..data.labelled import LabelledSet
from .cv import one_standard_error
from .features import logistic_regression

__all__ = [
    "ContextCandidate",
    "choose_context",
    "context_matrix",
    "fit_context",
    "logit",
]


@dataclass(frozen=True)
class ContextCandidate:
    """A feature set and an inverse regularisation strength."""

    name: str
    features: tuple[str, ...]
    C: float


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def context_matrix(
    z: np.ndarray, data: LabelledSet, top_k: int, neighbours: int
) -> dict[str, np.ndarray]:
    """Context features of labelled sentences, in the rows' own order.

    Rows are put in reading order (document, then position) for the shared
    ``claim_risk.core.context.context_features`` and the result is put back.
    """
    order = np.lexsort((data.position, data.doc))
    _, page = np.unique(data.doc[order], return_inverse=True)
    # pages must be contiguous runs in reading order: renumber by first appearance
    first = np.r_[True, page[1:] != page[:-1]]
    run = np.cumsum(first) - 1
    texts = [data.texts[i] for i in order]
    feats = context_features(z[order], run, texts, top_k, neighbours)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return {k: v[inverse] for k, v in feats.items()}


def _X(feats: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    return np.column_stack([feats[f] for f in names])


def fit_context(
    cand: ContextCandidate, feats: dict[str, np.ndarray], y: np.ndarray, seed: int
) -> LogisticRegression:
    """The context stage fitted on all rows."""
    return logistic_regression(cand.C, "balanced", seed).fit(_X(feats, cand.features), y)


def heldout_topic_scores(
    cand: ContextCandidate,
    doc_feats: dict[str, np.ndarray],
    topic_feats: dict[str, np.ndarray],
    y: np.ndarray,
    topic: np.ndarray,
    seed: int,
) -> np.ndarray:
    """Each topic scored by a stage fitted on the other topics, from its held-out-topic inputs."""
    out = np.full(len(y), np.nan)
    for t in np.unique(topic):
        test = topic == t
        clf = fit_context(cand, {k: v[~test] for k, v in doc_feats.items()}, y[~test], seed)
        out[test] = clf.predict_proba(_X(topic_feats, cand.features)[test])[:, 1]
    return out


def heldout_doc_scores(
    cand: ContextCandidate,
    doc_feats: dict[str, np.ndarray],
    y: np.ndarray,
    doc: np.ndarray,
    seed: int,
    n_splits: int = 10,
    apply_feats: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Each document scored by a stage fitted on other documents.

    The held-out side is read from ``apply_feats`` when given (the cascade's
    mixed inputs), else from ``doc_feats``.
    """
    apply = doc_feats if apply_feats is None else apply_feats
    out = np.full(len(y), np.nan)
    for train, test in GroupKFold(n_splits=min(n_splits, len(set(doc)))).split(y, y, doc):
        clf = fit_context(cand, {k: v[train] for k, v in doc_feats.items()}, y[train], seed)
        out[test] = clf.predict_proba(_X(apply, cand.features)[test])[:, 1]
    return out


def _topic_aucs(y: np.ndarray, p: np.ndarray, topic: np.ndarray) -> list[float]:
    out = []
    for t in np.unique(topic):
        m = topic == t
        if 0 < y[m].sum() < m.sum():
            out.append(float(roc_auc_score(y[m], p[m])))
    return out


def choose_context(
    candidates: tuple[ContextCandidate, ...],
    doc_feats: dict[str, np.ndarray],
    topic_feats: dict[str, np.ndarray],
    y: np.ndarray,
    topic: np.ndarray,
    seed: int,
) -> tuple[int, list[dict]]:
    """Score every candidate on held-out topics; the first within one standard error wins."""
    rows = []
    for cand in candidates:
        p = heldout_topic_scores(cand, doc_feats, topic_feats, y, topic, seed)
        aucs = _topic_aucs(y, p, topic)
        rows.append(
            {
                "name": cand.name,
                "features": list(cand.features),
                "C": cand.C,
                "topic_auc_mean": float(np.mean(aucs)),
                "topic_auc_std": float(np.std(aucs)),
                "roc_auc": float(roc_auc_score(y, p)),
            }
        )
    return one_standard_error(rows, len(np.unique(topic))), rows
