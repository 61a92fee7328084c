"""Behavioural (CheckList-style) test suite for a sentence scorer.

The cases live in ``tests/behaviour/cases.json`` and come in four types:

- ``mft``: one sentence that must score at or above the threshold (``expect: "high"``)
  or below it (``expect: "low"``);
- ``dir``: an ``original`` claim and a ``variant`` (negated, hedged, attributed, or
  replaced by real evidence) that must score lower by more than ``margin``;
- ``inv``: sentences with the remedy or condition swapped that must all land on the
  same side of the threshold, with a max-min spread of at most ``tolerance``;
- ``doc``: a ``target`` sentence that must score higher inside ``claim_doc`` than
  inside ``evidence_doc``; needs a document scorer and is skipped without one;
- ``page``: a ``target`` sentence read inside its ``page`` that must score at or
  above the threshold (``expect: "high"``: a claim on a page that cites studies is
  not hidden) or below it (``"low"``: a plain background sentence on a selling page
  is not lifted); needs a document scorer too.

Run against the shipped model with
``python -m claim_risk.training.evaluation.behaviour`` (``--json`` for machine-readable
output). Pass rates come from real scorer calls only.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from claim_risk.exits import EXIT_MODEL, EXIT_OK

__all__ = [
    "DEFAULT_CASES",
    "PERTURBATIONS",
    "TYPES",
    "load_cases",
    "render_markdown",
    "run_suite",
    "validate_case",
]

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "tests" / "behaviour" / "cases.json"
TYPES = ("mft", "dir", "inv", "doc", "page")
_DOCUMENT_TYPES = ("doc", "page")
PERTURBATIONS = ("negation", "hedge", "attribution", "evidence")

SentenceScorer = Callable[[list[str]], Sequence[float]]
DocumentScorer = Callable[[list[list[str]]], Sequence[Sequence[float]]]

_COMMON = {"id", "type", "capability", "expect", "note"}
_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "mft": ({"text"}, set()),
    "dir": ({"original", "variant", "perturbation"}, {"margin"}),
    "inv": ({"texts"}, {"tolerance"}),
    "doc": ({"target", "claim_doc", "evidence_doc"}, {"margin"}),
    "page": ({"target", "page"}, set()),
}
_EXPECT = {
    "mft": {"high", "low"},
    "dir": {"lower"},
    "inv": {"same_side"},
    "doc": {"higher_in_claim_doc"},
    "page": {"high", "low"},
}


def _fail(case_id: object, message: str) -> None:
    raise ValueError(f"case {case_id!r}: {message}")


def _check_text(case_id: object, field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        _fail(case_id, f"{field} must be a non-empty string")


def _check_sentences(case_id: object, field: str, value: object, minimum: int) -> None:
    if not isinstance(value, list) or len(value) < minimum:
        _fail(case_id, f"{field} must be a list of at least {minimum} sentences")
    for i, item in enumerate(value):
        _check_text(case_id, f"{field}[{i}]", item)


def _check_number(case_id: object, field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(case_id, f"{field} must be a number")
    if not math.isfinite(value) or value < 0:
        _fail(case_id, f"{field} must be a finite number >= 0")


def validate_case(case: object) -> None:
    """Raise ``ValueError`` naming the case id if ``case`` does not follow the schema."""
    if not isinstance(case, dict):
        _fail(None, f"expected an object, got {type(case).__name__}")
    case_id = case.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        _fail(case_id, "id must be a non-empty string")
    kind = case.get("type")
    if kind not in _FIELDS:
        _fail(case_id, f"type must be one of {', '.join(TYPES)}, got {kind!r}")
    required, optional = _FIELDS[kind]
    missing = sorted(({"capability", "expect"} | required) - case.keys())
    if missing:
        _fail(case_id, f"missing field(s) {', '.join(missing)}")
    unknown = sorted(case.keys() - _COMMON - required - optional)
    if unknown:
        _fail(case_id, f"unknown field(s) {', '.join(unknown)}")
    _check_text(case_id, "capability", case["capability"])
    if case["expect"] not in _EXPECT[kind]:
        _fail(case_id, f"expect must be one of {sorted(_EXPECT[kind])}, got {case['expect']!r}")
    if kind == "mft":
        _check_text(case_id, "text", case["text"])
    elif kind == "dir":
        _check_text(case_id, "original", case["original"])
        _check_text(case_id, "variant", case["variant"])
        if case["original"] == case["variant"]:
            _fail(case_id, "original and variant are identical")
        if case["perturbation"] not in PERTURBATIONS:
            _fail(case_id, f"perturbation must be one of {', '.join(PERTURBATIONS)}")
        if "margin" in case:
            _check_number(case_id, "margin", case["margin"])
    elif kind == "inv":
        _check_sentences(case_id, "texts", case["texts"], 2)
        if len(set(case["texts"])) != len(case["texts"]):
            _fail(case_id, "texts must be distinct")
        if case.get("tolerance") is not None:
            _check_number(case_id, "tolerance", case["tolerance"])
    elif kind == "page":
        _check_text(case_id, "target", case["target"])
        _check_sentences(case_id, "page", case["page"], 2)
        if case["page"].count(case["target"]) != 1:
            _fail(case_id, "target must appear exactly once in page")
    else:
        _check_text(case_id, "target", case["target"])
        for field in ("claim_doc", "evidence_doc"):
            _check_sentences(case_id, field, case[field], 2)
            if case[field].count(case["target"]) != 1:
                _fail(case_id, f"target must appear exactly once in {field}")
        if "margin" in case:
            _check_number(case_id, "margin", case["margin"])


def _validate_all(cases: Sequence[object]) -> None:
    seen: set[str] = set()
    for case in cases:
        validate_case(case)
        if case["id"] in seen:
            _fail(case["id"], "duplicate id")
        seen.add(case["id"])


def load_cases(path: Path | None = None) -> list[dict]:
    """Read and validate the suite (default: ``tests/behaviour/cases.json`` in the repo)."""
    path = DEFAULT_CASES if path is None else Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ValueError(f"{path}: expected an object with a 'cases' list")
    cases = data["cases"]
    _validate_all(cases)
    return cases


def _as_scores(values: Sequence[float], expected: int, what: str) -> np.ndarray:
    scores = np.asarray(values, dtype=float).reshape(-1)
    if scores.shape[0] != expected:
        raise ValueError(f"{what} returned {scores.shape[0]} scores for {expected} inputs")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{what} returned a non-finite score")
    return scores


def _sentences(case: dict) -> list[str]:
    if case["type"] == "mft":
        return [case["text"]]
    if case["type"] == "dir":
        return [case["original"], case["variant"]]
    if case["type"] == "inv":
        return list(case["texts"])
    return []


def _check(case: dict, score: dict[str, float], threshold: float) -> tuple[bool, str, dict]:
    """Whether one sentence-level case passes, a one-line detail, and the scores used."""
    kind = case["type"]
    if kind == "mft":
        s = score[case["text"]]
        high = s >= threshold
        ok = high if case["expect"] == "high" else not high
        sign = ">=" if high else "<"
        return ok, f"score {s:.3f} {sign} threshold {threshold:.3f}", {"score": round(s, 4)}
    if kind == "dir":
        orig, var = score[case["original"]], score[case["variant"]]
        margin = float(case.get("margin", 0.0))
        ok = orig - var > margin
        detail = f"original {orig:.3f}, variant {var:.3f}, drop {orig - var:+.3f} (need > {margin})"
        return ok, detail, {"original": round(orig, 4), "variant": round(var, 4)}
    values = [score[t] for t in case["texts"]]
    sides = {v >= threshold for v in values}
    spread = max(values) - min(values)
    tolerance = case.get("tolerance")
    ok = len(sides) == 1 and (tolerance is None or spread <= tolerance)
    detail = f"{sum(v >= threshold for v in values)}/{len(values)} high, spread {spread:.3f}"
    if tolerance is not None:
        detail += f" (tolerance {tolerance})"
    return ok, detail, {"scores": [round(v, 4) for v in values]}


def _check_doc(
    case: dict, claim: Sequence[float], evidence: Sequence[float]
) -> tuple[bool, str, dict]:
    """Whether a doc case passes: the target scores higher in the claim document."""
    s_claim = float(claim[case["claim_doc"].index(case["target"])])
    s_evidence = float(evidence[case["evidence_doc"].index(case["target"])])
    margin = float(case.get("margin", 0.0))
    ok = s_claim - s_evidence > margin
    detail = f"in claim doc {s_claim:.3f}, in evidence doc {s_evidence:.3f} (need > {margin})"
    return ok, detail, {"claim_doc": round(s_claim, 4), "evidence_doc": round(s_evidence, 4)}


def _check_page(case: dict, s: float, threshold: float) -> tuple[bool, str, dict]:
    """Whether a page case passes: the target, read with its page, on the expected side."""
    high = s >= threshold
    ok = high if case["expect"] == "high" else not high
    sign = ">=" if high else "<"
    return ok, f"on its page {s:.3f} {sign} threshold {threshold:.3f}", {"score": round(s, 4)}


def _tally(records: list[dict], key: Callable[[dict], str | None]) -> dict[str, dict]:
    groups: dict[str, list[bool]] = {}
    for record in records:
        name = key(record)
        if name is not None:
            groups.setdefault(name, []).append(record["passed"])
    return {name: _rate(groups[name]) for name in sorted(groups)}


def _rate(passed: list[bool]) -> dict[str, Any]:
    n, k = len(passed), sum(passed)
    return {"n": n, "passed": k, "pass_rate": k / n if n else None}


def _score_documents(
    score_documents: DocumentScorer, doc_cases: list[dict], page_cases: list[dict]
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, float]]:
    """One call for every document: each doc case's two documents, then each page."""
    docs = [list(case[field]) for case in doc_cases for field in ("claim_doc", "evidence_doc")]
    docs += [list(case["page"]) for case in page_cases]
    scored = list(score_documents(docs))
    if len(scored) != len(docs):
        raise ValueError(f"score_documents returned {len(scored)} documents for {len(docs)}")
    arrays = [_as_scores(s, len(d), "score_documents") for s, d in zip(scored, docs, strict=True)]
    pairs = {case["id"]: (arrays[2 * i], arrays[2 * i + 1]) for i, case in enumerate(doc_cases)}
    base = 2 * len(doc_cases)
    pages = {
        case["id"]: float(arrays[base + i][case["page"].index(case["target"])])
        for i, case in enumerate(page_cases)
    }
    return pairs, pages


