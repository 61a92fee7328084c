"""Measuring the cascade and choosing its cut, from both tiers' out-of-fold scores.

The cascade scores everything with the fast tier and re-scores with the
semantic tier only the sentences the fast tier (with its page) puts at or
above a cut. Its held-out figures are computed exactly as the scorer runs it
(``claim_risk.core.tiers.CascadeTier.document_logits``): for the re-scored sentences, the semantic
context stage reads a page made of semantic log-odds where they were computed
and fast log-odds elsewhere. The cut kept is the highest whose
leave-one-topic-out ROC-AUC stays within ``TOLERANCE`` of the semantic tier's:
the least semantic work for (nearly) the semantic quality.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from .. import config
from ..data.labelled import LabelledSet
from .context import (
    context_matrix,
    heldout_doc_scores,
    heldout_topic_scores,
    logit,
)
from .tiers import Tier

__all__ = ["CUTS", "TOLERANCE", "cascade_scores", "choose_cut"]

CUTS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
TOLERANCE = 0.005
RULE = (
    f"the highest cut (of {', '.join(f'{c:g}' for c in CUTS)}) whose leave-one-topic-out "
    f"ROC-AUC is within {TOLERANCE:g} of the semantic model's, at or below its threshold"
)


def _mixed(
    fast_p: np.ndarray,
    fast_z: np.ndarray,
    semantic_z: np.ndarray,
    cut: float,
    data: LabelledSet,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    pick = fast_p >= cut
    z = np.where(pick, logit(semantic_z), logit(fast_z))
    return pick, context_matrix(z, data, config.TOP_K, config.NEIGHBOURS)


def cascade_scores(
    fast: Tier, semantic: Tier, data: LabelledSet, cut: float, seed: int
) -> dict[str, np.ndarray]:
    """Out-of-fold cascade probabilities (document-grouped and held-out-topic) and picks."""
    f, s = fast.oof, semantic.oof
    pick_doc, feats_doc = _mixed(f.doc_context, f.doc_sentence, s.doc_sentence, cut, data)
    p_doc = heldout_doc_scores(
        semantic.ctx, semantic.doc_feats, data.y, data.doc, seed, apply_feats=feats_doc
    )
    pick_topic, feats_topic = _mixed(f.topic_context, f.topic_sentence, s.topic_sentence, cut, data)
    p_topic = heldout_topic_scores(
        semantic.ctx, semantic.doc_feats, feats_topic, data.y, data.topic, seed
    )
    return {
        "doc": np.where(pick_doc, p_doc, f.doc_context),
        "topic": np.where(pick_topic, p_topic, f.topic_context),
        "pick_doc": pick_doc,
        "pick_topic": pick_topic,
    }


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC-AUC, or NaN where it is undefined (one class or no rows)."""
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def choose_cut(
    fast: Tier, semantic: Tier, data: LabelledSet, threshold: float, seed: int
) -> tuple[float, list[dict], dict[str, np.ndarray]]:
    """Every cut's figures, the cut kept by ``RULE``, and the kept cut's scores.

    Cuts above the semantic ``threshold`` are not kept: a sentence left at its
    fast score must not be one the semantic model could have flagged.
    """
    y, seed_rows = data.y, data.origin == "seed"
    target = _auc(y, semantic.oof.topic_context) - TOLERANCE
    rows, scores = [], {}
    for cut in CUTS:
        sc = cascade_scores(fast, semantic, data, cut, seed)
        scores[cut] = sc
        rows.append(
            {
                "cut": cut,
                "topic_roc_auc": _auc(y, sc["topic"]),
                "seed_roc_auc": _auc(y[seed_rows], sc["doc"][seed_rows]),
                "rescored_share": float(np.mean(sc["pick_topic"])),
            }
        )
    ok = [r["cut"] for r in rows if r["topic_roc_auc"] >= target and r["cut"] <= threshold]
    cut = max(ok) if ok else min(CUTS)
    return cut, rows, scores[cut]
