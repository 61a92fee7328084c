"""The scoring core: documents in, one record per sentence out, for every front end.

``score_stream`` is the one place where documents are cut into sentences,
read with their pages, turned into probabilities, flagged, banded, given
their document's page score and, on request, their language and
explanations. The API (``score_text``, ``score_texts``), ``predict``, its HTML
page, the DataFrame helpers and Spark read its records and only format them;
``probabilities`` is the same for documents already cut into sentences.

Memory is bounded by one document: documents are read one at a time, and a
document's sentences are held as compact arrays (offsets into its text
blocks, log-odds) rather than one object each, until its records are read.
Short documents are scored together in one model call of at most
``BATCH_SENTENCES`` sentences (fast, and still bounded); a long document is
scored page (context window) by page, each page exactly as in one call.
Every record carries the page score of its whole document, so a document's
records come once the whole document has been read.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import MISSING, asdict, dataclass, fields
from itertools import repeat
from typing import Any

import numpy as np

from ..textio.language import ENGLISH, UNDETERMINED, languages
from .artifacts import ModelChoice, load_model
from .context import page_score
from .decision import Decision
from .linear import sigmoid
from .segment import segment
from .tiers import Tier

__all__ = [
    "BATCH_SENTENCES",
    "OPTIONAL_FIELDS",
    "RECORD_FIELDS",
    "Block",
    "ScoredDocument",
    "SentenceScore",
    "probabilities",
    "score_stream",
]

BATCH_SENTENCES = 4096

Block = tuple[int, str]
"""A stretch of a document: (character offset of its start in the document, its text)."""


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """One scored sentence of a document; fields readable as attributes or keys.

    ``start`` and ``end`` are character offsets into the document's text (for
    HTML input: into its extracted main text); ``page_score`` is the whole
    document's. ``lang`` and ``explain`` are there only when asked for.
    """

    index: int
    text: str
    start: int
    end: int
    score: float
    flagged: bool
    band: str
    page_score: float
    lang: str | None = None
    explain: dict | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> list[str]:
        """Names of the fields present (optional ones only when set), so ``dict(record)`` works."""
        return [*RECORD_FIELDS, *(f for f in OPTIONAL_FIELDS if getattr(self, f) is not None)]

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary of the fields present."""
        full = asdict(self)
        return {k: full[k] for k in self.keys()}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.keys())
        return f"SentenceScore({shown})"


RECORD_FIELDS = tuple(f.name for f in fields(SentenceScore) if f.default is MISSING)
"""The fields every record has, in order: the one definition front ends derive theirs from."""
OPTIONAL_FIELDS = tuple(f.name for f in fields(SentenceScore) if f.default is not MISSING)
"""Fields a record has on request: ``lang`` (language detection) and ``explain``."""


_CODEC = ("utf-8", "surrogatepass")  # round-trips any str, lone surrogates too


def _byte_offsets(data: bytes, *positions: Sequence[int]) -> list[bytes]:
    """The byte offsets in ``data`` (UTF-8, surrogates passed) of character offsets.

    A character starts at every byte that is not a continuation byte
    (``10xxxxxx``). One array of 64-bit offsets, as machine bytes, for each
    sequence of ``positions``; a position may be the end of the text.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    starts = np.flatnonzero((raw & 0xC0) != 0x80)
    starts = np.append(starts, len(raw))
    return [starts[np.array(p, dtype=np.int64)].tobytes() for p in positions]


class _Sentences:
    """One document's sentences: offsets into its blocks, kept as compact arrays.

    The blocks are held as UTF-8 bytes (a str holding one emoji takes four
    bytes a character); a sentence's text is decoded from its block when read.
    While the document is shorter than ``keep`` sentences, the texts cut are
    kept as well, so that scoring and records need not decode them again.
    """

    def __init__(self, keep: int = 0) -> None:
        self.blocks: list[bytes] = []
        self.block = array("i")  # each sentence's block
        self.lo = array("q")  # byte offsets of the sentence in its block
        self.hi = array("q")
        self.start = array("q")  # character offsets in the document
        self.end = array("q")
        self.langs: list[str] = []
        self.keep = keep
        self.texts: list[str] | None = [] if keep > 0 else None
        self.kept: np.ndarray | None = None  # positions scored, when some are left out
        self.chunks: list[tuple[int, int]] = []  # kept positions scored in one model call
        self.alone = self.in_context = self.scores = np.zeros(0)
        self.rescored: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.start) if self.kept is None else len(self.kept)

    def add(self, offset: int, block: str) -> list[str]:
        """Cut one block into sentences and keep their offsets; the sentences' texts."""
        b = len(self.blocks)
        data = block.encode(*_CODEC)
        self.blocks.append(data)
        spans = segment(block)
        if not spans:
            return []
        starts, ends, texts = zip(*spans, strict=True)
        n = len(texts)
        self.block.extend(repeat(b, n))
        if block.isascii():  # then byte offsets are character offsets
            self.lo.extend(starts)
            self.hi.extend(ends)
        else:
            lo, hi = _byte_offsets(data, starts, ends)
            self.lo.frombytes(lo)
            self.hi.frombytes(hi)
        if offset:
            self.start.extend([offset + s for s in starts])
            self.end.extend([offset + e for e in ends])
        else:
            self.start.extend(starts)
            self.end.extend(ends)
        if self.texts is not None:
            if len(self.start) <= self.keep:
                self.texts += texts
            else:
                self.texts = None
        return list(texts)

    def positions(self, lo: int, hi: int) -> list[int]:
        """The positions in the document of those scored from ``lo`` to ``hi``."""
        return list(range(lo, hi)) if self.kept is None else self.kept[lo:hi].tolist()

    def texts_at(self, positions: list[int]) -> list[str]:
        """The texts of the sentences at ``positions`` (positions in the document)."""
        if self.texts is not None:
            texts = self.texts
            return [texts[i] for i in positions]
        blocks, block, lo, hi = self.blocks, self.block, self.lo, self.hi
        return [blocks[block[i]][lo[i] : hi[i]].decode(*_CODEC) for i in positions]

    def before(self, i: int) -> str:
        """The document's text between sentence ``i`` and the one before it (or the start)."""
        first, lo = (self.block[i - 1], self.hi[i - 1]) if i else (0, 0)
        last, hi = self.block[i], self.lo[i]
        if first == last:
            return self.blocks[first][lo:hi].decode(*_CODEC)
        parts = [self.blocks[first][lo:], *self.blocks[first + 1 : last], self.blocks[last][:hi]]
        return b"".join(parts).decode(*_CODEC)


