"""The datasheet's generated figures match the committed labels."""

from __future__ import annotations

from claim_risk.training.data.datasheet import README, render, update_readme
from claim_risk.training.data.sentences import SENTENCES, read_rows


def test_datasheet_block_is_current() -> None:
    current = README.read_text(encoding="utf-8")
    assert update_readme(render(read_rows(SENTENCES))) == current, (
        "labels/README.md is out of date: run 'make datasheet'"
    )
