"""The label-growth loop: extraction round trips, stable ids, suggestion order, validation.

And no label is ever lost: refused outputs, merges, changed pages, concurrent
runs, links out of an input folder, and spreadsheet-safe cells.
"""

from __future__ import annotations

import csv
import shutil
import threading
import time
from pathlib import Path

import pytest
from claim_risk.training.adapt import loop as adapt
from claim_risk.training.adapt.loop import extract, suggest
from claim_risk.training.adapt.suggest import suggest_order
from claim_risk.training.data.schema import assign_ids
from claim_risk.training.data.sentences import LabelError, load_labels, locked, read_rows

PAGE_A = (
    "Best Detox Tea Ever\nOur slimming tea flushes toxins from your liver overnight.\n"
    "Thousands of customers lost 10 pounds in the first week. Tea is a drink made from "
    "leaves.\n"
)
PAGE_B = (
    "<html><body><p>This magnesium spray guarantees deep sleep without any side effects."
    "</p><p>Talk to a doctor if insomnia lasts more than a month.</p></body></html>"
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (folder / "b.html").write_text(PAGE_B, encoding="utf-8")
    return folder


def test_extract_round_trips_offsets_and_ids(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "user" / "mine.csv"
    assert extract([str(pages)], out, topic="mine") == 0
    rows = _rows(out)
    assert {r["origin"] for r in rows} == {"user"} and not any(r["label"] for r in rows)
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)
    for r in rows:
        source = (out.parent / "sources" / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
        assert r["text"] in source
    first_ids = [r["id"] for r in rows]
    rows[0]["label"] = "unsupported"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    extract([str(pages)], out, topic="mine")
    again = _rows(out)
    assert [r["id"] for r in again] == first_ids  # stable across runs
    assert again[0]["label"] == "unsupported"  # labels survive re-extraction


def test_user_labels_join_training_and_unlabelled_rows_are_skipped(
    pages, tmp_path, tiny_corpus
) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    rows = _rows(out)
    rows[0]["label"] = "none"
    rows[1]["label"] = "unsupported"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ds = load_labels(*tiny_corpus, user_dir=out.parent)
    assert ds.to_dict()["origin"].count("user") == 2
    rows[2]["label"] = "maybe"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(LabelError, match=r"mine\.csv line 4 .*label 'maybe'"):
        load_labels(*tiny_corpus, user_dir=out.parent)


def test_suggest_rewrites_the_file_best_first(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    picked = suggest(out, 3)
    rows = _rows(out)
    assert [r["priority"] for r in rows[:3]] == ["1", "2", "3"]
    assert [r["id"] for r in rows[:3]] == [r["id"] for r in picked]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in _rows(out))


def test_suggest_order_properties() -> None:
    texts = ["alpha claim one", "alpha claim one!", "beta", "gamma words here", "delta", "eps"]
    docs = ["d1", "d1", "d1", "d2", "d2", "d3"]
    scores = [0.50, 0.50, 0.9, 0.45, 0.1, 0.99]
    order = suggest_order(texts, docs, scores, threshold=0.5, n=4)
    assert len(order) == len(set(order)) == 4
    assert order[0] == 0  # the most uncertain first
    assert 1 not in order  # a near-duplicate of a chosen sentence is skipped
    assert {docs[i] for i in order[:3]} == {"d1", "d2", "d3"}  # documents take turns
    assert suggest_order(texts, docs, scores, 0.5, n=0) == []
    assert suggest_order(texts, docs, scores, 0.5, n=2, labelled_texts=["alpha claim one"])[0] != 0


def _label_all(path: Path, labels=("none", "unsupported")) -> dict[str, str]:
    """Label every row as a spreadsheet user would (cells kept as written); text -> label."""
    rows = _rows(path)
    for i, row in enumerate(rows):
        row["label"] = labels[i % len(labels)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {r["text"]: r["label"] for r in read_rows(path, spreadsheet=True)}


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def dataset(tiny_corpus, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny corpus standing in for labels/ (sentences.csv, sources/, user/)."""
    labels_csv, sources = tiny_corpus
    labels = labels_csv.parent
    monkeypatch.setattr(adapt, "LABELS_DIR", labels)
    monkeypatch.setattr(adapt, "SENTENCES", labels_csv)
    monkeypatch.setattr(adapt, "SOURCES", sources)
    monkeypatch.setattr(adapt, "USER_DIR", labels / "user")
    return labels


def test_extract_refuses_to_write_over_the_dataset(pages: Path, dataset: Path, capsys) -> None:
    (dataset / "agreement").mkdir()
    before = _files(dataset)
    for out, force in (
        (dataset / "sentences.csv", False),
        (dataset / "sentences.csv", True),  # refused even with --force
        (dataset / "mine.csv", True),  # its sources would land in labels/sources/
        (dataset / "agreement" / "mine.csv", False),  # labels/ but not labels/user/
    ):
        code = adapt.main(["extract", str(pages), "--out", str(out), "--topic", "x"]
                          + ["--force"] * force)  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2, (out, force)
        assert len(err.splitlines()) == 1 and str(out.name) in err
    assert _files(dataset) == before


def test_sources_never_land_in_the_datasets_sources(
    pages: Path, dataset: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "sources").symlink_to(dataset / "sources")
    before = _files(dataset)
    assert adapt.main(["extract", str(pages), "--out", str(elsewhere / "mine.csv")]) == 2
    assert _files(dataset) == before


def test_extract_refuses_a_file_it_did_not_write(
    pages: Path, tiny_corpus, tmp_path: Path, capsys
) -> None:
    theirs = tmp_path / "theirs" / "labelled.csv"
    theirs.parent.mkdir()
    shutil.copy(tiny_corpus[0], theirs)
    notes = tmp_path / "theirs" / "notes.txt"
    notes.write_text("My notes, not a CSV at all.\n", encoding="utf-8")
    before = _files(theirs.parent)
    for out in (theirs, notes):
        assert adapt.main(["extract", str(pages), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "--force" in err
    assert _files(theirs.parent) == before
    assert adapt.main(["extract", str(pages), "--out", str(theirs), "--force"]) == 0
    assert {r["origin"] for r in _rows(theirs)} == {"user"}


def test_suggest_refuses_a_file_it_did_not_write(dataset: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "labelled.csv"
    shutil.copy(dataset / "sentences.csv", theirs)
    before = {**_files(dataset), theirs: theirs.read_bytes()}
    assert adapt.main(["suggest", str(theirs)]) == 2
    assert adapt.main(["suggest", str(dataset / "sentences.csv")]) == 2
    assert {**_files(dataset), theirs: theirs.read_bytes()} == before


def test_reextracting_some_pages_keeps_the_others(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    labels = _label_all(out)
    extract([str(pages / "a.txt")], out, topic="mine")
    rows = read_rows(out, spreadsheet=True)
    assert {r["text"]: r["label"] for r in rows} == labels
    assert len(rows) == len(labels)


def test_a_changed_page_keeps_the_labels_of_its_unchanged_sentences(
    pages: Path, tmp_path: Path, tiny_corpus, capsys
) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    labels = _label_all(out)
    gone = "Thousands of customers lost 10 pounds in the first week."
    (pages / "a.txt").write_text(
        PAGE_A.replace("10 pounds", "12 pounds") + "Free shipping on all orders.\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    extract([str(pages)], out, topic="mine")
    err = capsys.readouterr().err
    rows = read_rows(out, spreadsheet=True)
    for r in rows:
        assert r["label"] == labels.get(r["text"], "")  # unchanged sentences keep their label
    new = [r["text"] for r in rows if r["text"] not in labels]
    assert new == ["Thousands of customers lost 12 pounds in the first week.",
                   "Free shipping on all orders."]  # fmt: skip
    carried = sum(1 for r in rows if r["doc_id"].startswith("user_a_") and r["label"])
    assert f"{carried} label(s) carried over, 2 sentence(s) new, 1 label(s) set aside" in err
    [aside] = read_rows(out.parent / "orphaned" / "mine.csv", spreadsheet=True)
    assert (aside["text"], aside["label"]) == (gone, labels[gone])  # kept aside, not dropped
    assert "set aside in" in err
    ds = load_labels(*tiny_corpus, user_dir=out.parent)  # the merged file validates
    assert ds.to_dict()["origin"].count("user") == len(rows) - 2


def test_labels_follow_a_moved_and_edited_page_by_its_file_stem(
    pages: Path, tmp_path: Path
) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    labels = _label_all(out)
    moved = pages.rename(tmp_path / "moved")
    (moved / "a.txt").write_text(PAGE_A + "Free shipping on all orders.\n", encoding="utf-8")
    extract([str(moved)], out, topic="mine")
    rows = read_rows(out, spreadsheet=True)
    assert {r["doc_id"].rsplit("_", 1)[0] for r in rows} == {"user_a", "user_b"}  # no stale copy
    assert {r["text"]: r["label"] for r in rows if r["label"]} == labels
    assert not (out.parent / "orphaned").exists()


def test_a_label_saved_while_extract_runs_is_kept(
    pages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    merge = adapt._merge
    calls = []

    def merge_while_a_spreadsheet_saves(previous, pages_, topic):
        if not calls:  # the user saves a label after extract read the file
            rows = _rows(out)
            rows[0]["label"] = "unsupported"
            with out.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        calls.append(1)
        return merge(previous, pages_, topic)

    monkeypatch.setattr(adapt, "_merge", merge_while_a_spreadsheet_saves)
    extract([str(pages)], out, topic="mine")
    assert len(calls) == 2  # the change was seen and the merge redone
    assert [r["label"] for r in _rows(out)].count("unsupported") == 1


def test_two_extracts_at_once_lose_nothing(
    pages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import claim_risk.core.score

    def slow_scores(sentences, model_dir=None):
        time.sleep(0.3)  # both runs read the file before either writes
        return [0.5] * len(sentences)

    monkeypatch.setattr(claim_risk.core.score, "score_sentences", slow_scores)
    out = tmp_path / "user" / "mine.csv"
    extract([str(pages)], out, topic="mine")
    labels = _label_all(out)
    more = tmp_path / "more"
    more.mkdir()
    (more / "c.txt").write_text("Garlic pills cure colds.\nTake one daily.\n", encoding="utf-8")
    (more / "d.md").write_text("# Zinc\nZinc melts acne overnight.\n", encoding="utf-8")
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            extract([str(path)], out, topic="more")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(more / n,)) for n in ("c.txt", "d.md")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = read_rows(out, spreadsheet=True)
    assert {r["text"]: r["label"] for r in rows if r["label"]} == labels
    texts = {r["text"] for r in rows}
    assert {"Garlic pills cure colds.", "Zinc melts acne overnight."} <= texts


def test_locked_makes_runs_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    order: list[str] = []

    def run(name: str) -> None:
        with locked(path):
            order.append(f"{name} in")
            time.sleep(0.1)
            order.append(f"{name} out")

    threads = [threading.Thread(target=run, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order[0].split()[0] == order[1].split()[0]  # nobody came in before the other left


def test_links_out_of_an_input_folder_are_not_followed(tmp_path: Path, capsys) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("My private diary says garlic cures all.\n")
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "real.txt").write_text("Magnesium spray guarantees deep sleep.\n")
    (folder / "inside.txt").symlink_to(folder / "sub" / "real.txt")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "outdir").symlink_to(outside, target_is_directory=True)
    out = tmp_path / "user" / "mine.csv"
    assert adapt.main(["extract", str(folder), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "secret.txt: a link that leads outside" in err
    copied = " ".join(p.read_text() for p in (out.parent / "sources").iterdir())
    assert "diary" not in copied and "Magnesium" in copied
    assert {Path(r["source"]).name for r in _rows(out)} == {"inside.txt", "real.txt"}


def test_cells_a_spreadsheet_would_run_are_neutralised_and_read_back(
    tmp_path: Path, tiny_corpus
) -> None:
    page = tmp_path / "pages" / "evil.txt"
    page.parent.mkdir()
    texts = ["=cmd|' /c calc'!A1 cures cancer.", "+Plus drops heal all wounds.",
             "@healer says garlic cures flu.", "Shipping is free."]  # fmt: skip
    page.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "user" / "mine.csv"
    topic = '=HYPERLINK("http://example.com","x")'
    extract([str(page.parent)], out, topic=topic)
    with out.open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=cmd|' /c calc'!A1 cures cancer." in cells
    rows = read_rows(out, spreadsheet=True)
    assert [r["text"] for r in rows] == texts and {r["topic"] for r in rows} == {topic}
    assert [r["id"] for r in rows] == assign_ids(rows[0]["doc_id"], texts)
    _label_all(out)
    ds = load_labels(*tiny_corpus, user_dir=out.parent).to_dict()
    assert [t for t, o in zip(ds["text"], ds["origin"], strict=True) if o == "user"] == texts
    extract([str(page.parent)], out, topic=topic)
    assert all(r["label"] for r in read_rows(out, spreadsheet=True))  # ids still match
    plain = read_rows(out, spreadsheet=True)  # a spreadsheet that saves without the quotes
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=adapt.USER_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(plain)
    assert [r["text"] for r in read_rows(out, spreadsheet=True)] == texts
    assert len(load_labels(*tiny_corpus, user_dir=out.parent)) == 48 + len(texts)
