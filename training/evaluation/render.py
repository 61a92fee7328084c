"""The text of ``reports/README.md``: pure functions from a run's figures to Markdown.

Nothing here reads or writes a file. ``training_report`` renders what a
training run measured (``metrics.json``); ``readme`` appends the sections of
the benchmarks and the adaptation curve, each rendered by its own module from
its JSON file. ``claim_risk.training.evaluation.report.write_readme`` is the one
function that writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..fit.card import fmt, fmt_ci
from .plots import FIGURES, figure_names
from .sections import SECTIONS

__all__ = ["readme", "training_report"]


def _user_note(r: dict) -> list[str]:
    """Where a user's labels are (in training, with no figure here) and what measures them."""
    u = r.get("user_labels")
    if not u:
        return []
    return [
        f"Your labels ({u['n']} sentences, {u['n_positive']} unsupported, on {u['n_pages']} "
        'pages, from `labels/user/`) are in the training set and in the "all" rows above. '
        "No figure here is theirs alone: what they add is measured on your own pages, each "
        "scored by a model that never saw its labels, before and after, by "
        "`python -m claim_risk.training.adapt lift labels/user/*.csv`.",
        "",
    ]


def _metric_row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['n']} | {m['n_positive']} | {fmt_ci(m, 'roc_auc')} | "
        f"{fmt_ci(m, 'pr_auc')} | {fmt_ci(m, 'precision')} | {fmt_ci(m, 'recall')} | "
        f"{fmt_ci(m, 'f1')} |"
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
            f"| {name} | {row['n']} | {fmt(row['sentence_only'])} | {fmt(row['with_context'])} |"
        )
    m = c["macro_topic_roc_auc"]
    lines += [
        f"| macro over held-out topics | | {fmt(m['sentence_only'])} | {fmt(m['with_context'])} |",
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
            f"| {s['name']}{mark} | {fmt(s['topic_auc_mean'])} | {fmt(s['topic_auc_std'])} | "
            f"{fmt(s['roc_auc'])} |"
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
            f"| {a['without']} | {fmt(a['roc_auc'])} | {a['change']:+.3f} |" for a in c["ablation"]
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
            f"| {name.replace('_', ' ')} | {v['n_documents']} | {fmt(v['register_roc_auc'])} | "
            f"{fmt(v['spearman_share_unsupported'])} | {fmt(v['mean_promotional'])} | "
            f"{fmt(v['mean_evidence'])} |"
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
            f"| {name} | {fmt(t['seed_cv']['roc_auc'])} | {fmt(t['seed_cv']['pr_auc'])} | "
            f"{fmt(t['topic_heldout']['roc_auc'])} | {fmt(t['topic_heldout']['macro_roc_auc'])} "
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
        + ", ".join(f"{c['name']} {fmt(c['topic_auc_mean'])}" for c in sem["selection"])
        + ". Speed and cold start of each tier are in *Speed and memory* below (`make bench`). "
        "Cuts tried for the cascade (held-out topics):",
        "",
        "| cut | re-scored share | held-out-topic ROC-AUC | seed ROC-AUC |",
        "|---|---|---|---|",
    ]
    for c in casc["cuts"]:
        mark = " (kept)" if c["cut"] == casc["cut"] else ""
        lines.append(
            f"| {c['cut']:g}{mark} | {c['rescored_share']:.1%} | {fmt(c['topic_roc_auc'])} | "
            f"{fmt(c['seed_roc_auc'])} |"
        )
    lines.append("")
    return lines


def _pct(row: dict) -> str:
    return f"{row['pass_rate']:.1%}" if row.get("n") else "n/a"


def _training_part(results: dict, figures: list[str], data_hash: str) -> str:
    """The sections of a training run, from its figures; the generated blocks follow them."""
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
    lines += [
        _metric_row("all, doc-grouped", r["all_cv"]),
        _metric_row("all, held-out topic", r["topic_heldout"]),
        "",
        *_user_note(r),
        "## Carrying to unseen topics",
        "",
        "Leave-one-topic-out: each topic is scored by a model that never saw it. "
        f"Macro ROC-AUC over topics: **{fmt(r['topic_heldout']['macro_roc_auc'])}**. "
        "The configuration was chosen on these same folds, so this figure is mildly optimistic; "
        "the hidden real-page set is the honest check.",
        "",
        "| topic | n | unsupported | ROC-AUC | PR-AUC | F1 at threshold |",
        "|---|---|---|---|---|---|",
    ]
    for t, m in r["topic_heldout"]["per_topic"].items():
        lines.append(
            f"| {t} | {m['n']} | {m['n_positive']} | {fmt(m['roc_auc'])} | "
            f"{fmt(m['pr_auc'])} | {fmt(m['f1'])} |"
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
            f"| {s['name']}{mark} | {fmt(s['topic_auc_mean'])} | {fmt(s['topic_auc_std'])} |"
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
            f"| {name} | {fmt(b['majority']['roc_auc'])} | {fmt(b['lexicon']['roc_auc'])} | "
            f"{fmt(b['lexicon']['f1'])} | {fmt(b['model']['roc_auc'])} | "
            f"{fmt(b['model']['f1'])} |"
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
            f"{fmt(b['precision_in_band'])} | {fmt(b['precision_if_cut_here'])} | "
            f"{fmt(b['recall_if_cut_here'])} |"
        )
    cal = r["calibration"]
    lines += [
        "",
        "## Calibration",
        "",
        f"Brier score of document-grouped out-of-fold scores: **{fmt(cal['brier'])}** "
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
                f"| {c['train_sentences']} | {fmt(c['topic_heldout_roc_auc'])} | "
                f"{fmt(c['seed_roc_auc'])} |"
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


def training_report(metrics: dict) -> str:
    """The sections of ``reports/README.md`` that a training run's ``metrics.json`` fills."""
    results = {**metrics, "seed_cv": metrics["seed_cv_detail"]}
    return _training_part(results, figure_names(metrics), metrics["training_data_sha256"])


def readme(metrics: dict | None, blocks: Mapping[str, dict]) -> str:
    """The whole ``reports/README.md``: the training sections, then each block present.

    ``blocks`` maps a JSON file name of ``sections.SECTIONS`` to that file's content;
    a block whose file is missing is left out.
    """
    out = training_report(metrics) if metrics is not None else ""
    for name, start, end, section in SECTIONS:
        if name in blocks:
            out += f"\n{start}\n{section(blocks[name])}{end}\n"
    return out
