"""The scoring API: sentences in, probabilities of an unsupported claim out."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from model.artifacts import LoadedModel, load_model
from model.segment import segment

__all__ = [
    "DocumentSummary",
    "Scorer",
    "SentenceScore",
    "score_sentence",
    "score_sentences",
    "score_text",
    "score_texts",
    "summarize",
]


@dataclass(frozen=True)
class SentenceScore:
    """One scored sentence of a document; fields readable as attributes or keys."""

    index: int
    text: str
    start: int
    end: int
    score: float
    flagged: bool

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> list[str]:
        """Field names, so ``dict(record)`` works."""
        return list(self.__dataclass_fields__)

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary of the fields."""
        return asdict(self)


@dataclass(frozen=True)
class DocumentSummary:
    """What a document's sentence scores add up to."""

    sentences: int
    flagged: int
    max_score: float
    share_flagged: float

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary of the fields."""
        return asdict(self)


def _clip(values: Iterable[float]) -> list[float]:
    """Finite floats in [0, 1] (guards against NaN from degenerate inputs)."""
    return [min(1.0, max(0.0, v)) if math.isfinite(v) else 0.0 for v in map(float, values)]


def _scores(model: LoadedModel, sentences: Sequence[str]) -> list[float]:
    if not sentences:
        return []
    return _clip(model.pipeline.predict_proba(list(sentences))[:, 1])


def score_sentences(
    sentences: Iterable[str], model_dir: str | os.PathLike | None = None
) -> list[float]:
    """Probability that each sentence is an unsupported claim, in input order.

    One batched ``predict_proba`` call; the model is loaded once per process.
    """
    items = list(sentences)
    for i, s in enumerate(items):
        if not isinstance(s, str):
            raise TypeError(f"sentence {i} is {type(s).__name__}, expected str")
    return _scores(load_model(model_dir), items)


def score_sentence(sentence: str, model_dir: str | os.PathLike | None = None) -> float:
    """Probability that one sentence is an unsupported claim."""
    return score_sentences([sentence], model_dir)[0]


def score_text(
    text: str,
    threshold: float | None = None,
    model_dir: str | os.PathLike | None = None,
) -> list[SentenceScore]:
    """Split a document into sentences and score each one.

    Records carry character offsets into ``text`` (``text[start:end]`` is the
    sentence) and ``flagged`` at ``threshold`` (default: the model's stored one).
    """
    if not isinstance(text, str):
        raise TypeError(f"text is {type(text).__name__}, expected str")
    return score_texts([text], threshold, model_dir)[0]


def score_texts(
    texts: Iterable[str],
    threshold: float | None = None,
    model_dir: str | os.PathLike | None = None,
) -> list[list[SentenceScore]]:
    """``score_text`` for many documents with one model call: the fast path for batches."""
    docs = list(texts)
    for i, t in enumerate(docs):
        if not isinstance(t, str):
            raise TypeError(f"text {i} is {type(t).__name__}, expected str")
    model = load_model(model_dir)
    cut = model.threshold if threshold is None else float(threshold)
    spans = [segment(t) for t in docs]
    scores = iter(_scores(model, [s.text for doc in spans for s in doc]))
    return [
        [
            SentenceScore(i, s.text, s.start, s.end, p, p >= cut)
            for i, (s, p) in enumerate(zip(doc, scores, strict=False))
        ]
        for doc in spans
    ]


def summarize(records: Sequence[SentenceScore | dict]) -> DocumentSummary:
    """Number of sentences, number flagged, highest score and share flagged."""
    n = len(records)
    flagged = sum(1 for r in records if r["flagged"])
    top = max((float(r["score"]) for r in records), default=0.0)
    return DocumentSummary(n, flagged, top, flagged / n if n else 0.0)


class Scorer:
    """A picklable handle on a model folder, for worker processes and pipelines.

    The pipeline is loaded lazily in whichever process first scores, and is
    not pickled along with the handle.
    """

    def __init__(self, model_dir: str | os.PathLike | None = None) -> None:
        self.model_dir = None if model_dir is None else os.fspath(model_dir)

    def __call__(self, sentences: Iterable[str]) -> list[float]:
        return score_sentences(sentences, self.model_dir)

    @property
    def threshold(self) -> float:
        """The model's stored decision threshold."""
        return load_model(self.model_dir).threshold

    def __repr__(self) -> str:
        return f"Scorer(model_dir={self.model_dir!r})"
