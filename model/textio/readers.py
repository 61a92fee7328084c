"""Reading documents for scoring: arguments, standard input, files and folders.

Plain text is read in blocks of whole lines, so a 50 MB file never sits in
memory at once; because line breaks are always sentence boundaries, cutting
between lines never changes how the text is segmented. HTML is reduced to its
main text first with trafilatura; a page in which it finds no main text keeps
all its visible text, and a trafilatura that cannot be imported is an error
(``ExtractorMissing``), never a quiet switch to tag stripping. Whether an
input is HTML is decided by ``input_format``: ``html``, ``text``, or ``auto``
(the default): ``.html``/``.htm`` files are HTML, ``.txt``/``.md`` files are
text, and anything else (standard input, arguments, other files) is HTML when
its start looks like a page (``looks_like_html``).

Input is bytes decoded strictly in the chosen encoding; bytes that are not
valid in it, and binary content (NUL bytes, or mostly control characters,
whatever the encoding), are refused with exit status 5.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from ..exits import EXIT_EMPTY_DIR, EXIT_NOT_TEXT, EXIT_UNREADABLE

__all__ = [
    "BLOCK_CHARS",
    "HTML_SUFFIXES",
    "INPUT_FORMATS",
    "MAX_LINE_BYTES",
    "TEXT_SUFFIXES",
    "Document",
    "ExtractorMissing",
    "InputError",
    "expand_paths",
    "html_to_text",
    "looks_binary",
    "looks_like_html",
    "looks_like_url",
    "printable",
]

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
INPUT_FORMATS = ("auto", "text", "html")
BLOCK_CHARS = 1 << 20
MAX_LINE_BYTES = 8 << 20
"""With --lines, a longer line is reported and skipped (exit 3), read in bounded memory."""
MAX_HTML_BYTES = 64 << 20
SNIFF_CHARS = 4096
MAX_CONTROL_SHARE = 0.1


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_PAGE_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html|head|body)\b", re.I)
_TAG = re.compile(
    r"</?(?:html|head|body|p|div|span|a|br|h[1-6]|ul|ol|li|table|tr|td|article|section|"
    r"header|footer|nav|main|aside|script|style|meta|link|title|img|strong|em|b|i|form)\b[^<>]*>",
    re.I,
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class InputError(Exception):
    """A document that cannot be read; ``code`` is the exit status it maps to."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def printable(name: str) -> str:
    """A file name as valid UTF-8: bytes the file system gave that are not UTF-8 as ``\\xNN``."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no byte stands behind
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def looks_like_url(text: str) -> bool:
    """True for a bare URL such as ``https://example.com/page`` (we never fetch)."""
    return bool(_URL.match(text.strip()))


def looks_like_html(sample: str) -> bool:
    """True when text starts like a web page, or carries several HTML tags, opening and closing.

    A doctype, ``<html>``, ``<head>`` or ``<body>`` at the start is enough;
    otherwise at least three known tags of two kinds, one of them a closing
    tag. A forum post quoting one ``<b>`` stays text.
    """
    head = sample[:SNIFF_CHARS]
    if _PAGE_START.match(head):
        return True
    tags = _TAG.findall(head)
    if len(tags) < 3 or not any(t.startswith("</") for t in tags):
        return False
    names = {re.match(r"</?(\w+)", t).group(1).lower() for t in tags}
    return len(names) >= 2


def looks_binary(sample: str) -> bool:
    """True for decoded text that holds a NUL or is over 10% control characters."""
    if not sample:
        return False
    if "\x00" in sample:
        return True
    return len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample)


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{source}: binary content (NUL bytes or control characters), not text: not scored",
        EXIT_NOT_TEXT,
    )


def _decode_error(source: str, exc: UnicodeDecodeError, encoding: str, at: int = 0) -> InputError:
    return InputError(
        f"{source}: not valid {encoding} near byte {at + exc.start} "
        f"(convert it, or pass --encoding, e.g. --encoding latin-1)",
        EXIT_NOT_TEXT,
    )


