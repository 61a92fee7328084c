"""`make adapt-curve`: does labelling a new topic's sentences in the suggested order pay off?

For each topic in turn, and each of its documents that has at least five
sentences of each class: that document is the test page; the topic's other
documents are the pool a user would label. The model starts from all other
topics (it never saw this one), then the pool's labels are added 20 at a time,
either in the order ``training/adapt/suggest.py`` proposes (re-ranked with the
updated model after every batch, as a user would) or in random order (three
seeds). After each batch the model is refitted and the test page scored.
Results go to ``reports/adaptation.json`` and ``reports/figures/adaptation_curve.png``;
then ``reports/README.md`` is re-rendered with its section (``evaluation.sections.adapt_section``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from joblib import delayed
from sklearn.metrics import roc_auc_score

from ..config import REPORTS, SEED
from ..data.sentences import load_labels
from ..evaluation.plots import FIGURES, draw_adaptation_curve
from ..evaluation.report import write_readme
from ..fit.candidates import CANDIDATES
from ..fit.cv import fit_candidate
from ..fit.parallel import parallel
from .suggest import suggest_order

OUT_JSON = REPORTS / "adaptation.json"
STEP = 20
RANDOM_SEEDS = (0, 1, 2)


def _run_case(texts, y, doc, topic, aug, test_doc, threshold, steps):
    """Held-out ROC-AUC after each batch, for the suggested and the random orders."""
    cand = CANDIDATES[0]
    t = topic[doc == test_doc][0]
    base = np.flatnonzero(topic != t)
    pool = [int(i) for i in np.flatnonzero((topic == t) & (doc != test_doc))]
    test = np.flatnonzero(doc == test_doc)
    test_texts = [texts[i] for i in test]

    def fit(extra: list[int]):
        idx = np.concatenate([base, np.asarray(extra, dtype=int)])
        return fit_candidate(cand, [texts[i] for i in idx], y[idx], aug[idx], SEED)

    def auc(model) -> float:
        return float(roc_auc_score(y[test], model.predict_proba(test_texts)[:, 1]))

    suggested: list[float] = []
    chosen: list[int] = []
    for _ in steps:
        model = fit(chosen)
        suggested.append(auc(model))
        left = [i for i in pool if i not in set(chosen)]
        want = min(STEP, len(left))
        if not want:
            continue
        scores = model.predict_proba([texts[i] for i in left])[:, 1]
        order = suggest_order(
            [texts[i] for i in left],
            [doc[i] for i in left],
            scores,
            threshold,
            want,
            labelled_texts=[texts[i] for i in chosen],
        )
        order += [j for j in range(len(left)) if j not in set(order)][: want - len(order)]
        chosen += [left[j] for j in order]
    random_runs = []
    for seed in RANDOM_SEEDS:
        perm = [int(i) for i in np.random.default_rng(seed).permutation(pool)]
        random_runs.append([auc(fit(perm[:k])) for k in steps])
    return {
        "topic": str(t),
        "test_doc": str(test_doc),
        "pool_size": len(pool),
        "suggested": suggested,
        "random": np.mean(random_runs, axis=0).tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.adapt.curve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--max-labels", type=int, default=80)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT_JSON)
    args = parser.parse_args(argv)
    from claim_risk.core.artifacts import load_model

    t0 = time.perf_counter()
    table = load_labels(user_dir=None).to_dict()
    texts = table["text"]
    y = (np.asarray(table["label"]) == 0).astype(int)
    doc = np.asarray(table["doc_id"])
    topic = np.asarray(table["topic"])
    aug = np.asarray(table["origin"]) == "seed"
    steps = list(range(0, args.max_labels + 1, STEP))
    threshold = load_model().threshold
    cases = [d for d in sorted(set(doc)) if 5 <= y[doc == d].sum() <= (doc == d).sum() - 5]
    print(f"[adapt] {len(cases)} test pages, steps {steps}", file=sys.stderr, flush=True)
    results = parallel(args.n_jobs, verbose=5)(
        delayed(_run_case)(texts, y, doc, topic, aug, d, threshold, steps) for d in cases
    )
    by_topic: dict[str, dict[str, list[list[float]]]] = {}
    for r in results:
        slot = by_topic.setdefault(r["topic"], {"suggested": [], "random": []})
        slot["suggested"].append(r["suggested"])
        slot["random"].append(r["random"])
    topic_means = {
        t: {k: np.mean(v, axis=0).tolist() for k, v in s.items()} for t, s in by_topic.items()
    }
    summary = {
        "steps": steps,
        "suggested": np.mean([m["suggested"] for m in topic_means.values()], axis=0).tolist(),
        "random": np.mean([m["random"] for m in topic_means.values()], axis=0).tolist(),
        "topics": len(topic_means),
        "test_pages": len(results),
        "per_topic": topic_means,
        "cases": results,
    }
    args.out.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    draw_adaptation_curve(summary, args.out.parent / FIGURES / "adaptation_curve.png")
    write_readme(args.out.parent, inputs={OUT_JSON.name: args.out})
    print(f"[adapt] wrote {args.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
