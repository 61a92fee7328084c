"""Metrics on out-of-fold scores: point figures, bootstrap intervals, threshold and risk bands."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

from ..data.labelled import LabelledSet
from ..fit.context import ContextCandidate, heldout_topic_scores
from ..fit.oof import OutOfFold

__all__ = [
    "binary_metrics",
    "bootstrap_intervals",
    "choose_threshold",
    "context_report",
    "evaluate_all",
    "page_validation",
    "reliability",
    "risk_bands",
    "top_terms",
]


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier, and precision/recall/F1 at ``threshold``.

    AUCs are NaN when only one class is present (they are undefined there).
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    if len(y) == 0:
        nan = float("nan")
        return {
            "roc_auc": nan,
            "pr_auc": nan,
            "f1": nan,
            "precision": nan,
            "recall": nan,
            "brier": nan,
            "n": 0,
            "n_positive": 0,
        }
    pred = (p >= threshold).astype(int)
    both = 0 < y.sum() < len(y)
    return {
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "brier": float(brier_score_loss(y, p)) if len(y) else float("nan"),
        "n": len(y),
        "n_positive": int(y.sum()),
    }


def _fast_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> tuple[float, ...]:
    """ROC-AUC, average precision, F1, precision, recall with plain NumPy (for resampling)."""
    from scipy.stats import rankdata

    n_pos = y.sum()
    n_neg = len(y) - n_pos
    ranks = rankdata(p)
    roc = (ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    last = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]  # last index of each distinct score
    tp = np.cumsum(ys)[last]
    precision_at = tp / (last + 1)
    recall_at = tp / n_pos
    ap = float(np.sum(np.diff(np.r_[0.0, recall_at]) * precision_at))
    pred = p >= threshold
    tp_t = float((pred & (y == 1)).sum())
    prec = tp_t / pred.sum() if pred.any() else 0.0
    rec = tp_t / n_pos
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return float(roc), ap, f1, prec, rec


def bootstrap_intervals(
    y: np.ndarray,
    p: np.ndarray,
    threshold: float,
    n_boot: int = 1000,
    random_state: int = 0,
    level: float = 0.95,
) -> dict[str, list[float]]:
    """Percentile bootstrap intervals (resampling sentences) for each metric."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(random_state)
    keys = ("roc_auc", "pr_auc", "f1", "precision", "recall")
    draws = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if 0 < y[idx].sum() < len(idx):
            draws.append(_fast_metrics(y[idx], p[idx], threshold))
    if not draws:
        return {k: [float("nan")] * 2 for k in keys}
    table = np.asarray(draws)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    return {
        k: [float(np.percentile(table[:, j], lo)), float(np.percentile(table[:, j], hi))]
        for j, k in enumerate(keys)
    }


