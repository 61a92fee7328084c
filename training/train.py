"""`make train`: choose the model by held-out topics, evaluate it honestly, save it and the reports.

Steps (each logged to stderr with its time):
1. load and validate ``labels/`` through ``datasets``;
2. score every candidate configuration with leave-one-topic-out CV and keep
   the one with the best mean per-topic ROC-AUC (carrying to unseen subjects);
3. evaluate the chosen one with document-grouped out-of-fold predictions:
   seed, authored and user text apart, with bootstrap intervals and baselines;
4. learning curve, threshold, risk bands, calibration, top n-grams, errors;
5. when the MiniLM encoder is installed (``make semantic``), the same for the
   semantic tier (the fast features plus the sentence embedding), and the
   cascade's cut and figures;
6. fit on all data and write ``model/artifacts/`` (the semantic model in its
   ``semantic/`` subfolder) and ``reports/`` atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from claim_risk.core.artifacts import cascade, parse_model
from claim_risk.core.decision import Decision
from claim_risk.core.linear import sigmoid
from claim_risk.core.tiers import LinearTier
from claim_risk.exits import EXIT_OK, EXIT_USAGE

from . import config
from .data.labelled import LabelledSet
from .data.sentences import LabelError, load_labels, training_data_sha256
from .evaluation import report
from .evaluation.evaluate import context_report, evaluate_all, top_terms
from .fit.candidates import (
    CANDIDATES,
    QUICK,
    SELECTION_RULE,
    SEMANTIC_CANDIDATES,
    SEMANTIC_QUICK,
)
from .fit.cv import learning_curve
from .fit.embedding import available
from .fit.export import (
    export_context_model,
    export_sentence_model,
    model_json,
    write_model,
)
from .fit.save import recover, replace_files
from .fit.tiers import Tier, fit_tier


class Progress:
    """Numbered, timed progress lines on stderr."""

    def __init__(self, total: int) -> None:
        self.total, self.step, self.start = total, 0, time.perf_counter()

    def __call__(self, message: str) -> None:
        self.step += 1
        elapsed = time.perf_counter() - self.start
        print(f"[{self.step}/{self.total} {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def in_memory(model_bytes: bytes, threshold: float, bands: list[dict]) -> LinearTier:
    """A model just fitted, as the scorer would load it from its folder.

    A semantic model encodes with training's float64 encoder (``embed``): one
    embedding per text whatever its batch, the same on every CPU, so the
    figures measured with it are too.
    """
    sentence, context = parse_model(json.loads(model_bytes))
    if sentence.embedding is not None:
        from .fit.embedding import embed

        sentence.embedding.encode = embed
    decision = Decision.from_metadata(threshold, bands)
    return LinearTier(sentence, context, decision, {}, Path("<training>"))


def behaviour_pass_rates(model: LinearTier) -> dict:
    """The behavioural suite on a model just fitted: sentences alone, and with context."""
    from .evaluation.behaviour import run_suite

    def alone(texts: list[str]) -> list[float]:
        return sigmoid(model.sentence_logits(texts).alone).tolist() if texts else []

    def in_documents(docs: list[list[str]]) -> list[list[float]]:
        p = iter(sigmoid(model.document_logits(docs).in_context).tolist())
        return [[next(p) for _ in d] for d in docs]

    def docs_alone(docs: list[list[str]]) -> list[list[float]]:
        return [alone(d) for d in docs]

    out = {
        "sentence_only": run_suite(alone, model.threshold, docs_alone),
        "with_context": run_suite(alone, model.threshold, in_documents),
    }
    for result in out.values():  # the report keeps the rates; the failures are for humans
        result["n_failures"] = len(result.pop("failures"))
    return out


def export(tier: Tier) -> tuple[dict, bytes]:
    """The tier's sentence model spec and the bytes of its ``model.json``."""
    sentence_spec = export_sentence_model(tier.final)
    context_spec = export_context_model(
        tier.ctx_final,
        list(tier.ctx.features),
        config.WINDOW,
        config.TOP_K,
        config.NEIGHBOURS,
        config.MIN_PAGE,
    )
    return sentence_spec, model_json(sentence_spec, context_spec)


def _pooled(topic_heldout: dict) -> dict:
    """Held-out-topic figures without the per-topic table (kept for the fast model only)."""
    return {k: v for k, v in topic_heldout.items() if k != "per_topic"}


