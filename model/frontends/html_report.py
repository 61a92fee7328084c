"""A self-contained HTML page for people reviewing a batch of documents.

At the top: the model and threshold, the riskiest pages and the riskiest
sentences, each linking to its place. Below: every document with its
structure kept (headings, paragraphs, line breaks and list items, read from
the text between sentences), each sentence highlighted by its risk band, and
each flagged sentence's score printed beside it (visible in print, in
screenshots and on touch screens, not only on hover). The reasons name the
model's features in words ("safety promise wording", "the words “no side
effects”").

No scripts, no external assets, and a Content-Security-Policy that forbids
both: every text is escaped, so a page that quotes ``<script>`` shows it.
Every piece of user text (sentence, document name, reason) is its own bidi
isolate (``dir="auto"`` with ``unicode-bidi: isolate``, or ``<bdi>``), so an
unterminated override such as U+202E in one sentence cannot reverse the next.
The file is written to a temporary file beside the target and renamed into
place, so a failure never leaves a truncated report.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence

from ..core.decision import Decision
from ..core.surrogates import replace_surrogates
from ..textio.atomic import write_bytes

__all__ = ["CUE_LABELS", "feature_label", "render_html", "write_html"]

TOP_SENTENCES = 20
TOP_PAGES = 20

CUE_LABELS = {
    "booster": "booster wording (proven, guaranteed, miracle, cures…)",
    "safety_promise": "safety promise wording (no side effects, completely safe, natural…)",
    "vague_evidence": "vague appeal to evidence (studies show, doctors recommend…)",
    "benefit": "benefit wording (relieves, improves, effective, helps…)",
    "first_person": "first-person testimonial (I, my, me)",
    "hedge": "hedging (may, might, limited evidence, more research…)",
    "caution": "cautionary wording (consult, side effects, do not…)",
    "named_source": "a named source (trial, placebo, journal, a year…)",
}

_STYLE = """
:root{--high:#ffb3a8;--review:#ffe9a8;--ink:#222}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:15px/1.6 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:var(--ink)}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem;
border-bottom:1px solid #ccc} h3{font-size:1rem;margin:1.1rem 0 .3rem}
.meta{color:#555;margin:.2rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f4f4f4} td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.s{border-radius:3px;padding:1px 2px;unicode-bidi:isolate}
bdi{unicode-bidi:isolate} .s.high{background:var(--high)}
.s.review{background:var(--review)}
.badge{display:inline-block;font-size:.72em;font-weight:700;line-height:1.2;margin:0 .3em 0 .15em;
padding:0 .35em;border-radius:.6em;border:1px solid #a33;color:#7a1b10;background:#fff;
vertical-align:.1em;font-variant-numeric:tabular-nums}
.badge.review{border-color:#b98a00;color:#6b4f00}
.legend span{margin-right:.8rem;padding:1px 6px;border-radius:3px}
.legend .high{background:var(--high)} .legend .review{background:var(--review)}
.legend .low{border:1px solid #ddd}
article.doc{margin-bottom:2rem} article.doc p{margin:.5rem 0}
article.doc ul{margin:.3rem 0 .6rem 1.2rem;padding:0}
.why{color:#555;font-size:.9em}
@media print{a{color:inherit;text-decoration:none} article.doc{break-inside:auto}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_BULLET = re.compile(r"^(?:[-*•‣▪●◦⁃∙·–—>]|\d{1,3}[.)])$")
_END = (".", "!", "?", "…", ":", ";", '"', "”", "'", ")")


def _esc(text: object) -> str:
    """Escaped for HTML text and attributes; lone surrogates become U+FFFD."""
    return html.escape(replace_surrogates(str(text)), quote=True)


def _iso(text: object) -> str:
    """Escaped user text as its own bidi isolate: its direction controls end with it."""
    return f"<bdi dir='auto'>{_esc(text)}</bdi>"


def feature_label(name: str) -> str:
    """A model feature in words: ``cues__safety_promise`` -> "safety promise wording (...)"."""
    if name.startswith("cues__"):
        cue = name[len("cues__") :]
        return CUE_LABELS.get(cue, cue.replace("_", " ") + " wording")
    if name.startswith("embedding__"):
        return "what the sentence says (its MiniLM embedding)"
    return f"“{name}”"


def _reasons(rec: dict, k: int = 3) -> str:
    """The strongest pushes towards "unsupported", in words, and what the page added."""
    explain = rec.get("explain")
    if not explain:
        return ""
    parts = [f"{feature_label(t)} +{c:.2f}" for t, c in explain.get("up", [])[:k]]
    page = explain.get("page", 0.0)
    if abs(page) >= 0.05:
        parts.append(f"its page {page:+.2f}")
    return "; ".join(parts)


def _title(rec: dict) -> str:
    parts = [f"score {rec['score']:.3f} ({rec.get('band', '')})"]
    if "explain" in rec:
        up = ", ".join(f"{feature_label(t)} {c:+.2f}" for t, c in rec["explain"]["up"])
        down = ", ".join(f"{feature_label(t)} {c:+.2f}" for t, c in rec["explain"]["down"])
        parts += [f"raises it: {up or '-'}", f"lowers it: {down or '-'}"]
    return " | ".join(parts)


def _sentence(rec: dict, doc: int) -> str:
    band = rec["band"]
    out = (
        f"<span class='s {band}' dir='auto' id='d{doc}-s{rec['index']}' "
        f"data-score='{rec['score']:.4f}' title='{_esc(_title(rec))}'>{_esc(rec['text'])}</span>"
    )
    if rec["flagged"]:
        out += f"<b class='badge {band}' title='score'>{rec['score']:.3f}</b>"
    return out


def _lines(records: Sequence[dict]) -> list[tuple[int, str, list[dict]]]:
    """Records grouped into the document's lines: (line breaks before, line marker, records)."""
    lines: list[tuple[int, str, list[dict]]] = []
    for i, rec in enumerate(records):
        gap = rec.get("gap", "").replace("\r\n", "\n").replace("\r", "\n")
        breaks = gap.count("\n")
        if i == 0 or breaks:
            marker = gap.rsplit("\n", 1)[-1].strip()
            lines.append((max(breaks, 2 if i == 0 else 1), marker, [rec]))
        else:
            lines[-1][2].append(rec)
    return lines


def _is_heading(marker: str, recs: Sequence[dict]) -> bool:
    if marker.startswith("#"):
        return True
    if marker or len(recs) != 1:
        return False
    text = recs[0]["text"].rstrip()
    return not text.endswith(_END) and len(text.split()) <= 10


def _document_body(records: Sequence[dict], doc: int) -> list[str]:
    """Headings, paragraphs with line breaks, and lists, in the document's order."""
    out: list[str] = []
    open_block = ""  # "p", "ul" or ""
    for breaks, marker, recs in _lines(records):
        body = " ".join(_sentence(r, doc) for r in recs)
        if _is_heading(marker, recs):
            kind = "h"
        elif _BULLET.match(marker):
            kind = "li"
        else:
            kind = "p"
        if open_block and (kind != {"p": "p", "ul": "li"}[open_block] or breaks >= 2):
            out.append(f"</{open_block}>")
            open_block = ""
        if kind == "h":
            out.append(f"<h3>{body}</h3>")
        elif kind == "li":
            if not open_block:
                out.append("<ul>")
                open_block = "ul"
            out.append(f"<li>{body}</li>")
        elif open_block == "p":
            out.append(f"<br>{body}")
        else:
            out.append(f"<p>{body}")
            open_block = "p"
    if open_block:
        out.append(f"</{open_block}>")
    return out


def _identity(identity: dict | str) -> tuple[str, str]:
    """(model version, rest of the provenance line) from a header record or a version string."""
    if isinstance(identity, str):
        return identity, ""
    model = identity.get("model", {})
    rest = f", claim-risk {identity.get('claim_risk', '?')}"
    if model.get("created"):
        rest += f", trained {model['created']}"
    if model.get("model_sha256"):
        rest += f", artifact SHA-256 {model['model_sha256'][:16]}…"
    return str(model.get("version", "")), rest


def render_html(
    documents: Sequence[tuple[str, Sequence[dict]]],
    decision: Decision,
    identity: dict | str = "",
) -> str:
    """The page as a string: ranked pages and sentences first, then every document.

    ``documents`` are (source, records) with records as ``predict`` writes them
    (each with its ``band`` and its document's ``page_score``) plus ``gap``,
    the text before the sentence; ``decision`` is shown in the summary.
    """
    version, provenance = _identity(identity)
    pages = [recs[0]["page_score"] if recs else 0.0 for _, recs in documents]
    total = sum(len(r) for _, r in documents)
    flagged = sum(1 for _, recs in documents for r in recs if r["flagged"])
    review, high = decision.bands[1].lower, decision.bands[2].lower
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>claim-risk report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<header><h1>Unsupported-claim risk</h1>",
        f"<p class='meta' id='summary'>{len(documents)} document(s), {total} sentences, "
        f"<strong>{flagged} flagged</strong> at threshold <strong>{decision.threshold:.4f}</strong>"
        f" (review band from {review:.4f}, high from {high:.4f}).</p>",
        f"<p class='meta' id='model'>Model <strong>{_iso(version)}</strong>{_iso(provenance)}.</p>",
        "<p class='legend'><span class='high'>high</span><span class='review'>review</span>"
        "<span class='low'>low</span> Flagged sentences carry their score; hover any "
        "sentence for its score and reasons. Scores rank sentences for review; they are not "
        "verdicts.</p></header>",
    ]
    order = sorted(range(len(documents)), key=lambda i: -pages[i])
    out += [
        "<section id='pages'><h2>Riskiest pages</h2>",
        "<table><tr><th>#</th><th>document</th><th>page score</th><th>flagged</th>"
        "<th>sentences</th><th>max score</th></tr>",
    ]
    for rank, i in enumerate(order[:TOP_PAGES], start=1):
        source, recs = documents[i]
        top = max((r["score"] for r in recs), default=0.0)
        n_flag = sum(1 for r in recs if r["flagged"])
        out.append(
            f"<tr><td class='num'>{rank}</td><td><a href='#doc-{i + 1}'>{_iso(source)}</a></td>"
            f"<td class='num'>{pages[i]:.3f}</td><td class='num'>{n_flag}</td>"
            f"<td class='num'>{len(recs)}</td><td class='num'>{top:.3f}</td></tr>"
        )
    out.append("</table></section>")
    ranked = sorted(
        (
            (r["score"], -i, -r["index"], i, r)
            for i, (_, recs) in enumerate(documents)
            for r in recs
        ),
        key=lambda t: t[:3],
        reverse=True,
    )
    shown = [t for t in ranked if t[4]["flagged"]][:TOP_SENTENCES]
    if shown:
        note = f"{len(shown)} of {flagged} flagged sentences, riskiest first"
    else:
        shown = ranked[:5]
        note = f"no sentence reached the threshold; the {len(shown)} highest"
    out += [
        f"<section id='sentences'><h2>Riskiest sentences</h2><p class='meta'>{note}.</p>",
        "<table><tr><th>#</th><th>score</th><th>sentence</th><th>document</th>"
        "<th>why (what raised the score)</th></tr>",
    ]
    for rank, (score, _, _, i, r) in enumerate(shown, start=1):
        band = r["band"]
        out.append(
            f"<tr><td class='num'>{rank}</td><td class='num'><b class='badge {band}'>"
            f"{score:.3f}</b></td><td><a href='#d{i + 1}-s{r['index']}'>{_iso(r['text'])}</a></td>"
            f"<td>{_iso(documents[i][0])}</td><td class='why'>{_iso(_reasons(r))}</td></tr>"
        )
    out.append("</table></section><h2>Documents</h2>")
    for i, (source, recs) in enumerate(documents):
        n_flag = sum(1 for r in recs if r["flagged"])
        out.append(
            f"<article class='doc' id='doc-{i + 1}'><h2>{_iso(source)}</h2>"
            f"<p class='meta'>page score {pages[i]:.3f}; {n_flag} of {len(recs)} sentences "
            "flagged</p>"
        )
        out += _document_body(recs, i + 1)
        out.append("</article>")
    out.append("</body></html>\n")
    return "".join(out)


def write_html(
    path: str | os.PathLike,
    documents: Sequence[tuple[str, Sequence[dict]]],
    decision: Decision,
    identity: dict | str = "",
) -> None:
    """Write the page to ``path`` (UTF-8) atomically: a temporary file, then a rename."""
    write_bytes(path, render_html(documents, decision, identity).encode("utf-8"))
