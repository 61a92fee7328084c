"""The sentence model: logistic regression over the sentence features, in numpy.

The log-odds of a sentence is the intercept plus, for each feature present,
its value times its weight; the probability is the logistic of that. The
same products are the explanation of a score, so ``--explain`` is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.features import FeatureMatrix, SentenceFeatures

__all__ = ["Contribution", "SentenceModel", "sigmoid"]

Contribution = tuple[str, float]  # (feature name, log-odds)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow warnings for large negative ``z``."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1.0 + e)
    return out


class SentenceModel:
    """Features, one weight per feature and an intercept."""

    def __init__(self, features: SentenceFeatures, weights: np.ndarray, intercept: float) -> None:
        if len(weights) != features.n_features:
            raise ValueError(f"{len(weights)} weights for {features.n_features} features")
        self.features = features
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self._names: np.ndarray | None = None

    def logits(self, sentences: Sequence[str], matrix: FeatureMatrix | None = None) -> np.ndarray:
        """Log-odds of an unsupported claim, one per sentence."""
        X = self.features.transform(sentences) if matrix is None else matrix
        z = np.bincount(X.rows, weights=X.values * self.weights[X.cols], minlength=X.n_rows)
        return z + self.intercept

    def explain(self, sentences: Sequence[str], k: int) -> list[dict[str, list[Contribution]]]:
        """For each sentence, the ``k`` largest contributions each way, in log-odds."""
        if self._names is None:
            self._names = np.asarray(self.features.feature_names(), dtype=object)
        X = self.features.transform(sentences)
        by_row = np.argsort(X.rows, kind="stable")
        rows, all_cols = X.rows[by_row], X.cols[by_row]
        contrib = X.values[by_row] * self.weights[all_cols]
        bounds = np.searchsorted(rows, np.arange(X.n_rows + 1))
        out = []
        for i in range(X.n_rows):
            lo, hi = bounds[i], bounds[i + 1]
            c, cols = contrib[lo:hi], all_cols[lo:hi]
            order = np.argsort(c, kind="stable")
            names = self._names
            up = [(str(names[cols[j]]), float(c[j])) for j in order[::-1][:k] if c[j] > 0]
            down = [(str(names[cols[j]]), float(c[j])) for j in order[:k] if c[j] < 0]
            out.append({"up": up, "down": down})
        return out
