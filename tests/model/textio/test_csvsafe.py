"""Spreadsheet-safe cells: escaped so no spreadsheet runs them, and restored exactly."""

from __future__ import annotations

import pytest
from claim_risk.textio.csvsafe import TRIGGERS, escape_cell, escape_row, unescape_cell, unescape_row
from hypothesis import given
from hypothesis import strategies as st

cells = st.text() | st.builds(
    lambda quotes, trigger, rest: "'" * quotes + trigger + rest,
    st.integers(0, 3),
    st.sampled_from(TRIGGERS),
    st.text(max_size=20),
)


@given(cells)
def test_escape_round_trips_and_never_starts_a_formula(cell: str) -> None:
    escaped = escape_cell(cell)
    assert unescape_cell(escaped) == cell
    assert not escaped.startswith(TRIGGERS)


@given(st.sampled_from(TRIGGERS), st.text(max_size=20))
def test_a_quote_dropped_by_a_spreadsheet_still_reads_back(trigger: str, rest: str) -> None:
    # a spreadsheet may save the shown '=x back as =x: that reads back as the original text
    assert unescape_cell(trigger + rest) == trigger + rest


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [
        ('=cmd|"/c calc"!A1 cures cancer.', '\'=cmd|"/c calc"!A1 cures cancer.'),
        ("+1 cures", "'+1 cures"),
        ("-2 pounds", "'-2 pounds"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("'=already quoted", "''=already quoted"),
        ("'plain quote", "'plain quote"),
        ("Plain text.", "Plain text."),
        ("", ""),
    ],
)
def test_known_cells(cell: str, escaped: str) -> None:
    assert escape_cell(cell) == escaped
    assert unescape_cell(escaped) == cell


def test_rows_are_copied_not_changed() -> None:
    row = {"text": "=1+1", "position": "3", "_line": "2"}
    assert escape_row(row) == {"text": "'=1+1", "position": "3", "_line": "2"}
    assert row["text"] == "=1+1"
    assert unescape_row(escape_row(row)) == row