def _read(
    blocks: Iterable[Block], window: int, detect: bool, skip_non_english: bool, keep: int = 0
) -> _Sentences:
    """Cut a document into sentences; tag languages a window at a time when asked.

    The texts are kept while the document has at most ``keep`` sentences.
    """
    doc = _Sentences(keep)
    pending: list[str] = []
    for offset, block in blocks:
        texts = doc.add(offset, block)
        if not detect:
            continue
        pending += texts
        while len(pending) >= window:
            doc.langs += languages(pending[:window])
            pending = pending[window:]
    if pending:
        doc.langs += languages(pending)
    if skip_non_english:
        english = [lang in (ENGLISH, UNDETERMINED) for lang in doc.langs]
        doc.kept = np.flatnonzero(np.asarray(english, dtype=bool))
    return doc


def _units(docs: Sequence[_Sentences], window: int) -> Iterator[tuple[_Sentences, int, int]]:
    """Every page of every document: (document, first, end) positions among those scored."""
    for doc in docs:
        for lo in range(0, len(doc), window):
            yield doc, lo, min(lo + window, len(doc))


def _score(docs: Sequence[_Sentences], tier: Tier, batch: int) -> None:
    """Log-odds of every sentence of ``docs``, pages grouped into calls of about ``batch``."""
    for doc in docs:
        doc.alone, doc.in_context = np.zeros(len(doc)), np.zeros(len(doc))
        doc.scores = np.zeros(len(doc))
    group: list[tuple[_Sentences, int, int]] = []
    size = 0
    for unit in _units(docs, tier.window):
        if group and size + unit[2] - unit[1] > batch:
            _score_group(group, tier)
            group, size = [], 0
        group.append(unit)
        size += unit[2] - unit[1]
    if group:
        _score_group(group, tier)


def _score_group(group: list[tuple[_Sentences, int, int]], tier: Tier) -> None:
    pages = [doc.texts_at(doc.positions(lo, hi)) for doc, lo, hi in group]
    logits = tier.document_logits(pages)
    scores = sigmoid(logits.in_context)
    at = 0
    seen: set[int] = set()  # documents with a chunk from this call already
    for doc, lo, hi in group:
        part = slice(at, at + hi - lo)
        doc.alone[lo:hi] = logits.alone[part]
        doc.in_context[lo:hi] = logits.in_context[part]
        doc.scores[lo:hi] = scores[part]
        if logits.rescored is not None:
            if doc.rescored is None:
                doc.rescored = np.zeros(len(doc), dtype=bool)
            doc.rescored[lo:hi] = logits.rescored[part]
        if id(doc) in seen:
            doc.chunks[-1] = (doc.chunks[-1][0], hi)
        else:
            doc.chunks.append((lo, hi))
            seen.add(id(doc))
        at += hi - lo


