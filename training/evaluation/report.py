"""The writers of ``reports/``: ``metrics.json``, ``oof.csv``, the figures and ``README.md``.

Each file has one writer here. ``write_reports`` writes a training run's files;
``write_readme`` is the only function that writes ``reports/README.md``: it
renders it (``claim_risk.training.evaluation.render``) from ``metrics.json`` and
the JSON files of the benchmarks and the adaptation curve, which those commands
write and then call it. The figures are drawn by
``claim_risk.training.evaluation.plots``; the model folder is the exporter's
(``claim_risk.training.fit.export``). ``python -m claim_risk.training.evaluation.report``
rebuilds the README and the figures from ``metrics.json`` and ``oof.csv``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..config import OOF_FILE, REPORTS, ROOT, SENTENCES, SOURCES, USER_DIR
from ..data.labelled import LabelledSet
from ..fit.oof import OutOfFold
from ..fit.save import dump_json, replace_files, rounded
from . import render
from .plots import draw_training_figures
from .sections import SECTIONS, SPEED_MARKERS, speed_summary

__all__ = [
    "METRICS_FILE",
    "PROJECT_README",
    "README_FILE",
    "metrics_json",
    "write_readme",
    "write_reports",
    "write_speed_summary",
]

METRICS_FILE = "metrics.json"
README_FILE = "README.md"
PROJECT_README = ROOT / README_FILE
"""The project's README, whose *Speed* figures (between ``SPEED_MARKERS``) are written here."""


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


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_readme(
    reports: Path, *, into: Path | None = None, inputs: Mapping[str, Path] | None = None
) -> Path:
    """Render ``README.md`` from the JSON files of ``reports`` and write it; returns its path.

    ``inputs`` names files to read instead of their namesakes in ``reports``
    (a run's files not yet moved in); ``into`` is the folder to write to
    (default ``reports``). The file is replaced atomically.
    """
    inputs = inputs or {}
    names = [METRICS_FILE, *(name for name, *_ in SECTIONS)]
    found = {name: _read_json(inputs.get(name, reports / name)) for name in names}
    metrics = found.pop(METRICS_FILE)
    text = render.readme(metrics, {k: v for k, v in found.items() if v is not None})
    folder = into if into is not None else reports
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{README_FILE}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / README_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return folder / README_FILE


def write_speed_summary(bench: Path, readme: Path = PROJECT_README) -> Path:
    """Replace the figures of ``readme``'s *Speed* section with those of ``bench`` (a
    ``benchmark.json``), between ``SPEED_MARKERS``; the rest of the file is kept."""
    text = readme.read_text(encoding="utf-8")
    start, end = SPEED_MARKERS
    head, found, rest = text.partition(start + "\n")
    _, found_end, tail = rest.partition(end)
    if not (found and found_end):
        raise ValueError(f"{readme} has no {start} ... {end} block to write the figures into")
    block = speed_summary(json.loads(bench.read_text(encoding="utf-8")))
    fd, tmp = tempfile.mkstemp(prefix=f".{readme.name}.", dir=readme.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{head}{start}\n{block}{end}{tail}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, readme)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return readme


def _figures(out: Path, metrics: dict, data: LabelledSet, oof: OutOfFold) -> list[str]:
    """Draw the run's figures into ``out`` from the kept metrics and scores."""
    return draw_training_figures(
        out,
        data.y,
        data.origin,
        oof.doc_context,
        oof.topic_context,
        metrics["threshold"],
        metrics.get("learning_curve"),
    )


def write_reports(
    staged: Path, metrics: dict, data: LabelledSet, oof: OutOfFold, reports: Path
) -> None:
    """Write a training run's report files into ``staged``, to replace those of ``reports``.

    ``metrics`` is ``metrics_json``'s output; the out-of-fold scores are kept
    at the file's precision before anything is drawn from them, so
    ``python -m claim_risk.training.evaluation.report`` rebuilds the same
    files from ``reports/`` alone.
    """
    kept = oof.kept()
    dump_json(metrics, staged / METRICS_FILE)
    kept.save(staged / OOF_FILE, data.ids)
    _figures(staged, metrics, data, kept)
    write_readme(reports, into=staged, inputs={METRICS_FILE: staged / METRICS_FILE})


def main(argv: list[str] | None = None) -> int:
    """Rebuild reports/ from its metrics.json and oof.csv (``python -m`` this module)."""
    import argparse
    import sys

    from ..data.sentences import LabelError, load_labels

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
        metrics = json.loads((args.reports / METRICS_FILE).read_text(encoding="utf-8"))
        oof = OutOfFold.load(args.reports / OOF_FILE, data.ids)
    except (OSError, ValueError, LabelError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    with replace_files(args.reports) as staged:
        _figures(staged, metrics, data, oof)
        write_readme(args.reports, into=staged)
    print(f"report: rebuilt {args.reports / README_FILE} and its figures", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
