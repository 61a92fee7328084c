"""`predict` end to end through a subprocess: formats, options and every error path."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import jsonl
from tests.conftest import run_predict as run

DOC = (
    "Safety for the baby.\nKetamine is not passed through breast milk, so breastfeeding can "
    "be continued without risk. Ask your doctor about side effects.\n"
)


def test_stdin_jsonl_has_the_promised_fields() -> None:
    res = run("--format", "jsonl", stdin=DOC)
    assert res.returncode == 0, res.stderr
    records = jsonl(res.stdout)
    assert len(records) == 3
    for i, r in enumerate(records):
        assert set(r) >= {"source", "index", "text", "start", "end", "score", "flagged"}
        assert r["index"] == i and r["source"] == "<stdin>"
        assert DOC[r["start"] : r["end"]] == r["text"]
    assert records[1]["flagged"] and records[1]["score"] > records[2]["score"]


def test_arguments_files_and_csv(tmp_path: Path) -> None:
    f = tmp_path / "page.md"
    f.write_text(DOC, encoding="utf-8")
    res = run("One sentence here.", "--file", str(f), "--format", "csv")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout.decode())))
    assert [r["source"] for r in rows] == ["<arg 1>"] + [str(f)] * 3
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_table_threshold_only_flagged_and_explain() -> None:
    res = run(DOC, "--threshold", "0", "--only-flagged", "--explain", "2")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out.count("!!") == 3 and "up:" in out and "3 of 3 sentences flagged" in out
    res = run(DOC, "--format", "jsonl", "--threshold", "1", "--only-flagged")
    assert res.returncode == 0 and res.stdout == b""


def test_explain_in_jsonl() -> None:
    [first, *_] = jsonl(run(DOC, "--format", "jsonl", "--explain", "3").stdout)
    assert set(first["explain"]) == {"up", "down", "page"}
    assert len(first["explain"]["up"]) <= 3


def test_html_output_contains_every_sentence(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = run(DOC, "--html", str(out), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    records = jsonl(res.stdout)
    assert not any("explain" in r for r in records)  # stdout explains only on request
    sentences = [r["text"] for r in records]
    assert "raises it: " in out.read_text(encoding="utf-8")  # the page explains on hover

    class Spans(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.texts: list[str] = []
            self.inside = False

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "span" and "data-score" in dict(attrs)
            if self.inside:
                self.texts.append("")

        def handle_endtag(self, tag):
            self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.texts[-1] += data

    parser = Spans()
    parser.feed(out.read_text(encoding="utf-8"))
    assert parser.texts == sentences


def test_html_input_is_reduced_to_text(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><nav>Home</nav><article><p>Colloidal silver cures every "
        "infection, guaranteed.</p><p>It is sold online.</p></article>"
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    records = jsonl(run("--file", str(page), "--format", "jsonl").stdout)
    texts = [r["text"] for r in records]
    assert any("Colloidal silver" in t for t in texts)
    assert not any("alert" in t for t in texts)


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["--file", "/no/such/file.txt"], None, 3, "no such file"),
        (["--threshold", "2"], "x", 2, "between 0 and 1"),
        (["--format", "xml"], "x", 2, "invalid choice"),
        ([], "   \n\n", 6, "empty input"),
        ([], b"\xff\xfe\xfa bad bytes", 5, "not valid utf-8"),
    ],
)
def test_errors_are_one_line_with_distinct_status(args, stdin, code, message) -> None:
    res = run(*args, stdin=stdin if stdin is not None else "")
    assert res.returncode == code
    err = res.stderr.decode()
    assert message in err and "Traceback" not in err


def test_empty_directory_and_bad_file_do_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not utf-8")
    good = tmp_path / "good.txt"
    good.write_text(DOC)
    res = run(
        "--file",
        str(tmp_path / "empty"),
        "--file",
        str(bad),
        "--file",
        str(good),
        "--format",
        "jsonl",
    )
    assert res.returncode == 4  # the first failure's status
    assert len(jsonl(res.stdout)) == 3  # the good file was still scored
    err = res.stderr.decode()
    assert "no .txt, .md or .html files" in err and "bad.txt" in err and "Traceback" not in err


def test_missing_or_corrupt_model(tmp_path: Path) -> None:
    res = run("x", "--model", str(tmp_path / "nowhere"))
    assert res.returncode == 7 and "no such folder" in res.stderr.decode()
    from claim_risk.core.artifacts import DEFAULT_DIR

    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_DIR, broken)
    (broken / "model.json").write_bytes(b"garbage")
    res = run("x", "--model", str(broken))
    assert res.returncode == 7 and "SHA-256" in res.stderr.decode()
    assert "Traceback" not in res.stderr.decode()


def test_help_documents_exit_codes() -> None:
    res = run("--help")
    assert res.returncode == 0 and b"exit status" in res.stdout


HEAVY = "('pandas', 'datasets', 'trafilatura', 'sklearn', 'scipy', 'joblib')"


def test_one_sentence_imports_nothing_heavy() -> None:
    code = (
        "import sys; from claim_risk.frontends.cli import main; main(['One sentence.']); "
        f"sys.stderr.write(repr(sorted(m for m in {HEAVY} if sys.modules.get(m) is not None)))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert res.returncode == 0
    assert res.stderr.decode().strip().endswith("[]")


def test_the_api_imports_nothing_heavy() -> None:
    code = (
        "import sys, claim_risk as m; m.score_sentences(['A.']); m.score_texts(['A. B. C.']); "
        "m.score_documents([['A.', 'B.', 'C.']]); m.explain_sentences(['A.']); "
        f"sys.stderr.write(repr(sorted(m for m in {HEAVY} if sys.modules.get(m) is not None)))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stderr.decode().strip().endswith("[]")


def test_version_names_package_and_model() -> None:
    res = run("--version")
    out = res.stdout.decode()
    assert res.returncode == 0 and out.startswith("claim-risk ") and "threshold" in out


def test_csv_output_neutralises_spreadsheet_formulas() -> None:
    res = run('=cmd|"/c calc"!A1 cures cancer.', "--format", "csv")
    assert res.returncode == 0
    assert ",\"'=cmd" in res.stdout.decode()
