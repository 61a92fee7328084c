"""Load and validate the labelled sentences.

The CSV is read with the standard library, checked row by row (every problem is
reported on one line with its file, line and id), then handed to Hugging Face
``datasets`` with a typed schema so that everything downstream sees one
well-formed table. Files are written atomically (a temporary file renamed into
place), and ``locked`` serialises the read-merge-write cycles of the adapt loop.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from claim_risk.core.segment import split_sentences
from claim_risk.textio.atomic import atomic_write
from claim_risk.textio.csvsafe import escape_row, unescape_row

from ..config import LABELS_DIR, SENTENCES, SOURCES, USER_DIR
from .schema import COLUMNS, LABELS, ORIGINS, REGISTERS, assign_ids

__all__ = [
    "LABELS_DIR",
    "SENTENCES",
    "SOURCES",
    "USER_DIR",
    "FileChanged",
    "LabelError",
    "features",
    "file_sha256",
    "file_stamp",
    "load_labels",
    "locked",
    "read_rows",
    "shown",
    "training_data_sha256",
    "validate_rows",
    "write_rows",
    "write_text",
]

REQUIRED = ("id", "doc_id", "position", "text", "label", "origin")
MAX_PROBLEMS = 50


class LabelError(ValueError):
    """The labelled data breaks the schema: one line per problem, each naming file, line and id."""


class FileChanged(RuntimeError):
    """The file changed on disk between reading it and writing it back."""


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies inside it, else as given."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_data_sha256(labels_path: Path, user_dir: Path | None) -> str:
    """SHA-256 of the labels file; with user label files, a SHA-256 over all their hashes.

    Without user files this is the plain file hash, so a test can compare it
    with ``sha256sum labels/sentences.csv``.
    """
    extras = sorted(user_dir.glob("*.csv")) if user_dir is not None and user_dir.is_dir() else []
    if not extras:
        return file_sha256(labels_path)
    digest = hashlib.sha256()
    for path in (labels_path, *extras):
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime in ns) of ``path``, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _read_bytes(path: Path) -> bytes:
    where = shown(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise LabelError(f"{where}: not a regular file")
        return path.read_bytes()
    except FileNotFoundError:
        raise LabelError(f"{where}: no such file") from None
    except PermissionError:
        raise LabelError(f"{where}: permission denied") from None
    except OSError as exc:
        raise LabelError(f"{where}: cannot read ({exc.strerror or exc})") from None


def _line_at(data: bytes, offset: int) -> tuple[int, str]:
    """The 1-based line number of byte ``offset`` and the first field of that line (its id)."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    text = data[start : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
    first = text.split(",", 1)[0].strip().strip('"')
    return line, (first[:80] if line > 1 and first.isprintable() else "")


def _where(path: Path, line: int | str, row_id: str = "") -> str:
    return f"{shown(path)} line {line}" + (f" (id {row_id!r})" if row_id else "")


