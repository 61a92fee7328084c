"""Sentence features from plain data: TF-IDF word n-grams plus claim-rhetoric cue counts.

This is scikit-learn's ``TfidfVectorizer`` (lower-case, Unicode accent
stripping, a token regex, word n-grams, sublinear tf, smooth idf, l2 norm) and
the cue counts (``log1p`` of the matches of each cue), recomputed with numpy
and the standard library from the numbers the exporter wrote. It works on a
whole batch at once: one token pass per sentence, one regex pass over the
batch for the cues, vocabulary look-ups in C (``dict.get`` through ``map``),
n-grams looked up as integer keys rather than built as strings, and counting
by sorting. ``tests/training/test_export.py`` proves it equal to the pipeline
it was exported from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

from model.cues import combined_pattern

__all__ = ["FeatureMatrix", "SentenceFeatures"]

# Joins a batch for the single cue pass. No cue can match across it, and as a
# non-word character it gives ``\b`` the same answers as the end of a string.
_JOIN = "\x00"


def strip_accents(text: str) -> str:
    """Unicode accent stripping, as scikit-learn's ``strip_accents_unicode``."""
    if text.isascii():
        return text
    normalized = unicodedata.normalize("NFKD", text)
    return "".join(c for c in normalized if not unicodedata.combining(c))


@dataclass(frozen=True)
class FeatureMatrix:
    """A sparse batch in coordinate form: ``values[k]`` at (``rows[k]``, ``cols[k]``)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    n_rows: int


class SentenceFeatures:
    """Word n-gram TF-IDF columns (first) and cue columns (after them), from plain data.

    ``vocabulary`` lists the n-grams in column order; ``idf`` gives one weight
    per n-gram. Each word that occurs in any n-gram gets an integer id, so an
    n-gram is looked up as the integer key of its word ids; a token without an
    id cannot be part of any n-gram in the vocabulary.
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        token_pattern: str,
        ngram_range: tuple[int, int],
        sublinear_tf: bool,
        cues: dict[str, str],
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.token_re = re.compile(token_pattern)
        self.min_n, self.max_n = ngram_range
        self.sublinear_tf = sublinear_tf
        self.cue_names = list(cues)
        self.cue_re = combined_pattern(cues)
        self.n_words = len(self.vocabulary)
        self.n_features = self.n_words + len(self.cue_names)
        self._build_index()

    def _build_index(self) -> None:
        """Word ids for unigrams; sorted integer keys for each longer n-gram order."""
        grams = [g.split(" ") for g in self.vocabulary]
        # Words of any n-gram get an id even when the unigram itself is not a column
        # (ngram_range starting above 1): ids index words, columns index features.
        words = sorted({w for g in grams for w in g})
        self.word_id: dict[str, int] = {w: i for i, w in enumerate(words)}
        base = max(len(words), 1)
        if base**self.max_n >= 2**62:
            raise ValueError(f"{len(words)} words and {self.max_n}-grams overflow 64-bit keys")
        self.base = base
        self.unigram_col = np.full(len(words), -1, dtype=np.int64)
        self.ngram_keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        by_order: dict[int, tuple[list[int], list[int]]] = {}
        for col, gram in enumerate(grams):
            if len(gram) == 1:
                self.unigram_col[self.word_id[gram[0]]] = col
                continue
            key = 0
            for w in gram:
                key = key * base + self.word_id[w]
            keys, cols = by_order.setdefault(len(gram), ([], []))
            keys.append(key)
            cols.append(col)
        for n, (keys, cols) in by_order.items():
            k = np.asarray(keys, dtype=np.int64)
            order = np.argsort(k, kind="stable")
            self.ngram_keys[n] = (k[order], np.asarray(cols, dtype=np.int64)[order])

    def _words(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every word n-gram occurrence that is in the vocabulary."""
        findall = self.token_re.findall
        tokens = [findall(strip_accents(t.lower())) for t in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        flat = list(chain.from_iterable(tokens))
        ids = np.fromiter(map(self.word_id.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        rows, cols = [], []
        if self.min_n <= 1:
            known = ids >= 0
            col = self.unigram_col[ids[known]]
            keep = col >= 0
            rows.append(doc[known][keep])
            cols.append(col[keep])
        for n in range(max(self.min_n, 2), self.max_n + 1):
            if n not in self.ngram_keys or len(ids) < n:
                continue
            m = len(ids) - n + 1
            key = ids[:m].copy()
            valid = (key >= 0) & (doc[:m] == doc[n - 1 :])
            for j in range(1, n):
                nxt = ids[j : j + m]
                valid &= nxt >= 0
                key = key * self.base + nxt
            key, start_doc = key[valid], doc[:m][valid]
            table, table_cols = self.ngram_keys[n]
            pos = np.minimum(np.searchsorted(table, key), len(table) - 1)
            hit = table[pos] == key
            rows.append(start_doc[hit])
            cols.append(table_cols[pos[hit]])
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows), np.concatenate(cols)

    def _cues(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row and cue index of every cue match, in one regex pass over the batch."""
        lowered = [t.lower() for t in texts]
        joined = _JOIN.join(lowered)
        found = [(m.start(), m.lastindex) for m in self.cue_re.finditer(joined)]
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        at = np.asarray(found, dtype=np.int64)
        lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered))
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        rows = np.searchsorted(starts, at[:, 0], side="right") - 1
        return rows, at[:, 1] - 1

    def transform(self, texts: Sequence[str]) -> FeatureMatrix:
        """The feature matrix of a batch of sentences, in coordinate form."""
        n = len(texts)
        rows, cols = self._words(texts)
        word_rows, word_cols, counts = _count(rows, cols, self.n_words)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[word_cols]
        norms = np.sqrt(np.bincount(word_rows, weights=values * values, minlength=n))
        values = values / norms[word_rows]
        cue_rows, cue_idx, cue_counts = _count(*self._cues(texts), len(self.cue_names))
        return FeatureMatrix(
            rows=np.concatenate((word_rows, cue_rows)),
            cols=np.concatenate((word_cols, cue_idx + self.n_words)),
            values=np.concatenate((values, np.log1p(cue_counts.astype(np.float64)))),
            n_rows=n,
        )

    def feature_names(self) -> list[str]:
        """Column names: word n-grams bare, cues as ``cues__<name>``."""
        return self.vocabulary + [f"cues__{c}" for c in self.cue_names]


def _count(rows: np.ndarray, cols: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
    """Distinct (row, col) pairs, sorted by row then column, with their counts."""
    if len(rows) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    keys, counts = np.unique(rows * max(width, 1) + cols, return_counts=True)
    return keys // max(width, 1), keys % max(width, 1), counts