def semantic_results(
    fast: Tier,
    fast_model: LinearTier,
    data: LabelledSet,
    args: argparse.Namespace,
    progress: Progress,
) -> tuple[dict, bytes]:
    """Fit and measure the semantic tier and the cascade; their figures and model bytes."""
    from .fit.cascade import RULE, choose_cut
    from .fit.embedding import embed

    embed(data.texts, progress=True)
    candidates = SEMANTIC_QUICK if args.quick else SEMANTIC_CANDIDATES
    # One process: the embeddings computed here are reused by every fold.
    tier = fit_tier(candidates, data, args.seed, 1, progress)
    progress("semantic tier and cascade: figures, cut, behavioural suite")
    n_boot = 200 if args.quick else 1000
    full = evaluate_all(data, tier.oof.doc_context, tier.oof.topic_context, args.seed, n_boot)
    alone = evaluate_all(data, tier.oof.doc_sentence, tier.oof.topic_sentence, args.seed, n_boot)
    cut, cut_rows, sc = choose_cut(fast, tier, data, full["threshold"], args.seed)
    casc = evaluate_all(data, sc["doc"], sc["topic"], args.seed, n_boot)
    _, model_bytes = export(tier)
    model = in_memory(model_bytes, full["threshold"], full["bands"])
    cascaded = cascade(model, fast_model, cut)
    results = {
        **{k: full[k] for k in ("seed_cv", "threshold", "threshold_rule", "bands", "all_cv")},
        "topic_heldout": _pooled(full["topic_heldout"]),
        "sentence_only": {
            "seed_cv": alone["seed_cv"],
            "topic_heldout": _pooled(alone["topic_heldout"]),
        },
        "selection": tier.selection,
        "chosen": tier.chosen.name,
        "context": {"chosen": tier.ctx.name, "selection": tier.ctx_selection},
        "behaviour": behaviour_pass_rates(model),
        "cascade": {
            "cut": cut,
            "rule": RULE,
            "cuts": cut_rows,
            "seed_cv": casc["seed_cv"],
            "topic_heldout": _pooled(casc["topic_heldout"]),
            "rescored_share": float(sc["pick_topic"].mean()),
            "behaviour": behaviour_pass_rates(cascaded),
        },
    }
    return results, model_bytes


def summary(results: dict) -> str:
    """The last progress line: each tier's headline figures beside its own threshold."""
    line = (
        f"done: seed ROC-AUC {results['seed_cv']['roc_auc']:.3f}, held-out-topic ROC-AUC "
        f"{results['topic_heldout']['roc_auc']:.3f}, threshold {results['threshold']}"
    )
    user = results.get("user_labels")
    if user:
        line += (
            f", with your {user['n']} labels (what they add on your pages: "
            "python -m claim_risk.training.adapt lift labels/user/*.csv)"
        )
    sem = results.get("semantic")
    if sem:
        line += (
            f"; semantic: seed {sem['seed_cv']['roc_auc']:.3f}, held-out-topic "
            f"{sem['topic_heldout']['roc_auc']:.3f}, threshold {sem['threshold']}"
        )
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--labels", type=Path, default=config.SENTENCES, help="labelled sentences CSV"
    )
    parser.add_argument(
        "--sources", type=Path, default=config.SOURCES, help="source documents folder"
    )
    parser.add_argument(
        "--user-labels",
        type=Path,
        default=config.USER_DIR,
        help="folder of user-labelled CSVs (default: labels/user)",
    )
    parser.add_argument(
        "--artifacts", type=Path, default=config.ARTIFACTS, help="where the model goes"
    )
    parser.add_argument("--reports", type=Path, default=config.REPORTS, help="where the reports go")
    parser.add_argument("--seed", type=int, default=config.SEED, help="random_state everywhere")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer candidates, no learning curve, 200 bootstrap draws (for tests)",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel folds")
    parser.add_argument(
        "--no-semantic",
        action="store_true",
        help="train the fast model only, even when the MiniLM encoder is installed",
    )
    args = parser.parse_args(argv)

    semantic = available() and not args.no_semantic
    progress = Progress(total=14 if semantic else 9)
    progress(f"loading {args.labels}")
    recover(args.artifacts)
    try:
        data = LabelledSet.from_dataset(load_labels(args.labels, args.sources, args.user_labels))
    except LabelError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"    {data.describe()}", file=sys.stderr)

    candidates = QUICK if args.quick else CANDIDATES
    fast = fit_tier(candidates, data, args.seed, args.n_jobs, progress)

    progress("learning curve" if not args.quick else "learning curve skipped (--quick)")
    curve = [] if args.quick else learning_curve(fast.chosen, data, args.seed, args.n_jobs)

    progress("computing figures, bootstrap intervals and baselines")
    n_boot = 200 if args.quick else 1000
    oof = fast.oof
    results = evaluate_all(data, oof.doc_context, oof.topic_context, args.seed, n_boot)
    results["sentence_only"] = evaluate_all(
        data, oof.doc_sentence, oof.topic_sentence, args.seed, n_boot
    )
    results["context"] = context_report(
        fast.ctx, fast.ctx_selection, data, fast.doc_feats, fast.topic_feats, oof, args.seed
    )
    results["selection"] = fast.selection
    results["chosen"] = fast.chosen.name
    results["selection_rule"] = SELECTION_RULE
    results["learning_curve"] = curve
    sentence_spec, model_bytes = export(fast)
    results["top_terms"] = top_terms(sentence_spec)
    fast_model = in_memory(model_bytes, results["threshold"], results["bands"])
    results["behaviour"] = behaviour_pass_rates(fast_model)

    semantic_bytes = None
    if semantic:
        results["semantic"], semantic_bytes = semantic_results(
            fast, fast_model, data, args, progress
        )
    else:
        why = "--no-semantic" if args.no_semantic else "the encoder is not installed: make semantic"
        print(f"    semantic tier skipped ({why})", file=sys.stderr)

    progress(f"writing {args.artifacts} and {args.reports}")
    metrics = report.metrics_json(results, training_data_sha256(args.labels, args.user_labels))
    # The report files are staged first (the figures are the step most likely to fail),
    # then the model folder is swapped in, then the report files: an error leaves the old
    # model and reports in place.
    with replace_files(args.reports) as staged:
        report.write_reports(staged, metrics, data, oof, args.reports)
        write_model(
            args.artifacts,
            metrics,
            data,
            model_bytes,
            semantic_bytes,
            seed=args.seed,
            labels_path=args.labels,
            data_paths=(args.sources, args.user_labels),
        )
    progress(summary(results))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
