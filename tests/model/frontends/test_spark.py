"""Scoring on a real local Spark (local[2], one session for the module), no mocks.

The same documents scored by ``score_spark`` and by ``score_texts`` give the
same rows; bad documents (empty, binary, huge, malformed) come out as error
rows without failing the job; the job runs end to end from the command line.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path

import pytest
from claim_risk import score_text, score_texts, summarize
from claim_risk.core.artifacts import DEFAULT_DIR, ModelError, load_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


if not _java():
    pytest.skip(
        "no Java runtime (java not on PATH, no JAVA_HOME): Spark cannot start; .ci/run installs "
        "default-jre-headless",
        allow_module_level=True,
    )

from claim_risk.frontends.spark import local_session, score_spark  # noqa: E402
from claim_risk.frontends.spark_job import main, run  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

TOL = 1e-12
# Short-lived JVMs start faster with the client compiler only (tests, not production).
FAST_JVM = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}

# Sentences written for this test: promotional claims and neutral, careful text.
PROMO = [
    "Our {x} capsules cure {y} in seven days, guaranteed.",
    "{x} flushes every toxin out of your body overnight.",
    "Doctors don't want you to know that {x} reverses {y} for good.",
    "Completely natural, so {x} has no side effects at all.",
    "Thousands of customers stopped their {y} medication after one bottle of {x}.",
    "Clinically proven: {x} boosts immunity by 300%.",
    "Give {x} to your children and they will never catch {y} again.",
    "Order today and feel the difference within hours!",
    "{x} melts away {y} while you sleep.",
    "Unlike pharmaceuticals, {x} heals the root cause of {y}.",
]
NEUTRAL = [
    "{x} has been studied in a few small trials with mixed results.",
    "There is not enough evidence to say whether {x} helps with {y}.",
    "Speak to a pharmacist before combining {x} with prescribed medicines.",
    "{y} is usually diagnosed by a doctor after a physical examination.",
    "Some people report stomach upset after taking {x}.",
    "A larger randomised trial is under way, and results are expected next year.",
    "This page was last reviewed by our editorial team in March.",
    "Store the product in a cool, dry place.",
    "If symptoms of {y} get worse, seek medical care promptly.",
    "Researchers measured blood levels in 48 volunteers over twelve weeks.",
]
TOPICS = [
    ("turmeric", "arthritis"),
    ("elderberry syrup", "influenza"),
    ("magnesium", "migraine"),
    ("apple cider vinegar", "type 2 diabetes"),
    ("ashwagandha", "anxiety"),
    ("probiotic yoghurt", "eczema"),
    ("vitamin D", "depression"),
    ("ginger tea", "nausea"),
]


def make_documents(n: int, seed: int = 14) -> list[str]:
    """``n`` documents of 1-30 sentences: headings, bullets, paragraphs, promotional and not."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        x, y = rng.choice(TOPICS)
        share = rng.choice((0.0, 0.2, 0.5, 0.8, 1.0))
        sentences = [
            rng.choice(PROMO if rng.random() < share else NEUTRAL).format(x=x, y=y)
            for _ in range(rng.randint(1, 30))
        ]
        lines, para = [f"{x.capitalize()} and {y}: what to know"] if i % 3 else [], []
        for j, s in enumerate(sentences):
            if j % 6 == 5:
                lines.append(f"- {s}")
            else:
                para.append(s[0].upper() + s[1:])
                if len(para) == rng.randint(2, 4):
                    lines.append(" ".join(para))
                    para = []
        lines.append(" ".join(para))
        newline = "\r\n" if i % 17 == 0 else "\n"
        docs.append(newline.join(line for line in lines if line) + ("\n" if i % 2 else ""))
    return docs


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One quiet local[2] session for the whole module."""
    session = local_session("local[2]", "claim-risk-tests", shuffle_partitions=2, conf=FAST_JVM)
    yield session
    session.stop()


def expected_rows(doc_id: object, text: str, threshold: float | None = None) -> list[dict]:
    """What ``score_spark`` should give for one document, from ``score_texts``."""
    records = score_texts([text], threshold)[0]
    return [{"id": doc_id, **r.to_dict(), "error": None} for r in records]


def assert_same(got: list[dict], want: list[dict]) -> None:
    """Rows equal field by field, scores within ``TOL``."""
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for key, value in w.items():
            if key in ("score", "page_score"):
                assert abs(g[key] - value) <= TOL, (key, g, w)
            else:
                assert g[key] == value, (key, g, w)


def by_document(rows: list[dict]) -> dict[object, list[dict]]:
    """Output rows grouped by document id, each document's in sentence order."""
    out: dict[object, list[dict]] = {}
    for row in rows:
        out.setdefault(row["id"], []).append(row)
    return {k: sorted(v, key=lambda r: -1 if r["index"] is None else r["index"]) for k, v in
            out.items()}  # fmt: skip