def read_rows(path: Path, *, spreadsheet: bool = False) -> list[dict[str, str]]:
    """The rows of a labels CSV, each with its CSV line number under ``_line``.

    A UTF-8 byte order mark (spreadsheets add one) is accepted; rows whose cells
    are all empty are skipped. With ``spreadsheet``, cells escaped against
    formula injection (``model/textio/csvsafe.py``) are restored. Anything that is not
    a well-formed UTF-8 CSV with the required columns raises LabelError naming
    the file, line and, where there is one, the id.
    """
    data = _read_bytes(path)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, row_id = _line_at(data, nul)
        raise LabelError(f"{_where(path, line, row_id)}: NUL byte: binary data, not a CSV file")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, row_id = _line_at(body, exc.start)
        raise LabelError(
            f"{_where(path, line, row_id)}: not UTF-8 (byte {body[exc.start]:#04x}); "
            "save the file as UTF-8 CSV"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise LabelError(f"{shown(path)}: empty file (no header row)")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise LabelError(f"{_where(path, 1)}: missing column(s) {', '.join(missing)}")
        doubled = sorted({c for c in header if c and header.count(c) > 1})
        if doubled:
            raise LabelError(f"{_where(path, 1)}: column(s) {', '.join(doubled)} appear twice")
        rows = []
        for record in reader:
            if not any(record):
                continue
            where = _where(path, reader.line_num, record[0])
            if len(record) < len(header):
                raise LabelError(
                    f"{where}: {len(record)} of {len(header)} fields (a cut or truncated row?)"
                )
            if any(record[len(header) :]):
                raise LabelError(f"{where}: {len(record)} fields, more than the header's")
            row = dict(zip(header, record, strict=False))
            if spreadsheet:
                row = unescape_row(row)
            row["_line"] = str(reader.line_num)
            rows.append(row)
        return rows
    except csv.Error as exc:
        raise LabelError(f"{_where(path, reader.line_num)}: not a valid CSV row ({exc})") from None


def write_rows(
    path: Path,
    rows: Iterable[dict[str, str]],
    columns: tuple[str, ...] = COLUMNS,
    *,
    spreadsheet: bool = False,
    unchanged_since: tuple[int, int, int] | None = None,
) -> None:
    """Write rows with ``columns``, in order, atomically (extra keys such as ``_line`` dropped).

    The rows go to a temporary file in the same folder, which then replaces
    ``path``: a reader sees the old file or the new one, never half of one. With
    ``spreadsheet``, cells that a spreadsheet would run as a formula are escaped.
    With ``unchanged_since`` (a ``file_stamp``), FileChanged is raised and
    ``path`` left alone if it no longer has that stamp.
    """
    with _atomic_file(path, unchanged_since) as fh:
        # "\n" line ends, as labels/sentences.csv is committed (csv's default is "\r\n").
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(escape_row(r) if spreadsheet else r for r in rows)


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    with _atomic_file(path) as fh:
        fh.write(text)


@contextmanager
def _atomic_file(
    path: Path, unchanged_since: tuple[int, int, int] | None = None
) -> Iterator[io.TextIOBase]:
    """``atomic_write`` to ``path`` (its folder made first); with ``unchanged_since``,
    FileChanged if ``path`` no longer has that stamp when the new file is ready."""

    def unchanged() -> None:
        if unchanged_since is not None and file_stamp(path) != unchanged_since:
            raise FileChanged(f"{shown(path)} changed while it was being updated")

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, before_replace=unchanged) as fh:
        yield fh


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (``flock`` on the sibling ``.<name>.lock``).

    Every read-merge-write of a labels file by the adapt loop runs under it, so
    two runs on one file take turns instead of losing each other's rows.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another run to finish with {shown(path)}", file=sys.stderr)
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def validate_rows(
    rows: list[dict[str, str]],
    path: Path,
    sources: Path = SOURCES,
    require_labels: bool = True,
    every_source: bool = False,
) -> None:
    """Raise LabelError naming, one line each, every row that breaks the schema.

    Checks: known labels, origins and registers; non-empty text; unique ids;
    ids that match their text; labels consistent across identical texts; and
    that each document's rows are exactly the sentences of its source file,
    in order (nothing missing, nothing extra). With ``every_source``, each
    ``.txt`` file in ``sources`` must have rows (a file cut short loses whole
    documents).
    """
    errors: list[str] = []

    def bad(row: dict[str, str], message: str) -> None:
        errors.append(f"{_where(path, row.get('_line', '?'), row.get('id', ''))}: {message}")

    first_line: dict[str, str] = {}
    by_doc: dict[str, list[dict[str, str]]] = {}
    text_labels: dict[str, set[str]] = {}
    for row in rows:
        if row["label"] not in LABELS and (require_labels or row["label"]):
            bad(row, f"label {row['label']!r} is not one of {', '.join(LABELS)}")
        if row["origin"] not in ORIGINS:
            bad(row, f"origin {row['origin']!r} is not one of {', '.join(ORIGINS)}")
        if row.get("register", "") not in (*REGISTERS, ""):
            bad(row, f"register {row['register']!r} is not one of {', '.join(REGISTERS)}")
        if row["origin"] == "authored" and not (row.get("topic") and row.get("register")):
            bad(row, "authored rows need a topic and a register")
        if not row["text"].strip():
            bad(row, "empty text")
        if row["id"] in first_line:
            bad(row, f"duplicate id (first on line {first_line[row['id']]})")
        first_line.setdefault(row["id"], row.get("_line", "?"))
        if _position(row) is None:
            bad(row, f"position {row['position']!r} is not a whole number")
        if row["label"]:
            text_labels.setdefault(row["text"].strip().lower(), set()).add(row["label"])
        by_doc.setdefault(row["doc_id"], []).append(row)
    for row in rows:
        seen = text_labels.get(row["text"].strip().lower(), set())
        if len(seen) > 1:
            bad(row, f"the same text carries different labels elsewhere: {sorted(seen)}")
    for doc_id, doc_rows in by_doc.items():
        errors.extend(_check_document(doc_id, doc_rows, path, sources))
    if every_source:
        unused = sorted(p.name for p in sources.glob("*.txt") if p.stem not in by_doc)
        if unused:
            errors.append(
                f"{shown(path)}: no rows for {len(unused)} source(s) in {shown(sources)}: "
                f"{', '.join(unused[:5])}{', ...' if len(unused) > 5 else ''} "
                "(is the file cut short?)"
            )
    if errors:
        more = len(errors) - MAX_PROBLEMS
        tail = [f"{shown(path)}: ... and {more} more problem(s)"] if more > 0 else []
        raise LabelError("\n".join(errors[:MAX_PROBLEMS] + tail))


