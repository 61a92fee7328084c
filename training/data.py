"""Load and validate the labelled sentences.

The CSV is read with the standard library, checked row by row (every problem is
reported with its file, line and id), then handed to Hugging Face ``datasets``
with a typed schema so that everything downstream sees one well-formed table.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections import Counter
from pathlib import Path

from model.segment import split_sentences
from training.schema import COLUMNS, LABELS, ORIGINS, REGISTERS, assign_ids

__all__ = [
    "LABELS_DIR",
    "SENTENCES",
    "SOURCES",
    "USER_DIR",
    "LabelError",
    "features",
    "file_sha256",
    "load_labels",
    "read_rows",
    "validate_rows",
    "write_rows",
]

ROOT = Path(__file__).resolve().parent.parent
LABELS_DIR = ROOT / "labels"
SENTENCES = LABELS_DIR / "sentences.csv"
SOURCES = LABELS_DIR / "sources"
USER_DIR = LABELS_DIR / "user"
REQUIRED = ("id", "doc_id", "position", "text", "label", "origin")


class LabelError(ValueError):
    """The labelled data breaks the schema; the message names every bad row."""


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a labels CSV, each with its CSV line number under ``_line``."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise LabelError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = []
            for row in reader:
                row = {k: (v or "") for k, v in row.items() if k is not None}
                row["_line"] = str(reader.line_num)
                rows.append(row)
            return rows
    except UnicodeDecodeError as exc:
        raise LabelError(f"{path}: not UTF-8 ({exc})") from exc


def write_rows(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> None:
    """Write rows with ``columns``, in order, atomically (extra keys such as ``_line`` dropped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def validate_rows(
    rows: list[dict[str, str]], path: Path, sources: Path = SOURCES, require_labels: bool = True
) -> None:
    """Raise LabelError listing every row that breaks the schema.

    Checks: known labels, origins and registers; non-empty text; unique ids;
    ids that match their text; labels consistent across identical texts; and
    that each document's rows are exactly the sentences of its source file,
    in order (nothing missing, nothing extra).
    """
    errors: list[str] = []

    def bad(row: dict[str, str], message: str) -> None:
        errors.append(
            f"{path.name} line {row.get('_line', '?')} (id {row.get('id', '')!r}): {message}"
        )

    ids = Counter(row["id"] for row in rows)
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
        if ids[row["id"]] > 1:
            bad(row, "duplicate id")
        if not row["position"].isdigit():
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
    if errors:
        shown = "\n  ".join(errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        raise LabelError(f"{len(errors)} problem(s) in {path}:\n  {shown}{more}")


def _check_document(
    doc_id: str, rows: list[dict[str, str]], path: Path, sources: Path
) -> list[str]:
    """Compare a document's rows with a fresh segmentation of its source."""
    source = sources / f"{doc_id}.txt"
    if not source.exists():
        return [
            f"{path.name} line {rows[0]['_line']}: source {source} of doc_id {doc_id!r} is missing"
        ]
    expected = split_sentences(source.read_text(encoding="utf-8"))
    expected_ids = assign_ids(doc_id, expected)
    errors = []
    ordered = sorted(rows, key=lambda r: int(r["position"]) if r["position"].isdigit() else -1)
    for row in ordered:
        pos = int(row["position"]) if row["position"].isdigit() else -1
        where = f"{path.name} line {row['_line']} (id {row['id']!r})"
        if not 0 <= pos < len(expected):
            errors.append(f"{where}: position {pos} is not a sentence of {source.name}")
        elif row["text"] != expected[pos]:
            errors.append(f"{where}: text differs from sentence {pos} of {source.name}")
        elif row["id"] != expected_ids[pos]:
            errors.append(f"{where}: id does not match its text (expected {expected_ids[pos]!r})")
    have = {int(r["position"]) for r in rows if r["position"].isdigit()}
    for pos, text in enumerate(expected):
        if pos not in have:
            errors.append(
                f"{path.name}: sentence {pos} of {source.name} is missing (doc_id {doc_id!r}): "
                f"{text[:60]!r}"
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
    ``user``, sources in ``labels/user/sources/``; see ``training/adapt.py``)
    are validated the same way and their labelled rows appended; rows with an
    empty label are skipped.
    """
    from datasets import Dataset

    rows = read_rows(path)
    validate_rows(rows, path, sources)
    if user_dir is not None and user_dir.is_dir():
        for extra in sorted(user_dir.glob("*.csv")):
            user_rows = read_rows(extra)
            validate_rows(user_rows, extra, user_dir / "sources", require_labels=False)
            rows.extend(r for r in user_rows if r["label"])  # unlabelled rows wait their turn
    table = {c: [row.get(c, "") for row in rows] for c in COLUMNS}
    table["position"] = [int(p) for p in table["position"]]
    return Dataset.from_dict(table, features=features())
