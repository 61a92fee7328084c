"""The scoring API: sentences in, probabilities of an unsupported claim out.

Every function here reads the scoring core (``claim_risk.core.pipeline``):
``score_text``, ``score_texts`` and ``iter_score_texts`` return its records,
``score_documents`` and ``score_sentences`` its probabilities.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..textio.readers import INPUT_FORMATS, Document
from .artifacts import ModelChoice, load_model
from .context import page_score
from .pipeline import SentenceScore, probabilities, score_stream

__all__ = [
    "INPUT_FORMATS",
    "DocumentSummary",
    "Scorer",
    "SentenceScore",
    "iter_score_texts",
    "score_documents",
    "score_sentence",
    "score_sentences",
    "score_text",
    "score_texts",
    "summarize",
]


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


def _check_strings(items: Sequence[object], what: str) -> None:
    for i, s in enumerate(items):
        if not isinstance(s, str):
            raise TypeError(f"{what} {i} is {type(s).__name__}, expected str")


def score_sentences(sentences: Iterable[str], model_dir: ModelChoice = None) -> list[float]:
    """Probability that each sentence is an unsupported claim, each read alone, in input order.

    For sentences of a page, ``score_documents`` or ``score_text`` read each
    one in the light of its page, which ranks real pages better.
    """
    if isinstance(sentences, str | bytes):
        raise TypeError(
            f"sentences is a {type(sentences).__name__}: pass a list of sentences "
            "(score_sentences([text])), or score_text(text) to cut a document into sentences"
        )
    items = list(sentences)
    _check_strings(items, "sentence")
    return probabilities([items], model_dir, alone=True)[0].tolist()


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
    return [p.tolist() for p in probabilities(docs, model_dir)]


def score_text(
    text: str,
    threshold: float | None = None,
    model_dir: ModelChoice = None,
    input_format: str = "text",
) -> list[SentenceScore]:
    """Split a document into sentences and score each one in the light of the document.

    Records carry character offsets into ``text`` (``text[start:end]`` is the
    sentence), ``flagged`` at ``threshold`` (default: the model's stored one),
    the risk ``band`` and the document's ``page_score``. ``input_format`` is
    ``text`` (the default), ``html`` (the page's main text is extracted as
    ``predict --input-format html`` extracts it, and offsets index that
    extracted text, not the markup) or ``auto`` (HTML when it looks like a page).
    """
    if not isinstance(text, str):
        raise TypeError(f"text is {type(text).__name__}, expected str")
    return score_texts([text], threshold, model_dir, input_format)[0]


def score_texts(
    texts: Iterable[str],
    threshold: float | None = None,
    model_dir: ModelChoice = None,
    input_format: str = "text",
) -> list[list[SentenceScore]]:
    """``score_text`` for many documents, scored together in batches: the fast path.

    It returns every record of every document at once, so its memory grows
    with the input (about 30 times the text); for more documents than fit in
    memory, or to act on each as it is scored, use ``iter_score_texts``.
    """
    _check_texts_call(texts, input_format)
    docs = list(texts)
    _check_strings(docs, "text")
    return list(_records(docs, threshold, model_dir, input_format))


def iter_score_texts(
    texts: Iterable[str],
    threshold: float | None = None,
    model_dir: ModelChoice = None,
    input_format: str = "text",
) -> Iterator[list[SentenceScore]]:
    """``score_texts`` as a stream: yields each document's records, in order, as it is scored.

    ``texts`` is read lazily (a generator over files or a database cursor is
    never held whole): memory is bounded by the documents read ahead for one
    model call (up to ``BATCH_SENTENCES`` sentences) plus the records of the
    document being yielded, whatever the length of the stream. The records
    are the same as ``score_texts`` gives. Use ``score_texts`` for a list of
    documents that fits in memory, this for a stream or a large corpus. The
    arguments and the model are checked when it is called; a text that is
    not a str is a ``TypeError`` when the stream reaches it.
    """
    _check_texts_call(texts, input_format)
    model = load_model(model_dir)
    return _records(_checked_strings(texts), threshold, model, input_format)


def _check_texts_call(texts: object, input_format: str) -> None:
    if isinstance(texts, str):
        raise TypeError("texts is a str: pass a list of documents, or use score_text")
    if input_format not in INPUT_FORMATS:
        raise ValueError(
            f"input_format {input_format!r} is not one of {', '.join(map(repr, INPUT_FORMATS))}"
        )


def _checked_strings(texts: Iterable[object]) -> Iterator[str]:
    """The texts as they are read, each checked to be a str."""
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, expected str")
        yield text


def _records(
    texts: Iterable[str], threshold: float | None, model: ModelChoice, input_format: str
) -> Iterator[list[SentenceScore]]:
    """Each document's records, in order, from the one scoring pipeline."""
    blocks = (Document("<text>", text=t, input_format=input_format).blocks() for t in texts)
    for doc in score_stream(blocks, model, threshold=threshold):
        yield list(doc)


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

    def texts(
        self, texts: Iterable[str], threshold: float | None = None, input_format: str = "text"
    ) -> list:
        """Records per document, as ``score_texts``."""
        return score_texts(texts, threshold, self.model_dir, input_format)

    @property
    def threshold(self) -> float:
        """The model's stored decision threshold."""
        return load_model(self.model_dir).threshold

    def __repr__(self) -> str:
        return f"Scorer(model_dir={self.model_dir!r})"