@dataclass
class Document:
    """A named source of text, read lazily in blocks of (character offset, text)."""

    source: str
    path: Path | None = None
    text: str | None = None
    stdin: bool = False
    encoding: str = "utf-8"
    input_format: str = "auto"

    @property
    def is_html(self) -> bool:
        """True when the format or the file name says HTML (before looking at the content)."""
        if self.input_format != "auto":
            return self.input_format == "html"
        return self.path is not None and self.path.suffix.lower() in HTML_SUFFIXES

    def _sniffs(self) -> bool:
        """True when the content decides (auto, and no telling file suffix)."""
        if self.input_format != "auto":
            return False
        return self.path is None or self.path.suffix.lower() not in TEXT_SUFFIXES + HTML_SUFFIXES

    def blocks(self) -> Iterator[tuple[int, str]]:
        """Yield (offset, text) blocks of whole lines; offsets index the full document text.

        For HTML the one block is the extracted main text, and offsets index it.
        """
        if self.text is not None:
            if self.is_html or (self._sniffs() and looks_like_html(self.text)):
                yield 0, html_to_text(self.text)
            else:
                yield 0, self.text
            return
        with self._open() as raw:
            chunks = _decoded_chunks(raw, self.encoding, self.source)
            first = next(chunks, "")
            if looks_binary(first[: SNIFF_CHARS * 16]):
                raise _binary_error(self.source)
            if self.is_html or (self._sniffs() and looks_like_html(first)):
                yield 0, html_to_text(_read_rest(first, chunks, self.source))
                return
            yield from _line_blocks(_chain(first, chunks), self.source)

    def lines(self) -> Iterator[tuple[int, str | InputError]]:
        """(line number, text) for each line as it arrives, without its line break.

        A line that is not valid in the encoding, or is binary, comes as an
        ``InputError`` in its place, so one bad line does not stop a stream.
        """
        if self.text is not None:
            for n, line in enumerate(self.text.splitlines(), start=1):
                if len(line) > MAX_LINE_BYTES // 4 and len(line.encode("utf-8", "replace")) > (
                    MAX_LINE_BYTES
                ):
                    yield n, _long_line_error(f"{self.source}:{n}")
                    continue
                yield n, line
            return
        with self._open() as raw:
            for n, data in enumerate(_bounded_lines(raw, self.source), start=1):
                if data is None:
                    yield n, _long_line_error(f"{self.source}:{n}")
                    continue
                try:
                    line = data.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    yield n, _decode_error(f"{self.source}:{n}", exc, self.encoding)
                    continue
                except UnicodeError as exc:
                    where = f"{self.source}:{n}"
                    yield (
                        n,
                        InputError(f"{where}: not valid {self.encoding} ({exc})", EXIT_NOT_TEXT),
                    )
                    continue
                if "\x00" in line or looks_binary(line.rstrip("\r\n")):
                    yield n, _binary_error(f"{self.source}:{n}")
                    continue
                yield n, line.rstrip("\r\n")

    def _open(self) -> BinaryIO:
        if self.stdin:
            return _Unclosed(sys.stdin.buffer)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except FileNotFoundError:
            raise InputError(f"{self.source}: no such file", EXIT_UNREADABLE) from None
        except IsADirectoryError:
            raise InputError(f"{self.source}: is a directory", EXIT_UNREADABLE) from None
        except PermissionError:
            raise InputError(f"{self.source}: permission denied", EXIT_UNREADABLE) from None
        except OSError as exc:
            raise InputError(
                f"{self.source}: cannot read ({exc.strerror or exc})", EXIT_UNREADABLE
            ) from None


def _long_line_error(where: str) -> InputError:
    return InputError(
        f"{where}: line longer than {MAX_LINE_BYTES} bytes: not scored (without --lines "
        "the text is read as a document, in blocks)",
        EXIT_UNREADABLE,
    )


def _bounded_lines(raw: BinaryIO, source: str) -> Iterator[bytes | None]:
    """Each line of ``raw`` as bytes, or None for one longer than MAX_LINE_BYTES.

    A long line is skipped in pieces of BLOCK_CHARS bytes, so it is never held whole.
    """
    while True:
        try:
            data = raw.readline(MAX_LINE_BYTES + 1)
        except OSError as exc:
            raise InputError(
                f"{source}: cannot read ({exc.strerror or exc})", EXIT_UNREADABLE
            ) from None
        if not data:
            return
        if len(data) <= MAX_LINE_BYTES or data.endswith(b"\n"):
            yield data
            continue
        while data and not data.endswith(b"\n"):
            data = raw.readline(BLOCK_CHARS)
        yield None


