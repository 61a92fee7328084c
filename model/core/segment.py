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
from collections.abc import Callable
from typing import NamedTuple

import blingfire

from .surrogates import replace_surrogates

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
    """One output buffer per thread, grown as needed and reused across calls.

    A ``bytearray`` under a ctypes view: the C function writes into it, and
    its output is read by slicing the ``bytearray`` (slicing the ctypes array
    builds its bytes one call deeper and costs more).
    """

    def __init__(self) -> None:
        self.grow(1 << 16)

    def grow(self, size: int) -> None:
        """A new buffer of ``size`` bytes."""
        self.data = bytearray(size)
        self.view = (ctypes.c_char * size).from_buffer(self.data)


_BUFFER = _Buffer()


def _c_function() -> Callable[..., int] | None:
    """The C function behind ``blingfire.text_to_sentences``, or None if this blingfire hides it.

    blingfire does not document its library handle (``blingfire.blingfire``),
    so it is used only because it is measurably faster: ``make bench`` times
    segmentation both ways (``segmentation_public_sentences_per_s``), and
    ``tests/model/core/test_segment.py`` pins that both give the same spans.
    A separate function object with declared argument types converts plain
    bytes and ints without building ctypes objects on every call.
    """
    try:
        function = blingfire.blingfire["TextToSentences"]
    except (AttributeError, KeyError, TypeError):  # another blingfire
        return None
    function.argtypes = (ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char), ctypes.c_int)
    function.restype = ctypes.c_int
    return function


_TEXT_TO_SENTENCES = _c_function()


def _to_sentences(line: str) -> str:
    """``blingfire.text_to_sentences(line)``, without a new output buffer on every call.

    Same C function, same output size, same result (text up to the first
    NUL of the output, "" on error); allocating and zeroing a buffer per line
    halved segmentation speed. Without the C function, the public call.
    """
    if _TEXT_TO_SENTENCES is None:
        return blingfire.text_to_sentences(line)
    data = line.encode("utf-8")
    size = 2 * len(data)
    buffer = _BUFFER
    if len(buffer.data) <= size:
        buffer.grow(max(size + 1, 2 * len(buffer.data)))
    n = _TEXT_TO_SENTENCES(data, len(data), buffer.view, size)
    if n == -1 or n > size:
        return ""
    cut = buffer.data.find(0, 0, n)
    return buffer.data[: n if cut < 0 else cut].decode("utf-8")


def _offsets_spans(line: str) -> list[tuple[int, int]]:
    """Sentence spans from blingfire's offsets API, made disjoint and ordered."""
    _, offsets = blingfire.text_to_sentences_and_offsets(line)
    spans = []
    last = 0
    for start, end in offsets:
        start, end = max(start, last), min(end, len(line))
        if end > start:
            spans.append((start, end))
            last = end
    return spans


def _starts(line: str, out: str | None = None) -> list[int]:
    """Where each sentence of a non-blank line starts: 0 first, then increasing.

    A sentence runs to the next one's start (the last to the end of the line),
    so no text is lost. ``text_to_sentences`` runs in C; its sentences are
    located in the line with ``str.find``. Only when blingfire rewrote some
    characters (so a sentence is not found verbatim) is the much slower
    offsets API used for that line. A line holding lone surrogates (which
    blingfire's UTF-8 cannot carry) is cut as its ``replace_surrogates`` copy,
    which has the same length; if blingfire still fails, the line is one
    sentence. ``out``: ``_to_sentences(line)``, when the caller has it.
    """
    try:
        if out is None:
            out = _to_sentences(line)
        if "\n" not in out and (not out or out in line):
            return [0]  # one sentence, found verbatim (or none at all)
        found = []
        pos = 0
        find = line.find
        for part in out.split("\n"):
            if not part:
                continue
            start = find(part, pos)
            if start < 0:
                found = [s for s, _ in _offsets_spans(line)]
                break
            found.append(start)
            pos = start + len(part)
        found[:1] = [0]  # the first sentence starts the line
        return found
    except Exception:  # blingfire asserts on some inputs; one span is a safe answer
        safe = replace_surrogates(line)  # one character for one: the same offsets
        return _starts(safe) if safe != line else [0]


def segment(text: str) -> list[Span]:
    """Split a document into sentence spans, in order, covering all of its non-blank text.

    Line breaks, headings and bullet items are boundaries. Text outside the
    returned spans is only whitespace and bullet markers. Spans hold at most
    ``MAX_SENTENCE_CHARS`` characters.
    """
    spans: list[Span] = []
    append = spans.append
    bullet = _BULLET.match
    new = tuple.__new__  # Span(...) without the Python-level __new__ of a NamedTuple
    split = _to_sentences
    for line_match in _LINE.finditer(text):
        line = line_match.group()
        if line.isspace():
            continue
        base = line_match.start()
        try:
            out = split(line)
        except Exception:  # _starts takes the line again and knows what to do
            out = None
        if out is not None and "\n" not in out and (not out or out in line):
            # One sentence (the commonest line): when it starts on text, it is the line
            # less its trailing blanks; else the loop below trims it.
            if line[0].isalnum():
                body = line.rstrip()
                if len(body) <= MAX_SENTENCE_CHARS:
                    append(new(Span, (base, base + len(body), body)))
                    continue
            starts = [0]
        elif out and line[0].isalnum() and _append_parts(append, base, line, out):
            continue
        else:
            starts = _starts(line, out)
        last = len(starts) - 1
        for k, s in enumerate(starts):
            chunk = line[s : starts[k + 1]] if k < last else line[s:] if s else line
            if s == 0 and not chunk[0].isalnum():
                # Bullet markers at a line's start stay outside (unless they are all there is);
                # none of them (nor a space) is alphanumeric.
                cut = bullet(chunk).end()
                if 0 < cut < len(chunk):
                    s = cut
                    chunk = chunk[cut:]
            body = chunk.lstrip()
            start = base + s + len(chunk) - len(body)
            body = body.rstrip()
            if len(body) <= MAX_SENTENCE_CHARS:
                if body:
                    append(new(Span, (start, start + len(body), body)))
                continue
            end = start + len(body)
            for piece in range(start, end, MAX_SENTENCE_CHARS):
                p_start, p_end = _trim(text, piece, min(piece + MAX_SENTENCE_CHARS, end))
                if p_end > p_start:
                    append(Span(p_start, p_end, text[p_start:p_end]))
    return spans


def _append_parts(append: Callable[[Span], None], base: int, line: str, out: str) -> bool:
    """Append the sentences of a line blingfire cut only at single spaces; False if it did not.

    The commonest line of several sentences: blingfire's output is the line
    less its trailing blanks with one space before each sentence but the
    first made a line break, and no sentence starts or ends on a blank or is
    longer than ``MAX_SENTENCE_CHARS``. Then each sentence is one part of the
    output and starts one character after the end of the one before: the
    spans ``_starts`` and the chunk loop of ``segment`` give, without
    searching the line. Nothing is appended when it returns False.
    """
    if out.replace("\n", " ") != line.rstrip():
        return False
    parts = out.split("\n")
    for part in parts:
        if not part or len(part) > MAX_SENTENCE_CHARS or part[0].isspace() or part[-1].isspace():
            return False
    new = tuple.__new__
    for part in parts:
        end = base + len(part)
        append(new(Span, (base, end, part)))
        base = end + 1
    return True


def _trim(doc: str, start: int, end: int) -> tuple[int, int]:
    """Move start past whitespace and end before whitespace."""
    while start < end and doc[start].isspace():
        start += 1
    while end > start and doc[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    """The sentence texts of a document, in order."""
    return [span.text for span in segment(text)]
