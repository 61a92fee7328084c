"""Reading documents for scoring: arguments, standard input, files and folders.

Plain text is read in blocks of whole lines, so a 50 MB file never sits in
memory at once; because line breaks are always sentence boundaries, cutting
between lines never changes how the text is segmented. HTML is reduced to its
main text first (trafilatura, with a plain tag-stripping fallback).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BLOCK_CHARS",
    "HTML_SUFFIXES",
    "TEXT_SUFFIXES",
    "Document",
    "InputError",
    "expand_paths",
    "html_to_text",
]

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
BLOCK_CHARS = 1 << 20
MAX_HTML_BYTES = 64 << 20


class InputError(Exception):
    """A document that cannot be read; ``code`` is the exit status it maps to."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Document:
    """A named source of text, read lazily in blocks of (character offset, text)."""

    source: str
    path: Path | None = None
    text: str | None = None
    stdin: bool = False
    encoding: str = "utf-8"

    @property
    def is_html(self) -> bool:
        """True for .html/.htm files."""
        return self.path is not None and self.path.suffix.lower() in HTML_SUFFIXES

    def blocks(self) -> Iterator[tuple[int, str]]:
        """Yield (offset, text) blocks of whole lines; offsets index the full document text."""
        if self.text is not None:
            yield 0, self.text
            return
        if self.stdin:
            stream = io.TextIOWrapper(
                sys.stdin.buffer, encoding=self.encoding, errors="strict", newline=""
            )
            yield from _line_blocks(stream, self.source)
            return
        assert self.path is not None
        if self.is_html:
            yield 0, html_to_text(self._read_html())
            return
        try:
            with self.path.open(encoding=self.encoding, errors="strict", newline="") as fh:
                yield from _line_blocks(fh, self.source)
        except FileNotFoundError:
            raise InputError(f"{self.source}: no such file", 3) from None
        except IsADirectoryError:
            raise InputError(f"{self.source}: is a directory", 3) from None
        except PermissionError:
            raise InputError(f"{self.source}: permission denied", 3) from None
        except OSError as exc:
            raise InputError(f"{self.source}: cannot read ({exc.strerror or exc})", 3) from None

    def _read_html(self) -> str:
        assert self.path is not None
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{self.source}: cannot read ({exc.strerror or exc})", 3) from None
        if len(data) > MAX_HTML_BYTES:
            raise InputError(f"{self.source}: HTML larger than {MAX_HTML_BYTES >> 20} MB", 3)
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise _decode_error(self.source, exc, self.encoding) from None


def _decode_error(source: str, exc: UnicodeDecodeError, encoding: str) -> InputError:
    return InputError(
        f"{source}: not valid {encoding} near byte {exc.start} "
        f"(convert it, or pass --encoding, e.g. --encoding latin-1)",
        5,
    )


def _line_blocks(stream: io.TextIOBase, source: str) -> Iterator[tuple[int, str]]:
    """Blocks of about BLOCK_CHARS characters that end at a line break (or end of input)."""
    offset = 0
    pending = ""
    try:
        while True:
            chunk = stream.read(BLOCK_CHARS)
            if not chunk:
                break
            pending += chunk
            cut = max(pending.rfind("\n"), pending.rfind("\r"))
            if cut < 0:
                if len(pending) < 8 * BLOCK_CHARS:
                    continue
                cut = len(pending) - 1  # a huge line without breaks: cut it anyway
            block, pending = pending[: cut + 1], pending[cut + 1 :]
            yield offset, block
            offset += len(block)
    except UnicodeDecodeError as exc:
        raise _decode_error(source, exc, getattr(stream, "encoding", "utf-8") or "utf-8") from None
    if pending:
        yield offset, pending


def expand_paths(paths: list[str], encoding: str = "utf-8") -> Iterator[Document | InputError]:
    """Documents for each --file argument; folders are searched recursively.

    Problems are yielded as InputError values, in place, so one bad path does
    not stop the others.
    """
    for raw in paths:
        if raw == "-":
            yield Document(source="<stdin>", stdin=True, encoding=encoding)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES
            )
            if not found:
                yield InputError(f"{raw}: no .txt, .md or .html files in this directory", 4)
            for p in found:
                yield Document(source=str(p), path=p, encoding=encoding)
        elif not path.exists():
            yield InputError(f"{raw}: no such file", 3)
        else:
            yield Document(source=raw, path=path, encoding=encoding)


def html_to_text(html: str) -> str:
    """The main text of an HTML page: trafilatura if it finds any, else all visible text."""
    try:
        import trafilatura

        text = trafilatura.extract(
            html, include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception:  # a parser failure must not lose the document
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
