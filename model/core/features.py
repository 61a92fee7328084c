"""Sentence features from plain data: TF-IDF word n-grams plus claim-rhetoric cue counts.

This is scikit-learn's ``TfidfVectorizer`` (lower-case, Unicode accent
stripping, a token regex, word n-grams, sublinear tf, smooth idf, l2 norm) and
the cue counts (``log1p`` of the matches of each cue), recomputed with numpy
and the standard library from the numbers the exporter wrote.

It works on a whole batch at once. The batch is split into its pure-ASCII
texts and the rest; each part is joined into one string (texts separated by a
marker word between NULs), lower-cased once and, for the rest only,
accent-stripped run by run. For ASCII and the standard token pattern, tokens
come from ``str.translate`` and ``str.split`` instead of a regex; vocabulary
look-ups run in C (``dict.get`` through ``map``), n-grams are looked up as
integer keys, and counting is by sorting. The cue regex is tried only where a
word starts that can begin a cue (``claim_risk.core.cues.cue_starts``).
``tests/training/fit/test_export.py`` proves it equal to the pipeline it was
exported from, and ``tests/model/core/test_features.py`` proves each fast path
equal to the plain one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat

import numpy as np

from .cues import CueStarts, combined_pattern, cue_starts, nul_safe

__all__ = ["TOKEN_PATTERN", "FeatureMatrix", "SentenceFeatures"]

# The token pattern training uses; for it, ASCII text is tokenised without a regex.
TOKEN_PATTERN = r"(?u)\b\w[\w'-]*\b"

# Texts of a batch are joined with NUL + a marker word + NUL. NUL is not a word
# character, so for ``\b``, the token pattern, lower-casing (final sigma) and NFKD
# it acts as the end and the start of a string; the marker word becomes one token
# between the texts' tokens. A part whose texts contain the marker, and any batch
# when a cue could match a NUL or depends on a string's edges (``nul_safe``), is
# read one text at a time.
_MARKERS = ("qxjzvkq", "zvqjxkw", "kqzjxvy")

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD_RUN = re.compile(r"\w+")
_NON_WORD_RUN = re.compile(r"[-']+")
# ASCII characters outside [\w'-] become spaces (for tokens).
_TOKEN_TABLE = {c: " " for c in range(128) if not re.match(r"[\w'-]", chr(c))}
_ASCII_WORD = np.array([re.match(r"\w", chr(c)) is not None for c in range(128)])
_SPACE, _HYPHEN, _APOSTROPHE = b" -'"

# Cue code of a word (or token): no cue starts there; try the regex at its start;
# try it at some of its words (a token of several); or _STATIC + g: the match is
# the word itself, in group g >= 1. Codes are packed beside word ids, below _CODES.
_NO_CUE, _TRY_REGEX, _TRY_PIECES, _STATIC = 0, 1, 2, 2
_CODES = 64
_ANALYSE_FROM = 20_000  # characters read (over all calls) from which the cue start words pay off


def strip_accents(text: str) -> str:
    """Unicode accent stripping, as scikit-learn's ``strip_accents_unicode``."""
    if text.isascii():
        return text
    normalized = unicodedata.normalize("NFKD", text)
    return "".join(c for c in normalized if not unicodedata.combining(c))


def strip_accents_runs(text: str) -> str:
    """``strip_accents`` applied to each maximal run of non-ASCII characters.

    Equal to ``strip_accents(text)``: ASCII characters have no decomposition
    and combining class 0, so NFKD never moves a character across one, and
    the combining-mark filter works character by character.
    """
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: strip_accents(m.group()), text)


def ascii_tokens(text: str) -> tuple[list[str], np.ndarray]:
    r"""``re.findall(TOKEN_PATTERN, text)`` for an ASCII ``text``, and where each token starts.

    A token is a maximal run of ``[\w'-]`` with at least one word character,
    less its leading and trailing apostrophes and hyphens: the match starts
    at the run's first word character (where ``\b`` holds) and the greedy
    ``[\w'-]*`` backs off to its last one (the only later ``\b``). Every
    other character becomes a space, and so does every run of apostrophes
    and hyphens next to a space, so that ``str.split`` finds the tokens and
    positions stay those of ``text``.
    """
    spaced = " " + text.translate(_TOKEN_TABLE) + " "
    chars = np.frombuffer(spaced.encode("ascii"), dtype=np.uint8)
    if "-" in spaced or "'" in spaced:
        chars = chars.copy()
        mark = (chars == _HYPHEN) | (chars == _APOSTROPHE)
        step = np.diff(mark.view(np.int8))
        run_start = np.flatnonzero(step == 1) + 1  # the padding spaces close every run
        run_end = np.flatnonzero(step == -1) + 1
        edge = (chars[run_start - 1] == _SPACE) | (chars[run_end] == _SPACE)
        run_start, run_end = run_start[edge], run_end[edge]
        if len(run_start):
            lengths = run_end - run_start
            first = np.repeat(run_start - np.cumsum(lengths) + lengths, lengths)
            chars[first + np.arange(int(lengths.sum()))] = _SPACE
            spaced = chars.tobytes().decode("ascii")
    filled = chars != _SPACE
    return spaced.split(), np.flatnonzero(filled[1:] & ~filled[:-1])


