"""reports/README.md has one writer, which renders it from the JSON files of reports/."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from claim_risk.training.bench.peers import CONTENDERS, RATIOS
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


def _bench_with_end_to_end() -> dict:
    """The shipped benchmark.json, with an ``end_to_end`` result if it has none yet."""
    bench = json.loads((ROOT / "reports" / "benchmark.json").read_text())
    rate = {"median": 2.0, "low": 1.0, "high": 3.0}
    bench.setdefault(
        "end_to_end",
        {
            "sentences": 10,
            "rounds": 2,
            "fasttext": "installed",
            "sentences_per_s": dict.fromkeys(CONTENDERS, rate),
            "ratios": dict.fromkeys(RATIOS, rate),
        },
    )
    return bench


def test_the_speed_figures_of_the_project_readme_are_rewritten_between_the_markers(
    tmp_path: Path,
) -> None:
    from claim_risk.training.evaluation.report import write_speed_summary
    from claim_risk.training.evaluation.sections import SPEED_MARKERS, speed_summary

    bench = _bench_with_end_to_end()
    path = tmp_path / "benchmark.json"
    path.write_text(json.dumps(bench))
    start, end = SPEED_MARKERS
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n## Speed\n\nintro\n\n{start}\nold figures 1x\n{end}\n\nafter\n")
    write_speed_summary(path, readme)
    text = readme.read_text()
    assert text == f"# x\n\n## Speed\n\nintro\n\n{start}\n{speed_summary(bench)}{end}\n\nafter\n"
    assert "the peer" in text and "(target: 2x for both)" in text
    write_speed_summary(path, readme)
    assert readme.read_text() == text  # idempotent


def test_a_readme_without_the_markers_is_refused_untouched(tmp_path: Path) -> None:
    import pytest
    from claim_risk.training.evaluation.report import write_speed_summary

    readme = tmp_path / "README.md"
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="speed:start"):
        write_speed_summary(ROOT / "reports" / "benchmark.json", readme)
    assert readme.read_text() == "no markers"


def test_the_bench_section_shows_the_end_to_end_rows() -> None:
    from claim_risk.training.evaluation.sections import bench_section

    text = bench_section(_bench_with_end_to_end())
    assert "end to end from raw documents" in text and "≥ 2x the peer" in text


def test_only_a_run_with_new_inputs_for_every_repeat_is_said_to_have_them() -> None:
    from claim_risk.training.evaluation.sections import bench_section, speed_summary

    old = {k: v for k, v in _bench_with_end_to_end().items() if k != "fresh_inputs"}
    new = {**old, "fresh_inputs": True}
    assert "predates" in speed_summary(old) and "predates" in bench_section(old)
    assert "new ones for every run" not in speed_summary(old)
    assert "predates" not in speed_summary(new) + bench_section(new)
    assert "new ones for every run" in speed_summary(new)
