"""The committed dataset: complete, valid, and shaped as issue #2 asks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from claim_risk.core.segment import split_sentences
from claim_risk.training.data.sentences import SENTENCES, SOURCES, load_labels

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def table() -> dict:
    return load_labels(user_dir=None).to_dict()


def test_every_seed_sentence_is_labelled(table) -> None:
    seeds = sorted(p for p in SOURCES.glob("0*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        expected = split_sentences(path.read_text(encoding="utf-8"))
        got = [t for t, d in zip(table["text"], table["doc_id"], strict=True) if d == path.stem]
        assert got == expected, path.name


def test_seed_sources_are_the_shared_seed_files() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    for path in shared.glob("*.txt"):
        assert (SOURCES / path.name).read_bytes() == path.read_bytes(), path.name


def test_size_balance_and_breadth(table) -> None:
    n = len(table["text"])
    labels = Counter(table["label"])
    assert n >= 1500
    assert labels[0] / n >= 0.25  # class 0 is "unsupported"
    topics = Counter(table["topic"])
    assert max(topics.values()) / n <= 0.20
    authored = {
        d: t
        for d, t, o in zip(table["doc_id"], table["topic"], table["origin"], strict=True)
        if o == "authored"
    }
    assert len(authored) >= 40 and len(set(authored.values())) >= 12
    registers = {
        (t, r)
        for t, r, o in zip(table["topic"], table["register"], table["origin"], strict=True)
        if o == "authored"
    }
    for topic in set(authored.values()):
        assert {(topic, "promotional"), (topic, "evidence")} <= registers, topic


def test_the_loaded_file_is_the_one_the_interface_names() -> None:
    assert SENTENCES == ROOT / "labels" / "sentences.csv"
    assert SENTENCES.is_file() and (ROOT / "labels" / "sources").is_dir()