def choose_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The score cut that maximises F1 on out-of-fold scores (ties: the higher cut)."""
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall + 1e-12), 0)
    f1 = f1[:-1]  # the last point has no threshold
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)[-1]
    return float(np.round(thresholds[best], 4))


def risk_bands(
    y: np.ndarray, p: np.ndarray, threshold: float, high_precision: float = 0.8
) -> list[dict[str, float | str]]:
    """Three bands (low / review / high) and what each cut gives.

    ``review`` starts at the chosen threshold; ``high`` starts at the lowest cut
    whose out-of-fold precision reaches ``high_precision`` (or the threshold if
    none does).
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    precision, _, thresholds = precision_recall_curve(y, p)
    ok = np.flatnonzero((precision[:-1] >= high_precision) & (thresholds >= threshold))
    high = float(np.round(thresholds[ok[0]], 4)) if len(ok) else threshold
    bands = []
    for name, lo, hi in (("low", 0.0, threshold), ("review", threshold, high), ("high", high, 1.0)):
        inside = (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        at_or_above = p >= lo
        bands.append(
            {
                "band": name,
                "from": lo,
                "to": hi,
                "share_of_sentences": float(inside.mean()) if len(p) else 0.0,
                "precision_in_band": float(y[inside].mean()) if inside.any() else float("nan"),
                "precision_if_cut_here": float(y[at_or_above].mean())
                if at_or_above.any()
                else float("nan"),
                "recall_if_cut_here": float(y[at_or_above].sum() / max(y.sum(), 1)),
            }
        )
    return bands


def _slice(y, p, mask, threshold, n_boot, seed) -> dict:
    m = binary_metrics(y[mask], p[mask], threshold)
    if mask.sum() and 0 < y[mask].sum() < mask.sum():
        m["ci95"] = bootstrap_intervals(y[mask], p[mask], threshold, n_boot, seed)
    return m


def evaluate_all(
    data: LabelledSet, doc_oof: np.ndarray, topic_oof: np.ndarray, seed: int, n_boot: int = 1000
) -> dict:
    """All figures of the report from out-of-fold scores.

    The threshold is chosen on leave-one-topic-out scores (the setting closest
    to unseen text) by maximal F1; document-grouped scores give the seed and
    authored figures, each on its own. A user's labels are counted, not scored
    here: what they add is measured on their own held-out pages, before and
    after, by ``python -m claim_risk.training.adapt lift`` (``training/adapt/lift.py``).
    """
    from ..fit.baselines import lexicon_scores, majority_scores

    y, origin, topic, doc, texts, ids = (
        data.y,
        data.origin,
        data.topic,
        data.doc,
        data.texts,
        data.ids,
    )
    threshold = choose_threshold(y, topic_oof)
    out: dict = {
        "threshold": threshold,
        "threshold_rule": "max F1 on leave-one-topic-out scores",
        "bootstrap_draws": n_boot,
    }
    for name in ("seed", "authored"):
        mask = origin == name
        if mask.any() or name == "seed":  # seed_cv is promised even when empty
            out[f"{name}_cv"] = _slice(y, doc_oof, mask, threshold, n_boot, seed)
    if (origin == "user").any():
        user = origin == "user"
        out["user_labels"] = {
            "n": int(user.sum()),
            "n_positive": int(y[user].sum()),
            "n_pages": len(set(doc[user])),
        }
    everything = np.ones(len(y), dtype=bool)
    out["all_cv"] = _slice(y, doc_oof, everything, threshold, n_boot, seed)
    out["topic_heldout"] = _slice(y, topic_oof, everything, threshold, n_boot, seed)
    per_topic = {}
    for t in sorted(set(topic)):
        m = topic == t
        per_topic[str(t)] = binary_metrics(y[m], topic_oof[m], threshold)
    out["topic_heldout"]["per_topic"] = per_topic
    aucs = [v["roc_auc"] for v in per_topic.values() if v["roc_auc"] == v["roc_auc"]]
    out["topic_heldout"]["macro_roc_auc"] = float(np.mean(aucs))

    lex = lexicon_scores(texts)
    baselines: dict = {}
    for name in ("seed", "authored", "all"):
        mask = everything if name == "all" else origin == name
        if not mask.any() or (f"{name}_cv" not in out and name != "all"):
            continue
        maj = majority_scores(y[~mask] if (~mask).any() else y, int(mask.sum()))
        baselines[name] = {
            "majority": binary_metrics(y[mask], maj, threshold),
            "lexicon": binary_metrics(y[mask], lex[mask], choose_threshold(y, lex)),
            "model": {k: out[f"{name}_cv"][k] for k in ("roc_auc", "pr_auc", "f1")},
        }
    out["baselines"] = baselines
    out["bands"] = risk_bands(y, topic_oof, threshold)
    out["calibration"] = reliability(y, doc_oof)

    # The label-noise review list: the sentences whose out-of-fold score most
    # contradicts their label, each way, for a second look at the label.
    errors = []
    for kind, mask, order in (
        ("false_positive", (y == 0) & (doc_oof >= threshold), -1),
        ("false_negative", (y == 1) & (doc_oof < threshold), 1),
    ):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(order * doc_oof[idx], kind="stable")][:12]
        errors += [
            {
                "kind": kind,
                "score": float(doc_oof[i]),
                "origin": str(origin[i]),
                "doc_id": str(doc[i]),
                "id": ids[i],
                "text": texts[i],
            }
            for i in idx
        ]
    out["errors"] = errors
    return out


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict:
    """Brier score and a binned reliability table (mean score vs observed rate)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        m = which == b
        if m.any():
            table.append(
                {
                    "from": float(edges[b]),
                    "to": float(edges[b + 1]),
                    "n": int(m.sum()),
                    "mean_score": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return {"brier": float(brier_score_loss(y, p)), "bins": table}


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def page_validation(
    y: np.ndarray, scores: np.ndarray, doc: np.ndarray, register: np.ndarray
) -> dict:
    """How the page score of each document tracks its register and its labels.

    Returns the ROC-AUC of page scores for telling promotional from evidence
    pages, and the Spearman correlation of page scores with each page's share
    of unsupported sentences.
    """
    from claim_risk.core.context import page_score
    from scipy.stats import spearmanr

    docs = sorted(set(doc))
    pages, promo, share = [], [], []
    for d in docs:
        m = doc == d
        pages.append(page_score(scores[m]))
        promo.append(int(register[m][0] == "promotional"))
        share.append(float(y[m].mean()))
    pages_a, promo_a = np.asarray(pages), np.asarray(promo)
    rho = spearmanr(pages_a, share).statistic if len(docs) > 2 else float("nan")
    return {
        "n_documents": len(docs),
        "register_roc_auc": _auc(promo_a, pages_a),
        "spearman_share_unsupported": float(rho),
        "mean_promotional": float(pages_a[promo_a == 1].mean()) if promo_a.any() else float("nan"),
        "mean_evidence": float(pages_a[promo_a == 0].mean())
        if (promo_a == 0).any()
        else float("nan"),
    }


def context_report(
    chosen: ContextCandidate,
    selection: list[dict],
    data: LabelledSet,
    doc_feats: dict[str, np.ndarray],
    topic_feats: dict[str, np.ndarray],
    oof: OutOfFold,
    seed: int,
) -> dict:
    """Sentence-only against with-context, slice by slice; feature ablation; page scores."""
    from dataclasses import replace

    y, topic, origin, register, doc = data.y, data.topic, data.origin, data.register, data.doc
    doc_sentence, topic_sentence = oof.doc_sentence, oof.topic_sentence
    doc_context, topic_context = oof.doc_context, oof.topic_context
    everything = np.ones(len(y), dtype=bool)
    slices = {
        "seed (doc-grouped)": (origin == "seed", doc_sentence, doc_context),
        "authored (doc-grouped)": (origin == "authored", doc_sentence, doc_context),
        "all, held-out topic": (everything, topic_sentence, topic_context),
        "promotional pages, held-out topic": (
            register == "promotional",
            topic_sentence,
            topic_context,
        ),
        "evidence pages, held-out topic": (register == "evidence", topic_sentence, topic_context),
    }
    side = {
        name: {
            "n": int(m.sum()),
            "sentence_only": _auc(y[m], ps[m]),
            "with_context": _auc(y[m], pc[m]),
        }
        for name, (m, ps, pc) in slices.items()
        if m.any()
    }
    topic_aucs = {
        "sentence_only": float(
            np.nanmean([_auc(y[topic == t], topic_sentence[topic == t]) for t in set(topic)])
        ),
        "with_context": float(
            np.nanmean([_auc(y[topic == t], topic_context[topic == t]) for t in set(topic)])
        ),
    }
    ablation = []
    for feature in chosen.features:
        if feature == "sentence" or len(chosen.features) == 1:
            continue
        fewer = replace(chosen, features=tuple(f for f in chosen.features if f != feature))
        p = heldout_topic_scores(fewer, doc_feats, topic_feats, y, topic, seed)
        ablation.append(
            {
                "without": feature,
                "roc_auc": _auc(y, p),
                "change": _auc(y, p) - _auc(y, topic_context),
            }
        )
    return {
        "chosen": chosen.name,
        "features": list(chosen.features),
        "selection": selection,
        "side_by_side": side,
        "macro_topic_roc_auc": topic_aucs,
        "ablation": ablation,
        "page_score": {
            "sentence_only": page_validation(y, doc_sentence, doc, register),
            "with_context": page_validation(y, doc_context, doc, register),
        },
    }


def top_terms(sentence_spec: dict, k: int = 25) -> dict[str, list[tuple[str, float]]]:
    """The features with the largest weights each way, from the exported sentence model."""
    names = sentence_spec["vocabulary"] + [f"cues__{c}" for c in sentence_spec["cues"]]
    weights = np.asarray(sentence_spec["weights"])
    order = np.argsort(weights, kind="stable")
    return {
        "unsupported": [(str(names[i]), round(float(weights[i]), 4)) for i in order[::-1][:k]],
        "not_unsupported": [(str(names[i]), round(float(weights[i]), 4)) for i in order[:k]],
    }
