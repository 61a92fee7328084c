"""Property-based tests: any Unicode text segments and scores without raising."""

from __future__ import annotations

import math

from claim_risk import score_sentences, score_text
from claim_risk.core.segment import MAX_SENTENCE_CHARS, segment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Text drawn from all of Unicode (control characters, emoji, right-to-left
# marks and scripts, lone whitespace), plus mixtures with sentence punctuation.
unicode_text = st.text(st.characters(codec="utf-8"), max_size=400)
punctuated = st.lists(
    st.one_of(
        unicode_text,
        st.sampled_from(
            [
                ". ",
                "!",
                "?",
                "\n",
                "\r\n",
                " - ",
                "• ",
                "\u200f",
                "\u202e",
                "😀",
                "Dr.",
                "e.g.",
                "U.S.",
                "\t",
                "\x00",
                "...",
                "…",
            ]
        ),
    ),
    max_size=40,
).map("".join)

BULLETS = set("#-\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219*·–—>")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.one_of(unicode_text, punctuated))
def test_segment_spans_slice_back_and_never_overlap(text: str) -> None:
    last = 0
    for span in segment(text):
        assert last <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert len(span.text) <= MAX_SENTENCE_CHARS
        assert all(c.isspace() or c in BULLETS for c in text[last : span.start])
        last = span.end


@SETTINGS
@given(st.one_of(unicode_text, punctuated))
def test_score_text_is_total(text: str) -> None:
    records = score_text(text)
    assert len(records) == len(segment(text))
    for r in records:
        assert 0.0 <= r.score <= 1.0 and math.isfinite(r.score)
        assert text[r.start : r.end] == r.text


@SETTINGS
@given(st.lists(st.one_of(unicode_text, punctuated), max_size=20))
def test_score_sentences_one_finite_score_each(sentences: list[str]) -> None:
    scores = score_sentences(sentences)
    assert len(scores) == len(sentences)
    assert all(0.0 <= s <= 1.0 and math.isfinite(s) for s in scores)


def test_pathological_inputs_are_handled() -> None:
    for text in (
        "x" * 1_000_000,
        "word " * 200_000,
        "\u202e" * 10_000,
        " \n" * 50_000,
        "😀" * 100_000,
        "\x00" * 10_000,
    ):
        records = score_text(text)
        assert all(text[r.start : r.end] == r.text for r in records)
        assert all(len(r.text) <= MAX_SENTENCE_CHARS for r in records)