# ASCII characters that are not word characters become spaces (for ASCII word runs).
_NON_WORD_TABLE = {c: " " for c in range(128) if not _ASCII_WORD[c]}


def word_starts(text: str) -> tuple[list[str], np.ndarray]:
    r"""The maximal runs of ``\w`` in ``text`` and the offset where each starts.

    For ASCII text, from ``str.translate`` and ``split`` (several times faster).
    """
    if text.isascii():
        spaced = text.translate(_NON_WORD_TABLE)
        filled = np.frombuffer(spaced.encode("ascii"), dtype=np.uint8) != _SPACE
        return spaced.split(), np.flatnonzero(filled & ~np.r_[False, filled[:-1]])
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    small = codes < 128
    is_word = np.zeros(len(codes), dtype=bool)
    is_word[small] = _ASCII_WORD[codes[small]]
    big, where = np.unique(codes[~small], return_inverse=True)
    if len(big):
        flags = [_WORD_RUN.match(chr(c)) is not None for c in big.tolist()]
        is_word[~small] = np.array(flags, dtype=bool)[where]
    first = is_word.copy()
    first[1:] &= ~is_word[:-1]
    return _WORD_RUN.findall(text), np.flatnonzero(first)


@dataclass(frozen=True)
class FeatureMatrix:
    """A sparse batch in coordinate form: ``values[k]`` at (``rows[k]``, ``cols[k]``)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    n_rows: int


@dataclass(frozen=True)
class _Part:
    """Some texts of a batch, joined: their rows, the lower-cased string and text offsets."""

    rows: np.ndarray
    texts: list[str]
    lowered: str | None  # None: read one text at a time (see _MARKERS)
    starts: np.ndarray
    is_ascii: bool


class _Memo(dict):
    """``fn(key)`` for keys seen before, computed on first sight; cleared when full."""

    def __init__(self, fn: Callable[[str], object], limit: int = 50_000) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key: str) -> object:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value


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
        self.standard_tokens = token_pattern == TOKEN_PATTERN
        self.min_n, self.max_n = ngram_range
        self.sublinear_tf = sublinear_tf
        self.cue_names = list(cues)
        self.cues = dict(cues)
        self.cue_re = combined_pattern(cues)
        # The cue start words pay off once some text has been read (their codes are
        # kept per word, across calls); they are read then, so loading a model and
        # scoring a sentence stay cheap, and a stream of small documents gets them too.
        self.cue_filter: CueStarts | None = None
        self._cue_codes: _Memo | None = None
        self._analysed = False
        self._read = 0
        self.n_words = len(self.vocabulary)
        self.n_features = self.n_words + len(self.cue_names)
        self._build_index()
        self.marker = next(
            (
                m
                for m in _MARKERS
                if m not in self.word_id and self.cue_re.search(f"\x00{m}\x00") is None
            ),
            None,
        )
        if not nul_safe(self.cues):
            self.marker = None
        # Token -> word id in a joined part, where the marker (between texts) maps to -2.
        self._ids = dict(self.word_id)
        if self.marker is not None:
            self._ids[self.marker] = -2
        self._token_info = _Memo(self._describe)

    def _analyse(self) -> None:
        """Read the cue start words (once)."""
        if not self._analysed:
            self.cue_filter = cue_starts(self.cues)
            if self.cue_filter is not None:
                self._cue_codes = _Memo(self._cue_code)
            self._analysed = True

    def _cue_code(self, word: str) -> int:
        """What a cue match at the start of ``word`` can be (see ``_CODES``)."""
        group = self.cue_filter.outcome(word)
        if group is None:
            return _NO_CUE
        return _TRY_REGEX if group < 1 or group >= _CODES - _STATIC else _STATIC + group

    def _describe(self, token: str) -> int:
        """A token's word id and cue code, packed: ``id * _CODES + code``.

        For a token of several words (runs of word characters joined by
        apostrophes or hyphens) the code is ``_TRY_PIECES`` if a cue may start
        at any of them.
        """
        packed = self._ids.get(token, -1) * _CODES
        if self._cue_codes is None:
            return packed
        pieces = _NON_WORD_RUN.split(token)
        if len(pieces) == 1:
            return packed + self._cue_codes[token]
        if any(self._cue_codes[p] != _NO_CUE for p in pieces):
            return packed + _TRY_PIECES
        return packed

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

    def _lookup(self, n: int, keys: np.ndarray) -> np.ndarray:
        """The column of each n-gram key, -1 where the n-gram is not in the vocabulary.

        A binary search of the sorted keys (``np.searchsorted``); a hand-written
        hash table measured no faster.
        """
        table, table_cols = self.ngram_keys[n]
        pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        return np.where(table[pos] == keys, table_cols[pos], -1)

    def _parts(self, texts: Sequence[str]) -> list[_Part]:
        """The batch as its ASCII texts and the rest, each part joined and lower-cased once."""
        flags = list(map(str.isascii, texts))
        if all(flags):
            groups = [(np.arange(len(texts)), list(texts), True)]
        else:
            mask = np.array(flags, dtype=bool)
            others = list(compress(texts, (not f for f in flags)))
            groups = [
                (np.flatnonzero(mask), list(compress(texts, flags)), True),
                (np.flatnonzero(~mask), others, False),
            ]
        return [_Part(rows, g, *self._join(g), a) for rows, g, a in groups if g]

    def _join(self, texts: list[str]) -> tuple[str | None, np.ndarray]:
        """The texts joined by the separator and lower-cased, and where each text starts."""
        if self.marker is None:
            return None, np.zeros(0, np.int64)
        sep = f"\x00{self.marker}\x00"
        joined = sep.join(texts)
        lowered = joined.lower()
        if lowered.count(self.marker) != len(texts) - 1:
            return None, np.zeros(0, np.int64)
        # Lower-casing can lengthen a text ("İ" becomes two characters).
        lengths = (
            map(len, texts) if len(lowered) == len(joined) else (len(t.lower()) for t in texts)
        )
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(np.fromiter(lengths, np.int64, len(texts))[:-1] + len(sep), out=starts[1:])
        return lowered, starts

    def _part_features(self, part: _Part) -> tuple[np.ndarray, ...]:
        """Word n-gram (rows, cols) and cue (rows, indices) of one part of a batch."""
        text = part.lowered
        found = None  # None: one text at a time
        if text is not None and not self._analysed:
            self._read += len(text)
            if self._read >= _ANALYSE_FROM:
                self._analyse()
        if text is not None and self._cue_codes is None:
            ids = self._token_ids(part)
            found = self._finditer(text)
        elif text is not None and part.is_ascii and self.standard_tokens:
            tokens, starts = ascii_tokens(text)
            packed = np.fromiter(map(self._token_info.__getitem__, tokens), np.int64, len(tokens))
            ids = packed // _CODES
            found = self._cue_matches(text, starts, packed % _CODES, tokens)
        elif text is not None:
            ids = self._token_ids(part)
            words, starts = word_starts(text)
            codes = np.fromiter(map(self._cue_codes.__getitem__, words), np.int64, len(words))
            found = self._cue_matches(text, starts, codes, None)
        else:
            ids = self._token_ids(part)
        word_rows, word_cols = self._ngrams(ids)
        if found is None:
            finditer = self.cue_re.finditer
            pairs = [
                (i, m.lastindex) for i, t in enumerate(part.texts) for m in finditer(t.lower())
            ]
            at = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            cue_rows, groups = at[:, 0], at[:, 1]
        else:
            cue_rows = np.searchsorted(part.starts, found[0], side="right") - 1
            groups = found[1]
        return part.rows[word_rows], word_cols, part.rows[cue_rows], groups - 1

    def _finditer(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Start and group of every match of ``cue_re.finditer(text)``: the plain way."""
        found = [(m.start(), m.lastindex) for m in self.cue_re.finditer(text)]
        at = np.asarray(found, dtype=np.int64).reshape(-1, 2)
        return at[:, 0], at[:, 1]

    def _cue_matches(
        self, text: str, starts: np.ndarray, codes: np.ndarray, tokens: list[str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Start and group of every match of ``cue_re.finditer(text)``, from the word codes.

        ``starts`` and ``codes``: where each word (or token, with ``tokens``)
        starts and its code. Words where the match is known are taken as they
        are; the regex is tried, in order and each time from the end of the
        last match as ``finditer`` does, only where it has to be. A known match
        is one word long, so only a tried match can swallow later words.
        """
        tried = starts[codes == _TRY_REGEX]
        several = np.flatnonzero(codes == _TRY_PIECES)
        if tokens is not None and len(several):
            extra = []
            for i in several.tolist():
                offset = int(starts[i])
                for piece, gap in zip(*_pieces(tokens[i]), strict=True):
                    if self._cue_codes[piece] != _NO_CUE:
                        extra.append(offset)
                    offset += len(piece) + gap
            tried = np.sort(np.concatenate((tried, np.asarray(extra, np.int64))))
        match = self.cue_re.match
        hit_at: list[int] = []
        hit_group: list[int] = []
        hit_end: list[int] = []
        end = 0
        for pos in tried.tolist():
            if pos < end:
                continue
            m = match(text, pos)
            if m is not None:
                end = m.end()
                if end == pos:  # an empty match: finditer's rules for those are not replayed
                    return self._finditer(text)
                hit_at.append(pos)
                hit_group.append(m.lastindex)
                hit_end.append(end)
        known = codes > _STATIC
        known_at, known_group = starts[known], codes[known] - _STATIC
        if not hit_at:
            return known_at, known_group
        at = np.asarray(hit_at, dtype=np.int64)
        inside = np.searchsorted(at, known_at, side="right") - 1
        swallowed = (inside >= 0) & (known_at < np.asarray(hit_end)[np.maximum(inside, 0)])
        return (
            np.concatenate((at, known_at[~swallowed])),
            np.concatenate((np.asarray(hit_group, dtype=np.int64), known_group[~swallowed])),
        )

    def _token_ids(self, part: _Part) -> np.ndarray:
        """Word id of every token of a part in order (-1: no id), -2 between texts."""
        if part.lowered is not None and part.is_ascii and self.standard_tokens:
            tokens = ascii_tokens(part.lowered)[0]
            return np.fromiter(map(self._ids.get, tokens, repeat(-1)), np.int64, len(tokens))
        if part.lowered is not None and self.standard_tokens:
            stripped = strip_accents_runs(part.lowered)
            if stripped.count(self.marker) == len(part.texts) - 1:
                tokens = self.token_re.findall(stripped)
                return np.fromiter(map(self._ids.get, tokens, repeat(-1)), np.int64, len(tokens))
        findall = self.token_re.findall
        per_text = [findall(strip_accents(t.lower())) for t in part.texts]
        tokens = list(chain.from_iterable(per_text))
        ids = np.fromiter(map(self.word_id.get, tokens, repeat(-1)), np.int64, len(tokens))
        ends = np.cumsum(np.fromiter(map(len, per_text), np.int64, len(per_text)))
        return np.insert(ids, ends, -2)

    def _ngrams(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Text (within the part) and column of every vocabulary n-gram in a token-id stream.

        Texts are separated by id -2 and unknown tokens are -1, so an n-gram
        of valid ids never spans two texts.
        """
        doc = np.cumsum(ids == -2)
        rows, cols = [], []
        if self.min_n <= 1:
            known = np.flatnonzero(ids >= 0)
            col = self.unigram_col[ids[known]]
            keep = col >= 0
            rows.append(doc[known[keep]])
            cols.append(col[keep])
        for n in range(max(self.min_n, 2), self.max_n + 1):
            if n not in self.ngram_keys or len(ids) < n:
                continue
            m = len(ids) - n + 1
            key = ids[:m].copy()
            valid = key >= 0
            for j in range(1, n):
                nxt = ids[j : j + m]
                valid &= nxt >= 0
                key = key * self.base + nxt
            at = np.flatnonzero(valid)
            key = key[at]
            col = self._lookup(n, key)
            hit = col >= 0
            rows.append(doc[at[hit]])
            cols.append(col[hit])
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows), np.concatenate(cols)

    def transform(self, texts: Sequence[str]) -> FeatureMatrix:
        """The feature matrix of a batch of sentences, in coordinate form."""
        n = len(texts)
        parts = [self._part_features(p) for p in self._parts(texts)]
        words = [(p[0], p[1]) for p in parts]
        cues = [(p[2], p[3]) for p in parts]
        rows, cols = _concat(words)
        word_rows, word_cols, counts = _count(rows, cols, self.n_words)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[word_cols]
        norms = np.sqrt(np.bincount(word_rows, weights=values * values, minlength=n))
        values = values / norms[word_rows]
        cue_rows, cue_idx, cue_counts = _count(*_concat(cues), len(self.cue_names))
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


def _concat(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column arrays of several parts, end to end."""
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate([r for r, _ in pairs]), np.concatenate([c for _, c in pairs])


def _pieces(token: str) -> tuple[list[str], list[int]]:
    """A token's runs of word characters, and the length of the gap after each."""
    pieces = _NON_WORD_RUN.split(token)
    gaps = [len(g) for g in _NON_WORD_RUN.findall(token)] + [0]
    return pieces, gaps
