"""Treatment and condition names are abstracted the same way everywhere, longest name first."""

from __future__ import annotations

import re

import pytest
from claim_risk.core.lexicon import KINDS, TERMS, Abstractor

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
