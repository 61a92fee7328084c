"""reports/README.md has one writer, which renders it from the JSON files of reports/."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from claim_risk.training.evaluation import render
from claim_risk.training.evaluation.report import README_FILE, write_readme
from claim_risk.training.evaluation.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[3]
BLOCK_FILES = [name for name, *_ in SECTIONS]


def tiny_reports(tiny_model: Path, tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(tiny_model / "reports", reports)
    return reports


def test_the_readme_is_the_training_sections_then_each_block(
    tiny_model: Path, tmp_path: Path
) -> None:
    reports = tiny_reports(tiny_model, tmp_path)
    metrics = json.loads((reports / "metrics.json").read_text())
    alone = (reports / README_FILE).read_text()
    assert alone == render.training_report(metrics)
    for name in reversed(BLOCK_FILES):  # written in any order, rendered in one
        shutil.copy(ROOT / "reports" / name, reports / name)
    (reports / README_FILE).write_text("stale, or edited by hand")
    text = write_readme(reports).read_text()
    assert text.startswith(alone)
    starts = [text.index(start) for _, start, _, _ in SECTIONS]
    assert starts == sorted(starts)
    assert write_readme(reports).read_text() == text  # the same JSON files, the same bytes


def test_a_bench_result_written_elsewhere_is_read_from_there(
    tiny_model: Path, tmp_path: Path
) -> None:
    reports = tiny_reports(tiny_model, tmp_path)
    bench = json.loads((ROOT / "reports" / "benchmark.json").read_text())
    bench["machine"]["cpu"] = "a test CPU"
    other = tmp_path / "bench-run.json"
    other.write_text(json.dumps(bench))
    text = write_readme(reports, inputs={"benchmark.json": other}).read_text()
    assert "a test CPU" in text and "<!-- adapt:start -->" not in text


def test_the_shipped_readme_is_rendered_from_the_shipped_jsons(tmp_path: Path) -> None:
    """No labels, no figures: README.md from metrics.json and the block files alone."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("metrics.json", *BLOCK_FILES):
        shutil.copy(ROOT / "reports" / name, reports / name)
    assert write_readme(reports).read_bytes() == (ROOT / "reports" / README_FILE).read_bytes()


def test_no_other_module_names_the_report_readme() -> None:
    """The benchmarks and the adaptation curve write JSON and call ``write_readme``."""
    allowed = {"evaluation/report.py", "data/datasheet.py"}  # datasheet: labels/README.md
    for path in sorted((ROOT / "training").rglob("*.py")):
        rel = path.relative_to(ROOT / "training").as_posix()
        strings = [
            node.value
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
        if rel not in allowed:
            assert not any(s == README_FILE or s.endswith("/README.md") for s in strings), rel
