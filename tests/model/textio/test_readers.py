"""Reading inputs: blocks keep offsets, folders are searched, HTML is reduced to text."""

from __future__ import annotations

from pathlib import Path

import claim_risk.textio.readers as readers
from claim_risk.core.segment import segment
from claim_risk.textio.readers import Document, InputError, expand_paths, html_to_text


def test_blocks_end_on_line_breaks_and_keep_offsets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(readers, "BLOCK_CHARS", 64)
    text = "".join(f"Line {i} says something. Then more.\n" for i in range(40))
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    blocks = list(Document(source="a", path=path).blocks())
    assert len(blocks) > 5
    assert "".join(b for _, b in blocks) == text
    whole = [(s.start, s.end) for s in segment(text)]
    pieces = [(o + s.start, o + s.end) for o, b in blocks for s in segment(b)]
    assert pieces == whole


def test_folders_are_searched_and_empty_ones_reported(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.md").write_text("Hello.")
    (tmp_path / "d" / "skip.bin").write_bytes(b"\0")
    (tmp_path / "empty").mkdir()
    items = list(expand_paths([str(tmp_path / "d"), str(tmp_path / "empty"), "missing.txt"]))
    assert isinstance(items[0], Document) and items[0].source.endswith("x.md")
    assert isinstance(items[1], InputError) and items[1].code == 4
    assert isinstance(items[2], InputError) and items[2].code == 3


def test_html_keeps_text_and_drops_scripts() -> None:
    page = (
        "<html><head><script>var x = 'no';</script><style>p{}</style></head><body>"
        "<p>Colloidal silver cures infections.</p><p>Ask your doctor.</p></body></html>"
    )
    text = html_to_text(page)
    assert "Colloidal silver cures infections." in text
    assert "var x" not in text and "p{}" not in text
