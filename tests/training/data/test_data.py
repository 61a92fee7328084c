"""Validation of labelled data: each broken row is named in a clear error."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from claim_risk.training.data.sentences import LabelError, load_labels


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
        from claim_risk.training.data.labeltool import draft_rows

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
    from claim_risk.training.data.labeltool import draft_rows
    from claim_risk.training.data.sentences import write_rows

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


def _corrupt_header(data: bytes) -> bytes:
    return data.replace(b"id,doc_id", b"ident,doc_id", 1)


def _duplicate_row(data: bytes) -> bytes:
    return data + data.splitlines(keepends=True)[1]


def _bad_label(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[4] = lines[4].replace(b",unsupported,", b",maybe,")
    return b"".join(lines)


def _truncate(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    cut = sum(len(line) for line in lines[:30]) + len(lines[30]) // 2
    return data[:cut]


def _latin1(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[7] = lines[7][:-2] + b"\xe4" + lines[7][-2:]  # a note saved as Latin-1
    return b"".join(lines)


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (_corrupt_header, "sentences.csv line 1: missing column(s) id"),
        (_duplicate_row, "sentences.csv line 50 (id 'auth_echinacea_pr-"),
        (_bad_label, "sentences.csv line 5 (id 'auth_echinacea_pr-"),
        (_truncate, "sentences.csv line 31 (id 'auth_zinc_ev-"),
        (_latin1, "sentences.csv line 8 (id 'auth_echinacea_pr-"),
        (lambda data: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + data, "sentences.csv line 3: NUL"),
        (lambda data: bytes(range(128, 256)) * 4, "sentences.csv line 1: not UTF-8"),
    ],
    ids=["schema", "duplicate", "label", "truncated", "not-utf8", "binary", "binary-no-nul"],
)
def test_each_corruption_is_one_line_with_file_line_and_id(tiny_corpus, corrupt, expected) -> None:
    labels_csv = tiny_corpus[0]
    labels_csv.write_bytes(corrupt(labels_csv.read_bytes()))
    before = labels_csv.read_bytes()
    with pytest.raises(LabelError) as info:
        _load(tiny_corpus)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert expected in message
    assert labels_csv.read_bytes() == before


def test_a_file_cut_at_a_row_boundary_is_reported(tiny_corpus) -> None:
    labels_csv = tiny_corpus[0]
    lines = labels_csv.read_bytes().splitlines(keepends=True)
    labels_csv.write_bytes(b"".join(lines[:20]))
    with pytest.raises(LabelError, match="cut short") as info:
        _load(tiny_corpus)
    assert "auth_zinc_ev.txt" in str(info.value)  # a whole document gone is still noticed


def test_a_spreadsheet_byte_order_mark_is_accepted(tiny_corpus) -> None:
    labels_csv = tiny_corpus[0]
    labels_csv.write_bytes(b"\xef\xbb\xbf" + labels_csv.read_bytes())
    assert len(_load(tiny_corpus)) == 48


def test_a_folder_or_missing_file_is_one_line(tiny_corpus, tmp_path) -> None:
    for path, message in ((tmp_path, "not a regular file"), (tmp_path / "nope.csv", "no such")):
        with pytest.raises(LabelError, match=message) as info:
            load_labels(path, tiny_corpus[1], user_dir=None)
        assert len(str(info.value).splitlines()) == 1


def test_train_reports_a_bad_labels_file_without_a_traceback(tiny_corpus, tmp_path, capsys):
    from claim_risk.training.train import main

    labels_csv, sources = tiny_corpus
    labels_csv.write_bytes(_duplicate_row(labels_csv.read_bytes()))
    code = main(["--labels", str(labels_csv), "--sources", str(sources),
                 "--user-labels", str(tmp_path / "none"), "--artifacts", str(tmp_path / "a"),
                 "--reports", str(tmp_path / "r"), "--quick", "--n-jobs", "1"])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err and "duplicate id" in err


def test_write_rows_is_atomic_and_leaves_nothing_behind(tmp_path) -> None:
    from claim_risk.training.data.sentences import read_rows, write_rows

    path = tmp_path / "rows.csv"
    rows = [{"id": str(i), "doc_id": "d", "position": str(i), "text": "NA", "label": "",
             "origin": "user"} for i in range(3)]  # fmt: skip
    write_rows(path, rows)
    path.chmod(0o640)
    before = path.read_bytes()

    def broken():
        yield rows[0]
        raise KeyboardInterrupt  # killed half-way through writing

    with pytest.raises(KeyboardInterrupt):
        write_rows(path, broken())
    assert path.read_bytes() == before  # a reader never sees half a file
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]
    write_rows(path, rows[:1])
    assert (path.stat().st_mode & 0o777) == 0o640  # the file keeps its permissions
    assert [r["text"] for r in read_rows(path)] == ["NA"]


def test_pandas_reads_our_csvs_as_the_labels_readme_says(tmp_path) -> None:
    import re

    import pandas as pd
    from claim_risk.training.data.sentences import LABELS_DIR, write_rows

    readme = (LABELS_DIR / "README.md").read_text(encoding="utf-8")
    call = re.search(r"pd\.read_csv\(\"labels/sentences\.csv\", (.*)\)", readme)
    assert call, "labels/README.md lost its pandas one-liner"
    texts = ["NA", "null", "N/A", "nan", "None", "NaN", "#N/A", "1.0"]
    path = tmp_path / "rows.csv"
    write_rows(path, [{"id": str(i), "doc_id": "d", "position": str(i), "text": t, "label": "",
                       "origin": "user"} for i, t in enumerate(texts)])  # fmt: skip
    frame = eval(f"pd.read_csv(path, {call.group(1)})", {"pd": pd, "path": path})
    assert frame["text"].tolist() == texts
    assert frame["label"].tolist() == [""] * len(texts)