def collect(df: DataFrame) -> list[dict]:
    """The rows of a Spark DataFrame as dictionaries."""
    return [r.asDict() for r in df.collect()]


def test_import_model_spark_needs_no_pyspark() -> None:
    code = (
        "import sys, claim_risk, claim_risk.frontends.spark, claim_risk.frontends.spark_job; "
        "assert 'pyspark' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_shipped_model_is_found_when_the_package_is_zipped(tmp_path: Path) -> None:
    """As under `spark-submit --py-files claim_risk.zip`: the driver imports from a zip."""
    import zipfile

    package = tmp_path / "claim_risk.zip"
    with zipfile.ZipFile(package, "w") as zf:
        for path in (ROOT / "model").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, "claim_risk/" + path.relative_to(ROOT / "model").as_posix())
    code = (
        "import claim_risk, claim_risk.frontends.spark as s\n"
        "from claim_risk.core.artifacts import load_model\n"
        "assert '.zip' in claim_risk.__file__, claim_risk.__file__\n"
        "print(load_model(s.shipped_model_dir(None)).version)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(package)}
    env.pop("CLAIM_RISK_MODEL", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    from claim_risk.core.artifacts import load_model

    assert out.strip() == load_model().version


def test_same_scores_as_score_texts(spark: SparkSession) -> None:
    docs = make_documents(300)
    df = spark.createDataFrame(list(enumerate(docs)), "id long, text string").repartition(3)
    rows = by_document(collect(score_spark(df)))
    assert sorted(rows) == list(range(len(docs)))
    expected = score_texts(docs)  # one batched call, as a user would make it
    n_flagged = 0
    for i, records in enumerate(expected):
        assert {r.page_score for r in records} == {summarize(records).page_score}
        want = [{"id": i, **r.to_dict(), "error": None} for r in records]
        assert_same(rows[i], want)
        n_flagged += sum(r.flagged for r in records)
    assert 0 < n_flagged < sum(len(r) for r in expected)  # the mix flags some, not all


@pytest.mark.parametrize("name", ["fast", "cascade"])
def test_the_same_records_as_the_api_on_a_document_of_several_windows(
    spark: SparkSession, name: str
) -> None:
    """Every field, page score included, equal to ``score_text``'s (and so to ``predict``'s).

    The fast tier exactly; the cascade's encoder runs in Spark's workers with
    their own thread count, so its float32 sums may move a score by ~1e-7.
    """
    from claim_risk.core.embedding import missing_packages
    from claim_risk.core.pipeline import RECORD_FIELDS

    from tests.model.core.test_pipeline import long_document

    if name == "cascade" and missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    text = long_document(700)
    df = spark.createDataFrame([(1, text)], "id long, text string")
    scored = score_spark(df, model_dir=name)
    assert scored.columns == ["id", *RECORD_FIELDS, "error"]
    got = by_document(collect(scored))[1]
    want = [{"id": 1, **r.to_dict(), "error": None} for r in score_text(text, model_dir=name)]
    assert len(want) >= 700
    if name == "fast":
        assert got == want
        return
    for g, w in zip(got, want, strict=True):
        assert {k: v for k, v in g.items() if "score" not in k} == {
            k: v for k, v in w.items() if "score" not in k
        } or abs(w["score"] - load_model(name).threshold) < 1e-5
        assert abs(g["score"] - w["score"]) < 1e-5 and abs(g["page_score"] - w["page_score"]) < 1e-5


@pytest.mark.parametrize("name", ["semantic", "cascade"])
def test_the_semantic_tiers_by_name_give_what_score_texts_gives(
    spark: SparkSession, name: str
) -> None:
    """The MiniLM encoder runs in the workers; embeddings of other batches agree to ~1e-7."""
    from claim_risk.core.embedding import missing_packages

    if missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    docs = make_documents(12, seed=7)
    df = spark.createDataFrame(list(enumerate(docs)), "id long, text string").repartition(2)
    rows = by_document(collect(score_spark(df, model_dir=name)))
    expected = score_texts(docs, model_dir=name)
    for i, records in enumerate(expected):
        got = rows[i]
        assert [g["text"] for g in got] == [r.text for r in records]
        for g, r in zip(got, records, strict=True):
            assert abs(g["score"] - r.score) < 1e-5
            if abs(r.score - load_model(name).threshold) > 1e-4:
                assert g["flagged"] == r.flagged


def test_custom_columns_string_ids_and_threshold(spark: SparkSession) -> None:
    docs = make_documents(20, seed=3)
    df = spark.createDataFrame(
        [(f"https://example.org/{i}", d, i) for i, d in enumerate(docs)],
        "url string, body string, n int",
    )
    rows = by_document(collect(score_spark(df, text_col="body", id_col="url", threshold=0.3)))
    for i, doc in enumerate(docs):
        assert_same(
            rows[f"https://example.org/{i}"], expected_rows(f"https://example.org/{i}", doc, 0.3)
        )


def test_bad_documents_give_error_rows(spark: SparkSession) -> None:
    good = make_documents(8, seed=5)
    huge = "Magnesium cures migraine overnight, guaranteed.\n" * 2_000  # 98,000 characters
    bad = {
        "empty": b"",
        "blank": b"  \n\t\n ",
        "invalid": b"Turmeric heals \xff\xfe joints.",
        "nul": b"PK\x03\x04\x00\x00binary archive",
        "missing": None,
        "huge": huge.encode(),
    }
    rows_in = [(f"good{i}", d.encode()) for i, d in enumerate(good)] + list(bad.items())
    df = spark.createDataFrame(rows_in, "id string, text binary")
    rows = by_document(collect(score_spark(df, max_chars=30_000)))
    assert set(rows) == {r[0] for r in rows_in}  # nothing lost
    for i, doc in enumerate(good):
        assert_same(rows[f"good{i}"], expected_rows(f"good{i}", doc))
    errors = {k: [r["error"] for r in v] for k, v in rows.items() if k in bad and k != "huge"}
    assert errors == {
        "empty": ["empty: no text"],
        "blank": ["empty: no text"],
        "invalid": ["binary: not valid UTF-8 (byte 15)"],
        "nul": ["binary: NUL byte at character 4"],
        "missing": ["missing: no text"],
    }
    for k in errors:
        (row,) = rows[k]
        assert row["index"] is None and row["score"] is None and row["page_score"] is None
    cut = huge.rfind("\n", 15_000, 30_000) + 1
    want = expected_rows("huge", huge[:cut])
    for row in want:
        row["error"] = f"truncated: scored the first {cut:,} of {len(huge):,} characters"
    assert_same(rows["huge"], want)


def test_invalid_utf8_in_a_string_column_is_a_bad_document(spark: SparkSession) -> None:
    """Parquet strings may hold invalid UTF-8; the document is refused, the task does not fail."""
    df = spark.createDataFrame([(1, b"Ginger \xc3 tea."), (2, b"Ginger tea helps nausea.")],
                               "id long, raw binary")  # fmt: skip
    df = df.withColumn("text", F.col("raw").cast("string"))
    rows = by_document(collect(score_spark(df)))
    assert rows[1][0]["error"] == "binary: not valid UTF-8 (byte 7)"
    assert_same(rows[2], expected_rows(2, "Ginger tea helps nausea."))


def test_model_is_shipped_from_its_folder_and_checked_on_the_driver(
    spark: SparkSession, tmp_path: Path
) -> None:
    good = tmp_path / "good"
    shutil.copytree(DEFAULT_DIR, good)
    df = spark.createDataFrame(
        [(1, "Elderberry syrup stops the flu in a day.")], "id long, text string"
    )
    rows = collect(score_spark(df, model_dir=good))
    assert_same(rows, expected_rows(1, "Elderberry syrup stops the flu in a day."))
    bad = tmp_path / "bad"
    shutil.copytree(DEFAULT_DIR, bad)
    (bad / "model.json").write_bytes((bad / "model.json").read_bytes()[:-10])
    with pytest.raises(ModelError):
        score_spark(df, model_dir=bad)
    with pytest.raises(KeyError, match="body"):
        score_spark(df, text_col="body")


def job_args(**kw: object) -> Namespace:
    """The job's options as ``main`` would parse them."""
    base = {"text_col": "text", "id_col": "id", "model": None, "threshold": None,
            "max_chars": 1_000_000, "max_file_bytes": 64 << 20, "overwrite": False}  # fmt: skip
    return Namespace(**{**base, **kw})


def test_job_reads_jsonl_and_parquet(spark: SparkSession, tmp_path: Path) -> None:
    docs = make_documents(40, seed=7)
    jsonl = tmp_path / "in.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for i, d in enumerate(docs):
            fh.write(json.dumps({"doc": f"d{i}", "body": d, "lang": "en"}) + "\n")
        fh.write('{"doc": "broken", "body": \n')
        fh.write(json.dumps({"doc": "nobody"}) + "\n")
    out = tmp_path / "jsonl.parquet"
    summary = run(spark, job_args(input=str(jsonl), format="jsonl", output=str(out),
                                  text_col="body", id_col="doc"))  # fmt: skip
    n_sent = sum(len(r) for r in score_texts(docs))
    assert summary["documents"] == 42 and summary["sentences"] == n_sent
    assert summary["errors_by_kind"] == {"malformed": 1, "missing": 1}
    rows = by_document(collect(spark.read.parquet(str(out))))
    for i, d in enumerate(docs):
        assert_same(rows[f"d{i}"], expected_rows(f"d{i}", d))

    src = tmp_path / "in.parquet"
    spark.createDataFrame(list(enumerate(docs)), "key long, content string").write.parquet(str(src))
    out2 = tmp_path / "parquet.parquet"
    summary = run(spark, job_args(input=str(src), format="parquet", output=str(out2),
                                  text_col="content", id_col="key"))  # fmt: skip
    assert summary["documents"] == 40 and summary["errors"] == 0
    rows = by_document(collect(spark.read.parquet(str(out2))))
    for i, d in enumerate(docs):
        assert_same(rows[i], expected_rows(i, d))


def test_job_command_line_on_a_folder_of_text_files(tmp_path: Path) -> None:
    """`python -m claim_risk.frontends.spark_job` end to end: good, empty, binary and huge files."""
    folder = tmp_path / "pages" / "nested"
    folder.mkdir(parents=True)
    docs = make_documents(30, seed=11)
    for i, d in enumerate(docs):
        (folder / f"page{i:02d}.txt").write_text(d, encoding="utf-8", newline="")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    long_text = "Ginger tea cures nausea at once.\n" * 1_000  # 33,000 characters
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    (folder / "dump.txt").write_bytes(b"x" * 300_000)
    out = tmp_path / "out.parquet"
    cmd = [sys.executable, "-m", "claim_risk.frontends.spark_job",
           "--input", str(tmp_path / "pages"),
           "--format", "text", "--output", str(out), "--master", "local[2]",
           "--max-chars", "20000", "--max-file-bytes", "200000",
           "--conf", "=".join(*FAST_JVM.items()),
           # Reading the 300 kB file's content would now fail the job: it must be skipped.
           "--conf", "spark.sql.sources.binaryFile.maxLength=250000"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    n_sent = sum(len(r) for r in score_texts(docs))
    cut = long_text.rfind("\n", 10_000, 20_000) + 1
    n_long = len(score_texts([long_text[:cut]])[0])
    line = re.search(r"spark_job: (.*)", proc.stderr)
    assert line, proc.stderr[-3000:]
    assert line.group(1).startswith(f"34 documents, {n_sent + n_long:,} sentences, "), line.group(1)
    assert "4 errors (binary 1, empty 1, too-large 1, truncated 1)" in line.group(1)

    import pyarrow.parquet as pq

    rows = by_document(pq.read_table(out).to_pylist())
    assert len(rows) == 34
    for i, d in enumerate(docs):
        doc_id = str(folder / f"page{i:02d}.txt")
        assert_same(rows[doc_id], expected_rows(doc_id, d))
    kinds = {Path(k).name: v[0]["error"].split(":")[0] for k, v in rows.items() if v[0]["error"]}
    assert kinds == {"empty.txt": "empty", "image.png": "binary", "dump.txt": "too-large",
                     "long.txt": "truncated"}  # fmt: skip


def test_job_exit_status(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Usage errors and a missing input are one line and a status, not a traceback."""
    src = tmp_path / "in.parquet"
    spark.createDataFrame([(1, "Ginger tea helps nausea.")], "id long, text string").write.parquet(
        str(src)
    )
    out = tmp_path / "out.parquet"
    base = ["--input", str(src), "--format", "parquet", "--output", str(out)]
    assert main(base) == 0
    assert main(base) == 2  # output exists
    assert "already exists" in capsys.readouterr().err
    assert main([*base, "--overwrite", "--text-col", "body"]) == 2
    assert "'body'" in capsys.readouterr().err
    assert main([*base, "--overwrite", "--threshold", "1.5"]) == 2
    assert main(["--input", str(tmp_path / "nowhere"), "--format", "text", "--output",
                 str(tmp_path / "o2")]) == 3  # fmt: skip
    assert main([*base, "--overwrite", "--model", str(tmp_path / "no-model")]) == 7
    assert spark.range(1).count() == 1  # the caller's session is still up


def test_a_document_whose_scoring_raises_is_an_error_not_a_failed_task() -> None:
    from claim_risk.frontends.spark import _score_chunk

    out = _score_chunk(["Ginger tea helps nausea.", "Zinc cures acne."], 2.0, str(DEFAULT_DIR))
    assert [o.split(":")[0] for o in out] == ["failed", "failed"]
    assert "threshold" in out[0]


# File names Hadoop's input formats mishandle: a colon fails the job, a leading "." or "_" is
# skipped, and %, space, {} and [] are taken for URL escapes or glob patterns.
AWKWARD_NAMES = ["colon:name.txt", ".hidden.txt", "_underscore.txt", "with space.txt",
                 "pct%20name.txt", "brace{}.txt", "br[a]ck.txt", "star*q?.txt", "unicodé ü.txt",
                 "a,b{c,d}.txt", "#hash.txt", "plain.txt", ".hidden folder/inner.txt",
                 "_tmp/x:y.txt", "sub dir/%41.txt"]  # fmt: skip
AWKWARD_EMPTY = ["empty one.txt", "_empty%20.txt"]


def write_files(root: Path, names: list[str], empty: list[str], seed: int = 21) -> dict[str, str]:
    """Each name (with folders) holding a document, the ``empty`` ones nothing; path -> text."""
    docs = make_documents(len(names), seed=seed)
    root.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, doc in zip(names, docs, strict=True):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc, encoding="utf-8", newline="")
        written[str(path)] = doc
    for name in empty:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")
        written[str(root / name)] = ""
    return written


def assert_every_file_once(spark: SparkSession, out: Path, written: dict[str, str],
                           summary: dict) -> None:  # fmt: skip
    """One document per file, its id the file's path, scored as ``score_texts`` scores it."""
    n_empty = sum(1 for text in written.values() if not text.strip())
    rows = by_document(collect(spark.read.parquet(str(out))))
    assert sorted(rows) == sorted(written)
    assert summary["documents"] == len(written)
    assert summary["errors_by_kind"] == ({"empty": n_empty} if n_empty else {})
    for path, text in written.items():
        if text.strip():
            assert_same(rows[path], expected_rows(path, text))
        else:
            assert [r["error"] for r in rows[path]] == ["empty: no text"]


def test_job_reads_every_text_file_by_its_real_name(spark: SparkSession, tmp_path: Path) -> None:
    """Names with ':', a leading '.' or '_', '%20', spaces, globs: one row set per file, none
    invented, none skipped, each id the file's path."""
    root = tmp_path / "crawl"
    written = write_files(root, AWKWARD_NAMES, AWKWARD_EMPTY)
    out = tmp_path / "out.parquet"
    summary = run(spark, job_args(input=str(root), format="text", output=str(out)))
    assert_every_file_once(spark, out, written, summary)


NAME_CHARS = " %{}[]:,#!'=+~@$&()-_.aZ09éü€Ωб😀"
FILE_NAMES = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12).filter(
    lambda n: n not in (".", "..") and len(n.encode()) < 200
)
FILE_FUZZ = 40 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 4


@settings(max_examples=FILE_FUZZ, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    names=st.lists(FILE_NAMES, min_size=1, max_size=8, unique=True),
    folder=FILE_NAMES,
    empty=st.sets(st.integers(0, 7), max_size=2),
)
def test_fuzzed_file_names_are_each_read_once(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory, names: list[str],
    folder: str, empty: set[int],
) -> None:  # fmt: skip
    """File names from an alphabet of spaces, %, {}, [], :, unicode and leading . and _.

    Four folders of up to 8 names by default (Spark runs a job each);
    ``CLAIM_RISK_FUZZ=1`` runs 40.
    """
    root = tmp_path_factory.mktemp("names")
    placed = [f"{folder}/{n}" if i % 2 else n for i, n in enumerate(names)]
    placed = [p for p in placed if p != folder]  # a file may not share the folder's name
    full = [p for i, p in enumerate(placed) if i not in empty]
    written = write_files(root / "in", full, [p for i, p in enumerate(placed) if i in empty])
    out = root / "out.parquet"
    summary = run(spark, job_args(input=str(root / "in"), format="text", output=str(out)))
    assert_every_file_once(spark, out, written, summary)


def test_job_names_files_it_cannot_read(spark: SparkSession, tmp_path: Path) -> None:
    """A FIFO, a broken link and a folder reached twice are error rows; nothing hangs or fails."""
    root = tmp_path / "in"
    written = write_files(root, ["a.txt", "sub/b.txt"], [])
    os.mkfifo(root / "pipe")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "sub" / "loop").symlink_to(root)
    out = tmp_path / "out.parquet"
    summary = run(spark, job_args(input=str(root), format="text", output=str(out)))
    rows = by_document(collect(spark.read.parquet(str(out))))
    for path, text in written.items():
        assert_same(rows[path], expected_rows(path, text))
    errors = {Path(k).name: [r["error"] for r in v] for k, v in rows.items() if k not in written}
    assert errors == {
        "pipe": ["unreadable: not a regular file"],
        "dangling.txt": ["unreadable: No such file or directory"],
        "loop": ["unreadable: folder already read under another path"],
    }
    assert summary["documents"] == 5 and summary["errors_by_kind"] == {"unreadable": 3}


def test_input_paths_uris_and_patterns(tmp_path: Path) -> None:
    """What ``--input`` names: a path as it is, a file: URI, a pattern (hidden names too)."""
    from claim_risk.frontends.spark_job import list_files, local_paths

    odd = tmp_path / "a[1] {x}:%20.txt"
    odd.write_text("Zinc cures acne.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Zinc cures acne.", encoding="utf-8")
    assert local_paths(str(odd)) == [str(odd)]  # an existing path is never a URI or a pattern
    assert local_paths(odd.as_uri()) == [str(odd)]
    hidden = str(tmp_path / ".hidden.txt")
    assert local_paths("file:" + hidden) == local_paths("file://" + hidden) == [hidden]
    assert local_paths(str(tmp_path / "*.txt")) == sorted([str(odd), hidden])
    assert local_paths("hdfs://namenode/crawl/") is None
    with pytest.raises(FileNotFoundError, match="input not found"):
        local_paths(str(tmp_path / "nowhere"))
    raw = os.fsencode(str(tmp_path)) + b"/latin1-\xe9.txt"  # a name that is not UTF-8
    with open(raw, "wb") as fh:
        fh.write(b"Garlic cures flu.")
    files, errors = list_files([str(tmp_path)])
    assert os.fsdecode(raw) in files and errors == []


def test_hadoop_route_for_other_uris_still_reads_plain_names(
    spark: SparkSession, tmp_path: Path
) -> None:
    """``hdfs://`` and ``s3a://`` inputs are listed by Hadoop; here its reader on a local folder."""
    from claim_risk.frontends.spark_job import _read_hadoop_files

    write_files(tmp_path / "in", ["a.txt", "sub/b.txt"], ["empty.txt"])
    (tmp_path / "in" / "big.txt").write_text("Zinc cures acne.\n" * 2_000, encoding="utf-8")
    docs, refused = _read_hadoop_files(spark, str(tmp_path / "in"), max_file_bytes=20_000)
    texts = {Path(r["id"]).name: bytes(r["text"]).decode() for r in docs.collect()}
    errors = {Path(r["id"]).name: r["error"] for r in refused.collect()}
    assert sorted(texts) == ["a.txt", "b.txt"]
    assert errors == {
        "big.txt": "too-large: file of 34000 bytes, over the 20,000-byte read limit",
        "empty.txt": "empty: no text",
    }
