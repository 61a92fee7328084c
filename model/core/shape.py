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

__all__ = ["PATTERNS", "SHAPES", "SegmentShape", "required_literal"]

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
# A character every quotation starts with: texts without one are not searched.
_OPENS = re.compile(r"[\"“„«‘]")


def required_literal(pattern: str) -> str | None:
    r"""Text every match of ``pattern`` contains, when the pattern plainly starts with it.

    Only the plain case is read, conservatively: ``\b``, then three or more
    lower-case word characters, then a space or ``(`` (so no quantifier
    applies to them), in a pattern with no inline flags and no alternation
    outside its groups. Otherwise None, and the pattern is searched in every
    text.
    """
    head = re.match(r"\\b([a-z0-9_]{3,})[ (]", pattern)
    if head is None or re.search(r"\(\?[aiLmsux-]", pattern):
        return None
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a class, to its closing bracket
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)  # a "]" first in a class is itself
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return head.group(1)


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
        self._flat_needs = required_literal(self.patterns["flat"])

    def words(self, texts: Sequence[str]) -> np.ndarray:
        """How many whitespace-separated words each text has."""
        return np.fromiter((len(t.split()) for t in texts), dtype=np.float64, count=len(texts))

    def damping(self, texts: Sequence[str]) -> np.ndarray:
        """The factor on each text's TF-IDF log-odds: ``min(1, words / min_words)``."""
        return np.minimum(1.0, self.words(texts) / self.min_words)

    def _flat_claim(self, lowered: str) -> bool:
        needs = self._flat_needs
        if needs is not None and needs not in lowered:
            return False
        m = self._flat.search(lowered)
        return m is not None and self._unflat.search(lowered, 0, m.start()) is None

    def read(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``damping(texts)`` and ``columns(texts)``, the words counted once."""
        damp = self.damping(texts)
        return damp, self.columns(texts, damp)

    def columns(self, texts: Sequence[str], damp: np.ndarray | None = None) -> np.ndarray:
        """One row per text, one column per name of ``SHAPES`` (``damp``: ``damping(texts)``).

        Each regex is searched only where its answer can matter: ``asserts``
        in unterminated texts (it only clears ``unterminated``), a quotation
        in texts holding an opening quote mark, the flat claim in texts
        holding the literal its pattern starts with (``required_literal``).
        """
        n = len(texts)
        if not n:
            return np.zeros((0, len(SHAPES)))
        lowered = [t.lower() for t in texts]
        ends = [t.rstrip() for t in texts]
        open_end = [not e.endswith(_END) for e in ends]
        unterminated = np.fromiter(open_end, np.float64, count=n)
        for i in np.flatnonzero(unterminated).tolist():
            if self._asserts.search(lowered[i]) is not None:
                unterminated[i] = 0.0
        if damp is None:
            damp = self.damping(texts)
        fragment = (1.0 - damp) * unterminated
        quoted = np.fromiter(
            (_OPENS.search(t) is not None and _QUOTED.search(t) is not None for t in texts),
            np.float64,
            count=n,
        )
        question = np.fromiter((e.endswith("?") for e in ends), np.float64, count=n)
        flat = np.fromiter(map(self._flat_claim, lowered), np.float64, count=n)
        return np.column_stack([fragment, unterminated, quoted, question, flat])
