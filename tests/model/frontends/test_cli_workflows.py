"""The workflows of issue 12 through the `predict` console script: HTML on standard input,
ranking, provenance and the JSON Schema, line and JSONL modes, languages, error paths and
the --html writer."""

from __future__ import annotations

import json
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import PREDICT, jsonl
from tests.conftest import run_predict as run

SCHEMA = Path(__file__).resolve().parents[3] / "model" / "schema" / "prediction.schema.json"

PAGE = (
    "<!doctype html><html><head><title>Shop</title></head><body><nav>Home | Shop</nav>"
    "<article><h1>Sea moss gel</h1><p>Sea moss reverses thyroid disease naturally, without "
    "any risk.</p><p>Studies show it boosts immunity instantly.</p><p>It is harvested in "
    "Ireland and sold in jars.</p></article><footer>All rights reserved.</footer></body></html>"
)
DOC = (
    "Safety for the baby.\nKetamine is not passed through breast milk, so breastfeeding can "
    "be continued without risk. Ask your doctor about side effects.\n"
)
GERMAN = (
    "Kurkuma heilt Krebs garantiert und ohne Nebenwirkungen.\n"
    "Bestellen Sie heute und sparen Sie 20 %.\nJetzt kaufen.\n"
)


def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# 1. HTML wherever it comes from


def test_html_on_stdin_is_extracted_not_scored_as_markup() -> None:
    res = run("--format", "jsonl", stdin=PAGE)
    assert res.returncode == 0, res.stderr
    texts = [r["text"] for r in jsonl(res.stdout)]
    assert any(t.startswith("Sea moss reverses") for t in texts)
    assert not any("<" in t or "All rights reserved" in t for t in texts)
    from_file = run("--format", "jsonl", "--file", "-", stdin=PAGE)
    assert [r["text"] for r in jsonl(from_file.stdout)] == texts


def test_html_in_an_argument_and_the_input_format_switch() -> None:
    arg = jsonl(run(PAGE, "--format", "jsonl").stdout)
    assert not any("<" in r["text"] for r in arg)
    raw = jsonl(run(PAGE, "--format", "jsonl", "--input-format", "text").stdout)
    assert any("<body>" in r["text"] for r in raw)
    forced = jsonl(
        run("<b>Garlic</b> cures flu.", "--format", "jsonl", "--input-format", "html").stdout
    )
    assert [r["text"] for r in forced] == ["Garlic cures flu."]
    # A forum post quoting one tag stays text.
    post = jsonl(run("I use <b>garlic</b> for colds.", "--format", "jsonl").stdout)
    assert post[0]["text"] == "I use <b>garlic</b> for colds."


# 2. Ranking for review


