"""The fast paths of the plain-data features equal the plain way of computing them."""

from __future__ import annotations

import functools
import json
import math
import random
import re
from collections import Counter

import pytest
from claim_risk.core.artifacts import load_model, parse_model, resolve_dir
from claim_risk.core.cues import CUES, combined_pattern, cue_starts
from claim_risk.core.features import (
    TOKEN_PATTERN,
    SentenceFeatures,
    ascii_tokens,
    strip_accents,
    strip_accents_runs,
    word_starts,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ASCII = [*"ab-' _.x9\x00\t\n-''--Z", "i'm ", "don't ", "--", "may ", "no more ", "1999 "]
UNICODE = [
    *ASCII,
    *"àéÏøœßİıΣσςÆ\u0301\u0308\u200b\u202e\u2028\ufeffﬁ😀٣Ⅻ\ud800",
    "e\u0301",
    "ΣΑΣ ",
    "studies show ",
    "no side effects ",
    "100% safe ",
    "clinically proven ",
]


def random_strings(alphabet: list[str], n: int, seed: int, longest: int = 40) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_ascii_tokens_equal_the_token_regex() -> None:
    token_re = re.compile(TOKEN_PATTERN)
    for text in [*random_strings(ASCII, 5000, seed=0), "-" * 50 + "a" + "'" * 50, ""]:
        tokens, starts = ascii_tokens(text)
        expected = [(m.group(), m.start()) for m in token_re.finditer(text)]
        assert list(zip(tokens, starts.tolist(), strict=True)) == expected, repr(text)


def test_accent_stripping_by_runs_equals_the_whole() -> None:
    for text in random_strings(UNICODE, 3000, seed=1):
        assert strip_accents_runs(text) == strip_accents(text), repr(text)


def test_word_starts_equal_the_word_regex() -> None:
    texts = [*random_strings(UNICODE, 3000, seed=2), *random_strings(ASCII, 3000, seed=3)]
    for text in [*texts, "", "a", "\ud83d\ude00b", "\x7f_a1 b"]:
        words, starts = word_starts(text)
        expected = [(m.group(), m.start()) for m in re.finditer(r"\w+", text)]
        assert list(zip(words, starts.tolist(), strict=True)) == expected, repr(text)


# Cue sets beyond the shipped cues: some of the shipped patterns in another order and
# under other names (their start words are known), and patterns whose start words
# are not known (optional and lazy parts, look-arounds, classes, possessive and
# atomic parts, non-word starts), which are read the plain way.
ODD_CUES = [
    CUES,
    {"h": CUES["hedge"], "b": CUES["booster"], "c": CUES["caution"], "s": CUES["safety_promise"]},
    {"x": CUES["first_person"], "y": CUES["named_source"], "z": CUES["benefit"]},
    {"a": r"\b(?:ab?c|x[yz]{2}|\d+)\b", "b": r"\b(?:a|ab|abc)", "c": r"no(?= more)|no"},
    {"a": r"\b(?:may(?!be)|(?<=no )more)\b", "b": r"(?:i|me)(?:'m|'ve)?\b", "c": r"\bi\b"},
    {"a": r"\b(?:x??y|(?>z)|q+?r|w++)\b", "b": r"\b(?:(?:don|do)'?t?)\b", "c": r"é\w*|ß"},
    {"a": r"\b\wx\b|\b.y", "b": r"\b(?:pro(?:ve)n|cure)\b", "c": r"[^\W\d]x|\b(?:ab)+"},
]


def plain_cue_counts(pattern: re.Pattern[str], texts: list[str]) -> Counter:
    """(text, group) -> number of matches, one ``finditer`` per lower-cased text."""
    return Counter(
        (i, m.lastindex) for i, t in enumerate(texts) for m in pattern.finditer(t.lower())
    )


@pytest.mark.parametrize("cues", ODD_CUES, ids=range(len(ODD_CUES)))
def test_cue_matches_equal_finditer_per_text(cues: dict[str, str]) -> None:
    features = SentenceFeatures(["a", "b c"], [1.0, 1.0], TOKEN_PATTERN, (1, 2), True, cues)
    texts = random_strings(UNICODE, 1500, seed=3) + random_strings(ASCII, 1500, seed=4)
    texts += ["", "İSTANBUL cures", "I'm sure my doctor-approved cure", "x" * 3000, "xy" * 500]
    X = features.transform(texts)
    n_words = features.n_words
    got = Counter()
    for r, c, v in zip(X.rows.tolist(), X.cols.tolist(), X.values.tolist(), strict=True):
        if c >= n_words:
            got[(r, c - n_words + 1)] = round(math.expm1(v))
    assert got == plain_cue_counts(features.cue_re, texts)


@pytest.mark.parametrize("cues", ODD_CUES[:3], ids=range(3))
def test_known_cue_words_match_exactly_that_word(cues: dict[str, str]) -> None:
    """Where the start words say the match is the word itself, the regex agrees."""
    pattern = combined_pattern(cues)
    analysis = cue_starts(cues)
    assert analysis is not None
    rng = random.Random(5)
    vocab = [*load_model().sentence.features.word_id, "i", "my", "may", "1999", "no", "don"]
    vocab = [w for w in vocab if re.fullmatch(r"\w+", w)]
    follow = ["", " ", " more", "'m", "-x", " side effects", ".", "\x00", " é"]  # the word ends
    for word in vocab:
        outcome = analysis.outcome(word)
        for after in rng.sample(follow, 4):
            text = "a " + word + after
            m = pattern.match(text, 2)
            if outcome is None:
                assert m is None, text
            elif outcome > 0:
                assert m is not None and (m.end(), m.lastindex) == (2 + len(word), outcome), text


def test_marker_in_a_text_falls_back_to_one_text_at_a_time() -> None:
    features = load_model().sentence.features
    texts = [
        "it cures all",
        f"my {features.marker} cures",
        f"É {features.marker.upper()} may",
        "ok",
    ]
    one_by_one = [features.transform([t]) for t in texts]
    X = features.transform(texts)
    for i, single in enumerate(one_by_one):
        row = X.rows == i
        assert sorted(zip(X.cols[row].tolist(), X.values[row].tolist(), strict=True)) == sorted(
            zip(single.cols.tolist(), single.values.tolist(), strict=True)
        )


def test_only_known_cues_are_read_from_joined_texts() -> None:
    """Shipped patterns cannot see past a text, so a batch is joined; other cues,
    which might (a NUL, a string's edge), are read one text at a time."""

    def marker(cues: dict[str, str]) -> str | None:
        return SentenceFeatures(["a"], [1.0], TOKEN_PATTERN, (1, 1), True, cues).marker

    assert all(marker(cues) is not None for cues in ODD_CUES[:3])
    assert all(marker(cues) is None for cues in ODD_CUES[3:])
    assert cue_starts(ODD_CUES[3]) is None
    for risky in (r"\bx\W", r"^x", r"x$", r"\b.y", r"\b[^a]b", CUES["hedge"] + "|x"):
        assert marker({"a": risky}) is None, risky


@functools.cache
def filler() -> list[str]:
    """Enough text, and enough vocabulary bigrams, for every fast path to pay off."""
    rng = random.Random(6)
    words = list(load_model().sentence.features.word_id)
    sentences = [" ".join(rng.choices(words, k=12)) for _ in range(2500)]
    return sentences + random_strings(UNICODE, 600, seed=7)


def fresh_shipped_features() -> SentenceFeatures:
    """The shipped model's features, in a new object that has made no cue analysis."""
    spec = json.loads((resolve_dir() / "model.json").read_text(encoding="utf-8"))
    return parse_model(spec)[0].features


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=200), min_size=1, max_size=30))
def test_any_text_in_a_large_batch_gets_its_own_features(texts: list[str]) -> None:
    """A large batch takes every fast path (joined parts, cue start words);
    a fresh features object, one small text at a time, takes the plain ones."""
    fast, plain = load_model().sentence.features, fresh_shipped_features()
    X = fast.transform(texts + filler())
    assert fast.cue_filter is not None
    for i, text in enumerate(texts):
        alone = plain.transform([text])
        row = X.rows == i
        got = sorted(zip(X.cols[row].tolist(), X.values[row].tolist(), strict=True))
        want = sorted(zip(alone.cols.tolist(), alone.values.tolist(), strict=True))
        assert [c for c, _ in got] == [c for c, _ in want]
        assert all(abs(a - b) < 1e-12 for (_, a), (_, b) in zip(got, want, strict=True))
    assert plain.cue_filter is None


def test_a_stream_of_small_batches_turns_the_cue_start_words_on_with_the_same_features(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small documents one call each (as ``predict`` scores web pages) get the cue start
    words once 20,000 characters have been read in all, with the features of the plain path."""
    from claim_risk.core import features as features_module

    texts = filler()[:2400] + random_strings(UNICODE, 300, seed=8)
    batches = [texts[i : i + 12] for i in range(0, len(texts), 12)]
    streamed = fresh_shipped_features()
    got = [streamed.transform(b) for b in batches]
    assert streamed.cue_filter is not None
    monkeypatch.setattr(features_module, "_ANALYSE_FROM", float("inf"))
    plain = fresh_shipped_features()
    for batch, X in zip(batches, got, strict=True):
        want = plain.transform(batch)
        assert sorted(zip(X.rows.tolist(), X.cols.tolist(), X.values.tolist(), strict=True)) == (
            sorted(zip(want.rows.tolist(), want.cols.tolist(), want.values.tolist(), strict=True))
        )
    assert plain.cue_filter is None
