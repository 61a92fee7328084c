"""The figures the README quotes are the ones `make train` wrote.

The README is written for the shipped model, whose training data hash it
records. Its exact figures and example scores are checked strictly against
that model. A user who adds labels in `labels/user/` and retrains gets a model
of their own: those checks then skip, saying why, instead of failing `make test`
(issue 12, point 9). A retrained model without user labels (the team's own
retrain) must come with an updated README: that still fails until it does.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDED = re.compile(r"training data SHA-256 `([0-9a-f]{64})`")
EXAMPLE = ROOT / "examples" / "example.txt"


def model_mismatch(readme: str, metadata: dict, user_dir: Path) -> str | None:
    """Why the README's figures cannot be checked against this model, or None when they can.

    Fails (AssertionError) when the README records no hash, or when the model
    differs from the recorded one without user labels to explain it.
    """
    found = RECORDED.search(re.sub(r"\s+", " ", readme))
    assert found, "README.md should record the training data SHA-256 of the shipped model"
    recorded, actual = found.group(1), metadata.get("training_data_sha256")
    if actual == recorded:
        return None
    users = sorted(p.name for p in user_dir.glob("*.csv")) if user_dir.is_dir() else []
    assert users, (
        f"model/artifacts was trained on data {str(actual)[:12]}…, README.md was written for "
        f"{recorded[:12]}…: update README.md's figures, examples and recorded hash after "
        "'make train'"
    )
    return (
        f"README.md describes the shipped model (training data {recorded[:12]}…); this model "
        f"was retrained with your labels in labels/user/ ({', '.join(users)}), so the README's "
        "exact figures are not compared (a checkout without labels/user/*.csv checks them)"
    )


@pytest.fixture
def shipped_model() -> None:
    """Skip, with the reason, when the model in model/artifacts is a user's retrained one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    meta = json.loads((ROOT / "model" / "artifacts" / "metadata.json").read_text())
    reason = model_mismatch(readme, meta, ROOT / "labels" / "user")
    if reason:
        pytest.skip(reason)


def test_model_mismatch_is_strict_for_the_team_and_skips_for_users(tmp_path: Path) -> None:
    readme = "Figures for the shipped model (training data SHA-256 `" + "a" * 64 + "`)."
    users = tmp_path / "user"
    assert model_mismatch(readme, {"training_data_sha256": "a" * 64}, users) is None
    with pytest.raises(AssertionError, match=r"update README\.md"):
        model_mismatch(readme, {"training_data_sha256": "b" * 64}, users)
    users.mkdir()
    (users / "my_pages.csv").write_text("id\n")
    reason = model_mismatch(readme, {"training_data_sha256": "b" * 64}, users)
    assert reason and "my_pages.csv" in reason
    assert model_mismatch(readme, {"training_data_sha256": "a" * 64}, users) is None
    with pytest.raises(AssertionError, match="should record"):
        model_mismatch("no hash here", {"training_data_sha256": "a" * 64}, users)


def test_readme_records_the_shipped_training_data() -> None:
    """On a checkout without user labels, the recorded hash is the labels file's."""
    from claim_risk.training.data.sentences import SENTENCES, USER_DIR, file_sha256

    if USER_DIR.is_dir() and any(USER_DIR.glob("*.csv")):
        pytest.skip("labels/user/ holds user labels; the shipped hash covers sentences.csv only")
    found = RECORDED.search(re.sub(r"\s+", " ", (ROOT / "README.md").read_text("utf-8")))
    assert found and found.group(1) == file_sha256(SENTENCES)


def test_readme_quotes_current_metrics(shipped_model: None) -> None:
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


def test_readme_quotes_current_tier_figures(shipped_model: None) -> None:
    """The fast / semantic / cascade table of the README is the one of metrics.json."""
    text = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    m = json.loads((ROOT / "reports" / "metrics.json").read_text())
    sem = m["semantic"]
    casc = sem["cascade"]

    def row(name: str, t: dict) -> str:
        return (
            f"| {name} | {t['seed_cv']['roc_auc']:.3f} | {t['topic_heldout']['roc_auc']:.3f} | "
            f"{t['behaviour']['with_context']['pass_rate']:.1%} |"
        )

    for phrase in (
        row("fast", m),
        row("semantic", sem),
        row(f"cascade (cut {casc['cut']:g})", casc),
        f"it re-scored {casc['rescored_share']:.0%}",
    ):
        assert phrase in text, f"README.md should say {phrase!r}: update it after 'make train'"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make train" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_speed_figures_are_those_make_bench_wrote() -> None:
    """Every figure of the README's *Speed* section is rendered from reports/benchmark.json
    (by ``write_speed_summary``, which ``make bench`` calls), and none is written by hand."""
    from claim_risk.training.evaluation.sections import SPEED_MARKERS, speed_summary

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    b = json.loads((ROOT / "reports" / "benchmark.json").read_text())
    start, end = SPEED_MARKERS
    block = readme.split(start + "\n", 1)[1].split(end, 1)[0]
    assert block == speed_summary(b), "README.md's speed figures are stale: run make bench"
    section = readme.split("## Speed\n", 1)[1].split("\n## ", 1)[0]
    outside = section.replace(block, "")
    assert not re.search(r"\d[\d,.]*\s*(?:sentences/s|x\b|s\b|MiB|MB/s)", outside), outside