class _Unclosed:
    """Standard input as a context manager that leaves it open."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def __enter__(self) -> BinaryIO:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        return None


def _decoded_chunks(raw: BinaryIO, encoding: str, source: str) -> Iterator[str]:
    """Text of ``raw`` in chunks of about BLOCK_CHARS bytes, decoded strictly."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    while True:
        try:
            data = raw.read(BLOCK_CHARS)
        except OSError as exc:
            raise InputError(
                f"{source}: cannot read ({exc.strerror or exc})", EXIT_UNREADABLE
            ) from None
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise _decode_error(source, exc, encoding, done) from None
        except UnicodeError as exc:  # e.g. UTF-16 without a byte-order mark
            raise InputError(f"{source}: not valid {encoding} ({exc})", EXIT_NOT_TEXT) from None
        done += len(data)
        if text:
            yield text
        if not data:
            return


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _read_rest(first: str, rest: Iterable[str], source: str) -> str:
    parts, size = [first], len(first)
    for chunk in rest:
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_HTML_BYTES:
            raise InputError(
                f"{source}: HTML larger than {MAX_HTML_BYTES >> 20} MB", EXIT_UNREADABLE
            )
    return "".join(parts)


def _line_blocks(chunks: Iterable[str], source: str) -> Iterator[tuple[int, str]]:
    """Blocks of about BLOCK_CHARS characters that end at a line break (or end of input)."""
    offset = 0
    pending = ""
    for chunk in chunks:
        pending += chunk
        cut = max(pending.rfind("\n"), pending.rfind("\r"))
        if cut < 0:
            if len(pending) < 8 * BLOCK_CHARS:
                continue
            cut = len(pending) - 1  # a huge line without breaks: cut it anyway
        block, pending = pending[: cut + 1], pending[cut + 1 :]
        yield offset, block
        offset += len(block)
    if pending:
        yield offset, pending


def expand_paths(
    paths: list[str], encoding: str = "utf-8", input_format: str = "auto"
) -> Iterator[Document | InputError]:
    """Documents for each --file argument; folders are searched recursively.

    Problems are yielded as InputError values, in place, so one bad path does
    not stop the others. URLs are refused: nothing is fetched.
    """
    for raw in paths:
        shown = printable(raw)
        if raw == "-":
            yield Document("<stdin>", stdin=True, encoding=encoding, input_format=input_format)
            continue
        if looks_like_url(raw):
            yield InputError(
                f"{shown}: is a URL; predict never fetches pages: save the page "
                "(e.g. curl -o page.html URL) and pass the file",
                EXIT_UNREADABLE,
            )
            continue
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:
            yield InputError(f"{shown}: cannot read ({exc.strerror or exc})", EXIT_UNREADABLE)
            continue
        if is_dir:
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES
            )
            if not found:
                yield InputError(
                    f"{shown}: no .txt, .md or .html files in this directory", EXIT_EMPTY_DIR
                )
            for p in found:
                yield Document(printable(str(p)), p, encoding=encoding, input_format=input_format)
        elif not exists:
            yield InputError(f"{shown}: no such file", EXIT_UNREADABLE)
        else:
            yield Document(shown, path, encoding=encoding, input_format=input_format)


class ExtractorMissing(ImportError):
    """trafilatura, the HTML extractor, cannot be imported: a broken install, not a bad page."""


EXTRACTOR_FIX = "pip install 'trafilatura>=2,<3' lxml_html_clean"


def _trafilatura() -> ModuleType:
    """The trafilatura module, or ExtractorMissing saying what to install."""
    try:
        import trafilatura
    except Exception as exc:  # ImportError, or lxml's own error about html_clean
        reason = (str(exc).splitlines() or [""])[0]
        raise ExtractorMissing(
            f"HTML input needs trafilatura, which does not import ({type(exc).__name__}: "
            f"{reason}); install it with: {EXTRACTOR_FIX}"
        ) from exc
    return trafilatura


def html_to_text(html: str) -> str:
    """The main text of an HTML page (trafilatura), or all its visible text when it finds none.

    Raises ExtractorMissing when trafilatura cannot be imported, so scores never
    shift silently to those of a page whose menus and footers were kept.
    """
    trafilatura = _trafilatura()
    try:
        text = trafilatura.extract(
            html, include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception:  # a page its parser chokes on is still read, as visible text
        text = None
    return text if text and text.strip() else _strip_tags(html)


_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "blockquote",
        "title",
    }
)


def _strip_tags(html: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "noscript"):
                self.skip += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "noscript"):
                self.skip = max(0, self.skip - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
