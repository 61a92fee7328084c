"""The --html page's markup: every piece of user text is a bidi isolate (issue 22 point 7).

An unterminated override or embedding (U+202E RLO, U+202B RLE, U+2066-8 isolates) in one
sentence, document name or reason must not reorder the text after it. Each such piece is
therefore its own isolate: a ``<bdi>``, or an element with ``dir="auto"`` whose CSS says
``unicode-bidi: isolate``. The fuzz below is bounded (200 cases; ``CLAIM_RISK_FUZZ=1``
runs 5,000); the rendering itself is checked in Chromium in ``test_html_browser.py``.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser

from claim_risk.core.artifacts import load_model
from claim_risk.frontends.html_report import render_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]  # fmt: skip
FUZZ = 5000 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 200


class _Isolation(HTMLParser):
    """For each text node: whether its innermost element is a bidi isolate."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, bool, str]] = []  # (text, isolated, enclosing tags)

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "meta", "img", "link"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tag, attrs = self.stack[-1] if self.stack else ("", {})
        isolated = tag == "bdi" or attrs.get("dir") == "auto"
        self.texts.append((data, isolated, "/".join(t for t, _ in self.stack)))


def _record(index: int, text: str, score: float) -> dict:
    band = "high" if score >= 0.8 else "review" if score >= 0.5 else "low"
    return {
        "index": index,
        "text": text,
        "score": score,
        "flagged": score >= 0.5,
        "band": band,
        "page_score": 0.7,
        "gap": " " if index else "",
        "explain": {"up": [(f"tok{index}\u202e", 0.4)], "down": [], "page": 0.1},
    }


def _page(texts: list[str], name: str) -> str:
    records = [_record(i, t, 0.9 - 0.3 * (i % 3)) for i, t in enumerate(texts)]
    identity = {"claim_risk": "0\u202e", "model": {"version": "v\u202e", "created": "now"}}
    return render_html([(name, records), ("plain.txt", records[:1])], load_model().decision,
                       identity)  # fmt: skip


def _unisolated(page: str, marker: str) -> list[tuple[str, str]]:
    parser = _Isolation()
    parser.feed(page)
    return [(text, where) for text, ok, where in parser.texts if marker in text and not ok]


def test_every_piece_of_user_text_is_its_own_bidi_isolate() -> None:
    sentences = ["Garlic cures colds.\u202e", "Drink water daily.\u202b", "Rest\u2067 well."]
    page = _page(sentences, "my\u202epage.txt")
    assert _unisolated(page, "\u202e") == []  # sentences, names, reasons, version
    assert _unisolated(page, "\u202b") == [] and _unisolated(page, "\u2067") == []
    assert "unicode-bidi:isolate" in page.replace(" ", "")  # the CSS says so, not only dir
    hostile = _page(["<script>x</script>\u202e done.", "ok."], "<b>name</b>")
    assert "<script>" not in hostile and "&lt;script&gt;x&lt;/script&gt;" in hostile
    assert "<b>name" not in hostile  # escaping kept


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from([*BIDI, "Garlic ", "cures ", "<i>", "&", "'", '"', "."]),
                 min_size=1, max_size=6).map(lambda parts: "Zq" + "".join(parts)),
        min_size=1, max_size=4,
    ),
    st.sampled_from(BIDI),
)  # fmt: skip
def test_fuzz_no_user_text_escapes_its_isolate(texts: list[str], control: str) -> None:
    page = _page(texts, f"Zq{control}name")
    assert _unisolated(page, "Zq") == []
