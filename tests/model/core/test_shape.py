"""Segment shape: short lines are damped and headings, quotes and questions recognised."""

from __future__ import annotations

import numpy as np
import pytest
from claim_risk.core.lexicon import TERMS, Abstractor
from claim_risk.core.shape import _END, _QUOTED, PATTERNS, SHAPES, SegmentShape, required_literal

from tests.model.core.test_cues import corpus


def test_damping_grows_with_words_up_to_one() -> None:
    shape = SegmentShape(6)
    d = shape.damping(["The operation", "a b c d e f", "a b c d e f g h", ""])
    np.testing.assert_allclose(d, [2 / 6, 1.0, 1.0, 0.0])


def test_columns_name_what_a_segment_is() -> None:
    shape = SegmentShape(6)
    cols = shape.columns(
        ["The operation", "Garlic cures flu.", 'Sellers say "it cures flu" daily.', "Is it safe?"]
    )
    got = [dict(zip(SHAPES, row, strict=True)) for row in cols.tolist()]
    assert got[0] == {
        "fragment": 1 - 2 / 6, "unterminated": 1.0, "quoted": 0.0, "question": 0.0,
        "flat_claim": 0.0,
    }  # fmt: skip
    assert got[1]["fragment"] == 0.0 and got[1]["unterminated"] == 0.0
    assert got[2]["quoted"] == 1.0
    assert got[3]["question"] == 1.0 and got[3]["unterminated"] == 0.0
    assert shape.columns([]).shape == (0, len(SHAPES))


def test_a_heading_that_asserts_is_not_a_fragment() -> None:
    shape = SegmentShape(6)
    claim, label = shape.columns(["Kratom cures anxiety", "Our recovery programme"]).tolist()
    assert claim[SHAPES.index("fragment")] == 0.0 and claim[SHAPES.index("unterminated")] == 0.0
    assert label[SHAPES.index("fragment")] == 1 - 3 / 6


def test_min_words_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SegmentShape(0)


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("_treatment_ cures _condition_.", 1.0),
        ("Our _treatment_ really kills _condition_!", 1.0),
        ("_treatment_ is as good as _treatment_ for _condition_.", 1.0),
        ("There is no evidence that _treatment_ cures _condition_.", 0.0),
        ("Sellers claim _treatment_ cures _condition_.", 0.0),
        ("Does _treatment_ cure _condition_?", 0.0),
        ("_treatment_ can cause nausea.", 0.0),
    ],
)
def test_flat_claim_is_an_unhedged_assertion_outside_any_negation_or_report(
    text: str, flat: float
) -> None:
    row = SegmentShape(6).columns([text])[0]
    assert row[SHAPES.index("flat_claim")] == flat


def test_patterns_must_be_the_known_ones() -> None:
    with pytest.raises(ValueError, match="patterns"):
        SegmentShape(6, {"asserts": "x"})


def _plain_columns(shape: SegmentShape, texts: list[str]) -> np.ndarray:
    """The shape columns with every regex searched in every text: the reference."""
    rows = []
    for t in texts:
        low, end = t.lower(), t.rstrip()
        unterminated = float(not end.endswith(_END) and shape._asserts.search(low) is None)
        m = shape._flat.search(low)
        flat = m is not None and shape._unflat.search(low, 0, m.start()) is None
        words = len(t.split())
        rows.append(
            [
                (1.0 - min(1.0, words / shape.min_words)) * unterminated,
                unterminated,
                float(_QUOTED.search(t) is not None),
                float(end.endswith("?")),
                float(flat),
            ]
        )
    return np.array(rows).reshape(-1, len(SHAPES))


def test_columns_equal_searching_every_regex_everywhere() -> None:
    """The searches skipped (asserts in terminated texts, quotes without an opening mark,
    the flat claim without its literal) change nothing, on the labelled sentences as the
    scorer reads them, as written, and on odd strings."""
    shape = SegmentShape(6)
    lexicon = Abstractor(TERMS)
    texts = [*corpus(), *lexicon.lexical(corpus()), "“quoted text”", "‘a quote’", '"abc"']
    texts += ["_treatment_ cures", "_TREATMENT_ CURES x", "no _treatment_ cures", "x _treatment_"]
    np.testing.assert_array_equal(shape.columns(texts), _plain_columns(shape, texts))


def test_required_literal_reads_only_plain_heads() -> None:
    assert required_literal(PATTERNS["flat"]) == "_treatment_"
    assert required_literal(r"\bfoo [|]x") == "foo"
    for pattern in (
        r"\bfoo (?:a|b)|bar",  # an alternation outside any group
        r"\bfoo [\](]|bar",  # ... after a class holding an escaped bracket
        r"\bfoo (?i)x",  # inline flags
        r"\bFoo x",
        r"\bfo x",
        r"\bfoo? x",
        PATTERNS["asserts"],
    ):
        assert required_literal(pattern) is None, pattern
