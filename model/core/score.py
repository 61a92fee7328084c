"""The scoring API: sentences in, probabilities of an unsupported claim out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from claim_risk.core.artifacts import LoadedModel, ModelChoice, load_model
from claim_risk.core.context import ContextModel, page_score
from claim_risk.core.linear import SentenceModel, sigmoid
from claim_risk.core.segment import segment

__all__ = [
    "DocumentSummary",
    "Scorer",
    "SentenceScore",
    "cascade_parts",
    "document_parts",
    "model_logits",
    "rescored_alone",
    "score_documents",
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
    band: str

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
    page_score: float

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary of the fields."""
        return asdict(self)


def rescored_alone(model: LoadedModel, sentences: Sequence[str]) -> np.ndarray | None:
    """For a cascade scoring sentences alone, which ones the semantic model re-scores.

    Those the fast model, reading them alone, scores at or above the cut;
    None when ``model`` is not a cascade.
    """
    if model.cascade_from is None:
        return None
    return sigmoid(model.cascade_from.sentence.logits(sentences)) >= model.cascade_cut


def sentence_logits(model: LoadedModel, sentences: Sequence[str]) -> np.ndarray:
    """Context-free log-odds of a batch; a cascade re-scores only what ``fast`` puts high."""
    if not sentences:
        return np.zeros(0)
    pick = rescored_alone(model, sentences)
    if pick is None:
        return model.sentence.logits(sentences)
    z = model.cascade_from.sentence.logits(sentences)
    idx = np.flatnonzero(pick)
    if len(idx):
        z[idx] = model.sentence.logits([sentences[i] for i in idx])
    return z


def sentence_probabilities(model: LoadedModel, sentences: Sequence[str]) -> np.ndarray:
    """Context-free probabilities of a batch (one feature pass, one matrix product)."""
    return sigmoid(sentence_logits(model, sentences))


