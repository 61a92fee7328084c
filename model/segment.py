"""Sentence segmentation shared by training and inference.

Documents are cut at line breaks first (headings, bullet items and paragraphs
are boundaries of their own), then each line is split into sentences by
blingfire, a maintained finite-state segmenter that handles abbreviations such
as "Dr.", "e.g." and "U.S." and runs at hundreds of thousands of sentences per
second. Leading bullet markers are left outside the sentence span, so a span
always starts and ends on text. The same function cuts the labelled sentences
and the sentences scored at inference, so both are cut alike.
"""

from __future__ import annotations

import ctypes
import re
import threading
from typing import NamedTuple

import blingfire

__all__ = ["MAX_SENTENCE_CHARS", "Span", "segment", "split_sentences"]

# Sentences longer than this are cut into pieces so that one pathological line
# (a megabyte without a full stop) costs bounded time and memory downstream.
MAX_SENTENCE_CHARS = 2000

_LINE = re.compile(r"[^\r\n\u2028\u2029\x0b\x0c\x85]+")
# Line-start markers left outside a sentence: bullets, quote marks of Markdown, and
# Markdown heading hashes ("## Title", but not "#1 pick").
_BULLET = re.compile(r"(?:#{1,6}(?=\s)|[\s\-\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219*·–—>])*")


class Span(NamedTuple):
    """One sentence: its text and its character offsets into the document."""

    start: int
    end: int
    text: str


class _Buffer(threading.local):
    """One output buffer per thread, grown as needed and reused across calls."""

    def __init__(self) -> None:
        self.buf = ctypes.create_string_buffer(1 << 16)


_BUFFER = _Buffer()


def _to_sentences(line: str) -> str:
    """``blingfire.text_to_sentences`` without a new output buffer on every call.

    Same C function and the same result (text up to the first NUL of the
    output, "" on error); allocating and zeroing a buffer per line was a
    large share of segmentation time.
    """
    data = line.encode("utf-8")
    need = 2 * len(data) + 1
    if len(_BUFFER.buf) < need:
        _BUFFER.buf = ctypes.create_string_buffer(max(need, 2 * len(_BUFFER.buf)))
    buf = _BUFFER.buf
    size = min(len(buf), 2 * len(data))
    n = blingfire.blingfire.TextToSentences(
        ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(buf), ctypes.c_int(size)
    )
    if n == -1 or n > size:
        return ""
    out = ctypes.string_at(buf, n)
    cut = out.find(b"\0")
    return (out if cut < 0 else out[:cut]).decode("utf-8")


def _raw_spans(line: str) -> list[tuple[int, int]]:
    """Blingfire's sentence offsets within one line.

    ``text_to_sentences`` runs in C; its sentences are located in the line with
    ``str.find``. Only when blingfire rewrote some characters (so a sentence is
    not found verbatim) is the much slower offsets API used for that line.
    """
    pos = 0
    spans = []
    for part in _to_sentences(line).split("\n"):
        if not part:
            continue
        start = line.find(part, pos)
        if start < 0:
            _, offsets = blingfire.text_to_sentences_and_offsets(line)
            return list(offsets)
        spans.append((start, start + len(part)))
        pos = start + len(part)
    return spans


def _blingfire_spans(line: str) -> list[tuple[int, int]]:
    """Sentence offsets within one non-blank line, or the whole line if blingfire balks."""
    try:
        offsets = _raw_spans(line)
    except Exception:  # blingfire asserts on some inputs; one span is a safe answer
        return [(0, len(line))]
    spans = []
    last = 0
    for start, end in offsets:
        start, end = max(start, last), min(end, len(line))
        if end > start:
            spans.append((start, end))
            last = end
    if not spans:
        return [(0, len(line))]
    # Never lose text: widen the first and last span to the line's edges.
    spans[0] = (0, spans[0][1])
    spans[-1] = (spans[-1][0], len(line))
    # Close gaps between spans by extending the earlier one.
    return [(s, spans[i + 1][0] if i + 1 < len(spans) else e) for i, (s, e) in enumerate(spans)]


def _trim(doc: str, start: int, end: int, line_start: bool) -> tuple[int, int]:
    """Move start past whitespace (and bullet markers at a line's start), end before whitespace."""
    if line_start:
        m = _BULLET.match(doc, start, end)
        if m and m.end() < end:
            start = m.end()
    while start < end and doc[start].isspace():
        start += 1
    while end > start and doc[end - 1].isspace():
        end -= 1
    return start, end


def segment(text: str) -> list[Span]:
    """Split a document into sentence spans, in order, covering all of its non-blank text.

    Line breaks, headings and bullet items are boundaries. Text outside the
    returned spans is only whitespace and bullet markers. Spans hold at most
    ``MAX_SENTENCE_CHARS`` characters.
    """
    spans: list[Span] = []
    for line_match in _LINE.finditer(text):
        line = line_match.group()
        if not line.strip():
            continue
        base = line_match.start()
        for s, e in _blingfire_spans(line):
            start, end = _trim(text, base + s, base + e, line_start=s == 0)
            for piece in range(start, end, MAX_SENTENCE_CHARS):
                p_start, p_end = _trim(text, piece, min(piece + MAX_SENTENCE_CHARS, end), False)
                if p_end > p_start:
                    spans.append(Span(p_start, p_end, text[p_start:p_end]))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentence texts of a document, in order."""
    return [span.text for span in segment(text)]
