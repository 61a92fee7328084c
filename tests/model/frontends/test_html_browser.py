"""The --html page in a real headless Chromium: structure, visible scores, ranked tables,
provenance, and hostile text that stays text (issue 12 point 8, issue 13), and a bidi
override left open in one sentence that leaves the next in reading order (issue 22 point 7).

`.ci/run` installs Debian's chromium when it is missing; where it cannot be had, these
tests skip and say why.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import PREDICT

ROOT = Path(__file__).resolve().parents[3]
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM = next((p for p in map(shutil.which, CANDIDATES) if p), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine: `apt-get install chromium` (as .ci/run does) to "
    "check the HTML page in a real browser",
)

PAYLOADS = [
    "<script>document.title='pwned'</script> This tea cures cancer.",
    "<img src=x onerror=\"document.title='pwned'\"> Our drops are totally safe.",
    "</style><script>document.title='pwned'</script> Guaranteed results.",
    "<a href=\"javascript:document.title='pwned'\">click</a> Detox now.",
    "' onmouseover='document.title=1' x=' Proven by science.",
    "Reversed\u202e from here. This tea cures cancer.",  # bidi controls left open
    "Embedded\u202b and\u2067 isolated\u2066 openers. Our drops are totally safe.",
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with no network chatter and a throwaway profile."""
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=120,
    )  # fmt: skip


class _Dom(HTMLParser):
    """Tags, ids, the text of badges and headings, and the title of a rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.stack: list[tuple[str, str]] = []
        self.badges: list[str] = []
        self.headings: list[str] = []
        self.title = ""
        self.text: list[str] = []
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs.update(a)
        if "href" in a:
            self.hrefs.append(a["href"] or "")
        if a.get("id"):
            self.ids.add(a["id"])
        if tag not in ("br", "meta", "img", "link"):
            self.stack.append((tag, a.get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)
        if not self.stack:
            return
        tag, cls = self.stack[-1]
        if tag == "b" and "badge" in cls:
            self.badges.append(data)
        if tag == "title":
            self.title += data
        if any(t == "h3" for t, _ in self.stack):
            self.headings.append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The report of the three example pages plus hostile text, as Chromium renders it."""
    tmp = tmp_path_factory.mktemp("browser")
    hostile = tmp / "hostile.txt"
    hostile.write_text("\n".join(PAYLOADS) + "\n", encoding="utf-8")
    report = tmp / "report.html"
    res = subprocess.run(
        [*PREDICT, "--file", str(ROOT / "examples" / "review"), "--file", str(hostile),
         "--html", str(report), "--format", "jsonl"],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    dom = chromium(tmp / "profile", "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = _Dom()
    parsed.feed(dom.stdout.decode("utf-8"))
    import json

    records = [json.loads(line) for line in res.stdout.decode().splitlines()]
    return {"dom": parsed, "records": records, "report": report, "tmp": tmp}


def test_page_keeps_structure_and_shows_scores(rendered: dict) -> None:
    dom, records = rendered["dom"], rendered["records"]
    # Headings of the Markdown leaflet and the HTML shop are headings again; lists are lists.
    assert "Moringa: what the evidence says" in dom.headings
    assert "Ingredients" in dom.headings
    assert dom.tags.count("li") >= 2 and "br" in dom.tags and dom.tags.count("p") >= 5
    # Every flagged sentence shows its score as text (print, screenshots, touch screens),
    # and the ranked table repeats the top ones.
    flagged = [r for r in records if r["flagged"]]
    in_text = [b for b in dom.badges if b.count(".") == 1]
    for r in flagged:
        assert f"{r['score']:.3f}" in in_text
    assert {"pages", "sentences", "summary", "model"} <= dom.ids
    for i, _ in enumerate({r["source"] for r in records}, start=1):
        assert f"doc-{i}" in dom.ids
    text = "".join(dom.text)
    from claim_risk.core.artifacts import load_model

    model = load_model()
    assert model.version in text and f"{model.threshold:.4f}" in text
    assert "safety promise wording" in text  # features named in words
    assert "cues__" not in text


def test_hostile_text_stays_text(rendered: dict) -> None:
    dom = rendered["dom"]
    assert dom.title == "claim-risk report"  # no payload ran
    assert "script" not in dom.tags and "img" not in dom.tags
    assert not {a for a in dom.attrs if a.startswith("on")}  # no event handler attributes
    assert not [h for h in dom.hrefs if not h.startswith("#")]  # links only within the page
    text = "".join(dom.text)
    for payload in PAYLOADS:
        assert payload.split(" ")[0] in text  # shown literally, as the words they are


def test_screenshot_renders_highlights(rendered: dict) -> None:
    from PIL import Image

    shot = rendered["tmp"] / "shot.png"
    res = chromium(
        rendered["tmp"] / "profile2",
        "--window-size=1100,1600",
        f"--screenshot={shot}",
        rendered["report"].as_uri(),
    )
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 1600)
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20) or []}
    assert (255, 179, 168) in colours  # the "high" highlight
    assert len(colours) > 50  # text was drawn, not a blank page


def _shot(tmp: Path, name: str, page: str) -> list[bytes]:
    """Chromium's screenshot of ``page`` as rows of RGB bytes."""
    from PIL import Image

    html_file, png = tmp / f"{name}.html", tmp / f"{name}.png"
    html_file.write_text(page, encoding="utf-8")
    size = ("--window-size=900,1400", "--force-device-scale-factor=1")
    res = chromium(tmp / f"profile-{name}", *size, f"--screenshot={png}", html_file.as_uri())
    assert res.returncode == 0 and png.exists(), res.stderr[-2000:]
    image = Image.open(png).convert("RGB")
    return [image.crop((0, y, image.width, y + 1)).tobytes() for y in range(image.height)]


def test_an_open_bidi_override_does_not_reverse_the_next_sentence(tmp_path: Path) -> None:
    """The same page with and without U+202E/U+202B/U+2067 left open at the end of sentences
    (and of a document name) renders pixel for pixel the same: the controls end with their
    sentence. Without the isolation (the markup stripped of it) the pages differ, so the
    comparison does see a reversal."""
    from claim_risk.core.artifacts import load_model
    from claim_risk.frontends.html_report import render_html

    def page(mark: str) -> str:
        texts = [f"Garlic cures colds.{mark}", "Drink water every single day.",
                 f"Zinc melts acne.\u202b{mark}", "Sleep eight hours.",
                 f"Rest well.\u2067{mark}", "Walk after dinner."]  # fmt: skip
        if not mark:
            texts = [t.replace("\u202b", "").replace("\u2067", "") for t in texts]
        recs = [
            {"index": i, "text": t, "score": 0.2 if i % 2 else 0.9, "flagged": not i % 2,
             "band": "low" if i % 2 else "high", "gap": " " if i else "", "page_score": 0.7}
            for i, t in enumerate(texts)
        ]  # fmt: skip
        return render_html([(f"page.txt{mark}", recs)], load_model().decision, "v1")

    plain, marked = page(""), page("\u202e")
    assert "\u202e" in marked and "\u202e" not in plain
    assert _shot(tmp_path, "plain", plain) == _shot(tmp_path, "marked", marked)
    leaky = marked.replace("unicode-bidi:isolate", "unicode-bidi:normal").replace(" dir='auto'", "")
    leaky = leaky.replace("<bdi>", "<span>").replace("</bdi>", "</span>")
    assert _shot(tmp_path, "leaky", leaky) != _shot(tmp_path, "plain", plain)
