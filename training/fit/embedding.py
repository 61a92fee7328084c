"""The semantic tier's extra features in training: MiniLM sentence embeddings.

``EmbeddingFeatures`` is the scikit-learn step that puts the 384 dimensions of
each sentence's all-MiniLM-L6-v2 embedding (``claim_risk.core.encoder``, the same numpy
encoder the scorer runs) beside the TF-IDF and cue features, times a fixed
``scale`` so that one regularisation strength suits both blocks. Embeddings
are computed once per distinct text and kept for the process, since
cross-validation asks for the same sentences many times. Training encodes in
float64 and rounds to float32: float32 sums differ between CPUs' BLAS kernels
(about 1e-7), float64 ones far below float32's rounding, so the embeddings,
and the semantic model fitted on them, are the same on every machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from claim_risk.core.embedding import missing_packages
from claim_risk.core.encoder import DIM, MiniLMEncoder
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["EmbeddingFeatures", "available", "embed", "embedding_terms", "known", "remember"]

_CACHE: dict[str, np.ndarray] = {}


def available() -> bool:
    """Whether the encoder's packages are installed (``make semantic``)."""
    return not missing_packages()


@lru_cache(maxsize=1)
def _encoder() -> MiniLMEncoder:
    # float64 layers, float32 output: the same embeddings on every CPU, so that
    # `make train` writes the same semantic model everywhere.
    return MiniLMEncoder.from_package(np.float64)


def embed(texts: Sequence[str], progress: bool = False) -> np.ndarray:
    """Embeddings of ``texts`` (float32, one row each), encoding only texts not seen before."""
    todo = sorted({t for t in texts if t not in _CACHE})
    if todo:
        if progress:
            print(f"    encoding {len(todo):,} sentences with MiniLM", file=sys.stderr, flush=True)
        for text, vector in zip(todo, _encoder().encode(todo), strict=True):
            _CACHE[text] = vector
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([_CACHE[t] for t in texts])


def known(texts: Iterable[str]) -> dict[str, np.ndarray]:
    """This process's cached embeddings of ``texts`` (encoding those not seen), by text.

    For handing to worker processes (``remember``), so they need not encode again.
    """
    texts = sorted(set(texts))
    return dict(zip(texts, embed(texts), strict=True))


def remember(vectors: dict[str, np.ndarray]) -> None:
    """Add embeddings computed by another process (``known``) to this process's cache."""
    _CACHE.update(vectors)


def embedding_terms(vectors: np.ndarray, scale: float) -> np.ndarray:
    """The feature block the classifier sees: float64 embeddings times ``scale``.

    ``claim_risk.core.embedding`` computes the same product, so the exported model equals
    the pipeline.
    """
    return np.asarray(vectors, dtype=np.float64) * float(scale)


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """The sentence embedding of each text, scaled; stateless."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, X: Iterable[str], y: object = None) -> EmbeddingFeatures:
        """Nothing is learned; the encoder is fixed."""
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """One row of ``DIM`` columns per text."""
        return embedding_terms(embed(list(X)), self.scale)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """``minilm_0`` ... ``minilm_383``."""
        return np.array([f"minilm_{i}" for i in range(DIM)], dtype=object)