def test_readme_predict_examples_are_real_output(shipped_model: None) -> None:
    """The README's predict examples are what the shipped model prints for that text."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = EXAMPLE.read_text(encoding="utf-8")
    table = subprocess.run(
        [sys.executable, "-m", "claim_risk.frontends.cli"],
        input=example.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for line in table.splitlines()[1:]:
        assert line in readme, f"README.md predict example is stale: {line!r}"
    csv_out = subprocess.run(
        [sys.executable, "-m", "claim_risk.frontends.cli", "--format", "csv", "--only-flagged"],
        input=example.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert csv_out in readme, "README.md CSV example is stale"


def test_readme_adapt_walkthrough_is_real_output(tmp_path: Path, shipped_model: None) -> None:
    """Steps 1 and 2 of the walkthrough print what the README shows, on the shipped examples."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = tmp_path / "user" / "my_pages.csv"
    cmd = [sys.executable, "-m", "claim_risk.training.adapt"]
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


def test_readme_lift_example_is_real_output(shipped_model: None) -> None:
    """Step 4 of the walkthrough: `lift` on the labelled example prints what the README shows."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = "examples/adapt/my_pages_labelled.csv"
    run = subprocess.run(
        [sys.executable, "-m", "claim_risk.training.adapt", "lift", example],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    first, *rest = run.stdout.rstrip("\n").splitlines()
    assert first.split(" tier, ", 1)[1] in readme  # the tier is whichever is installed
    assert rest and "\n".join(rest) in readme, "README.md lift example is stale"


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


def _console_examples(readme: str) -> list[tuple[str, str]]:
    """(command, expected output) of every ```console block that runs predict."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", readme, flags=re.S):
        lines = block.splitlines()
        if lines and lines[0].startswith("$ ") and ".venv/bin/predict" in lines[0]:
            examples.append((lines[0][2:], "\n".join(lines[1:]) + "\n"))
    return examples


def test_readme_every_predict_example_reproduces(shipped_model: None) -> None:
    """Each `$ ... predict ...` block prints exactly what follows it, run as written from the root.

    The files they read are shipped (examples/example.txt), so a fresh clone runs them too.
    """
    import subprocess
    import sys

    predict = Path(sys.executable).parent / "predict"
    examples = _console_examples((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(examples) >= 6
    for command, expected in examples:
        res = subprocess.run(
            ["bash", "-c", command.replace(".venv/bin/predict", str(predict))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0, (command, res.stderr)
        assert res.stdout.rstrip("\n") + "\n" == expected, f"README example is stale: {command}"


def test_readme_lists_every_make_target() -> None:
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.M)
    assert "adapt-curve" in targets and "venv" in targets
    for target in targets:
        if target != "help":
            assert f"`{target}`" in readme, f"README.md's target list lacks {target}"


def test_readme_python_session_is_real_output(shipped_model: None) -> None:
    """Every ``>>>`` session of the README runs and prints what it shows (doctest)."""
    import doctest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sessions = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if ">>>" in b]
    assert sessions
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(verbose=False)
    for i, block in enumerate(sessions):
        runner.run(parser.get_doctest(block, {}, f"README session {i}", "README.md", 0))
    failed, attempted = runner.summarize(verbose=False)
    assert attempted and not failed, "a README >>> example is stale: run it and update README.md"


def test_readme_quotes_the_encoder_comparison() -> None:
    """The numpy-or-torch choice of the semantic tier, as reports/encoder_bench.json measured it."""
    readme = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    b = json.loads((ROOT / "reports" / "encoder_bench.json").read_text())
    npy, st = b["engines"]["numpy"], b["engines"]["sentence-transformers"]
    sizes = b["install_sizes"]
    for phrase in (
        f"({npy['throughput']['sentences_per_s']:.0f} against "
        f"{st['throughput']['sentences_per_s']:.0f} sentences/s on 2 cores)",
        f"an import of {npy['cold_start']['import_s']:.2f} s against "
        f"{st['cold_start']['import_s']:.2f} s",
        f"a peak of {npy['cold_start']['peak_rss_mb']:.0f} MB against "
        f"{st['cold_start']['peak_rss_mb']:.0f} MB",
        f"{sizes['lean']['semantic_pieces_mb']:.1f} MB of packages against a site-packages of "
        f"{sizes['torch']['site_packages_mb']:,.1f} MB",
    ):
        assert phrase in readme, f"README.md should say {phrase!r}"


def _section(readme: str, title: str) -> str:
    """The text of the README section under ``title`` (to the next heading of any level)."""
    start = readme.index(f"\n{title}\n")
    nxt = re.search(r"\n#{1,6} ", readme[start + len(title) + 2 :])
    return readme[start : start + len(title) + 2 + (nxt.start() if nxt else len(readme))]


def _quick_start_commands(readme: str) -> list[tuple[str, str]]:
    """(command, comment) of each line of the quick start's ```sh block."""
    block = re.search(r"```sh\n(.*?)```", _section(readme, "## Quick start"), flags=re.S)
    assert block, "the quick start should show its commands in a ```sh block"
    lines = []
    for line in block.group(1).splitlines():
        command, _, comment = line.partition("#")
        lines.append((command.strip(), comment.strip()))
    return lines


def test_quick_start_commands_exist_say_what_they_do_and_run() -> None:
    """Each command is commented, each make target exists, each predict line runs as written.

    The make targets themselves are what CI runs (`make test`) or too slow for a test
    (`make train`); their durations are the quick start's measured figures.
    """
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _quick_start_commands(readme)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.M))
    ran = []
    for command, comment in commands:
        assert comment, f"the quick start should say what {command!r} does"
        if command.startswith("make "):
            assert command.split()[1] in targets, f"no make target for {command!r}"
            continue
        assert command.startswith(".venv/bin/predict "), f"unexpected command {command!r}"
        bin_dir = str(Path(sys.executable).parent)
        res = subprocess.run(
            ["bash", "-c", command.replace(".venv/bin", bin_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0 and res.stderr == "", (command, res.stderr)
        assert "sentences flagged" in res.stdout, (command, res.stdout)
        ran.append((command, res.stdout))
    assert [c.split()[1] for c, _ in commands if c.startswith("make ")][:1] == ["venv"]
    assert {"make test", "make train"} <= {c for c, _ in commands}
    page = next(out for command, out in ran if command.endswith(".html"))
    assert "Our herbal calm drops cure anxiety" in page
    for boilerplate in ("Home | Shop | Cart", "All rights reserved.", "Free shipping"):
        assert boilerplate not in page, "the shop page should be read through trafilatura"


def test_quick_start_says_how_long_and_where_measured() -> None:
    text = re.sub(r"\s+", " ", _section((ROOT / "README.md").read_text("utf-8"), "## Quick start"))
    assert "measured on this 2-core machine" in text
    for command in ("make venv", "make test", "predict"):
        assert re.search(rf"`[^`]*{command}[^`]*`[^;]*?\d+(\.\d+)? (s|min)\b", text), (
            f"the quick start should say how long `{command}` took here"
        )


def test_readme_exit_statuses_are_the_implemented_ones(tmp_path: Path) -> None:
    """Each status the README lists is the one `predict` returns for that case."""
    import os
    import subprocess
    import sys

    text = re.sub(
        r"\s+",
        " ",
        _section((ROOT / "README.md").read_text("utf-8"), "### Other options and exit status"),
    )
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "trafilatura.py").write_text("raise ImportError('broken')\n")
    page = ["--file", str(ROOT / "examples" / "shop.html")]
    broken = {"PYTHONPATH": str(tmp_path / "fake")}
    url = "https://example.com/p.html"
    cases = [
        ("0 success", ["Garlic cures flu."], {}),
        ("1 internal error (a bug, or a broken install: HTML input when trafilatura", page, broken),
        ("2 usage error (a URL given as a text argument among them)", [url], {}),
        ("3 missing or unreadable file (a URL given to `--file` among them,", ["--file", url], {}),
        ("3 missing or unreadable file", ["--file", str(tmp_path / "missing.txt")], {}),
        ("4 folder with nothing to read", ["--file", str(tmp_path / "empty")], {}),
        ("5 input not valid text", ["--file", str(tmp_path / "blob.txt")], {}),
        ("6 empty input", ["--file", str(tmp_path / "blank.txt")], {}),
        ("7 model missing, corrupt or incompatible", ["x", "--model", str(tmp_path / "empty")], {}),
    ]
    cmd = [sys.executable, "-m", "claim_risk.frontends.cli"]
    pipes = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    running = [
        (phrase, subprocess.Popen([*cmd, *args], env={**os.environ, **env}, **pipes))
        for phrase, args, env in cases
    ]
    for phrase, proc in running:
        _, err = proc.communicate(timeout=120)
        assert phrase in text, f"README.md's exit statuses should say {phrase!r}"
        assert proc.returncode == int(phrase.split()[0]), (phrase, err.decode())
        assert b"Traceback" not in err
