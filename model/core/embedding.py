"""The semantic tier's extra term: a weight on each dimension of the sentence's embedding.

The semantic model is the fast one (TF-IDF, cues, logistic regression) with
384 more features: the all-MiniLM-L6-v2 embedding of the sentence
(``claim_risk.core.encoder``) times a fixed ``scale``. This term adds their weighted sum
to the log-odds. Its weights are ours and plain data in ``model.json``; the
encoder's weights stay in their installed package. The encoder is made once
per process, on first use, so loading the model stays cheap.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from .encoder import DIM, INSTALL, PACKAGE, EncoderError, MiniLMEncoder, fingerprint

__all__ = ["ENCODER", "EmbeddingTerm", "missing_packages"]

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
_NEEDS = (PACKAGE, "safetensors", "tokenizers")


def missing_packages() -> list[str]:
    """The encoder's packages that are not installed (empty when it can run)."""
    return [name for name in _NEEDS if importlib.util.find_spec(name) is None]


@lru_cache(maxsize=1)
def _encoder() -> MiniLMEncoder:
    return MiniLMEncoder.from_package()


class EmbeddingTerm:
    """``scale * embedding(sentence) @ weights``: the embedding's share of the log-odds."""

    name = "embedding__minilm"  # as cue features are "cues__<name>"

    def __init__(
        self,
        weights: np.ndarray,
        scale: float,
        encoder_sha256: str,
        encode: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        """``encode`` replaces the installed encoder (training passes its float64 one)."""
        if len(weights) != DIM:
            raise ValueError(f"{len(weights)} embedding weights, the encoder gives {DIM}")
        self.weights = np.asarray(weights, dtype=np.float64)
        self.scale = float(scale)
        self.encoder_sha256 = encoder_sha256
        self.encode = encode
        self._last: tuple[list[str], np.ndarray] | None = None  # see ``embed``

    def problem(self) -> str | None:
        """Why the installed encoder cannot serve this model, or None when it can."""
        missing = missing_packages()
        if missing:
            return f"it needs the MiniLM encoder ({', '.join(missing)} not installed): {INSTALL}"
        try:
            installed = fingerprint()
        except EncoderError as exc:
            return str(exc)
        if installed != self.encoder_sha256:
            return (
                f"it was trained on an encoder whose files hash to {self.encoder_sha256[:12]}, "
                f"the installed {PACKAGE} hashes to {installed[:12]}: install the version the "
                "model was trained with (constraints.txt) or retrain with 'make train'"
            )
        return None

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        """The sentences' embeddings (float32), from the installed encoder.

        The encoder computes in float32 and in batches, so one sentence's
        embedding can differ by about 1e-7 a dimension between batches and
        between CPUs, and its score (384 such terms) by up to about 1e-6
        (5.7e-7 measured on labelled sentences; tests/model/core/test_semantic_fuzz.py).
        The last batch's embeddings are kept, because explaining encodes
        again: the pipeline scores a model call's sentences, then explains each
        document's part of them, the same batch when the call holds one
        document (``predict --explain`` on a page, either semantic tier), which
        this saves a second encoder call. A timing that repeats one batch
        measures this cache: the benchmarks give every repeat new text.
        """
        sentences = list(sentences)
        if not sentences:
            return np.zeros((0, DIM), dtype=np.float32)
        if self._last is not None and self._last[0] == sentences:
            return self._last[1]
        encode = self.encode if self.encode is not None else _encoder().encode
        vectors = encode(sentences)
        self._last = (sentences, vectors)
        return vectors

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        """The term for each row of ``vectors`` (as training computes its features).

        Summed row by row, not by a matrix product: BLAS may add up a row in
        another order depending on how many rows come with it, and one
        sentence must score the same in any batch.
        """
        terms = np.asarray(vectors, dtype=np.float64) * self.scale
        terms *= self.weights
        return terms.sum(axis=1)
