"""The cue start words (plain data beside the patterns) are complete and exact.

``LEADS`` lists, cue by cue, the words a match that runs past its first word can
start with. These tests prove it against every cue pattern: on the labelled
sentences, the source documents, strings the patterns themselves generate and
random text, no such match starts at a word outside the list; and the fast
cue path built on the lists finds what plain ``finditer`` finds.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter

import pytest
from claim_risk.core.cues import CUES, LEADS, combined_pattern, cue_starts, nul_safe
from claim_risk.core.features import TOKEN_PATTERN, SentenceFeatures
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

WORD = re.compile(r"\w+")
FOLLOW = ["", " ", ".", "'m", "'ve", "-", " more", " side effects", " evidence", "%", " % safe"]


@functools.cache
def corpus() -> list[str]:
    """The labelled sentences and the source documents, lower-cased as the scorer reads them."""
    with (ROOT / "labels" / "sentences.csv").open(encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "labels/sources").iterdir())]
    return [t.lower() for t in texts]


def longer_matches_start_at_leads(name: str, text: str) -> None:
    """At every word start of ``text``, a match of cue ``name`` is its first word alone,
    unless that word is one of the cue's ``LEADS``."""
    pattern = re.compile(CUES[name])
    for word in WORD.finditer(text):
        m = pattern.match(text, word.start())
        if m is not None and word.group() not in LEADS[name]:
            assert m.group() == word.group(), (name, text[word.start() : m.end()])


def test_the_leads_are_data_for_every_cue() -> None:
    assert list(LEADS) == list(CUES)
    assert all(w and WORD.fullmatch(w) for words in LEADS.values() for w in words)


@pytest.mark.parametrize("name", list(CUES))
def test_no_longer_match_starts_outside_the_leads_in_the_labelled_text(name: str) -> None:
    for text in corpus():
        longer_matches_start_at_leads(name, text)


@pytest.mark.parametrize("name", list(CUES))
def test_no_longer_match_starts_outside_the_leads_in_generated_matches(name: str) -> None:
    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(
        st.from_regex(re.compile(CUES[name]), fullmatch=True),
        st.sampled_from(FOLLOW),
        st.text(max_size=8),
    )
    def check(match: str, after: str, more: str) -> None:
        longer_matches_start_at_leads(name, "x " + match + after + more)

    check()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from([*"abinos 1%'-é\x00", "no ", "side ", "i'm ", "100 "]), max_size=40)
)
def test_no_longer_match_starts_outside_the_leads_in_random_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    for name in CUES:
        longer_matches_start_at_leads(name, text)


def test_start_words_are_known_only_for_shipped_patterns() -> None:
    assert cue_starts(CUES) is not None
    assert cue_starts({"a": CUES["hedge"], "b": r"\bmaybe\b"}) is None
    assert cue_starts({}) is None
    starts = cue_starts(CUES)
    assert starts.outcome("miracle") == list(CUES).index("booster") + 1
    assert starts.outcome("cures") == starts.outcome("miracle")
    assert starts.outcome("_treatment_") is None and starts.outcome("no") == -1
    assert starts.outcome("can") == -1  # "can cause": a possible effect
    assert starts.outcome("i") == list(CUES).index("first_person") + 1
    assert starts.outcome("1999") == len(CUES) and starts.outcome("the") is None


def test_shipped_patterns_cannot_see_a_nul_or_a_strings_edge() -> None:
    """Only words, spaces, hyphens, apostrophes, %, digits, groups and ``\\b``: no
    anchor, dot, negated class or look-around that could see past a text."""
    plain = re.compile(r"(?:\\[bd]|[\w \-'%()?:|\[\]{},])*")
    for name, pattern in CUES.items():
        assert plain.fullmatch(pattern), name
        assert "[^" not in pattern and "(?=" not in pattern and "(?<" not in pattern, name
    assert nul_safe(CUES)
    assert not nul_safe({"a": r"^x"})


def test_fast_cue_path_equals_finditer_on_the_labelled_text() -> None:
    """The whole labelled set as one batch (joined, filtered by the start words) gets
    the cue counts plain ``finditer`` gives each text."""
    features = SentenceFeatures(["a"], [1.0], TOKEN_PATTERN, (1, 1), True, CUES)
    texts = corpus()
    X = features.transform(texts)
    assert features.cue_filter is not None and features.marker is not None
    pattern = combined_pattern(CUES)
    want = Counter((i, m.lastindex) for i, t in enumerate(texts) for m in pattern.finditer(t))
    got = Counter()
    for r, c, v in zip(X.rows.tolist(), X.cols.tolist(), X.values.tolist(), strict=True):
        if c >= features.n_words:
            got[(r, c - features.n_words + 1)] = round(math.expm1(v))
    assert got == want
