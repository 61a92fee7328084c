"""The label-growth loop: extraction round trips, stable ids, suggestion order, validation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from training.adapt import extract, suggest
from training.data import LabelError, load_labels
from training.suggest import suggest_order

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
