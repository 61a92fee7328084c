"""Lone surrogates become U+FFFD; everything else is left as it is."""

from __future__ import annotations

import json

from claim_risk.core.surrogates import replace_surrogates
from hypothesis import given
from hypothesis import strategies as st


def test_lone_surrogates_become_the_replacement_character() -> None:
    text = json.loads('"a\\ud800b \\udfff \\ud83d\\ude00"')  # two lone halves, one pair
    assert replace_surrogates(text) == "a\ufffdb \ufffd 😀"
    assert replace_surrogates("\ud83d").encode("utf-8") == "\ufffd".encode()


@given(st.text())
def test_valid_text_is_unchanged(text: str) -> None:
    assert replace_surrogates(text) == text


@given(
    st.lists(
        st.one_of(st.text(max_size=5), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
    )
)
def test_the_result_is_always_valid_utf8(pieces: list[str]) -> None:
    cleaned = replace_surrogates("".join(pieces))
    assert cleaned.encode("utf-8").decode("utf-8") == cleaned
    assert len(cleaned) == len("".join(pieces))
