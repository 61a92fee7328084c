"""`make adapt-curve`: what the labels of a new topic add, weighted as ``retrain`` weights them.

Each of our topics is in turn the "user's": the model starts from the other
topics' labels (it never saw this one). Each page of the topic with at least
five sentences of each class is a test page; the topic's other pages are the
labelled pool. Its labels are added in batches (20, 40 and 80, or all the pool
has), each counting the weight ``retrain`` would give them: chosen from
``lift.WEIGHTS`` by ``lift.choose_weight``, a page-grouped cross-validation on
the pool's pages only, never on the test page. After each batch the sentence
model is refitted and the test page scored read with its page (the tier's
context stage), as ``predict`` and ``lift`` score it.

Both tiers where the MiniLM encoder is installed (else the fast one): labels
in a seeded random order, and for the fast tier also in the order
``training/adapt/suggest.py`` proposes (re-ranked by the updated model after
every batch, as a user would). Results go to ``reports/adaptation.json`` and
``reports/figures/adaptation_curve.png``; then ``reports/README.md`` is
re-rendered with its section (``evaluation.sections.adapt_section``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from claim_risk.core.linear import sigmoid
from joblib import delayed

from ..config import REPORTS, SEED
from ..data.labelled import LabelledSet
from ..evaluation.plots import FIGURES, draw_adaptation_curve
from ..evaluation.report import write_readme
from ..fit.parallel import parallel
from . import lift
from .suggest import suggest_order

OUT_JSON = REPORTS / "adaptation.json"
STEPS = (0, 20, 40, 80)
ORDER_SEEDS = {"fast": (0, 1), "semantic": (0,)}  # the semantic tier's fits cost 5x the fast's


def subset(data: LabelledSet, mask: np.ndarray) -> LabelledSet:
    """The rows of ``data`` where ``mask`` holds."""
    idx = np.flatnonzero(mask)
    return replace(
        data,
        ids=[data.ids[i] for i in idx],
        texts=[data.texts[i] for i in idx],
        y=data.y[idx],
        doc=data.doc[idx],
        topic=data.topic[idx],
        origin=data.origin[idx],
        register=data.register[idx],
        position=data.position[idx],
    )


def as_user(data: LabelledSet) -> lift.UserPages:
    """Our labelled pages as a user's: every sentence labelled, each page whole."""
    order = np.lexsort((data.position, data.doc))
    pages: dict[str, list[str]] = {}
    position = np.empty(len(data), dtype=int)
    for i in order:
        page = pages.setdefault(str(data.doc[i]), [])
        position[i] = len(page)
        page.append(data.texts[i])
    return lift.UserPages(list(data.texts), data.y.copy(), data.doc.astype(object), position, pages)


def test_pages(data: LabelledSet) -> list[str]:
    """Pages with at least five sentences of each class (an AUC on them means something)."""
    return [
        str(d)
        for d in sorted(set(data.doc))
        if 5 <= data.y[data.doc == d].sum() <= (data.doc == d).sum() - 5
    ]


def _auc(model, user: lift.UserPages, page: str) -> float:
    return lift.roc_auc(user.y[user.rows_of([page])], lift.score_pages(model, user, [page]))


def _suggested(setup, user, pool: np.ndarray, page: str, steps, weight, seed, first) -> list:
    """ROC-AUC on ``page`` after each batch, labels taken in the suggested order."""
    threshold = float(setup.metadata["threshold"])
    curve, chosen, model = [_auc(first, user, page)], [], first
    for k in steps[1:]:
        left = [int(i) for i in pool if i not in set(chosen)]
        want = min(k - len(chosen), len(left))
        if want > 0:
            texts = [user.texts[i] for i in left]
            scores = sigmoid(model.sentence_logits(texts).alone)
            order = suggest_order(
                texts,
                [str(user.doc[i]) for i in left],
                scores.tolist(),
                threshold,
                want,
                labelled_texts=[user.texts[i] for i in chosen],
            )
            order += [j for j in range(len(left)) if j not in set(order)][: want - len(order)]
            chosen += [left[j] for j in order]
            model = lift.as_tier(setup, lift.fit_rows(setup, user, np.array(chosen), weight, seed))
        curve.append(_auc(model, user, page))
    return curve


