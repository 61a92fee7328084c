"""The figures the README quotes are the ones `make train` wrote."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_quotes_current_metrics() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = json.loads((ROOT / "reports" / "metrics.json").read_text())
    seed, ci = m["seed_cv"], m["seed_cv_detail"]["ci95"]["roc_auc"]
    expected = [
        f"ROC-AUC **{seed['roc_auc']:.3f}**",
        f"(95% interval {ci[0]:.3f}–{ci[1]:.3f})",
        f"PR-AUC {seed['pr_auc']:.3f}, F1 {seed['f1']:.3f}",
        f"keyword lexicon gets ROC-AUC {m['baselines']['seed']['lexicon']['roc_auc']:.3f}",
        f"ROC-AUC {m['topic_heldout']['roc_auc']:.3f}",
        f"threshold ({m['threshold']}",
    ]
    text = re.sub(r"\s+", " ", readme)
    for phrase in expected:
        assert phrase in text, f"README.md should say {phrase!r}: update it after 'make train'"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make train" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_quotes_current_benchmark() -> None:
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    b = json.loads((ROOT / "reports" / "benchmark.json").read_text())
    s, d, c, f = b["scoring"], b["datasets_map"], b["cold_start"], b["big_file"]
    cores = d["cores"]
    expected = [
        f"`score_sentences`: {s['score_sentences_per_s']['median']:,.0f} sentences/s",
        f"end to end (segmentation + scoring): {s['end_to_end_sentences_per_s']['median']:,.0f}",
        f"{d[f'num_proc_{cores}']['sentences_per_s']['median']:,.0f} sentences/s, "
        f"a {d['speedup']:.2f}x speed-up",
        f'`predict "one sentence"`: {c["predict_one_sentence"]["median_s"]:.2f} s cold, '
        f"against {c['import_sklearn']['median_s']:.2f} s",
        f"{f['50mb']['median_s']:.1f} s, peak memory {f['50mb']['peak_rss_mib']:.0f} MiB "
        f"({f['1mb']['peak_rss_mib']:.0f} MiB for 1 MB)",
    ]
    for phrase in expected:
        assert phrase in readme, f"README.md should say {phrase!r}: update it after 'make bench'"


def test_readme_predict_examples_are_real_output() -> None:
    """The README's predict examples are what the shipped model prints for that text."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (
        "Safety for the baby.\n"
        "Ketamine is not passed through breast milk, so breastfeeding can be continued without "
        "risk.\n"
        "However, it is imperative to consult healthcare professionals before incorporating "
        "kratom into your treatment plan.\n"
    )
    table = subprocess.run(
        [sys.executable, "-m", "model.cli"], input=example.encode(), capture_output=True, check=True
    ).stdout.decode()
    for line in table.splitlines()[1:]:
        assert line in readme, f"README.md predict example is stale: {line!r}"
    csv_out = subprocess.run(
        [sys.executable, "-m", "model.cli", "--format", "csv", "--only-flagged"],
        input=example.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert csv_out in readme, "README.md CSV example is stale"


def test_readme_adapt_walkthrough_is_real_output(tmp_path: Path) -> None:
    """Steps 1 and 2 of the walkthrough print what the README shows, on the shipped examples."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = tmp_path / "user" / "my_pages.csv"
    cmd = [sys.executable, "-m", "training.adapt"]
    extract = subprocess.run(
        [*cmd, "extract", "examples/adapt/my_pages/", "--out", str(out), "--topic", "my_site"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in extract.stderr.splitlines():
        if line.startswith("extract: "):
            assert line in readme, f"README.md adapt walkthrough is stale: {line!r}"
    suggest = subprocess.run([*cmd, "suggest", str(out), "--n", "6"], cwd=ROOT,
                             capture_output=True, text=True, check=True)  # fmt: skip
    assert suggest.stdout.strip() and suggest.stdout.rstrip("\n") in readme
    example = ROOT / "examples" / "adapt" / "my_pages_labelled.csv"
    labelled = {r["id"] for r in csv.DictReader(example.open(encoding="utf-8"))}
    assert labelled == {r["id"] for r in csv.DictReader(out.open(encoding="utf-8"))}


def test_readme_quotes_current_spark_benchmark() -> None:
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    rates = json.loads((ROOT / "reports" / "bench_spark.json").read_text())["sentences_per_s"]
    expected = [
        f"`local[2]` at about {round(rates['spark_noop']['median'], -3):,.0f} sentences/s",
        f"against {round(rates['one_process']['median'], -3):,.0f} for one plain process",
    ]
    for phrase in expected:
        assert phrase in readme, (
            f"README.md should say {phrase!r}: update it after 'make bench-spark'"
        )