class ScoredDocument:
    """One document, scored: its page score, its languages, and its records as they are read.

    Iterating gives the ``SentenceScore`` records in reading order; they are
    built (and explained) a model call's worth at a time. ``languages`` counts
    the document's sentences by language (those left out too), when detected.
    """

    def __init__(
        self, doc: _Sentences, tier: Tier, decision: Decision, explain: int, detect: bool
    ) -> None:
        self._doc, self._tier, self._decision = doc, tier, decision
        self._explain, self._detect = explain, detect
        self.scores = doc.scores
        self.page_score = page_score(self.scores)
        self.languages: Counter[str] = Counter(doc.langs)

    def __len__(self) -> int:
        return len(self._doc)

    def gap(self, index: int) -> str:
        """The text between sentence ``index`` and the sentence before it (or the start)."""
        return self._doc.before(index)

    def __iter__(self) -> Iterator[SentenceScore]:
        doc, page = self._doc, self.page_score
        names = [band.name for band in self._decision.bands]
        for lo, hi in doc.chunks:
            positions = doc.positions(lo, hi)
            texts = doc.texts_at(positions)
            explained = self._explanations(texts, lo, hi)
            flags, bands = self._decide(self.scores[lo:hi])
            if doc.kept is None:
                starts, ends = doc.start[lo:hi], doc.end[lo:hi]
            else:
                starts, ends = [doc.start[i] for i in positions], [doc.end[i] for i in positions]
            langs = [doc.langs[i] for i in positions] if self._detect else repeat(None)
            why = explained if explained is not None else repeat(None)
            for row in zip(
                positions,
                texts,
                starts,
                ends,
                self.scores[lo:hi].tolist(),
                flags,
                map(names.__getitem__, bands),
                repeat(page),
                langs,
                why,
            ):
                yield SentenceScore(*row)

    def _decide(self, scores: np.ndarray) -> tuple[list[bool], list[int]]:
        """``Decision.flagged`` and the index of ``Decision.band`` of each score, in bulk."""
        decision = self._decision
        flags = scores >= decision.threshold
        high = scores >= decision.bands[2].lower
        return flags.tolist(), np.where(high, 2, flags.astype(np.int64)).tolist()

    def _explanations(self, texts: list[str], lo: int, hi: int) -> list[dict] | None:
        """``explain`` of each sentence, and ``page``: the log-odds its page added."""
        if not self._explain:
            return None
        doc = self._doc
        rescored = doc.rescored[lo:hi] if doc.rescored is not None else None
        out = self._tier.explain(texts, self._explain, rescored)
        added = (doc.in_context[lo:hi] - doc.alone[lo:hi]).tolist()
        return [{**e, "page": a} for e, a in zip(out, added, strict=True)]


def score_stream(
    documents: Iterable[str | Iterable[Block]],
    model: ModelChoice = None,
    *,
    threshold: float | None = None,
    explain: int = 0,
    detect_language: bool = False,
    skip_non_english: bool = False,
    batch: int = BATCH_SENTENCES,
) -> Iterator[ScoredDocument]:
    """Each document scored, in order, as a ``ScoredDocument`` of ``SentenceScore`` records.

    A document is a string or its ``(offset, text)`` blocks (line-aligned, as
    ``claim_risk.textio.readers.Document.blocks`` gives them). ``threshold``
    replaces the model's own; ``explain`` > 0 adds the N strongest features
    each way; ``detect_language`` adds ``lang``; ``skip_non_english`` leaves
    out sentences in another language (the rest are read as the document).
    Documents are read ahead only until ``batch`` sentences wait, so a stream
    of one document at a time is never held back.
    """
    tier = load_model(model)
    decision = tier.decision.with_threshold(threshold)
    detect = detect_language or skip_non_english
    waiting: list[_Sentences] = []
    size = 0
    for document in documents:
        blocks = [(0, document)] if isinstance(document, str) else document
        doc = _read(blocks, tier.window, detect, skip_non_english, batch)
        waiting.append(doc)
        size += len(doc)
        if size >= batch:
            yield from _finish(waiting, tier, decision, explain, detect, batch)
            waiting, size = [], 0
    yield from _finish(waiting, tier, decision, explain, detect, batch)


def _finish(
    docs: list[_Sentences], tier: Tier, decision: Decision, explain: int, detect: bool, batch: int
) -> Iterator[ScoredDocument]:
    _score(docs, tier, batch)
    for doc in docs:
        yield ScoredDocument(doc, tier, decision, explain, detect)


def probabilities(
    documents: Sequence[Sequence[str]], model: ModelChoice = None, *, alone: bool = False
) -> list[np.ndarray]:
    """For documents already cut into sentences: one array of probabilities per document.

    Each sentence is read with its document (its page), or, with ``alone``,
    by itself as ``score_sentences`` reads it.
    """
    tier = load_model(model)
    if alone:
        flat = [s for doc in documents for s in doc]
        p = sigmoid(tier.sentence_logits(flat).in_context)
    else:
        p = sigmoid(tier.document_logits(documents).in_context)
    bounds = np.cumsum([0] + [len(doc) for doc in documents])
    return [p[bounds[i] : bounds[i + 1]] for i in range(len(documents))]
