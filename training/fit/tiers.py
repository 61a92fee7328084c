"""One tier of the product, fitted the same way for ``fast`` and ``semantic``.

A tier is a sentence model chosen among candidates by leave-one-topic-out
CV, its document-grouped out-of-fold scores, and a context stage chosen and
fitted on those scores; then both are fitted on all data. ``make train`` runs
this for the fast candidates and, when the encoder is installed, for the
semantic ones (the same features plus the sentence embedding).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .. import config
from ..data.labelled import LabelledSet
from .candidates import CONTEXT_CANDIDATES
from .context import (
    ContextCandidate,
    choose_context,
    context_matrix,
    fit_context,
    heldout_doc_scores,
    heldout_topic_scores,
    logit,
)
from .cv import Candidate, fit_candidate, one_standard_error, out_of_fold
from .oof import OutOfFold

__all__ = ["Tier", "explain_choice", "fit_tier", "per_group_auc"]


@dataclass
class Tier:
    """Everything ``make train`` learned and measured for one tier."""

    selection: list[dict]
    chosen: Candidate
    ctx: ContextCandidate
    ctx_selection: list[dict]
    doc_feats: dict[str, np.ndarray]
    topic_feats: dict[str, np.ndarray]
    oof: OutOfFold
    final: Pipeline
    ctx_final: LogisticRegression


def per_group_auc(y: np.ndarray, p: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """ROC-AUC within each group that has both classes."""
    from sklearn.metrics import roc_auc_score

    out = {}
    for g in sorted(set(groups)):
        m = groups == g
        if 0 < y[m].sum() < m.sum():
            out[str(g)] = float(roc_auc_score(y[m], p[m]))
    return out


def explain_choice(rows: list[dict], chosen: str) -> None:
    """Say on stderr why the one-standard-error rule kept a candidate rated below the best."""
    best = max(rows, key=lambda r: r["topic_auc_mean"])
    if best["name"] != chosen:
        kept = next(r for r in rows if r["name"] == chosen)
        print(
            f"    kept {chosen} ({kept['topic_auc_mean']:.3f}) over {best['name']} "
            f"({best['topic_auc_mean']:.3f}): within one standard error of the best, and "
            "simpler or cheaper (one-standard-error rule)",
            file=sys.stderr,
        )


def suite_pass_rate(
    cand: Candidate, data: LabelledSet, topic_oof: np.ndarray, seed: int
) -> dict[str, float]:
    """The behavioural suite, sentences alone, for ``cand`` fitted on all data.

    The threshold is the candidate's own (max F1 on its held-out-topic scores),
    so candidates are compared as each would ship.
    """
    from ..evaluation.behaviour import run_suite
    from ..evaluation.evaluate import choose_threshold

    model = fit_candidate(cand, data.texts, data.y, data.augmentable, seed)
    threshold = choose_threshold(data.y, topic_oof)

    def alone(texts: list[str]) -> list[float]:
        return model.predict_proba(texts)[:, 1].tolist() if texts else []

    result = run_suite(alone, threshold)
    by_type = {t: r["pass_rate"] for t, r in result["by_type"].items() if r.get("n")}
    return {"threshold": threshold, "pass_rate": result["pass_rate"], **by_type}


def _select(
    candidates: tuple[Candidate, ...], data: LabelledSet, seed: int, n_jobs: int
) -> tuple[list[dict], dict[str, np.ndarray], Candidate]:
    selection, topic_oof = [], {}
    for cand in candidates:
        t0 = time.perf_counter()
        p = out_of_fold(cand, data, data.topic, seed, n_jobs=n_jobs)
        aucs = per_group_auc(data.y, p, data.topic)
        suite = suite_pass_rate(cand, data, p, seed)
        selection.append(
            {
                "name": cand.name,
                "params": {
                    k: list(v) if isinstance(v, tuple) else v for k, v in cand.params.items()
                },
                "augment": cand.augment,
                "topic_auc_mean": float(np.mean(list(aucs.values()))),
                "topic_auc_std": float(np.std(list(aucs.values()))),
                "topic_auc": aucs,
                "suite": suite,
            }
        )
        topic_oof[cand.name] = p
        print(
            f"    {cand.name:28s} held-out-topic ROC-AUC {selection[-1]['topic_auc_mean']:.3f}"
            f" ± {selection[-1]['topic_auc_std']:.3f}, suite {suite['pass_rate']:.1%}"
            f" ({time.perf_counter() - t0:.1f}s)",
            file=sys.stderr,
        )
    chosen = candidates[one_standard_error(selection, len(set(data.topic)))]
    explain_choice(selection, chosen.name)
    return selection, topic_oof, chosen


def fit_tier(
    candidates: tuple[Candidate, ...],
    data: LabelledSet,
    seed: int,
    n_jobs: int,
    progress: Callable[[str], None],
) -> Tier:
    """Choose, evaluate out of fold, and fit one tier's sentence model and context stage."""
    progress(f"choosing among {len(candidates)} configurations by leave-one-topic-out CV")
    selection, topic_oof, chosen = _select(candidates, data, seed, n_jobs)
    progress(
        f"chosen: {chosen.name}; document-grouped out-of-fold scores ({config.DOC_FOLDS} folds)"
    )
    doc_oof = out_of_fold(chosen, data, data.doc, seed, n_splits=config.DOC_FOLDS, n_jobs=n_jobs)

    ctx_candidates = CONTEXT_CANDIDATES
    progress(f"context stage: choosing among {len(ctx_candidates)} by held-out topics")
    doc_feats = context_matrix(logit(doc_oof), data, config.TOP_K, config.NEIGHBOURS)
    topic_feats = context_matrix(
        logit(topic_oof[chosen.name]), data, config.TOP_K, config.NEIGHBOURS
    )
    ctx_best, ctx_selection = choose_context(
        ctx_candidates, doc_feats, topic_feats, data.y, data.topic, seed
    )
    ctx = ctx_candidates[ctx_best]
    explain_choice(ctx_selection, ctx.name)
    oof = OutOfFold(
        doc_sentence=doc_oof,
        topic_sentence=topic_oof[chosen.name],
        doc_context=heldout_doc_scores(ctx, doc_feats, data.y, data.doc, seed),
        topic_context=heldout_topic_scores(ctx, doc_feats, topic_feats, data.y, data.topic, seed),
    )
    progress("fitting the final sentence model and context stage on all data")
    final = fit_candidate(chosen, data.texts, data.y, data.augmentable, seed)
    ctx_final = fit_context(ctx, doc_feats, data.y, seed)
    return Tier(
        selection, chosen, ctx, ctx_selection, doc_feats, topic_feats, oof, final, ctx_final
    )
