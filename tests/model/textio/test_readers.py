"""Reading inputs: blocks keep offsets, folders are searched, HTML is reduced to text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import claim_risk.textio.readers as readers
import pytest
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


SHOP = Path(__file__).resolve().parents[3] / "examples" / "shop.html"
# lxml's own message when lxml_html_clean is missing (what a plain install gave, issue 23).
BROKEN = (
    "raise ImportError('lxml.html.clean module is now a separate project lxml_html_clean.\\n'\n"
    "                  'Install lxml[html-clean] or lxml_html_clean directly.')\n"
)


def test_html_keeps_the_main_text_of_a_shop_page() -> None:
    """trafilatura drops the menu and the footer that tag stripping would keep and score."""
    text = html_to_text(SHOP.read_text(encoding="utf-8"))
    assert "Our herbal calm drops cure anxiety in three days, guaranteed." in text
    assert "Talk to your pharmacist before use if you take other medicines." in text
    for boilerplate in ("Home | Shop | Cart", "All rights reserved.", "Free shipping"):
        assert boilerplate not in text


def test_a_missing_extractor_is_an_error_not_tag_stripping(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura -> ImportError
    with pytest.raises(readers.ExtractorMissing, match=r"pip install .*lxml_html_clean") as info:
        html_to_text("<html><body><p>Garlic cures flu.</p></body></html>")
    assert isinstance(info.value, ImportError) and "\n" not in str(info.value)


def test_predict_says_what_to_install_when_trafilatura_is_broken(tmp_path: Path) -> None:
    """A trafilatura that fails to import (as without lxml_html_clean): one line, exit 1."""
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "trafilatura.py").write_text(BROKEN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "fake")}
    cmd = [sys.executable, "-m", "claim_risk.frontends.cli"]
    res = subprocess.run([*cmd, "--file", str(SHOP)], capture_output=True, text=True, env=env)
    assert res.returncode == 1 and res.stdout == ""
    (line,) = res.stderr.splitlines()
    assert line.startswith("predict: HTML input needs trafilatura, which does not import")
    assert "lxml_html_clean" in line and "pip install" in line
    plain = subprocess.run([*cmd, "Garlic cures flu."], capture_output=True, text=True, env=env)
    assert plain.returncode == 0 and plain.stderr == ""  # text never needs the extractor