def run_suite(
    score_sentences: SentenceScorer,
    threshold: float,
    score_documents: DocumentScorer | None = None,
    cases: list[dict] | None = None,
) -> dict:
    """Score every case (one batched call per scorer) and tally passes.

    ``doc`` and ``page`` cases need ``score_documents`` and are skipped without it.

    Returns ``n``, ``passed``, ``pass_rate`` over the cases run, ``by_type`` (every type,
    with a ``skipped`` count), ``by_capability``, ``by_subtype`` (mft expectation and dir
    perturbation), ``skipped`` ids and ``failures`` in case order.
    """
    cases = load_cases() if cases is None else cases
    _validate_all(cases)
    threshold = float(threshold)
    unique = list(dict.fromkeys(t for case in cases for t in _sentences(case)))
    values = _as_scores(score_sentences(unique), len(unique), "score_sentences") if unique else []
    score = {text: float(v) for text, v in zip(unique, values, strict=True)}

    doc_cases = [case for case in cases if case["type"] == "doc"]
    page_cases = [case for case in cases if case["type"] == "page"]
    doc_scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    page_scores: dict[str, float] = {}
    if score_documents and (doc_cases or page_cases):
        doc_scores, page_scores = _score_documents(score_documents, doc_cases, page_cases)

    records: list[dict] = []
    skipped: list[str] = []
    for case in cases:
        if case["type"] in _DOCUMENT_TYPES and score_documents is None:
            skipped.append(case["id"])
            continue
        if case["type"] == "doc":
            ok, detail, scores = _check_doc(case, *doc_scores[case["id"]])
        elif case["type"] == "page":
            ok, detail, scores = _check_page(case, page_scores[case["id"]], threshold)
        else:
            ok, detail, scores = _check(case, score, threshold)
        records.append({"case": case, "passed": bool(ok), "detail": detail, "scores": scores})

    by_type = {}
    for kind in TYPES:
        done = [r["passed"] for r in records if r["case"]["type"] == kind]
        left = sum(1 for c in cases if c["type"] == kind and c["id"] in skipped)
        by_type[kind] = {**_rate(done), "skipped": left}

    def subtype(record: dict) -> str | None:
        case = record["case"]
        if case["type"] in ("mft", "page"):
            return f"{case['type']}:{case['expect']}"
        if case["type"] == "dir":
            return f"dir:{case['perturbation']}"
        return None

    failures = []
    for r in records:
        if r["passed"]:
            continue
        case = r["case"]
        failures.append(
            {
                "id": case["id"],
                "type": case["type"],
                "capability": case["capability"],
                "detail": r["detail"],
                "scores": r["scores"],
                "text": _headline(case),
            }
        )
    return {
        **_rate([r["passed"] for r in records]),
        "threshold": threshold,
        "by_type": by_type,
        "by_subtype": _tally(records, subtype),
        "by_capability": _tally(records, lambda r: r["case"]["capability"]),
        "skipped": skipped,
        "failures": failures,
    }


