"""The sentence model: logistic regression over the sentence features, in numpy.

The log-odds of a sentence is the intercept plus, for each feature present,
its value times its weight; the probability is the logistic of that. The
same products are the explanation of a score, so ``--explain`` is exact.
The semantic tier adds one more term, the sentence embedding's
(``claim_risk.core.embedding``), which explanations show as one contribution.

The lexical features read the sentence with treatment and condition names
abstracted (``claim_risk.core.lexicon``); the TF-IDF part of a short
segment's log-odds is damped and its shape has weights of its own
(``claim_risk.core.shape``). The embedding reads the sentence as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .features import FeatureMatrix, SentenceFeatures
from .lexicon import Abstractor
from .shape import SHAPES, SegmentShape

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
    """Features, one weight per feature and an intercept (and the semantic tier's term).

    ``lexicon`` abstracts names before the lexical features; ``shape`` with
    ``shape_weights`` damps a short segment's TF-IDF part and weighs its shape.
    """

    def __init__(
        self,
        features: SentenceFeatures,
        weights: np.ndarray,
        intercept: float,
        embedding: EmbeddingTerm | None = None,
        lexicon: Abstractor | None = None,
        shape: SegmentShape | None = None,
        shape_weights: Sequence[float] | None = None,
    ) -> None:
        if len(weights) != features.n_features:
            raise ValueError(f"{len(weights)} weights for {features.n_features} features")
        if (shape is None) != (shape_weights is None):
            raise ValueError("a segment shape needs its weights, and weights their shape")
        if shape_weights is not None and len(shape_weights) != len(SHAPES):
            raise ValueError(f"{len(shape_weights)} shape weights for {len(SHAPES)} shapes")
        self.features = features
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.embedding = embedding
        self.lexicon = lexicon
        self.shape = shape
        self.shape_weights = (
            None if shape_weights is None else np.asarray(shape_weights, dtype=np.float64)
        )
        self._names: np.ndarray | None = None

    def lexical_texts(self, sentences: Sequence[str]) -> list[str]:
        """The sentences as the lexical features read them (names abstracted).

        ASCII sentences come back lower-cased as well (``Abstractor.lexical``):
        every lexical feature lower-cases what it reads.
        """
        if self.lexicon is None:
            return list(sentences)
        return self.lexicon.lexical(sentences)

    def _shape(self, lexical: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """Each sentence's TF-IDF damping and its shape columns times their weights."""
        if self.shape is None:
            return None
        damp, columns = self.shape.read(lexical)
        return damp, columns * self.shape_weights

    def _contributions(self, X: FeatureMatrix, damp: np.ndarray | None) -> np.ndarray:
        """Each stored feature value times its weight, the TF-IDF part damped by shape."""
        values = X.values
        if damp is not None:
            values = np.where(X.cols < self.features.n_words, values * damp[X.rows], values)
        return values * self.weights[X.cols]

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
        lexical = self.lexical_texts(sentences)
        X = self.features.transform(lexical) if matrix is None else matrix
        damp, shape = self._shape(lexical) or (None, None)
        z = row_sums(X.rows, self._contributions(X, damp), X.n_rows)
        if shape is not None:
            z += shape.sum(axis=1)
        if self.embedding is not None:
            if vectors is None:
                vectors = self.embedding.embed(sentences)
            z += self.embedding.logits(vectors)
        return z + self.intercept

    def explain(self, sentences: Sequence[str], k: int) -> list[dict[str, list[Contribution]]]:
        """For each sentence, the ``k`` largest contributions each way, in log-odds."""
        if self._names is None:
            self._names = np.asarray(self.features.feature_names(), dtype=object)
        lexical = self.lexical_texts(sentences)
        X = self.features.transform(lexical)
        by_row = np.argsort(X.rows, kind="stable")
        rows, all_cols = X.rows[by_row], X.cols[by_row]
        damp, shape = self._shape(lexical) or (None, None)
        contrib = self._contributions(X, damp)[by_row]
        bounds = np.searchsorted(rows, np.arange(X.n_rows + 1))
        meaning = None
        if self.embedding is not None:
            meaning = self.embedding.logits(self.embedding.embed(sentences))
        out = []
        for i in range(X.n_rows):
            lo, hi = bounds[i], bounds[i + 1]
            names = [str(n) for n in self._names[all_cols[lo:hi]]]
            c = contrib[lo:hi].tolist()
            if shape is not None:
                names += [f"shape:{n}" for n in SHAPES]
                c += shape[i].tolist()
            if meaning is not None:
                names.append(self.embedding.name)
                c.append(float(meaning[i]))
            order = sorted(range(len(c)), key=c.__getitem__)
            up = [(names[j], c[j]) for j in order[::-1][:k] if c[j] > 0]
            down = [(names[j], c[j]) for j in order[:k] if c[j] < 0]
            out.append({"up": up, "down": down})
        return out
