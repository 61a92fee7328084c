"""Grouped cross-validation with optional topic-swap augmentation of the training side.

Augmentation adds rows, which a scikit-learn ``Pipeline`` cannot do, so folds
are run here: for each split the training side is (optionally) augmented, the
pipeline is cloned and fitted, and the held-out side is scored. Groups keep
every sentence of a document (or topic) on one side of each split.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from joblib import delayed
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import Pipeline

from ..data.augment import swap_topics
from ..data.labelled import LabelledSet
from .features import build_pipeline
from .parallel import parallel

__all__ = [
    "Candidate",
    "fit_candidate",
    "grouped_splits",
    "learning_curve",
    "one_standard_error",
    "out_of_fold",
]


@dataclass(frozen=True)
class Candidate:
    """One model configuration: pipeline parameters plus the augmentation switch."""

    name: str
    params: dict = field(default_factory=dict)
    augment: bool = False

    def pipeline(self, random_state: int) -> Pipeline:
        """A fresh, unfitted pipeline for this configuration."""
        return build_pipeline(random_state=random_state, **self.params)


def grouped_splits(
    groups: Sequence[str], n_splits: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-group-out, or GroupKFold with ``n_splits`` when given.

    No group ever appears on both sides of a split.
    """
    groups = np.asarray(groups)
    dummy = np.zeros(len(groups))
    if n_splits is None or n_splits >= len(set(groups)):
        yield from LeaveOneGroupOut().split(dummy, groups=groups)
    else:
        yield from GroupKFold(n_splits=n_splits).split(dummy, groups=groups)


def one_standard_error(rows: list[dict], n_groups: int) -> int:
    """Index of the first row whose ``topic_auc_mean`` is within one standard error of the best.

    Rows are in order of preference (simplest or cheapest first); the standard
    error is the best row's ``topic_auc_std`` over the square root of
    ``n_groups - 1``.
    """
    top = max(range(len(rows)), key=lambda i: rows[i]["topic_auc_mean"])
    se = rows[top]["topic_auc_std"] / np.sqrt(max(n_groups - 1, 1))
    floor = rows[top]["topic_auc_mean"] - se
    return next(i for i, r in enumerate(rows) if r["topic_auc_mean"] >= floor)


def fit_candidate(
    candidate: Candidate,
    texts: Sequence[str],
    y: np.ndarray,
    augmentable: np.ndarray,
    random_state: int,
) -> Pipeline:
    """Fit the candidate's pipeline, adding topic-swapped copies of augmentable rows."""
    texts = list(texts)
    y = np.asarray(y)
    if candidate.augment:
        idx = np.flatnonzero(augmentable)
        extra_x, extra_y = swap_topics(
            [texts[i] for i in idx], y[idx].tolist(), random_state=random_state
        )
        texts = texts + extra_x
        y = np.concatenate([y, np.asarray(extra_y, dtype=y.dtype)])
    return candidate.pipeline(random_state).fit(texts, y)


def _fold(candidate, texts, y, augmentable, train, test, random_state):
    model = fit_candidate(
        candidate, [texts[i] for i in train], y[train], augmentable[train], random_state
    )
    return test, model.predict_proba([texts[i] for i in test])[:, 1]


def out_of_fold(
    candidate: Candidate,
    data: LabelledSet,
    groups: Sequence[str],
    random_state: int,
    n_splits: int | None = None,
    n_jobs: int = 2,
    train_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities of the positive class, one per sentence of ``data``.

    Folds are grouped by ``groups`` (``data.doc`` or ``data.topic``).
    ``train_mask`` restricts which rows may be used for training (e.g. a
    learning-curve subsample); every row is still scored once.
    """
    texts, y, augmentable = data.texts, data.y, data.augmentable
    keep = np.ones(len(y), dtype=bool) if train_mask is None else np.asarray(train_mask, dtype=bool)
    splits = [(tr[keep[tr]], te) for tr, te in grouped_splits(groups, n_splits)]
    results = parallel(n_jobs)(
        delayed(_fold)(candidate, texts, y, augmentable, tr, te, random_state) for tr, te in splits
    )
    scores = np.full(len(y), np.nan)
    for test, p in results:
        scores[test] = p
    return scores


def learning_curve(
    candidate: Candidate,
    data: LabelledSet,
    random_state: int,
    n_jobs: int = 2,
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
) -> list[dict]:
    """Held-out figures against the share of training documents kept.

    For each fraction, a seeded random subset of documents is allowed on the
    training side of every split; all sentences are still scored out of fold.
    Reports leave-one-topic-out ROC-AUC (all text) and document-grouped seed
    ROC-AUC.
    """
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(random_state)
    docs = np.array(sorted(set(data.doc)))
    order = rng.permutation(len(docs))
    seed_mask = data.origin == "seed"
    curve = []
    for fraction in fractions:
        kept = set(docs[order[: max(2, round(fraction * len(docs)))]])
        mask = np.array([d in kept for d in data.doc])
        p_topic = out_of_fold(
            candidate, data, data.topic, random_state, n_jobs=n_jobs, train_mask=mask
        )
        p_doc = out_of_fold(
            candidate, data, data.doc, random_state, n_splits=10, n_jobs=n_jobs, train_mask=mask
        )
        curve.append(
            {
                "fraction": float(fraction),
                "train_sentences": int(mask.sum()),
                "topic_heldout_roc_auc": float(roc_auc_score(data.y, p_topic)),
                "seed_roc_auc": float(roc_auc_score(data.y[seed_mask], p_doc[seed_mask])),
            }
        )
    return curve