def _headline(case: dict) -> str:
    """The sentence a reader needs to see for a failed case."""
    if case["type"] == "mft":
        return case["text"]
    if case["type"] == "dir":
        return f"{case['original']} -> {case['variant']}"
    if case["type"] == "inv":
        return " | ".join(case["texts"])
    return case["target"]


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


def render_markdown(result: dict, title: str, max_failures: int = 10) -> str:
    """A compact Markdown report: pass rates by type (and subtype) plus the first failures."""
    lines = [f"## {title}", ""]
    lines.append(
        f"Threshold {result['threshold']:.4f}: {result['passed']} of {result['n']} cases passed "
        f"({_pct(result['pass_rate'])})."
    )
    if result["skipped"]:
        lines.append(f"Skipped {len(result['skipped'])} doc cases (no document scorer).")
    lines += ["", "| type | n | passed | pass rate |", "|---|---:|---:|---:|"]
    for kind, row in result["by_type"].items():
        rate = _pct(row["pass_rate"]) if row["n"] else f"skipped ({row['skipped']})"
        lines.append(f"| {kind} | {row['n']} | {row['passed']} | {rate} |")
        for name, sub in result["by_subtype"].items():
            if name.startswith(f"{kind}:"):
                label = name.split(":", 1)[1]
                lines.append(
                    f"| &nbsp;&nbsp;{kind} {label} | {sub['n']} | {sub['passed']} | "
                    f"{_pct(sub['pass_rate'])} |"
                )
    lines.append(f"| **all** | {result['n']} | {result['passed']} | {_pct(result['pass_rate'])} |")
    failures = result["failures"]
    if failures:
        shown = min(max_failures, len(failures))
        lines += ["", f"First {shown} of {len(failures)} failures:", ""]
        for f in failures[:shown]:
            text = f["text"] if len(f["text"]) <= 160 else f["text"][:157] + "..."
            lines.append(f"- `{f['id']}` ({f['capability']}): {f['detail']} — {text}")
    return "\n".join(lines) + "\n"


