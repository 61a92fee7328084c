"""A self-contained HTML page: each document's sentences highlighted by risk.

No scripts or external assets; the explanation of a sentence (when requested)
shows on hover through the ``title`` attribute.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence

from model.context import page_score
from model.decision import Decision

__all__ = ["render_html", "write_html"]

_STYLE = """
body{font:15px/1.55 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.05rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}
td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
.s{border-radius:3px;padding:1px 2px} .low{background:#fff} .review{background:#ffe9a8}
.high{background:#ffb3a8} .legend span{margin-right:1rem;padding:2px 6px}
p.doc{white-space:normal}
"""


def _title(rec: dict) -> str:
    parts = [f"score {rec['score']:.3f}"]
    if "explain" in rec:
        up = ", ".join(f"{t} {c:+.2f}" for t, c in rec["explain"]["up"])
        down = ", ".join(f"{t} {c:+.2f}" for t, c in rec["explain"]["down"])
        parts += [f"up: {up or '-'}", f"down: {down or '-'}"]
    return " | ".join(parts)


def render_html(
    documents: Sequence[tuple[str, Sequence[dict]]], decision: Decision, version: str = ""
) -> str:
    """The page as a string: documents ranked by page score, then every sentence of each."""
    threshold = decision.threshold
    pages = {source: page_score([r["score"] for r in recs]) for source, recs in documents}
    total = sum(len(r) for _, r in documents)
    flagged = sum(1 for _, recs in documents for r in recs if r["flagged"])
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>claim-risk report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Unsupported-claim risk</h1>",
        f"<p>{len(documents)} document(s), {total} sentences, {flagged} flagged at threshold "
        f"{threshold:.3f}. Model {html.escape(version)}.</p>",
        "<p class='legend'><span class='high'>high</span><span class='review'>review</span>"
        "<span class='low'>low</span> (hover a sentence for its score and reasons)</p>",
        "<table><tr><th>document</th><th>page score</th><th>sentences</th><th>flagged</th>"
        "<th>max score</th></tr>",
    ]
    for source, recs in sorted(documents, key=lambda d: -pages[d[0]]):
        top = max((r["score"] for r in recs), default=0.0)
        n_flag = sum(1 for r in recs if r["flagged"])
        out.append(
            f"<tr><td>{html.escape(source)}</td><td>{pages[source]:.3f}</td><td>{len(recs)}</td>"
            f"<td>{n_flag}</td>"
            f"<td>{top:.3f}</td></tr>"
        )
    out.append("</table>")
    for source, recs in documents:
        out.append(f"<h2>{html.escape(source)}</h2><p class='doc'>")
        for r in recs:
            out.append(
                f"<span class='s {decision.band(r['score'])}' data-score='{r['score']:.4f}' "
                f"title='{html.escape(_title(r), quote=True)}'>{html.escape(r['text'])}</span> "
            )
        out.append("</p>")
    out.append("</body></html>\n")
    return "".join(out)


def write_html(
    path: str | os.PathLike,
    documents: Sequence[tuple[str, Sequence[dict]]],
    decision: Decision,
    version: str = "",
) -> None:
    """Write the page to ``path`` (UTF-8)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_html(documents, decision, version))
