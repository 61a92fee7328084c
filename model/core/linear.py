"""The sentence model: logistic regression over the sentence features, in numpy.

The log-odds of a sentence is the intercept plus, for each feature present,
its value times its weight; the probability is the logistic of that. The
same products are the explanation of a score, so ``--explain`` is exact.
The semantic tier adds one more term, the sentence embedding's
(``claim_risk.core.embedding``), which explanations show as one contribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .features import FeatureMatrix, SentenceFeatures

if TYPE_CHECKING:
    from .embedding import EmbeddingTerm

__all__ = ["Contribution", "SentenceModel", "row_sums", "sigmoid"]

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


def row_sums(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """The sum of ``values`` in each of ``n_rows`` rows, always float64.

    ``np.bincount`` of an empty input is int64 whatever its weights (numpy
    2.4), and adding a float term in place to that fails: a batch in which no
    sentence holds a known word or cue must still give float log-odds.
    """
    sums = np.bincount(rows, weights=values, minlength=n_rows)
    return sums.astype(np.float64, copy=False)


class SentenceModel:
    """Features, one weight per feature and an intercept (and the semantic tier's term)."""

    def __init__(
        self,
        features: SentenceFeatures,
        weights: np.ndarray,
        intercept: float,
        embedding: EmbeddingTerm | None = None,
    ) -> None:
        if len(weights) != features.n_features:
            raise ValueError(f"{len(weights)} weights for {features.n_features} features")
        self.features = features
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.embedding = embedding
        self._names: np.ndarray | None = None

    def logits(
        self,
        sentences: Sequence[str],
        matrix: FeatureMatrix | None = None,
        vectors: np.ndarray | None = None,
    ) -> np.ndarray:
        """Log-odds of an unsupported claim, one per sentence.

        ``vectors`` are the sentences' embeddings when the caller has them
        already (the semantic tier encodes them otherwise).
        """
        X = self.features.transform(sentences) if matrix is None else matrix
        z = row_sums(X.rows, X.values * self.weights[X.cols], X.n_rows)
        if self.embedding is not None:
            if vectors is None:
                vectors = self.embedding.embed(sentences)
            z += self.embedding.logits(vectors)
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
        meaning = None
        if self.embedding is not None:
            meaning = self.embedding.logits(self.embedding.embed(sentences))
        out = []
        for i in range(X.n_rows):
            lo, hi = bounds[i], bounds[i + 1]
            names = [str(n) for n in self._names[all_cols[lo:hi]]]
            c = contrib[lo:hi].tolist()
            if meaning is not None:
                names.append(self.embedding.name)
                c.append(float(meaning[i]))
            order = sorted(range(len(c)), key=c.__getitem__)
            up = [(names[j], c[j]) for j in order[::-1][:k] if c[j] > 0]
            down = [(names[j], c[j]) for j in order[:k] if c[j] < 0]
            out.append({"up": up, "down": down})
        return out