def _position(row: dict[str, str]) -> int | None:
    """The row's position as an int, or None unless it is written with ASCII digits."""
    pos = row["position"]
    return int(pos) if pos.isascii() and pos.isdigit() else None


def _spans(numbers: list[int]) -> str:
    """``[2, 5, 6, 7]`` as ``2, 5-7``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _check_document(
    doc_id: str, rows: list[dict[str, str]], path: Path, sources: Path
) -> list[str]:
    """Compare a document's rows with a fresh segmentation of its source."""
    source = sources / f"{doc_id}.txt"
    first = _where(path, rows[0]["_line"], rows[0]["id"])
    if not source.is_file():
        return [f"{first}: source {shown(source)} of doc_id {doc_id!r} is missing"]
    try:
        expected = split_sentences(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{first}: source {shown(source)} of doc_id {doc_id!r} cannot be read ({exc})"]
    expected_ids = assign_ids(doc_id, expected)
    errors = []
    for row in sorted(rows, key=lambda r: -1 if _position(r) is None else _position(r)):
        pos = _position(row)
        if pos is None:
            continue  # reported by validate_rows
        where = _where(path, row["_line"], row["id"])
        if not 0 <= pos < len(expected):
            errors.append(f"{where}: position {pos} is not a sentence of {source.name}")
        elif row["text"] != expected[pos]:
            errors.append(f"{where}: text differs from sentence {pos} of {source.name}")
        elif row["id"] != expected_ids[pos]:
            errors.append(f"{where}: id does not match its text (expected {expected_ids[pos]!r})")
    have = {_position(r) for r in rows}
    missing = [pos for pos in range(len(expected)) if pos not in have]
    if len(missing) == 1:
        errors.append(
            f"{shown(path)}: sentence {missing[0]} of {source.name} is missing "
            f"(doc_id {doc_id!r}): {expected[missing[0]][:60]!r}"
        )
    elif missing:
        errors.append(
            f"{shown(path)}: sentences {_spans(missing)} of {source.name} are missing "
            f"({len(missing)} of {len(expected)}, doc_id {doc_id!r}; is the file cut short?)"
        )
    return errors


def features():  # -> datasets.Features
    """The typed schema of the labelled table."""
    from datasets import ClassLabel, Features, Value

    return Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "position": Value("int32"),
            "text": Value("string"),
            "label": ClassLabel(names=list(LABELS)),
            "origin": Value("string"),
            "topic": Value("string"),
            "register": Value("string"),
            "notes": Value("string"),
        }
    )


def load_labels(
    path: Path = SENTENCES, sources: Path = SOURCES, user_dir: Path | None = USER_DIR
):  # -> datasets.Dataset
    """The validated labelled sentences as a ``datasets.Dataset``.

    Labelled CSV files under ``labels/user/`` (same columns, ``origin`` =
    ``user``, sources in ``labels/user/sources/``; see ``training/adapt/loop.py``)
    are validated the same way and their labelled rows appended; rows with an
    empty label are skipped. Those files are the adapt loop's spreadsheets, so
    their cells are read back through ``claim_risk.textio.csvsafe.unescape_cell``.
    Every problem raises LabelError (one line per problem, never a traceback
    from deeper down).
    """
    from datasets import Dataset

    rows = read_rows(path)
    validate_rows(rows, path, sources, every_source=True)
    if user_dir is not None and user_dir.is_dir():
        for extra in sorted(user_dir.glob("*.csv")):
            user_rows = read_rows(extra, spreadsheet=True)
            validate_rows(user_rows, extra, user_dir / "sources", require_labels=False)
            rows.extend(r for r in user_rows if r["label"])  # unlabelled rows wait their turn
    table = {c: [row.get(c, "") for row in rows] for c in COLUMNS}
    table["position"] = [int(p) for p in table["position"]]
    return Dataset.from_dict(table, features=features())
