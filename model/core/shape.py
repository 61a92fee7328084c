"""What kind of segment a line is, and whether it asserts: heading, label, quote, flat claim.

A one- or two-word line puts its whole TF-IDF weight on one or two words, so
"The operation" scored like a sales claim because of "the". The sentence
model therefore reads a segment's shape:

- the TF-IDF part of its log-odds is damped by ``min(1, words / min_words)``,
  so a short segment's few words no longer decide its score (cues, which
  count claim rhetoric, are not damped);
- five shape columns with their own weights: ``fragment`` (how far an
  unterminated segment falls below ``min_words``: a heading, a label, a list
  stub), ``unterminated`` (no closing punctuation; a line with a claim's verb
  or promise, the ``asserts`` pattern, counts as a sentence whatever its
  punctuation, so "Kratom cures anxiety" as a heading is read as the claim it
  is), ``quoted`` (it holds a quotation, so what it says may be someone
  else's), ``question`` (it asks rather than asserts) and ``flat_claim`` (a
  treatment followed at once by an unhedged verb of effect, "Garlic cures
  flu.", with no negation, report or question before it in the segment).

Everything is read on the abstracted text the lexical features read
(``claim_risk.core.lexicon``), lower-cased; words are counted with
``str.split``. Training copies the patterns into the model, like the cues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["PATTERNS", "SHAPES", "SegmentShape"]

SHAPES = ("fragment", "unterminated", "quoted", "question", "flat_claim")

_VERB = (
    r"(?:cause|causes|prevent|prevents|treat|treats|cure|cures|reverse|reverses|kill|kills"
    r"|heal|heals|eliminate|eliminates|destroy|destroys|beat|beats|stop|stops|fix|fixes"
    r"|shrink|shrinks|dissolve|dissolves|works? for|(?:is|are) (?:as good as|as effective as"
    r"|better than|more effective than|safer than|stronger than)|outperforms?)"
)
PATTERNS: dict[str, str] = {
    # a claim's verb or promise: a short line holding one asserts something
    "asserts": (
        r"\b(?:cure[sd]?|heal(?:s|ed)?|reverse[sd]?|eliminate[sd]?|cause[sd]?|prevent(?:s|ed)?"
        r"|treat(?:s|ed)?|kill(?:s|ed)?|boost(?:s|ed)?|fights?|beats?|stop(?:s|ped)?|shrinks?"
        r"|dissolve[sd]?|fix(?:es|ed)?|destroy(?:s|ed)?|relieve[sd]?|restore[sd]?"
        r"|detoxif(?:y|ies)|works?|guarantee[sd]?|proven|miracle|safe|no side effects?)\b"
    ),
    # the flat assertion: a treatment, then at once a verb of effect (no modal)
    "flat": rf"\b_treatment_ (?:really |actually |also |literally |simply |directly )?{_VERB}\b",
    # words that, before it, make it something other than a flat assertion
    "unflat": (
        r"\b(?:not|no|never|nor|cannot|[a-z]+n't|claims?|claimed|claiming|says?|said|myths?"
        r"|false|falsely|whether|if|does|do|did|why|how|what|believe|believed)\b"
    ),
}
_END = (".", "!", "?", "…", ";", '"', "”", "'", ")", "»")
# A quotation: a span of at least three characters between double quotes (straight,
# curly or guillemets), or between single curly quotes.
_QUOTED = re.compile(r"[\"“„«][^\"“”„«»]{3,}[\"”»]|‘[^‘’]{3,}’")


class SegmentShape:
    """Damps the TF-IDF part of segments under ``min_words`` and gives the shape columns."""

    def __init__(self, min_words: int, patterns: Mapping[str, str] | None = None) -> None:
        if int(min_words) < 1:
            raise ValueError("min_words must be >= 1")
        self.min_words = int(min_words)
        self.patterns = dict(PATTERNS if patterns is None else patterns)
        if set(self.patterns) != set(PATTERNS):
            raise ValueError(f"shape patterns must be {sorted(PATTERNS)}")
        self._asserts = re.compile(self.patterns["asserts"])
        self._flat = re.compile(self.patterns["flat"])
        self._unflat = re.compile(self.patterns["unflat"])

    def words(self, texts: Sequence[str]) -> np.ndarray:
        """How many whitespace-separated words each text has."""
        return np.fromiter((len(t.split()) for t in texts), dtype=np.float64, count=len(texts))

    def damping(self, texts: Sequence[str]) -> np.ndarray:
        """The factor on each text's TF-IDF log-odds: ``min(1, words / min_words)``."""
        return np.minimum(1.0, self.words(texts) / self.min_words)

    def _flat_claim(self, lowered: str) -> bool:
        m = self._flat.search(lowered)
        return m is not None and self._unflat.search(lowered, 0, m.start()) is None

    def columns(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per name of ``SHAPES``."""
        n = len(texts)
        if not n:
            return np.zeros((0, len(SHAPES)))
        lowered = [t.lower() for t in texts]
        ends = [t.rstrip() for t in texts]
        unterminated = np.fromiter((not e.endswith(_END) for e in ends), np.float64, count=n)
        asserting = np.fromiter(
            (self._asserts.search(t) is not None for t in lowered), np.float64, count=n
        )
        unterminated *= 1.0 - asserting
        fragment = (1.0 - self.damping(texts)) * unterminated
        quoted = np.fromiter((_QUOTED.search(t) is not None for t in texts), np.float64, count=n)
        question = np.fromiter((e.endswith("?") for e in ends), np.float64, count=n)
        flat = np.fromiter(map(self._flat_claim, lowered), np.float64, count=n)
        return np.column_stack([fragment, unterminated, quoted, question, flat])
