"""The pages under review: read once from the paths given, scored, and tied to the labels file.

At start the given files and folders are read the way ``predict`` reads them
(text, Markdown, HTML reduced to its main text; links in a folder that lead
outside it skipped) and passed to the adapt loop's ``extract``, which writes
or merges the labels CSV (stable document and sentence ids, labels already
there kept). Each page is then scored with its context, explained, and its
sentences given the ids of their rows. Nothing else is ever read: the server
names pages and sentences by these ids, never by a path from a request.

``suggest`` picks what to label next with ``training/adapt/suggest.py``:
sentences closest to the threshold first, pages taking turns, near-duplicates
of labelled or already chosen sentences left out.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from claim_risk.core.artifacts import ModelChoice, load_model
from claim_risk.core.pipeline import score_stream
from claim_risk.frontends.html_report import feature_label
from claim_risk.textio.readers import InputError

from ..adapt.loop import _documents, doc_id_for, extract
from ..data.schema import assign_ids
from .store import LabelStore

__all__ = ["EXPLAIN", "Page", "Sentence", "Session", "read_pages"]

EXPLAIN = 3  # reasons each way shown for a sentence


@dataclass
class Sentence:
    """One sentence as the page shows it: its row id, score, band and reasons in words."""

    id: str
    position: int
    text: str
    score: float
    band: str
    flagged: bool
    up: list[tuple[str, float]]
    down: list[tuple[str, float]]
    page: float
    before: float | None = None


@dataclass
class Page:
    """One document: its id, where it came from, its page score and its sentences."""

    doc_id: str
    source: str
    text: str
    page_score: float = 0.0
    sentences: list[Sentence] = field(default_factory=list)


def read_pages(paths: list[str]) -> tuple[list[Page], list[InputError]]:
    """The documents at ``paths`` (unscored) and the inputs that could not be read."""
    pages: list[Page] = []
    problems: list[InputError] = []
    seen: set[str] = set()
    for item in _documents(paths):  # extract's own reader: the same documents it reads
        if isinstance(item, InputError):
            problems.append(item)
            continue
        try:
            text = "".join(block for _, block in item.blocks())
        except InputError as exc:
            problems.append(exc)
            continue
        doc_id = doc_id_for(item.source, text)
        if doc_id in seen or not text.strip():
            continue
        seen.add(doc_id)
        pages.append(Page(doc_id, item.source, text))
    return pages, problems


def _words(pairs: list) -> list[tuple[str, float]]:
    return [(feature_label(name), round(float(c), 3)) for name, c in pairs]


def score_pages(pages: list[Page], model: ModelChoice) -> list[Page]:
    """The pages scored with ``model``, their sentences with ids and reasons, riskiest first."""
    scored: list[Page] = []
    for page, doc in zip(
        pages, score_stream([p.text for p in pages], model, explain=EXPLAIN), strict=True
    ):
        records = list(doc)
        ids = assign_ids(page.doc_id, [r.text for r in records])
        sentences = [
            Sentence(
                sid,
                r.index,
                r.text,
                round(r.score, 4),
                r.band,
                r.flagged,
                _words(r.explain["up"]),
                _words(r.explain["down"]),
                round(float(r.explain["page"]), 3),
            )
            for sid, r in zip(ids, records, strict=True)
        ]
        sentences.sort(key=lambda s: (-s.score, s.position))
        scored.append(
            Page(page.doc_id, page.source, page.text, round(doc.page_score, 4), sentences)
        )
    scored.sort(key=lambda p: (-p.page_score, p.source))
    return scored


class Session:
    """The pages, the model they are scored with, and the labels file, for one workbench."""

    def __init__(
        self, paths: list[str], labels: Path, model: ModelChoice = None, topic: str = "user"
    ) -> None:
        self.paths = paths
        self.store = LabelStore(labels)
        self.topic = topic
        self.model = load_model(model)
        self.problems: list[str] = []
        self.exit_code = 0  # the exit status of the first input that could not be read
        self._pages: list[Page] = []
        self._by_id: dict[str, tuple[Page, Sentence]] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read the inputs, extract them into the labels file, and score them.

        Inputs that cannot be read are listed in ``problems`` (``exit_code`` is the
        first one's status); raises what ``extract`` raises when the labels file
        cannot be written.
        """
        pages, errors = read_pages(self.paths)
        self.problems = [str(e) for e in errors]
        self.exit_code = errors[0].code if errors else 0
        extract(self.paths, self.store.path, self.topic, _folder(self.model))
        rows = {r["id"] for r in self.store.rows()}
        kept = []
        for page in score_pages(pages, self.model):
            if all(s.id in rows for s in page.sentences):
                kept.append(page)
            else:
                self.problems.append(f"{page.source}: changed while it was read: left out")
        self._set(kept)

    def _set(self, pages: list[Page]) -> None:
        with self._lock:
            self._pages = pages
            self._by_id = {s.id: (p, s) for p in pages for s in p.sentences}

    @property
    def pages(self) -> list[Page]:
        """The pages, riskiest first."""
        return self._pages

    def has(self, sentence_id: str) -> bool:
        """Whether ``sentence_id`` is a sentence of the pages under review."""
        return sentence_id in self._by_id

    def rescore(self, model: ModelChoice) -> None:
        """Score the pages again with ``model`` (a retrained folder); keep the old scores."""
        tier = load_model(model)
        before = {s.id: s.score for p in self._pages for s in p.sentences}
        pages = score_pages(self._pages, tier)
        for page in pages:
            for s in page.sentences:
                s.before = before.get(s.id)
        self.model = tier
        self._set(pages)

    def describe(self) -> dict[str, Any]:
        """The model, its threshold and bands, for the page's header."""
        return {**self.model.describe(), **self.model.decision.to_dict()}

    def pages_json(self) -> list[dict[str, Any]]:
        """The pages as the browser reads them (no document text beyond the sentences)."""
        return [
            {
                "doc_id": p.doc_id,
                "source": p.source,
                "page_score": p.page_score,
                "sentences": [asdict(s) for s in p.sentences],
            }
            for p in self._pages
        ]

    def suggest(self, n: int) -> list[str]:
        """Ids of up to ``n`` unlabelled, unskipped sentences to label next, best first."""
        from ..adapt.suggest import suggest_order

        labels = self.store.labels()
        skipped = self.store.skipped()
        todo = [
            (p, s)
            for p in self._pages
            for s in p.sentences
            if s.id not in labels and s.id not in skipped
        ]
        done = [s.text for p in self._pages for s in p.sentences if s.id in labels]
        order = suggest_order(
            [s.text for _, s in todo],
            [p.doc_id for p, _ in todo],
            [s.score for _, s in todo],
            self.model.threshold,
            n,
            labelled_texts=done,
        )
        return [todo[i][1].id for i in order]


def _folder(model: Any) -> str | None:
    """The model folder as ``extract`` takes it (it scores the rows' ``score`` column)."""
    directory = getattr(model, "directory", None)
    return str(directory) if directory is not None else None
