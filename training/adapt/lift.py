"""What a user's own labels add, measured on their own pages; and the model retrained with them.

Only real labelled text of the kind being scored moves the model on real pages,
and only the user has it. So:

- ``measure_lift`` runs cross-validation **grouped by page** over the user's
  labelled pages. In each fold the held-out pages are scored by the *base*
  model (the team's labelled set, no user labels) and by the *adapted* model
  (the team's set plus the other folds' user labels, weighted); the weight is
  chosen from ``WEIGHTS`` by an inner page-grouped cross-validation on the
  training folds' pages only, never on the pages being scored. Sentences are
  scored read with their whole page (every row of the page in the CSV,
  labelled or not) through the shipped tier's context stage, as ``predict``
  scores them. Before, after and their difference come with 95% intervals
  from a page-level (cluster) bootstrap. With too few pages or labels of
  either class (``MIN_PAGES``, ``MIN_CLASS``) the report says so in words
  (``enough`` False) and gives no figures (None) rather than chance ones.
  Never an in-sample figure.
- ``retrain`` fits the adapted model on the team's set and all the user's
  labels with the weight the same inner cross-validation chooses on all their
  pages, writes it as a complete model folder (``--model DIR`` scores with
  it), and the lift report beside it as ``lift.json``.

The tier is ``fast`` (TF-IDF, cues), ``semantic`` (plus the MiniLM sentence
embedding; the issue-20 measurements found user labels lift a model that reads
meaning, not bag-of-words) or ``auto`` (semantic when its encoder is installed).
The adapted model keeps the shipped tier's configuration, context stage and
decision threshold; only the sentence model is refitted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from claim_risk.core.artifacts import (
    DEFAULT_DIR,
    METADATA_FILE,
    MODEL_FILE,
    NAMED,
    SEMANTIC_DIR,
    read_metadata,
)
from claim_risk.core.decision import Decision
from claim_risk.core.linear import sigmoid
from claim_risk.core.tiers import LinearTier
from sklearn.pipeline import Pipeline

from ..config import SENTENCES, SOURCES
from ..data.augment import swap_topics
from ..data.labelled import LabelledSet
from ..data.schema import LABELS, POSITIVE
from ..data.sentences import LabelError, file_sha256, read_rows, shown, validate_rows
from ..fit.candidates import CANDIDATES, SEMANTIC_CANDIDATES
from ..fit.cv import Candidate
from .loop import failed

__all__ = [
    "DEFAULT_WEIGHT",
    "MIN_CLASS",
    "MIN_PAGES",
    "TIERS",
    "WEIGHTS",
    "LiftReport",
    "Refused",
    "UserPages",
    "measure_lift",
    "read_user_labels",
    "retrain",
]

Progress = Callable[[str, int, int], None]

TIERS = ("fast", "semantic", "auto")
WEIGHTS = (1.0, 3.0, 10.0)  # the grid a user label's weight is chosen from
DEFAULT_WEIGHT = 3.0  # when the training pages are too few to choose (issue 20 measured 3x)
OUTER_FOLDS = 5
INNER_FOLDS = 3
MIN_PAGES = 4
MIN_CLASS = 10
N_BOOT = 1000
LEVEL = 0.95


class Refused(ValueError):
    """The request cannot be carried out as asked (an unknown tier, an output folder not ours)."""


# -- the user's labelled pages --------------------------------------------------------------


@dataclass(frozen=True)
class UserPages:
    """The user's labelled sentences, and every sentence of their pages for the context stage.

    ``texts``, ``y``, ``doc`` and ``position`` are one entry per labelled row;
    ``pages`` maps each labelled page's id to all its sentences in reading order.
    """

    texts: list[str]
    y: np.ndarray
    doc: np.ndarray
    position: np.ndarray
    pages: dict[str, list[str]]
    files: tuple[Path, ...] = ()

    @property
    def page_ids(self) -> list[str]:
        """The labelled pages, sorted."""
        return sorted(self.pages)

    def rows_of(self, docs: Sequence[str]) -> np.ndarray:
        """Indices of the labelled rows on the pages ``docs``."""
        return np.flatnonzero(np.isin(self.doc, list(docs)))


def read_user_labels(paths: Sequence[Path]) -> UserPages:
    """The labelled rows of user CSVs (extract's format); unlabelled rows give page context only.

    A file whose ``sources/`` folder sits beside it is validated as training
    validates it (ids, positions, text against the source); any file must have
    the dataset's columns and known labels. A row id met twice is read once.
    Raises LabelError, one line per problem.
    """
    seen: set[str] = set()
    by_doc: dict[str, dict[int, dict[str, str]]] = {}
    for path in paths:
        path = Path(path)
        rows = read_rows(path, spreadsheet=True)
        sources = path.parent / "sources"
        if sources.is_dir():
            validate_rows(rows, path, sources, require_labels=False)
        else:
            bad = [r for r in rows if r["label"] and r["label"] not in LABELS]
            if bad:
                raise LabelError(
                    f"{shown(path)} line {bad[0]['_line']} (id {bad[0]['id']!r}): label "
                    f"{bad[0]['label']!r} is not one of {', '.join(LABELS)}"
                )
        for row in rows:
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            pos = row["position"]
            if not (pos.isascii() and pos.isdigit()):
                raise LabelError(f"{shown(path)} line {row['_line']}: position {pos!r}")
            by_doc.setdefault(row["doc_id"], {})[int(pos)] = row
    texts, y, doc, position, pages = [], [], [], [], {}
    for d in sorted(by_doc):
        rows = [by_doc[d][p] for p in sorted(by_doc[d])]
        if not any(r["label"] for r in rows):
            continue
        pages[d] = [r["text"] for r in rows]
        for i, r in enumerate(rows):
            if r["label"]:
                texts.append(r["text"])
                y.append(int(r["label"] == POSITIVE))
                doc.append(d)
                position.append(i)
    return UserPages(
        texts,
        np.asarray(y, dtype=int),
        np.asarray(doc, dtype=object),
        np.asarray(position, dtype=int),
        pages,
        tuple(Path(p) for p in paths),
    )


# -- the tier being adapted -----------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What every fit of one tier shares: the team's set, the configuration, the context stage."""

    tier: str
    team: LabelledSet
    candidate: Candidate
    context: dict | None
    metadata: dict

    @property
    def decision(self) -> Decision:
        """The shipped tier's threshold and bands (kept by the adapted model)."""
        return Decision.from_metadata(self.metadata["threshold"], self.metadata["bands"])


def resolve_tier(tier: str) -> str:
    """``fast`` or ``semantic``: ``auto`` is semantic when its encoder and model are there."""
    from ..fit.embedding import available

    if tier not in TIERS:
        raise Refused(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    if tier == "auto":
        return "semantic" if available() and (SEMANTIC_DIR / MODEL_FILE).is_file() else "fast"
    if tier == "semantic" and not available():
        raise Refused("the semantic tier needs the MiniLM encoder: run 'make semantic'")
    return tier


@lru_cache(maxsize=1)
def team_set() -> LabelledSet:
    """The team's labelled set, without any user labels (the base every fit starts from)."""
    from ..data.sentences import load_labels

    return LabelledSet.from_dataset(load_labels(user_dir=None))


def setup_for(tier: str) -> Setup:
    """The shipped ``tier``'s configuration, context stage and decision, with the team's set."""
    folder = NAMED[tier]
    meta = read_metadata(folder)
    spec = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    pool = SEMANTIC_CANDIDATES if tier == "semantic" else CANDIDATES
    wanted = meta.get("configuration")
    candidate = next((c for c in pool if c.name == wanted), pool[0])
    return Setup(tier, team_set(), candidate, spec.get("context_model"), meta)


def fit_adapted(
    setup: Setup, user: UserPages, docs: Sequence[str], weight: float, seed: int
) -> Pipeline:
    """The tier's sentence model fitted on the team's set plus the labels of pages ``docs``."""
    return fit_rows(setup, user, user.rows_of(docs), weight, seed)


def fit_rows(setup: Setup, user: UserPages, rows: np.ndarray, weight: float, seed: int) -> Pipeline:
    """The tier's sentence model fitted on the team's set plus the user's labelled ``rows``.

    Each user label counts ``weight`` times; topic-swapped copies of the seed
    rows are added as training does.
    """
    team = setup.team
    texts = list(team.texts) + [user.texts[i] for i in rows]
    y = np.concatenate([team.y, user.y[rows]]).astype(int)
    weights = np.concatenate([np.ones(len(team)), np.full(len(rows), float(weight))])
    texts, y, weights = _augmented(setup, texts, y, weights, seed)
    pipeline = setup.candidate.pipeline(seed)
    return pipeline.fit(texts, y, clf__sample_weight=weights)


def _augmented(
    setup: Setup, texts: list[str], y: np.ndarray, weights: np.ndarray, seed: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The rows with topic-swapped copies of the team's seed rows, when the configuration asks."""
    if not setup.candidate.augment:
        return texts, y, weights
    extra_x, extra_y = swapped(setup, seed)
    return (
        texts + extra_x,
        np.concatenate([y, np.asarray(extra_y, dtype=int)]),
        np.concatenate([weights, np.ones(len(extra_x))]),
    )


def swapped(setup: Setup, seed: int) -> tuple[list[str], list[int]]:
    """Topic-swapped copies of the team's seed rows (``training/data/augment.py``)."""
    team = setup.team
    idx = np.flatnonzero(team.augmentable)
    return swap_topics([team.texts[i] for i in idx], team.y[idx].tolist(), random_state=seed)


def model_bytes(setup: Setup, pipeline: Pipeline) -> bytes:
    """``model.json`` of the fitted sentence model with the shipped context stage.

    Exporting rounds the pipeline's own numbers, so pipeline and file stay one model.
    """
    from ..fit.export import export_sentence_model, model_json

    return model_json(export_sentence_model(pipeline), setup.context)


def as_tier(setup: Setup, pipeline: Pipeline) -> LinearTier:
    """The fitted model as the scorer runs it (training's float64 encoder for embeddings)."""
    from claim_risk.core.artifacts import parse_model

    sentence, context = parse_model(json.loads(model_bytes(setup, pipeline)))
    if sentence.embedding is not None:
        from ..fit.embedding import embed

        sentence.embedding.encode = embed
    return LinearTier(sentence, context, setup.decision, {}, Path("<adapt>"))


def score_pages(model: LinearTier, user: UserPages, docs: Sequence[str]) -> np.ndarray:
    """Scores of the labelled rows of ``docs``, each read with its whole page, in row order."""
    rows = user.rows_of(docs)
    order = sorted(set(user.doc[rows]))
    z = model.document_logits([user.pages[d] for d in order]).in_context
    start, at = {}, 0
    for d in order:
        start[d] = at
        at += len(user.pages[d])
    flat = np.asarray([start[user.doc[i]] + user.position[i] for i in rows], dtype=int)
    return sigmoid(z[flat]) if len(flat) else np.zeros(0)


# -- folds, the weight, the bootstrap --------------------------------------------------------


def page_folds(pages: Sequence[str], k: int, seed: int) -> list[list[str]]:
    """``pages`` in a seeded random order dealt into ``k`` folds; each page in exactly one."""
    order = [pages[i] for i in np.random.default_rng(seed).permutation(len(pages))]
    return [sorted(order[j::k]) for j in range(k) if order[j::k]]


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC-AUC (ties counted half), NaN unless both classes are present."""
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=int)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    ranks = rankdata(p)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass
class _Counter:
    """Counts units of work (chunks encoded, models fitted) for the ``progress`` callback."""

    progress: Progress | None
    total: int
    done: int = 0

    def __call__(self, stage: str, step: bool = True) -> None:
        self.done += step
        if self.progress is not None:
            self.progress(stage, min(self.done, self.total), self.total)


def choose_weight(
    setup: Setup,
    user: UserPages,
    docs: Sequence[str],
    seed: int,
    tick: Callable[[str], None] = lambda stage: None,
) -> tuple[float, dict[str, float]]:
    """The weight of ``WEIGHTS`` with the best inner page-grouped ROC-AUC on pages ``docs``.

    Only the labels of ``docs`` are read; ties go to the smaller weight. With
    fewer than two pages, or no figure for any weight, ``DEFAULT_WEIGHT``.
    """
    docs = sorted(docs)
    if len(docs) < 2:
        return DEFAULT_WEIGHT, {}
    folds = page_folds(docs, min(INNER_FOLDS, len(docs)), seed)
    rows = user.rows_of(docs)
    where = {int(r): j for j, r in enumerate(rows)}
    aucs: dict[str, float] = {}
    for weight in WEIGHTS:
        p = np.full(len(rows), np.nan)
        for held in folds:
            train = [d for d in docs if d not in held]
            model = as_tier(setup, fit_adapted(setup, user, train, weight, seed))
            p[[where[int(r)] for r in user.rows_of(held)]] = score_pages(model, user, held)
            tick(f"choosing the weight of your labels (x{weight:g})")
        aucs[f"{weight:g}"] = roc_auc(user.y[rows], p)
    finite = {w: a for w, a in aucs.items() if not math.isnan(a)}
    if not finite:
        return DEFAULT_WEIGHT, aucs
    best = max(finite.values())
    return float(next(w for w in finite if finite[w] >= best - 1e-12)), aucs


def page_bootstrap(
    y: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    doc: np.ndarray,
    seed: int,
    n_boot: int = N_BOOT,
) -> dict[str, list[float] | None]:
    """Percentile intervals for ROC-AUC before, after and their difference, resampling pages.

    Pages are drawn with replacement (a cluster bootstrap: sentences of one page
    are not independent); draws with a single class are skipped.
    """
    rng = np.random.default_rng(seed)
    pages = sorted(set(doc))
    members = [np.flatnonzero(doc == d) for d in pages]
    draws = []
    for _ in range(n_boot):
        idx = np.concatenate([members[i] for i in rng.integers(0, len(pages), len(pages))])
        b, a = roc_auc(y[idx], before[idx]), roc_auc(y[idx], after[idx])
        if not math.isnan(b):
            draws.append((b, a, a - b))
    if len(draws) < n_boot // 2:
        return {"before": None, "after": None, "lift": None}
    table = np.asarray(draws)
    lo, hi = (1 - LEVEL) / 2 * 100, (1 + LEVEL) / 2 * 100
    cis = [
        [float(np.percentile(table[:, j], lo)), float(np.percentile(table[:, j], hi))]
        for j in (0, 1, 2)
    ]
    return {"before": cis[0], "after": cis[1], "lift": cis[2]}


# -- the report -----------------------------------------------------------------------------


def _num(x: float | None) -> float | None:
    """A JSON-safe figure: None for NaN or nothing, else rounded to 4 decimals."""
    return None if x is None or math.isnan(x) else round(float(x), 4)


@dataclass(frozen=True)
class LiftReport:
    """Before and after on the user's own pages, out of fold, with page-bootstrap intervals."""

    tier: str
    n_labels: int
    n_pages: int
    n_positive: int
    weight: float | None
    folds: int
    before: float | None = None
    before_ci: tuple[float, float] | None = None
    after: float | None = None
    after_ci: tuple[float, float] | None = None
    delta: float | None = None
    delta_ci: tuple[float, float] | None = None
    enough: bool = False
    warning: str | None = None
    per_fold: tuple[dict, ...] = field(default_factory=tuple)
    weight_aucs: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The report as JSON-safe data (None where a figure cannot be computed)."""

        def ci(pair: tuple[float, float] | None) -> list[float | None] | None:
            return None if pair is None else [_num(pair[0]), _num(pair[1])]

        return {
            "tier": self.tier,
            "n_labels": self.n_labels,
            "n_pages": self.n_pages,
            "n_positive": self.n_positive,
            "weight": self.weight,
            "folds": self.folds,
            "before": {"roc_auc": _num(self.before), "ci": ci(self.before_ci)},
            "after": {"roc_auc": _num(self.after), "ci": ci(self.after_ci)},
            "lift": {"delta": _num(self.delta), "ci": ci(self.delta_ci)},
            "enough": self.enough,
            "warning": self.warning,
            "per_fold": [dict(f) for f in self.per_fold],
            "weight_aucs": dict(self.weight_aucs),
            "scored": "held-out pages only (page-grouped cross-validation), read with their page",
        }

    def summary(self) -> str:
        """The report in a few lines of plain English."""
        return describe(self.to_dict())


def describe(report: dict) -> str:
    """A ``LiftReport.to_dict()`` in a few lines of plain English."""

    def ci(pair: list | None) -> str:
        return f" [{pair[0]:.3f}, {pair[1]:.3f}]" if pair and None not in pair else ""

    lines = [
        f"{report['tier']} tier, {report['n_labels']} labels ({report['n_positive']} "
        f"unsupported) on {report['n_pages']} pages"
    ]
    before, after, lift = report["before"], report["after"], report["lift"]
    if before["roc_auc"] is not None and after["roc_auc"] is not None:
        lines += [
            "  ROC-AUC on your pages, each scored by a model that never saw its labels "
            f"({report['folds']} folds by page, 95% page-bootstrap intervals):",
            f"    before (the team's labels only):  {before['roc_auc']:.3f}{ci(before['ci'])}",
            f"    after (+ your other pages' labels, each x{report['weight']:g}): "
            f"{after['roc_auc']:.3f}{ci(after['ci'])}",
            f"    lift: {lift['delta']:+.3f}{ci(lift['ci'])}",
        ]
    if report["warning"]:
        lines.append(f"  warning: {report['warning']}")
    return "\n".join(lines)


def _too_few(n_pages: int, n_pos: int, n_neg: int) -> str | None:
    """The plain-English warning when the labels are too few to tell a lift, else None."""
    lacks = []
    if n_pages < MIN_PAGES:
        lacks.append(f"{n_pages} labelled page(s) (at least {MIN_PAGES} needed)")
    if n_pos < MIN_CLASS:
        lacks.append(f"{n_pos} 'unsupported' label(s) (at least {MIN_CLASS})")
    if n_neg < MIN_CLASS:
        lacks.append(f"{n_neg} other label(s) (at least {MIN_CLASS})")
    if not lacks:
        return None
    return (
        "too few labels to tell whether they help: "
        + "; ".join(lacks)
        + ". Label more sentences, on more pages: with fewer, any figure would be mostly chance, "
        "so none is given."
    )


def _fold_count(n_pages: int) -> int:
    return min(OUTER_FOLDS, n_pages)


def fits_needed(n_pages: int) -> int:
    """How many models ``measure`` fits for ``n_pages`` labelled pages (the progress total)."""
    if n_pages < 2:
        return 0
    k = _fold_count(n_pages)
    sizes = [len(range(j, n_pages, k)) for j in range(k)]
    return 1 + sum(1 + _inner_fits(n_pages - s) for s in sizes) + _inner_fits(n_pages)


def _inner_fits(n_docs: int) -> int:
    return 0 if n_docs < 2 else len(WEIGHTS) * min(INNER_FOLDS, n_docs)


ENCODE_CHUNK = 256


def _to_encode(setup: Setup, user: UserPages, seed: int) -> list[list[str]]:
    """The semantic tier's texts to embed before fitting, in chunks (progress steps)."""
    if setup.tier != "semantic":
        return []
    copies = swapped(setup, seed)[0] if setup.candidate.augment else []
    pages = (s for d in user.page_ids for s in user.pages[d])
    texts = sorted({*setup.team.texts, *copies, *pages})
    return [texts[i : i + ENCODE_CHUNK] for i in range(0, len(texts), ENCODE_CHUNK)]


def _warning(user: UserPages) -> str | None:
    """The too-few-labels warning for ``user``'s labels, or None when there are enough."""
    n_pos = int(user.y.sum())
    return _too_few(len(user.pages), n_pos, len(user.y) - n_pos)


def work_units(setup: Setup, user: UserPages, seed: int) -> int:
    """The progress total of ``measure``: chunks to encode and models to fit."""
    if _warning(user):
        return 1
    return len(_to_encode(setup, user, seed)) + fits_needed(len(user.pages))


def measure(setup: Setup, user: UserPages, seed: int, tick: _Counter) -> LiftReport:
    """``measure_lift`` on a prepared tier and user set, reporting through ``tick``."""
    pages = user.page_ids
    n_pos = int(user.y.sum())
    warning = _warning(user)
    if warning:
        tick("too few labels to measure")
        return LiftReport(setup.tier, len(user.y), len(pages), n_pos, None, 0, warning=warning)
    folds = page_folds(pages, _fold_count(len(pages)), seed)
    tick("starting", step=False)
    chunks = _to_encode(setup, user, seed)
    if chunks:
        from ..fit.embedding import embed

        for chunk in chunks:
            embed(chunk)
            tick("encoding sentences with MiniLM")
    before_model = as_tier(setup, fit_adapted(setup, user, [], 1.0, seed))
    tick("the base model (the team's labels only)")
    rows_all = user.rows_of(pages)
    where = {int(r): j for j, r in enumerate(rows_all)}
    before = np.full(len(rows_all), np.nan)
    after = np.full(len(rows_all), np.nan)
    per_fold = []
    for k, held in enumerate(folds, start=1):
        train = [d for d in pages if d not in held]
        weight, _ = choose_weight(setup, user, train, seed, tick)
        model = as_tier(setup, fit_adapted(setup, user, train, weight, seed))
        tick(f"fold {k} of {len(folds)}")
        idx = [where[int(r)] for r in user.rows_of(held)]
        before[idx] = score_pages(before_model, user, held)
        after[idx] = score_pages(model, user, held)
        per_fold.append(
            {
                "held_out_pages": held,
                "n_labels": len(idx),
                "weight": weight,
                "before": _num(roc_auc(user.y[rows_all][idx], before[idx])),
                "after": _num(roc_auc(user.y[rows_all][idx], after[idx])),
            }
        )
    weight, weight_aucs = choose_weight(setup, user, pages, seed, tick)
    y, doc = user.y[rows_all], user.doc[rows_all]
    cis = page_bootstrap(y, before, after, doc, seed)
    b, a = roc_auc(y, before), roc_auc(y, after)
    return LiftReport(
        tier=setup.tier,
        n_labels=len(y),
        n_pages=len(pages),
        n_positive=n_pos,
        weight=weight,
        folds=len(folds),
        before=b,
        before_ci=_pair(cis["before"]),
        after=a,
        after_ci=_pair(cis["after"]),
        delta=a - b,
        delta_ci=_pair(cis["lift"]),
        enough=True,
        per_fold=tuple(per_fold),
        weight_aucs={w: _num(v) for w, v in weight_aucs.items()},
    )


def _pair(ci: list[float] | None) -> tuple[float, float] | None:
    return None if ci is None else (ci[0], ci[1])


def measure_lift(
    user_labels: Sequence[Path],
    *,
    tier: str = "auto",
    seed: int = 0,
    progress: Progress | None = None,
) -> LiftReport:
    """What the user's labels add on their own held-out pages (see the module's docstring).

    Raises LabelError for a labels file that cannot be read, Refused for an unknown
    tier or a semantic tier without its encoder.
    """
    user = read_user_labels(user_labels)
    setup = setup_for(resolve_tier(tier))
    return measure(setup, user, seed, _Counter(progress, work_units(setup, user, seed)))


# -- the retrained model --------------------------------------------------------------------


def _check_out(out_dir: Path) -> None:
    """Refuse the shipped model folders and any existing folder that is not a model folder."""
    target = out_dir.resolve()
    if target in (DEFAULT_DIR.resolve(), SEMANTIC_DIR.resolve()):
        raise Refused(
            f"{shown(out_dir)} is the shipped model; write the adapted one to another folder "
            "and score with --model DIR"
        )
    if target.exists() and not target.is_dir():
        raise Refused(f"{shown(out_dir)} is a file; name a folder for the model")
    if target.is_dir() and any(target.iterdir()) and not (target / METADATA_FILE).is_file():
        raise Refused(
            f"{shown(out_dir)} holds files and is not a model folder; it would be replaced whole: "
            "name a new or empty folder"
        )


def _data_sha256(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in (SENTENCES, *sorted(files)):
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def _card(metadata: dict, report: LiftReport) -> str:
    """The adapted model's card: what it is and what it adds, in words."""
    return "\n".join(
        [
            f"# claim-risk model, adapted ({report.tier} tier)",
            "",
            f"The shipped {report.tier} model's configuration ({metadata['configuration']}) "
            f"refitted on the team's labelled set plus {report.n_labels} of your labels on "
            f"{report.n_pages} pages, each counting x{report.weight:g} (the weight chosen by "
            "page-grouped cross-validation on your pages). The context stage and the decision "
            f"threshold ({metadata['threshold']}) are the shipped model's.",
            "",
            "## What your labels add, on your own pages (out of fold)",
            "",
            "```",
            report.summary(),
            "```",
            "",
            "`lift.json` beside this card holds the same figures.",
            "",
        ]
    )


def retrain(
    user_labels: Sequence[Path],
    out_dir: Path,
    *,
    tier: str = "auto",
    seed: int = 0,
    progress: Progress | None = None,
) -> dict:
    """Fit the adapted model on the team's set and all the user's labels; write it and its lift.

    ``out_dir`` becomes a complete model folder (``model.json``, ``metadata.json``,
    ``MODEL_CARD.md``) loadable by ``claim_risk.core.artifacts.load_model``, with
    ``lift.json`` (the ``LiftReport``) beside them. Returns the report's dict.
    Raises Refused (nothing written) for the shipped model folders or a folder
    that is not a model folder, LabelError for unreadable labels.
    """
    from ..fit.export import write_model_folder
    from ..fit.provenance import provenance
    from ..fit.save import dump_json

    out_dir = Path(out_dir)
    _check_out(out_dir)
    user = read_user_labels(user_labels)
    if not len(user.y):
        raise Refused("no labelled rows in " + ", ".join(shown(Path(p)) for p in user_labels))
    setup = setup_for(resolve_tier(tier))
    tick = _Counter(progress, work_units(setup, user, seed) + 1)
    report = measure(setup, user, seed, tick)
    weight = report.weight if report.weight is not None else DEFAULT_WEIGHT
    if report.weight is None:
        report = replace(report, weight=weight)
    pipeline = fit_adapted(setup, user, user.page_ids, weight, seed)
    data = model_bytes(setup, pipeline)
    keep = ("threshold", "threshold_rule", "bands", "label_names", "positive_label")
    keep += ("configuration", "context_stage", "encoder", "cascade_cut", "cascade_rule")
    files = [Path(p) for p in user_labels]
    metadata = {k: setup.metadata[k] for k in keep if k in setup.metadata}
    metadata.update(
        {
            "training_data": SENTENCES.name,
            "training_data_sha256": _data_sha256(files),
            "random_state": seed,
            "n_sentences": len(setup.team) + len(user.y),
            "n_positive": int(setup.team.y.sum() + user.y.sum()),
            "adapted": {
                "tier": setup.tier,
                "user_labels": [str(p) for p in files],
                "n_labels": len(user.y),
                "n_pages": len(user.pages),
                "weight": weight,
                "lift": report.to_dict(),
            },
        }
    )
    origin = provenance((SENTENCES, SOURCES, *files)).metadata()
    write_model_folder(out_dir, data, metadata, _card(metadata, report), origin=origin)
    result = report.to_dict()
    dump_json(result, out_dir / "lift.json")
    tick(f"the model with all your labels written to {shown(out_dir)}")
    return result


# -- the command line -----------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``lift`` and ``retrain`` to the adapt command line's subcommands."""
    for name, what in (
        ("lift", "what your labels add, measured on your own held-out pages"),
        ("retrain", "fit the model with your labels; write it to --out with its lift.json"),
    ):
        p = sub.add_parser(name, help=what, description=what)
        p.add_argument("files", nargs="+", type=Path, help="your labelled CSVs (extract's)")
        if name == "retrain":
            p.add_argument("--out", type=Path, required=True, help="the model folder to write")
        p.add_argument("--tier", choices=TIERS, default="auto", help="default: auto")
        p.add_argument("--seed", type=int, default=0, help="folds and bootstrap (default 0)")
        p.add_argument(
            "--progress-json",
            action="store_true",
            help='one JSON object a line on stdout: {"stage", "done", "total"}, then {"result"}',
        )
        if name == "lift":
            p.add_argument("--json", action="store_true", help="print the report as JSON")


def _emit(obj: dict) -> None:
    print(json.dumps(obj, allow_nan=False), flush=True)


def run_command(args: argparse.Namespace) -> int:
    """Run ``lift`` or ``retrain`` as parsed; the exit status (``claim_risk.exits``)."""
    from claim_risk.core.artifacts import ModelError
    from claim_risk.exits import EXIT_OK, EXIT_UNREADABLE

    cmd = args.command
    missing = [p for p in args.files if not p.is_file()]
    if missing:
        print(f"{cmd}: {shown(missing[0])}: no such file", file=sys.stderr)
        return EXIT_UNREADABLE

    def progress(stage: str, done: int, total: int) -> None:
        if args.progress_json:
            _emit({"stage": stage, "done": done, "total": total})
        else:
            print(f"[{done}/{total}] {stage}", file=sys.stderr, flush=True)

    try:
        if cmd == "retrain":
            result = retrain(
                args.files, args.out, tier=args.tier, seed=args.seed, progress=progress
            )
            summary = f"wrote {shown(args.out)} (score with --model {shown(args.out)})"
        else:
            report = measure_lift(args.files, tier=args.tier, seed=args.seed, progress=progress)
            result, summary = report.to_dict(), report.summary()
    except (LabelError, Refused, ModelError) as exc:
        return failed(cmd, exc)
    except OSError as exc:
        where = shown(Path(exc.filename)) if exc.filename else "the output"
        print(f"{cmd}: cannot write {where} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.progress_json:
        _emit({"result": result})
    elif getattr(args, "json", False):
        print(json.dumps(result, indent=2, allow_nan=False))
    else:
        if cmd == "retrain":
            print(describe(result))
            print(summary, file=sys.stderr)
        else:
            print(summary)
    return EXIT_OK
