"""Validation of labelled data: each broken row is named in a clear error."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from training.data import LabelError, load_labels


def _rewrite(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _load(corpus: tuple[Path, Path]):
    labels_csv, sources = corpus
    return load_labels(labels_csv, sources, user_dir=None)


def test_a_valid_corpus_loads_with_a_typed_schema(tiny_corpus) -> None:
    ds = _load(tiny_corpus)
    assert ds.features["label"].names == ["unsupported", "hedged", "none"]
    assert ds.features["position"].dtype == "int32"
    assert len(ds) == 48


def _set(field: str, value: str, index: int = 3):
    def edit(rows):
        rows[index][field] = value
        return rows

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("label", "maybe"), "line 5 (id 'auth_echinacea_pr-"),
        (_set("label", "maybe"), "label 'maybe' is not one of"),
        (_set("origin", "web"), "origin 'web' is not one of"),
        (_set("text", "  "), "empty text"),
        (_set("text", "Something else entirely."), "text differs from sentence 3"),
        (_set("id", "auth_echinacea_pr-0000000000"), "id does not match its text"),
        (lambda rows: [*rows, dict(rows[0])], "duplicate id"),
        (lambda rows: rows[:2] + rows[3:], "sentence 2 of auth_echinacea_pr.txt is missing"),
        (_set("doc_id", "nowhere"), "source"),
    ],
)
def test_broken_rows_are_named(tiny_corpus, edit, message) -> None:
    _rewrite(tiny_corpus[0], edit)
    with pytest.raises(LabelError, match=None) as info:
        _load(tiny_corpus)
    assert message in str(info.value)


def test_conflicting_labels_for_identical_text_are_reported(tiny_corpus) -> None:
    labels_csv, sources = tiny_corpus
    extra = sources / "auth_copy.txt"
    extra.write_text("Order echinacea today and get free shipping.\n", encoding="utf-8")

    def edit(rows):
        from training.labeltool import draft_rows

        [row] = draft_rows(extra, "authored", "echinacea", "promotional")
        row["label"] = "unsupported"
        return [*rows, row]

    _rewrite(labels_csv, edit)
    with pytest.raises(LabelError, match="different labels elsewhere"):
        _load(tiny_corpus)


def test_missing_column_and_bad_encoding(tiny_corpus, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,x\n")
    with pytest.raises(LabelError, match="missing column"):
        load_labels(bad, tiny_corpus[1], user_dir=None)
    bad.write_bytes(b"id,doc_id,position,text,label,origin\n1,d,0,\xff,none,seed\n")
    with pytest.raises(LabelError, match="not UTF-8"):
        load_labels(bad, tiny_corpus[1], user_dir=None)


def test_user_label_files_are_validated_and_appended(tiny_corpus, tmp_path) -> None:
    from training.data import write_rows
    from training.labeltool import draft_rows

    labels_csv, sources = tiny_corpus
    user = tmp_path / "user"
    (user / "sources").mkdir(parents=True)
    doc = user / "sources" / "mine.txt"
    doc.write_text("Our tea melts fat overnight.\nShipping is free.\n", encoding="utf-8")
    rows = draft_rows(doc, "authored", "tea", "promotional")
    for row, label in zip(rows, ("unsupported", "none"), strict=True):
        row.update(label=label, origin="user")
    write_rows(user / "mine.csv", rows)
    assert len(load_labels(labels_csv, sources, user)) == 50
    rows[1]["label"] = ""  # not labelled yet: skipped, not an error
    write_rows(user / "mine.csv", rows)
    assert len(load_labels(labels_csv, sources, user)) == 49
    rows[1]["label"] = "probably"
    write_rows(user / "mine.csv", rows)
    with pytest.raises(LabelError, match=r"mine\.csv line 3"):
        load_labels(labels_csv, sources, user)
