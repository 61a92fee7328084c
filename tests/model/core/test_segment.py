"""The segmenter: seed coverage, boundaries, and awkward input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from claim_risk.core.segment import MAX_SENTENCE_CHARS, segment, split_sentences

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted((ROOT / "labels" / "sources").glob("0*.txt"))
LEFTOVER = re.compile(r"[\s\-\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219*·–—>#]*")


def assert_covers(text: str) -> None:
    """Spans are in order, disjoint, slice back to their text, and leave only blanks/bullets out."""
    spans = segment(text)
    last = 0
    for span in spans:
        assert span.start >= last
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip() and span.text
        assert LEFTOVER.fullmatch(text[last : span.start]), text[last : span.start]
        last = span.end
    assert LEFTOVER.fullmatch(text[last:])


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_documents_are_covered_exactly(path: Path) -> None:
    assert_covers(path.read_text(encoding="utf-8"))


def test_seed_sentence_count_matches_the_hand_checked_boundaries() -> None:
    total = sum(len(segment(p.read_text(encoding="utf-8"))) for p in SEEDS)
    assert len(SEEDS) == 5
    assert total == 280


def test_abbreviations_do_not_split() -> None:
    text = "Dr. Smith said e.g. this works. The U.S. FDA approved it in 2019. Really? Yes!"
    assert split_sentences(text) == [
        "Dr. Smith said e.g. this works.",
        "The U.S. FDA approved it in 2019.",
        "Really?",
        "Yes!",
    ]


def test_line_breaks_headings_and_bullets_are_boundaries() -> None:
    text = "The Benefits\n  • Fast action. Results in days.\n- Safe for the baby\n\nEnd"
    assert split_sentences(text) == [
        "The Benefits",
        "Fast action.",
        "Results in days.",
        "Safe for the baby",
        "End",
    ]


def test_markdown_headings_lose_their_hashes_but_numbers_keep_theirs() -> None:
    text = "# Why I add sea moss\n## Sub heading\n#1 pick for sleep"
    assert split_sentences(text) == ["Why I add sea moss", "Sub heading", "#1 pick for sleep"]
    assert_covers(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\x00", "-", "• •", "😀", "\u202eabc"])
def test_degenerate_input_is_handled(text: str) -> None:
    assert_covers(text)


def test_long_line_is_cut_into_bounded_pieces() -> None:
    text = "x" * (MAX_SENTENCE_CHARS * 3 + 17)
    spans = segment(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in spans)
    assert "".join(s.text for s in spans) == text


def test_reused_buffer_gives_blingfire_own_answers() -> None:
    """The buffer-reusing call equals blingfire.text_to_sentences on awkward lines."""
    import random

    import blingfire
    from claim_risk.core.segment import _to_sentences

    rng = random.Random(0)
    alphabet = "ab. !?\x00é😀\t"
    lines = ["", "a", "Dr. Smith said so. Then he left!", "x" * 70_000, "é" * 3000 + ". Ok."]
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(2000)]
    for line in lines:
        assert _to_sentences(line) == blingfire.text_to_sentences(line), repr(line[:40])
