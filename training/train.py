"""`make train`: choose the model by held-out topics, evaluate it honestly, save it and the reports.

Steps (each logged to stderr with its time):
1. load and validate ``labels/`` through ``datasets``;
2. score every candidate configuration with leave-one-topic-out CV and keep
   the one with the best mean per-topic ROC-AUC (carrying to unseen subjects);
3. evaluate the chosen one with document-grouped out-of-fold predictions:
   seed, authored and user text apart, with bootstrap intervals and baselines;
4. learning curve, threshold, risk bands, calibration, top n-grams, errors;
5. fit on all data and write ``model/artifacts/`` and ``reports/`` atomically.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from training import config
from training.context import (
    choose_context,
    context_matrix,
    fit_context,
    heldout_doc_scores,
    heldout_topic_scores,
    logit,
)
from training.cv import fit_candidate, learning_curve, one_standard_error, out_of_fold
from training.data import LabelError, load_labels
from training.evaluate import context_report, evaluate_all
from training.export import export_context_model, export_sentence_model, model_json
from training.labelled import LabelledSet
from training.oof import OutOfFold
from training.save import recover


class Progress:
    """Numbered, timed progress lines on stderr."""

    def __init__(self, total: int) -> None:
        self.total, self.step, self.start = total, 0, time.perf_counter()

    def __call__(self, message: str) -> None:
        self.step += 1
        elapsed = time.perf_counter() - self.start
        print(f"[{self.step}/{self.total} {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def per_group_auc(y: np.ndarray, p: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """ROC-AUC within each group that has both classes."""
    from sklearn.metrics import roc_auc_score

    out = {}
    for g in sorted(set(groups)):
        m = groups == g
        if 0 < y[m].sum() < m.sum():
            out[str(g)] = float(roc_auc_score(y[m], p[m]))
    return out


def _explain_choice(rows: list[dict], chosen: str) -> None:
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


def behaviour_pass_rates(model_bytes: bytes, threshold: float) -> dict:
    """The behavioural suite on the model just fitted: sentences alone, and with context."""
    import json

    from model.artifacts import parse_model
    from model.linear import sigmoid
    from model.score import document_logits
    from training.behaviour import run_suite

    sentence, context = parse_model(json.loads(model_bytes))

    def alone(texts: list[str]) -> list[float]:
        return sigmoid(sentence.logits(texts)).tolist() if texts else []

    def in_documents(docs: list[list[str]]) -> list[list[float]]:
        p = iter(sigmoid(document_logits(sentence, context, docs)[1]).tolist())
        return [[next(p) for _ in d] for d in docs]

    def docs_alone(docs: list[list[str]]) -> list[list[float]]:
        return [alone(d) for d in docs]

    out = {
        "sentence_only": run_suite(alone, threshold, docs_alone),
        "with_context": run_suite(alone, threshold, in_documents),
    }
    for result in out.values():  # the report keeps the rates; the failures are for humans
        result["n_failures"] = len(result.pop("failures"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.train",
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
    args = parser.parse_args(argv)

    from training import report

    progress = Progress(total=9)
    progress(f"loading {args.labels}")
    recover(args.artifacts)
    try:
        data = LabelledSet.from_dataset(load_labels(args.labels, args.sources, args.user_labels))
    except LabelError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    print(f"    {data.describe()}", file=sys.stderr)

    candidates = config.QUICK if args.quick else config.CANDIDATES
    progress(f"choosing among {len(candidates)} configurations by leave-one-topic-out CV")
    selection = []
    topic_oof = {}
    for cand in candidates:
        t0 = time.perf_counter()
        p = out_of_fold(cand, data, data.topic, args.seed, n_jobs=args.n_jobs)
        aucs = per_group_auc(data.y, p, data.topic)
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
            }
        )
        topic_oof[cand.name] = p
        print(
            f"    {cand.name:28s} held-out-topic ROC-AUC {selection[-1]['topic_auc_mean']:.3f}"
            f" ± {selection[-1]['topic_auc_std']:.3f} ({time.perf_counter() - t0:.1f}s)",
            file=sys.stderr,
        )
    chosen = candidates[one_standard_error(selection, len(set(data.topic)))]
    _explain_choice(selection, chosen.name)
    progress(
        f"chosen: {chosen.name}; document-grouped out-of-fold scores ({config.DOC_FOLDS} folds)"
    )
    doc_oof = out_of_fold(
        chosen, data, data.doc, args.seed, n_splits=config.DOC_FOLDS, n_jobs=args.n_jobs
    )

    progress("learning curve" if not args.quick else "learning curve skipped (--quick)")
    curve = [] if args.quick else learning_curve(chosen, data, args.seed, args.n_jobs)

    ctx_candidates = config.CONTEXT_CANDIDATES
    progress(f"context stage: choosing among {len(ctx_candidates)} by held-out topics")
    doc_feats = context_matrix(logit(doc_oof), data, config.TOP_K, config.NEIGHBOURS)
    topic_feats = context_matrix(
        logit(topic_oof[chosen.name]), data, config.TOP_K, config.NEIGHBOURS
    )
    ctx_best, ctx_selection = choose_context(
        ctx_candidates, doc_feats, topic_feats, data.y, data.topic, args.seed
    )
    ctx = ctx_candidates[ctx_best]
    _explain_choice(ctx_selection, ctx.name)
    oof = OutOfFold(
        doc_sentence=doc_oof,
        topic_sentence=topic_oof[chosen.name],
        doc_context=heldout_doc_scores(ctx, doc_feats, data.y, data.doc, args.seed),
        topic_context=heldout_topic_scores(
            ctx, doc_feats, topic_feats, data.y, data.topic, args.seed
        ),
    )

    progress("fitting the final sentence model and context stage on all data")
    final = fit_candidate(chosen, data.texts, data.y, data.augmentable, args.seed)
    ctx_final = fit_context(ctx, doc_feats, data.y, args.seed)

    progress("computing figures, bootstrap intervals and baselines")
    n_boot = 200 if args.quick else 1000
    results = evaluate_all(data, oof.doc_context, oof.topic_context, args.seed, n_boot)
    results["sentence_only"] = evaluate_all(
        data, oof.doc_sentence, oof.topic_sentence, args.seed, n_boot
    )
    results["context"] = context_report(
        ctx, ctx_selection, data, doc_feats, topic_feats, oof, args.seed
    )
    results["selection"] = selection
    results["chosen"] = chosen.name
    results["selection_rule"] = config.SELECTION_RULE
    results["learning_curve"] = curve
    sentence_spec = export_sentence_model(final)
    context_spec = export_context_model(
        ctx_final,
        list(ctx.features),
        config.WINDOW,
        config.TOP_K,
        config.NEIGHBOURS,
        config.MIN_PAGE,
    )
    results["top_terms"] = report.top_terms(sentence_spec)
    model_bytes = model_json(sentence_spec, context_spec)
    results["behaviour"] = behaviour_pass_rates(model_bytes, results["threshold"])

    progress(f"writing {args.artifacts} and {args.reports}")
    report.write_all(
        model_bytes=model_bytes,
        results=results,
        data=data,
        oof=oof,
        labels_path=args.labels,
        user_dir=args.user_labels,
        artifacts=args.artifacts,
        reports=args.reports,
        seed=args.seed,
    )
    user = results.get("user_cv")
    user_note = f", your labels ROC-AUC {user['roc_auc']:.3f} (n={user['n']})" if user else ""
    progress(
        f"done: seed ROC-AUC {results['seed_cv']['roc_auc']:.3f}, held-out-topic ROC-AUC "
        f"{results['topic_heldout']['roc_auc']:.3f}{user_note}, threshold {results['threshold']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