def test_sort_and_top_per_document(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(DOC, encoding="utf-8")
    b.write_text("Garlic is a plant.\nOur drops cure cancer in days, guaranteed.\n")
    every = jsonl(run("--file", str(a), "--file", str(b), "--format", "jsonl").stdout)
    res = run("--file", str(a), "--file", str(b), "--format", "jsonl", "--sort", "score")
    ranked = jsonl(res.stdout)
    for source in (str(a), str(b)):
        mine = [r["score"] for r in ranked if r["source"] == source]
        assert mine == sorted(mine, reverse=True)
    assert sorted(map(json.dumps, ranked)) == sorted(map(json.dumps, every))
    top = jsonl(run("--file", str(a), "--file", str(b), "--format", "jsonl", "--top", "1").stdout)
    assert [r["source"] for r in top] == [str(a), str(b)]
    for r in top:
        assert r["score"] == max(e["score"] for e in every if e["source"] == r["source"])


def test_top_overall_ranks_all_documents_together(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(DOC, encoding="utf-8")
    b.write_text("Garlic is a plant.\nOur drops cure cancer in days, guaranteed.\n")
    every = jsonl(run("--file", str(a), "--file", str(b), "--format", "jsonl").stdout)
    res = run("--file", str(a), "--file", str(b), "--format", "jsonl", "--top", "3", "--overall")
    top = jsonl(res.stdout)
    assert [r["score"] for r in top] == sorted((r["score"] for r in every), reverse=True)[:3]
    table = run("--file", str(a), "--file", str(b), "--overall", "--top", "2").stdout.decode()
    assert "riskiest sentences first" in table and table.count("!!") <= 2


# 3. Provenance: --version, --header, the schema


def test_header_names_the_model_and_every_record_matches_the_schema(tmp_path: Path) -> None:
    check = validator()
    res = run("--format", "jsonl", "--header", "--explain", "2", stdin=DOC)
    assert res.returncode == 0, res.stderr
    header, *rows = jsonl(res.stdout)
    assert header["record"] == "header" and len(header["model"]["model_sha256"]) == 64
    from claim_risk.core.artifacts import load_model

    model = load_model()
    assert header["model"]["version"] == model.version
    assert header["threshold"] == model.threshold
    assert [b["band"] for b in header["bands"]] == ["low", "review", "high"]
    lines = run("--format", "jsonl", "--lines", stdin="Garlic cures flu.\n\nAsk a doctor.\n")
    record = '{"body": "Garlic cures flu.", "id": 7}\n'
    jsonl_in = run("--format", "jsonl", "--jsonl-field", "body", stdin=record)
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    html = run("--format", "jsonl", "--file", str(page), "--threshold", "0.1")
    for record in [
        header,
        *rows,
        *jsonl(lines.stdout),
        *jsonl(jsonl_in.stdout),
        *jsonl(html.stdout),
    ]:
        check.validate(record)
    bad = dict(rows[0], band="medium")
    assert not check.is_valid(bad)
    assert not check.is_valid({k: v for k, v in rows[0].items() if k != "score"})


def test_schema_flag_prints_the_shipped_schema() -> None:
    res = run("--schema")
    assert res.returncode == 0
    assert json.loads(res.stdout) == json.loads(SCHEMA.read_text(encoding="utf-8"))
    version = run("--version").stdout.decode()
    assert "sha256" in version and "threshold" in version


def test_table_header_and_csv_refusal() -> None:
    res = run("--header", stdin=DOC)
    assert res.stdout.decode().startswith("# claim-risk ") and res.returncode == 0
    res = run("--header", "--format", "csv", stdin=DOC)
    assert res.returncode == 2 and b"--header needs" in res.stderr


# 4. Pipelines: --lines and --jsonl-field


def test_lines_mode_streams_each_line_as_it_arrives() -> None:
    proc = subprocess.Popen(
        [*PREDICT, "--lines", "--format", "jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        for n, line in enumerate(["Garlic cures flu, guaranteed.", "Ask your doctor."], start=1):
            proc.stdin.write(line.encode() + b"\n")
            proc.stdin.flush()
            deadline = time.monotonic() + 60
            ready: list = []
            while not ready and time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 1)
            assert ready, f"no output for line {n} while standard input is still open"
            rec = json.loads(proc.stdout.readline())
            assert rec["line"] == n and rec["text"] == line
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()


def test_lines_mode_scores_each_line_as_a_one_line_document() -> None:
    from claim_risk import score_text

    lines = ["Colloidal silver cures everything.", "", "Ask your doctor. Then rest. Drink water."]
    res = run("--lines", "--format", "jsonl", stdin="\n".join(lines) + "\n")
    records = jsonl(res.stdout)
    assert [r["line"] for r in records] == [1, 3, 3, 3]
    for r in records:
        line = lines[r["line"] - 1]
        assert line[r["start"] : r["end"]] == r["text"]
        assert r["score"] == pytest.approx(score_text(line)[r["index"]].score, abs=1e-6)


def test_jsonl_field_passes_other_fields_through_and_reports_bad_lines() -> None:
    stdin = (
        '{"id": 1, "body": "Garlic cures flu, guaranteed.", "tags": ["a"]}\n'
        '{"id": 2}\n'
        "not json\n"
        '{"id": 3, "body": "Ask your doctor."}\n'
    )
    res = run("--jsonl-field", "body", "--format", "jsonl", stdin=stdin)
    records = jsonl(res.stdout)
    assert [(r["line"], r["input"]) for r in records] == [
        (1, {"id": 1, "tags": ["a"]}),
        (4, {"id": 3}),
    ]
    err = res.stderr.decode()
    assert res.returncode == 5
    assert "<stdin>:2: has no field 'body'" in err and "<stdin>:3: not a JSON object" in err
    csv_out = run("--jsonl-field", "body", "--format", "csv", stdin=stdin).stdout.decode()
    assert csv_out.splitlines()[0].endswith(",lang,line,input")


# 6. Languages


def test_non_english_text_is_marked_warned_and_can_be_skipped() -> None:
    res = run("--format", "jsonl", stdin=GERMAN)
    assert res.returncode == 0
    assert {r["lang"] for r in jsonl(res.stdout)} == {"de"}
    assert "3 of 3 sentences are not English (German 3)" in res.stderr.decode()
    skipped = run("--format", "jsonl", "--skip-non-english", stdin=GERMAN + DOC)
    assert [r["lang"] for r in jsonl(skipped.stdout)] == ["en"] * 3
    assert [r["index"] for r in jsonl(skipped.stdout)] == [3, 4, 5]  # positions in the document
    english = run("--format", "jsonl", stdin=DOC)
    assert {r["lang"] for r in jsonl(english.stdout)} == {"en"} and english.stderr == b""


# 5. Errors, each one line with its status


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["--encoding", "nosuch", "x"], b"", 2, "unknown encoding 'nosuch'"),
        (["--file", "https://example.com/page.html"], b"", 3, "never fetches pages"),
        (["https://example.com/page.html"], b"", 2, "is a URL"),
        (["x", "--html", "/no/such/folder/r.html"], b"", 2, "folder /no/such/folder does not"),
        (["--lines", "--html", "r.html"], b"x\n", 2, "drop --lines"),
    ],
)
def test_usage_errors(args, stdin, code, message) -> None:
    res = run(*args, stdin=stdin)
    assert res.returncode == code
    assert message in res.stderr.decode() and b"Traceback" not in res.stderr
    assert res.stdout == b""  # refused before anything was scored