def _context_free(score_sentences: SentenceScorer) -> DocumentScorer:
    """A document scorer that scores each sentence on its own (one batched call)."""

    def score_documents(docs: list[list[str]]) -> list[list[float]]:
        flat = [s for doc in docs for s in doc]
        values = iter(_as_scores(score_sentences(flat), len(flat), "score_sentences").tolist())
        return [[next(values) for _ in doc] for doc in docs]

    return score_documents


def main(argv: list[str] | None = None) -> int:
    """Run the suite against the shipped model and print Markdown (or JSON)."""
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.evaluation.behaviour",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--cases", type=Path, default=None, help="cases file (default: shipped)")
    parser.add_argument(
        "--sentence-only",
        action="store_true",
        help="score doc cases with each sentence on its own (no document context)",
    )
    parser.add_argument(
        "--model",
        default=None,
        metavar="NAME|DIR",
        help="fast (default), semantic, cascade, or a model folder",
    )
    args = parser.parse_args(argv)

    from functools import partial

    from claim_risk import ModelError, load_model, score_documents, score_sentences

    try:
        model = load_model(args.model)
    except ModelError as exc:
        print(f"behaviour: {exc}", file=sys.stderr)
        return EXIT_MODEL
    alone = partial(score_sentences, model_dir=model)
    in_documents = partial(score_documents, model_dir=model)
    result = run_suite(
        alone,
        model.threshold,
        score_documents=_context_free(alone) if args.sentence_only else in_documents,
        cases=load_cases(args.cases),
    )
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_markdown(result, f"Behavioural suite: {model.name} model"))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