def document_logits(
    sentence: SentenceModel, context: ContextModel | None, documents: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds of every sentence of every document (flattened): alone, and with its page.

    The one place where the sentence model and the context stage meet; without
    a context stage the two arrays are the same.
    """
    flat = [s for doc in documents for s in doc]
    if not flat:
        return np.zeros(0), np.zeros(0)
    z = sentence.logits(flat)
    if context is None:
        return z, z
    return z, context.logits(z, context.windows([len(doc) for doc in documents]), flat)


def cascade_parts(
    fast: LoadedModel, semantic: LoadedModel, cut: float, documents: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cascade's log-odds (alone, with page) and which sentences semantic re-scored.

    Sentences fast scores (with their page) at or above ``cut`` get the semantic
    model's scores; the others keep fast's. The semantic context stage reads
    the page from the semantic log-odds where they were computed and fast's
    elsewhere.
    """
    z_fast, zc_fast = document_logits(fast.sentence, fast.context, documents)
    pick = sigmoid(zc_fast) >= cut
    if not pick.any():
        return z_fast, zc_fast, pick
    flat = [s for doc in documents for s in doc]
    idx = np.flatnonzero(pick)
    z = z_fast.copy()
    z[idx] = semantic.sentence.logits([flat[i] for i in idx])
    zc = zc_fast.copy()
    ctx = semantic.context
    page = z if ctx is None else ctx.logits(z, ctx.windows([len(d) for d in documents]), flat)
    zc[idx] = page[idx]
    return z, zc, pick


def document_parts(
    model: LoadedModel, documents: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Log-odds alone and with the page, and (for a cascade) which sentences semantic scored.

    The path every entry point takes, so the fast model, the semantic one and
    the cascade are scored the same way everywhere.
    """
    if model.cascade_from is None:
        return (*document_logits(model.sentence, model.context, documents), None)
    return cascade_parts(model.cascade_from, model, model.cascade_cut, documents)


def model_logits(
    model: LoadedModel, documents: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """``document_parts`` without the cascade's picks: log-odds alone and with the page."""
    z, zc, _ = document_parts(model, documents)
    return z, zc


def document_probabilities(model: LoadedModel, documents: Sequence[Sequence[str]]) -> list:
    """Probabilities of every sentence of every document, read with its page (one batch)."""
    _, z = model_logits(model, documents)
    p = sigmoid(z)
    bounds = np.cumsum([0] + [len(doc) for doc in documents])
    return [p[bounds[i] : bounds[i + 1]] for i in range(len(documents))]


def _check_strings(items: Sequence[object], what: str) -> None:
    for i, s in enumerate(items):
        if not isinstance(s, str):
            raise TypeError(f"{what} {i} is {type(s).__name__}, expected str")


def score_sentences(sentences: Iterable[str], model_dir: ModelChoice = None) -> list[float]:
    """Probability that each sentence is an unsupported claim, each read alone, in input order.

    For sentences of a page, ``score_documents`` or ``score_text`` read each
    one in the light of its page, which ranks real pages better.
    """
    items = list(sentences)
    _check_strings(items, "sentence")
    return sentence_probabilities(load_model(model_dir), items).tolist()


def score_sentence(sentence: str, model_dir: ModelChoice = None) -> float:
    """Probability that one sentence, read alone, is an unsupported claim."""
    return score_sentences([sentence], model_dir)[0]


def score_documents(
    documents: Iterable[Sequence[str]], model_dir: ModelChoice = None
) -> list[list[float]]:
    """For documents already cut into sentences: one list of probabilities per document.

    Each sentence is scored in the light of its document (the context stage),
    exactly as ``score_text`` scores the sentences it cuts.
    """
    docs = [list(d) if not isinstance(d, str) else None for d in documents]
    for i, d in enumerate(docs):
        if d is None:
            raise TypeError(f"document {i} is a str: pass a list of its sentences, or score_text")
        _check_strings(d, f"document {i} sentence")
    return [p.tolist() for p in document_probabilities(load_model(model_dir), docs)]


def score_text(
    text: str,
    threshold: float | None = None,
    model_dir: ModelChoice = None,
) -> list[SentenceScore]:
    """Split a document into sentences and score each one in the light of the document.

    Records carry character offsets into ``text`` (``text[start:end]`` is the
    sentence), ``flagged`` at ``threshold`` (default: the model's stored one)
    and the risk ``band``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text is {type(text).__name__}, expected str")
    return score_texts([text], threshold, model_dir)[0]


def score_texts(
    texts: Iterable[str],
    threshold: float | None = None,
    model_dir: ModelChoice = None,
) -> list[list[SentenceScore]]:
    """``score_text`` for many documents with one model call: the fast path for batches."""
    docs = list(texts)
    _check_strings(docs, "text")
    model = load_model(model_dir)
    decision = model.decision.with_threshold(threshold)
    spans = [segment(t) for t in docs]
    probs = document_probabilities(model, [[s.text for s in doc] for doc in spans])
    return [
        [
            SentenceScore(i, s.text, s.start, s.end, p, decision.flagged(p), decision.band(p))
            for i, (s, p) in enumerate(zip(doc, ps.tolist(), strict=True))
        ]
        for doc, ps in zip(spans, probs, strict=True)
    ]


def summarize(records: Sequence[SentenceScore | dict]) -> DocumentSummary:
    """Number of sentences, number flagged, highest score, share flagged and the page score.

    The page score (``claim_risk.core.context.page_score``) is the mean of the page's
    three highest sentence scores: one number to rank whole pages by.
    """
    n = len(records)
    scores = [float(r["score"]) for r in records]
    flagged = sum(1 for r in records if r["flagged"])
    return DocumentSummary(
        n, flagged, max(scores, default=0.0), flagged / n if n else 0.0, page_score(scores)
    )


class Scorer:
    """A picklable handle on a model folder, for worker processes and pipelines.

    The model is loaded lazily in whichever process first scores, and is
    not pickled along with the handle.
    """

    def __init__(self, model_dir: ModelChoice = None) -> None:
        self.model_dir = os.fspath(model_dir) if isinstance(model_dir, os.PathLike) else model_dir

    def __call__(self, sentences: Iterable[str]) -> list[float]:
        """Context-free scores, as ``score_sentences``."""
        return score_sentences(sentences, self.model_dir)

    def documents(self, documents: Iterable[Sequence[str]]) -> list[list[float]]:
        """Scores in the light of each document, as ``score_documents``."""
        return score_documents(documents, self.model_dir)

    def texts(self, texts: Iterable[str], threshold: float | None = None) -> list:
        """Records per document, as ``score_texts``."""
        return score_texts(texts, threshold, self.model_dir)

    @property
    def threshold(self) -> float:
        """The model's stored decision threshold."""
        return load_model(self.model_dir).threshold

    def __repr__(self) -> str:
        return f"Scorer(model_dir={self.model_dir!r})"
