"""Why a sentence scored as it did: the features that moved its score most.

The model is linear in its features, so a sentence's log-odds is the
intercept plus, for each feature present, its value times its weight. Those
products are the explanation: positive ones pushed towards "unsupported".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from model.artifacts import load_model

__all__ = ["Contribution", "explain_sentences", "feature_weights"]

Contribution = tuple[str, float]


@lru_cache(maxsize=8)
def feature_weights(pipeline) -> tuple[np.ndarray, np.ndarray]:
    """Feature names (word n-grams bare, other groups prefixed) and their weights.

    Cached per fitted pipeline (estimators hash by identity).
    """
    union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
    names = np.asarray(union.get_feature_names_out(), dtype=object)
    readable = np.array(
        [n.split("__", 1)[-1] if n.startswith("word__") else n for n in names], dtype=object
    )
    return readable, np.asarray(clf.coef_[0], dtype=float)


def explain_sentences(
    sentences: Sequence[str], k: int = 5, model_dir: str | os.PathLike | None = None
) -> list[dict[str, list[Contribution]]]:
    """For each sentence, the ``k`` strongest contributions each way.

    Returns ``[{"up": [(feature, contribution), ...], "down": [...]}, ...]``,
    contributions in log-odds, strongest first.
    """
    pipeline = load_model(model_dir).pipeline
    names, weights = feature_weights(pipeline)
    X = pipeline.named_steps["features"].transform(list(sentences)).tocsr()
    out = []
    for row in range(X.shape[0]):
        lo, hi = X.indptr[row], X.indptr[row + 1]
        idx, vals = X.indices[lo:hi], X.data[lo:hi]
        contrib = vals * weights[idx]
        order = np.argsort(contrib)
        up = [(str(names[idx[j]]), float(contrib[j])) for j in order[::-1][:k] if contrib[j] > 0]
        down = [(str(names[idx[j]]), float(contrib[j])) for j in order[:k] if contrib[j] < 0]
        out.append({"up": up, "down": down})
    return out
