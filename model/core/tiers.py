"""A tier is what the scoring core runs: one linear model, or a cascade of two.

Both kinds answer the same few questions, so nothing outside this module asks
which kind it holds:

- ``sentence_logits(sentences)``: log-odds of sentences read alone;
- ``document_logits(documents)``: log-odds alone and read with their page;
- ``explain(sentences, k, rescored)``: each sentence's strongest features,
  by the model that scored it;
- ``describe()``: the identity a result header records.

Each answer of the first two is a ``Logits``: the log-odds alone, with the
page, and (for a cascade) which sentences the second tier re-scored. A
``LinearTier`` is one model folder (``fast``, ``semantic`` or one of your own);
a ``CascadeTier`` scores everything with its first tier and re-scores with its
second only what the first puts at or above its cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .context import ContextModel
from .decision import Decision
from .linear import Contribution, SentenceModel, sigmoid

__all__ = ["DEFAULT_WINDOW", "CascadeTier", "LinearTier", "Logits", "Tier"]

DEFAULT_WINDOW = 256
"""Sentences scored in one batch by a tier without a context stage (any size scores alike)."""

Explanation = dict[str, list[Contribution]]


@dataclass(frozen=True)
class Logits:
    """Log-odds of a batch: each sentence alone, read with its page, and who re-scored it."""

    alone: np.ndarray
    in_context: np.ndarray
    rescored: np.ndarray | None = None


def _flat(documents: Sequence[Sequence[str]]) -> list[str]:
    return [s for doc in documents for s in doc]


@dataclass(frozen=True)
class LinearTier:
    """One model folder: the sentence model, its context stage, the decision, the metadata."""

    sentence: SentenceModel
    context: ContextModel | None
    decision: Decision
    metadata: dict
    directory: Path
    label: str | None = None

    @property
    def name(self) -> str:
        """``fast`` or ``semantic`` for the shipped models, else the folder."""
        return self.label if self.label is not None else str(self.directory)

    @property
    def threshold(self) -> float:
        """The stored decision threshold for ``flagged``."""
        return self.decision.threshold

    @property
    def version(self) -> str:
        """A short identity of the model: package version and artifact hash prefix."""
        return f"{self.metadata['package_version']}+{self.metadata['model_sha256'][:12]}"

    @property
    def window(self) -> int:
        """How many sentences of a document one page (context window) holds."""
        return self.context.window if self.context is not None else DEFAULT_WINDOW

    def sentence_logits(self, sentences: Sequence[str]) -> Logits:
        """Log-odds of sentences each read alone (no page)."""
        z = self.sentence.logits(sentences) if len(sentences) else np.zeros(0)
        return Logits(z, z)

    def document_logits(self, documents: Sequence[Sequence[str]]) -> Logits:
        """Log-odds of every sentence of every document (flattened), alone and with its page.

        Without a context stage the two arrays are the same.
        """
        flat = _flat(documents)
        if not flat:
            return Logits(np.zeros(0), np.zeros(0))
        z = self.sentence.logits(flat)
        if self.context is None:
            return Logits(z, z)
        pages = self.context.windows([len(doc) for doc in documents])
        return Logits(z, self.context.logits(z, pages, flat))

    def explain(
        self, sentences: Sequence[str], k: int, rescored: np.ndarray | None = None
    ) -> list[Explanation]:
        """For each sentence, the ``k`` strongest contributions each way (``rescored`` unused)."""
        return self.sentence.explain(list(sentences), k)

    def describe(self) -> dict:
        """The model's identity as a result header records it."""
        meta = self.metadata
        return {
            "name": self.name,
            "version": self.version,
            "model_sha256": meta["model_sha256"],
            "training_data_sha256": meta.get("training_data_sha256"),
            "created": meta.get("created"),
        }


@dataclass(frozen=True)
class CascadeTier:
    """``first`` scores every sentence; ``second`` re-scores those ``first`` puts at ``cut`` or up.

    The decision, metadata and threshold are the second tier's: the cut lies
    at or below its threshold, so a sentence left at the first tier's score is
    not one the second could have flagged.
    """

    first: LinearTier
    second: LinearTier
    cut: float

    name = "cascade"

    def __post_init__(self) -> None:
        if self.first.window != self.second.window:
            raise ValueError(
                f"the two tiers read pages of {self.first.window} and {self.second.window} "
                "sentences: a cascade needs the same window"
            )

    @property
    def decision(self) -> Decision:
        """The second tier's decision record."""
        return self.second.decision

    @property
    def metadata(self) -> dict:
        """The second tier's metadata (it holds the cut)."""
        return self.second.metadata

    @property
    def directory(self) -> Path:
        """The second tier's folder."""
        return self.second.directory

    @property
    def threshold(self) -> float:
        """The second tier's decision threshold."""
        return self.second.threshold

    @property
    def version(self) -> str:
        """The second tier's version."""
        return self.second.version

    @property
    def window(self) -> int:
        """The page size both tiers read."""
        return self.second.window

    def sentence_logits(self, sentences: Sequence[str]) -> Logits:
        """Read alone: ``first``'s log-odds, ``second``'s where ``first`` reaches the cut."""
        z = self.first.sentence_logits(sentences).alone
        pick = sigmoid(z) >= self.cut
        idx = np.flatnonzero(pick)
        if len(idx):
            z = z.copy()
            z[idx] = self.second.sentence.logits([sentences[i] for i in idx])
        return Logits(z, z, pick)

    def document_logits(self, documents: Sequence[Sequence[str]]) -> Logits:
        """With the page: the second tier re-scores what the first (with its page) puts high.

        The second tier's context stage reads a page made of its own log-odds
        where it computed them and the first tier's elsewhere.
        """
        first = self.first.document_logits(documents)
        pick = sigmoid(first.in_context) >= self.cut
        if not pick.any():
            return Logits(first.alone, first.in_context, pick)
        flat = _flat(documents)
        idx = np.flatnonzero(pick)
        z = first.alone.copy()
        z[idx] = self.second.sentence.logits([flat[i] for i in idx])
        zc = first.in_context.copy()
        ctx = self.second.context
        page = z if ctx is None else ctx.logits(z, ctx.windows([len(d) for d in documents]), flat)
        zc[idx] = page[idx]
        return Logits(z, zc, pick)

    def explain(
        self, sentences: Sequence[str], k: int, rescored: np.ndarray | None = None
    ) -> list[Explanation]:
        """Each sentence explained by the tier that scored it (``rescored``: by the second).

        Without ``rescored``, the sentences are taken as read alone.
        """
        if rescored is None:
            rescored = self.sentence_logits(sentences).rescored
        out = self.first.explain(sentences, k)
        idx = np.flatnonzero(rescored)
        if len(idx):
            picked = self.second.explain([sentences[i] for i in idx], k)
            for i, e in zip(idx, picked, strict=True):
                out[i] = e
        return out

    def describe(self) -> dict:
        """The second tier's identity, named ``cascade``, with the cut."""
        return {**self.second.describe(), "name": self.name, "cascade_cut": self.cut}


Tier = LinearTier | CascadeTier
"""What the scoring core runs."""