def run_topic(
    tier: str, topic: str, seed: int, steps: list[int], vectors: dict[str, np.ndarray]
) -> list[dict]:
    """Every test page of ``topic``: ROC-AUC after each batch of the topic's other labels."""
    if vectors:
        from ..fit.embedding import remember

        remember(vectors)
    data = lift.team_set()
    setup = replace(lift.setup_for(tier), team=subset(data, data.topic != topic))
    mine = subset(data, data.topic == topic)
    user = as_user(mine)
    base = lift.as_tier(setup, lift.fit_rows(setup, user, np.array([], dtype=int), 1.0, seed))
    out = []
    for page in test_pages(mine):
        others = [d for d in user.page_ids if d != page]
        weight, aucs = lift.choose_weight(setup, user, others, seed)
        pool = user.rows_of(others)
        case = {
            "tier": tier,
            "topic": topic,
            "test_doc": page,
            "pool_size": len(pool),
            "weight": weight,
            "weight_aucs": {w: None if np.isnan(a) else round(a, 4) for w, a in aucs.items()},
        }
        runs = []
        for s in ORDER_SEEDS[tier]:
            perm = np.random.default_rng([seed, s]).permutation(pool)
            curve = [_auc(base, user, page)]
            for k in steps[1:]:
                rows = perm[: min(k, len(perm))]
                model = lift.as_tier(setup, lift.fit_rows(setup, user, rows, weight, seed))
                curve.append(_auc(model, user, page))
            runs.append(curve)
        case["random"] = np.mean(runs, axis=0).tolist()
        if tier == "fast":
            case["suggested"] = _suggested(setup, user, pool, page, steps, weight, seed, base)
        out.append(case)
    return out


def _encode_for(tier: str, topics: list[str], seed: int) -> dict[str, np.ndarray]:
    """The embeddings every topic's fits need, computed once here for the workers."""
    if tier != "semantic":
        return {}
    from ..fit.embedding import known

    data = lift.team_set()
    setup = lift.setup_for(tier)
    texts = set(data.texts)
    for t in topics:
        texts.update(lift.swapped(replace(setup, team=subset(data, data.topic != t)), seed)[0])
    print(f"[adapt] encoding {len(texts):,} sentences with MiniLM", file=sys.stderr, flush=True)
    return known(texts)


def _t_half(values: np.ndarray) -> np.ndarray:
    """Half-width of the 95% Student-t interval of the mean, column by column."""
    from scipy import stats

    if len(values) < 2:
        return np.zeros(values.shape[1:])
    sem = values.std(axis=0, ddof=1) / np.sqrt(len(values))
    return stats.t.ppf(0.975, len(values) - 1) * sem


def summarise(cases: list[dict], steps: list[int]) -> dict:
    """Per tier and order: the mean curve over topics (each topic the mean of its pages)."""
    tiers: dict[str, dict] = {}
    for tier in dict.fromkeys(c["tier"] for c in cases):
        mine = [c for c in cases if c["tier"] == tier]
        orders = [o for o in ("random", "suggested") if o in mine[0]]
        per_topic = {
            t: {
                o: np.mean([c[o] for c in mine if c["topic"] == t], axis=0).tolist() for o in orders
            }
            for t in sorted({c["topic"] for c in mine})
        }
        entry: dict = {"per_topic": per_topic, "seeds": list(ORDER_SEEDS[tier])}
        for o in orders:
            table = np.asarray([v[o] for v in per_topic.values()])
            gains = table[:, -1] - table[:, 0]
            entry[o] = table.mean(axis=0).tolist()
            entry[f"{o}_half95"] = _t_half(table).tolist()
            entry[f"{o}_gain"] = {
                "mean": float(gains.mean()),
                "half95": float(_t_half(gains[:, None])[0]),
                "topics_up": int((gains > 0).sum()),
                "topics_down": int((gains < 0).sum()),
            }
        weights = [c["weight"] for c in mine]
        entry["weights_chosen"] = {f"{w:g}": weights.count(w) for w in lift.WEIGHTS}
        tiers[tier] = entry
    pools = [c["pool_size"] for c in cases]
    return {
        "steps": steps,
        "weights": list(lift.WEIGHTS),
        "topics": len({c["topic"] for c in cases}),
        "test_pages": len({c["test_doc"] for c in cases}),
        "pool_size": {"min": min(pools), "max": max(pools)},
        "tiers": tiers,
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.adapt.curve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--steps",
        type=int,
        nargs="+",
        default=list(STEPS),
        help="labels added (default 0 20 40 80)",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT_JSON)
    parser.add_argument(
        "--tiers", nargs="+", choices=("fast", "semantic"), default=None, help="default: both"
    )
    args = parser.parse_args(argv)
    from ..fit.embedding import available

    t0 = time.perf_counter()
    tiers = args.tiers or (["fast", "semantic"] if available() else ["fast"])
    data = lift.team_set()
    steps = sorted({0, *args.steps})
    pages = test_pages(data)
    topics = sorted({str(data.topic[data.doc == d][0]) for d in pages})
    print(
        f"[adapt] {len(pages)} test pages on {len(topics)} topics, steps {steps}, tiers {tiers}",
        file=sys.stderr,
        flush=True,
    )
    cases: list[dict] = []
    for tier in tiers:
        vectors = _encode_for(tier, topics, SEED)
        results = parallel(args.n_jobs, verbose=5)(
            delayed(run_topic)(tier, t, SEED, steps, vectors) for t in topics
        )
        cases += [c for r in results for c in r]
        print(f"[adapt] {tier}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    summary = summarise(cases, steps)
    args.out.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    draw_adaptation_curve(summary, args.out.parent / FIGURES / "adaptation_curve.png")
    write_readme(args.out.parent, inputs={OUT_JSON.name: args.out})
    print(f"[adapt] wrote {args.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