def test_binary_input_is_refused_whatever_the_encoding(tmp_path: Path) -> None:
    blob = tmp_path / "blob.txt"
    blob.write_bytes(bytes(range(256)) * 40)
    for encoding in ("latin-1", "cp1252", "utf-8"):
        res = run("--file", str(blob), "--encoding", encoding)
        assert res.returncode == 5, (encoding, res.stderr)
        assert res.stdout == b""
    res = run("--encoding", "latin-1", stdin=b"\x00\x01\x02ELF" * 500)
    assert res.returncode == 5 and b"binary content" in res.stderr


def test_wrong_model_folder_says_what_is_missing(tmp_path: Path) -> None:
    res = run("x", "--model", str(tmp_path))
    err = res.stderr.decode()
    assert res.returncode == 7 and "no metadata.json or model.json" in err


# --html: atomic, never over an input, checked first


def test_html_never_overwrites_an_input(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    before = page.read_bytes()
    res = run("--file", str(page), "--html", str(page))
    assert res.returncode == 2 and b"is one of the inputs" in res.stderr
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.md").write_text(DOC)
    (site / "report.html").write_text("old report")
    res = run("--file", str(site), "--html", str(site / "report.html"))
    assert res.returncode == 2 and b"inside the input folder" in res.stderr
    assert page.read_bytes() == before and (site / "report.html").read_text() == "old report"


def test_html_write_failure_leaves_the_old_report(tmp_path: Path, monkeypatch) -> None:
    from claim_risk.core.artifacts import load_model
    from claim_risk.frontends import html_report

    report = tmp_path / "r.html"
    report.write_text("the old report")
    decision = load_model().decision

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(html_report.os, "replace", boom)
    rec = {"index": 0, "text": "Hi.", "score": 0.9, "flagged": True, "band": "high"}
    rec["page_score"] = 0.9
    with pytest.raises(OSError):
        html_report.write_html(report, [("a", [rec])], decision, "v")
    assert report.read_text() == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left
    monkeypatch.undo()
    html_report.write_html(report, [("a", [rec])], decision, "v")
    assert "Hi." in report.read_text() and oct(report.stat().st_mode & 0o777) != "0o600"
