"""Treatment and condition names are abstracted the same way everywhere, longest name first."""

from __future__ import annotations

import csv
import re

import pytest
from claim_risk.core.lexicon import KINDS, TERMS, Abstractor
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.model.core.test_cues import corpus

T, C = KINDS["treatment"], KINDS["condition"]


@pytest.fixture(scope="module")
def lexicon() -> Abstractor:
    return Abstractor(TERMS)


def test_swapped_remedies_read_the_same(lexicon: Abstractor) -> None:
    texts = ["Garlic cures flu.", "Kratom cures anxiety.", "Turmeric cures arthritis."]
    assert {lexicon(t) for t in texts} == {f"{T} cures {C}."}


def test_longest_name_plural_and_case(lexicon: Abstractor) -> None:
    assert lexicon("ST JOHN'S WORT eases postpartum depression") == f"{T} eases {C}"
    assert lexicon("Vaccines and statins") == f"{T} and {T}"
    assert lexicon("the flu") == C
    assert lexicon("garlicky flute") == "garlicky flute"  # whole words only


def _plain(names: dict[str, str]) -> re.Pattern[str]:
    ordered = sorted(names, key=lambda n: (-len(n), n))
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(rf"\b(?:{body})(?:s|es)?\b", re.IGNORECASE)


def test_trie_pattern_equals_the_plain_alternation(lexicon: Abstractor) -> None:
    """The trie finds the same spans as an alternation sorted longest first."""
    names = {n: k for k, v in TERMS.items() for n in v}
    plain = _plain(names)
    texts = [*corpus()[:600], "St. John's worts", "vitamin c-rich", "The FLU's end", "ſ"]
    for text in texts:
        assert [m.span() for m in plain.finditer(text)] == [
            m.span() for m in lexicon._pattern.finditer(text)
        ], text


def test_rare_unicode_case_still_maps_to_a_kind(lexicon: Abstractor) -> None:
    # U+212A KELVIN SIGN matches "k" case-insensitively
    assert lexicon("\u212aratom") == T


def test_round_trip_and_refusals() -> None:
    small = Abstractor({"treatment": ["garlic"], "condition": ["flu"]})
    again = Abstractor(**{"terms": small.to_data()["terms"], "kinds": small.to_data()["kinds"]})
    assert again("Garlic flu") == small("Garlic flu") == f"{T} {C}"
    with pytest.raises(ValueError, match="lower-case"):
        Abstractor({"treatment": ["Garlic"]})
    with pytest.raises(ValueError, match="without a word"):
        Abstractor({"remedy": ["garlic"]})
    assert Abstractor({}).many(["Garlic"]) == ["Garlic"]


def _labelled_sentences() -> list[str]:
    """The labelled sentences and source documents as written (not lower-cased)."""
    with (ROOT / "labels" / "sentences.csv").open(encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    sources = sorted((ROOT / "labels" / "sources").iterdir())
    return texts + [p.read_text(encoding="utf-8") for p in sources]


HOSTILE = [
    "Garlic\x00cures flu",  # a NUL: the batch is read one text at a time
    "ſ garlic and \u212aratom",  # characters that fold to ASCII letters
    "KRATOM-based GARLICS, garlices and vitamin c-rich VITAMINS",
    "St. John's worts; st john's wort; ST. JOHN'S WORT.",
    "7-hydroxymitragynine x_garlic garlic_ _garlic",
    "flu flus flues fluuu",
    "garlicky flute",
    "",
    "   ",
    "vitamin",
    "İstanbul garlic",
]


def _reference(lexicon: Abstractor, texts: list[str]) -> list[str]:
    return [lexicon(t).lower() if t.isascii() else lexicon(t) for t in texts]


def test_batch_path_equals_one_text_at_a_time(lexicon: Abstractor) -> None:
    texts = _labelled_sentences() + HOSTILE
    assert lexicon.lexical(texts) == _reference(lexicon, texts)
    for text in HOSTILE:  # each alone too (a batch of one, and without its neighbours)
        assert lexicon.lexical([text]) == _reference(lexicon, [text]), text


_WORDS = ["garlic", "Garlic", "flu", "vitamin", "c", "d3", "st", "john's", "wort", "kratom"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(_WORDS),
                st.sampled_from([" ", "-", "'", ".", "_", "s", "es", "\x00", "\n", "é", "ſ"]),
                st.text(max_size=3),
            ),
            max_size=12,
        ).map("".join),
        max_size=8,
    )
)
def test_batch_path_equals_one_text_at_a_time_on_made_up_text(texts: list[str]) -> None:
    lexicon = Abstractor(TERMS)
    assert lexicon.lexical(texts) == _reference(lexicon, texts)


def test_batch_path_needs_names_that_start_and_end_on_a_word() -> None:
    odd = Abstractor({"treatment": ["-garlic", "garlic"]})
    assert odd._first is None
    assert odd.lexical(["A -garlic"]) == [odd("A -garlic")]
