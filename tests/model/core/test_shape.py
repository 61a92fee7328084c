"""Segment shape: short lines are damped and headings, quotes and questions recognised."""

from __future__ import annotations

import numpy as np
import pytest
from claim_risk.core.shape import SHAPES, SegmentShape


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
