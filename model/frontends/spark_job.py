"""`python -m claim_risk.frontends.spark_job`: score a crawl on Spark into Parquet.

Reads documents as text files (one document per file, its path as the id;
folders are searched recursively, and every file counts, hidden or not),
JSON Lines (one object per line, with an
id and a text field) or Parquet, and writes one row per sentence with the
columns of ``claim_risk.frontends.spark.score_spark``. Bad documents never fail the job: an
empty, binary (not UTF-8, or with NUL bytes), missing or malformed one comes
out as one row with ``error`` set; a text file over ``--max-file-bytes`` is
not read (``too-large``), and one that cannot be read, or a folder that
cannot be listed, is ``unreadable``; a document over ``--max-chars``
characters is scored on its first ``--max-chars`` (``truncated``). The
summary on standard error counts documents, sentences, flagged sentences and
errors by kind.

Text files on a local path (or a ``file:`` URI, or a glob) are listed here
in Python and read by the Python workers, not by Hadoop's input formats,
which skip names starting with ``.`` or ``_``, fail on a ``:`` in a name and
take ``{}``, ``[]`` and ``%`` for patterns and escapes. Other URIs
(``hdfs://``, ``s3a://``) are listed by Hadoop, with those limits.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import re
import sys
import time
import urllib.parse
from typing import TYPE_CHECKING

from ..core.surrogates import replace_surrogates
from ..exits import EXIT_INTERNAL, EXIT_MODEL, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE
from .spark import MAX_CHARS, MAX_FILE_BYTES, output_schema, score_spark

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = [
    "MAX_FILE_BYTES",
    "build_parser",
    "list_files",
    "local_paths",
    "main",
    "read_documents",
    "run",
    "summarize_output",
]

FILES_PER_TASK = 500
BATCH_ROWS = "1000"
ARROW_BATCH = "spark.sql.execution.arrow.maxRecordsPerBatch"
_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):///")  # file:///x is file:/x in Spark
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: C: is a drive
_FILE_URI = re.compile(r"^file:(//(localhost)?(?=/))?", re.IGNORECASE)

EPILOG = """\
examples:
  python -m claim_risk.frontends.spark_job --input pages/ --format text \
      --output scores.parquet --master 'local[4]'
  spark-submit --py-files claim_risk-0.1.0-py3-none-any.whl \
      -m claim_risk.frontends.spark_job ... (see README)

exit status: 0 success (bad documents are counted, not fatal), 1 internal error,
  2 usage error (bad option, missing column, output exists), 3 input not found,
  7 model missing, corrupt or incompatible
"""


def build_parser() -> argparse.ArgumentParser:
    """The job's options."""
    p = argparse.ArgumentParser(
        prog="python -m claim_risk.frontends.spark_job",
        description="Score every sentence of a crawl on Spark; write Parquet, one row a sentence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, help="file or folder (any path Spark reads)")
    p.add_argument("--format", required=True, choices=("text", "jsonl", "parquet"))
    p.add_argument("--output", required=True, help="Parquet folder to write")
    p.add_argument("--text-col", default="text", help="text column for jsonl/parquet (text)")
    p.add_argument("--id-col", default="id", help="id column for jsonl/parquet (id)")
    p.add_argument("--master", help="Spark master, e.g. 'local[2]' (default: spark-submit's, "
                   "else local[*])")  # fmt: skip
    p.add_argument(
        "--model",
        metavar="NAME|DIR",
        help="fast (default), semantic, cascade (both need the MiniLM encoder installed on "
        "every worker: make semantic), or a model folder",
    )
    p.add_argument("--threshold", type=float, help="flag at this score (default: the model's)")
    p.add_argument(
        "--max-chars",
        type=int,
        default=MAX_CHARS,
        help=f"score at most this many characters a document ({MAX_CHARS:,})",
    )
    p.add_argument(
        "--max-file-bytes",
        type=int,
        default=MAX_FILE_BYTES,
        help=f"text files larger than this are not read ({MAX_FILE_BYTES:,})",
    )
    p.add_argument("--overwrite", action="store_true", help="replace the output if it exists")
    p.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting for a local run, e.g. spark.driver.memory=4g (repeatable)",
    )
    return p


def _error_rows(df: DataFrame, id_col: Column, error: Column, id_type: object) -> DataFrame:
    """Rows in the output schema for documents refused before scoring."""
    from pyspark.sql import functions as F

    schema = output_schema(id_type)
    cols = [id_col.cast(id_type).alias("id")]
    cols += [F.lit(None).cast(f.dataType).alias(f.name) for f in schema.fields[1:-1]]
    return df.select(*cols, error.alias("error"))


def local_paths(path: str) -> list[str] | None:
    """The local files or folders ``--input`` names, absolute; None for a URI only Hadoop reads.

    A path that exists is taken as it is, whatever characters it holds; else
    a ``file:`` URI is decoded, and a pattern (``*``, ``?``, ``[``) is matched
    with ``glob``, hidden names included. Nothing found: FileNotFoundError.
    """
    if os.path.lexists(path):
        return [os.path.abspath(path)]
    scheme = _SCHEME.match(path)
    if scheme and scheme.group(1).lower() != "file":
        return None
    if scheme:
        path = urllib.parse.unquote(_FILE_URI.sub("", path), errors="surrogateescape")
        if os.path.lexists(path):
            return [os.path.abspath(path)]
    if glob.has_magic(path):
        found = sorted(glob.glob(path, include_hidden=True))
        if found:
            return [os.path.abspath(p) for p in found]
    raise FileNotFoundError(f"input not found: {path}")


def list_files(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Every file under ``paths`` (folders searched recursively, names sorted), and errors.

    Symlinks are followed; a folder reached twice (a symlink loop, or two links
    to one folder) is read once and its second path is an error, as is a
    folder that cannot be listed: ``(path, "unreadable: ...")``. Anything
    that is no folder is a file here; the reader refuses what is not regular.
    """
    files: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    stack = list(reversed(paths))
    while stack:
        path = stack.pop()
        try:
            info = os.stat(path)
        except OSError:
            files.append(path)  # a broken link: the reader says why
            continue
        if not os.path.isdir(path):
            files.append(path)
            continue
        if (info.st_dev, info.st_ino) in seen:
            errors.append((path, "unreadable: folder already read under another path"))
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(path) as entries:
                names = sorted(e.path for e in entries)
        except OSError as exc:
            errors.append((path, f"unreadable: folder not listed: {exc.strerror or exc}"))
            continue
        stack.extend(reversed(names))
    return files, errors


def _read_text_files(
    spark: SparkSession, path: str, max_file_bytes: int
) -> tuple[DataFrame, DataFrame | None]:
    """Text files as (``id``, ``path``) rows for the workers to read, and unlistable folders.

    The id is the file's absolute path (a name that is not UTF-8 shows its
    undecodable bytes as U+FFFD; the path read is the exact one). Files are
    split about ``FILES_PER_TASK`` a task (a multiple of the cores), so
    per-task costs stay small. Other URIs go to Hadoop's reader.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    local = local_paths(path)
    if local is None:
        return _read_hadoop_files(spark, path, max_file_bytes)
    files, errors = list_files(local)
    cores = spark.sparkContext.defaultParallelism
    tasks = cores * max(1, math.ceil(len(files) / (FILES_PER_TASK * cores)))
    rows = [(replace_surrogates(p), os.fsencode(p)) for p in files]
    docs = spark.createDataFrame(
        spark.sparkContext.parallelize(rows, tasks), "id string, path binary"
    )
    if not errors:
        return docs, None
    bad = spark.createDataFrame([(replace_surrogates(p), e) for p, e in errors],
                                "id string, error string")  # fmt: skip
    return docs, _error_rows(bad, F.col("id"), F.col("error"), StringType())


def _read_hadoop_files(
    spark: SparkSession, path: str, max_file_bytes: int
) -> tuple[DataFrame, DataFrame]:
    """Text files of a URI only Hadoop reads, as (path, content bytes), and error rows.

    Hadoop skips names starting with ``.`` or ``_`` and fails on ``:`` in a
    name. Spark packs small files about 32 to a task; they are regrouped to
    about ``FILES_PER_TASK`` a task (a multiple of the cores).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path)
    listed = [(_SCHEME_SLASHES.sub(r"\1:/", p),) for p in files.inputFiles()]
    cores = spark.sparkContext.defaultParallelism
    tasks = cores * max(1, math.ceil(len(listed) / (FILES_PER_TASK * cores)))
    meta = files.select("path", "length").coalesce(tasks)  # content is not read
    big = meta.filter(F.col("length") > max_file_bytes)
    message = F.format_string(
        f"too-large: file of %d bytes, over the {max_file_bytes:,}-byte read limit",
        F.col("length"),
    )
    # Spark's file scan skips empty files: they are the listed ones it never returns.
    empty = spark.createDataFrame(listed, "path string").join(meta, "path", "left_anti")
    refused = _error_rows(big, F.col("path"), message, StringType()).unionByName(
        _error_rows(empty, F.col("path"), F.lit("empty: no text"), StringType())
    )
    # The filter on `length` is applied before a file's content is read.
    docs = files.filter(F.col("length") <= max_file_bytes).coalesce(tasks)
    return docs.select(F.col("path").alias("id"), F.col("content").alias("text")), refused


def read_documents(
    spark: SparkSession,
    path: str,
    fmt: str,
    text_col: str = "text",
    id_col: str = "id",
    max_file_bytes: int = MAX_FILE_BYTES,
) -> tuple[DataFrame, DataFrame | None]:
    """(documents to score as ``id``/``text`` columns, rows of documents refused on reading).

    Local text files come as ``id``/``path`` columns instead: the workers read
    each file (``score_spark(..., read_paths=True)``). JSON Lines ids are read
    as strings; a line that is not a JSON object is refused as ``malformed``.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    if fmt == "text":
        return _read_text_files(spark, path, max_file_bytes)
    if fmt == "jsonl":
        corrupt = "_corrupt_record"
        schema = StructType([StructField(c, StringType()) for c in (id_col, text_col, corrupt)])
        raw = spark.read.schema(schema).option("columnNameOfCorruptRecord", corrupt).json(path)
        bad = raw.filter(F.col(corrupt).isNotNull())
        # regexp_replace goes through Java strings: invalid UTF-8 comes out replaced.
        head = F.regexp_replace(F.substring(corrupt, 1, 80), r"\p{Cntrl}", " ")
        message = F.concat(F.lit("malformed: not a JSON object: "), head)
        refused = _error_rows(bad, F.col(id_col), message, StringType())
        return raw.filter(F.col(corrupt).isNull()).drop(corrupt), refused
    if fmt == "parquet":
        return spark.read.parquet(path), None
    raise ValueError(f"unknown format {fmt!r}")


def summarize_output(df: DataFrame) -> dict[str, object]:
    """Documents, sentences, flagged sentences and errors (by kind) of a scored output."""
    from pyspark.sql import functions as F

    first = F.col("index").isNull() | (F.col("index") == 0)
    row = df.agg(
        F.count(F.when(first, 1)).alias("documents"),
        F.count("index").alias("sentences"),
        F.count(F.when(F.col("flagged"), 1)).alias("flagged"),
        F.count(F.when(first & F.col("error").isNotNull(), 1)).alias("errors"),
    ).first()
    kinds = (
        df.filter(first & F.col("error").isNotNull())
        .groupBy(F.substring_index("error", ":", 1).alias("kind"))
        .count()
        .collect()
    )
    out: dict[str, object] = row.asDict() if row is not None else {}
    out["errors_by_kind"] = {r["kind"]: r["count"] for r in sorted(kinds, key=lambda r: r["kind"])}
    return out


def run(spark: SparkSession, args: argparse.Namespace) -> dict[str, object]:
    """Read, score, write; the summary of what was written."""
    t0 = time.perf_counter()
    if not spark.sparkContext.getConf().contains(ARROW_BATCH):
        spark.conf.set(ARROW_BATCH, BATCH_ROWS)  # bounds a batch of long documents in memory
    text_col, id_col = ("text", "id") if args.format == "text" else (args.text_col, args.id_col)
    docs, refused = read_documents(
        spark, args.input, args.format, text_col, id_col, args.max_file_bytes
    )
    parallelism = spark.sparkContext.defaultParallelism
    if docs.rdd.getNumPartitions() < parallelism:
        docs = docs.repartition(parallelism)
    read_paths = args.format == "text" and "path" in docs.columns
    scored = score_spark(
        docs,
        "path" if read_paths else text_col,
        id_col,
        args.model,
        args.threshold,
        args.max_chars,
        read_paths=read_paths,
        max_file_bytes=args.max_file_bytes,
    )
    if refused is not None:
        scored = scored.unionByName(refused)
    scored.write.mode("overwrite" if args.overwrite else "errorifexists").parquet(args.output)
    summary = summarize_output(spark.read.parquet(args.output))
    from ..core.artifacts import load_model

    summary.update(output=args.output, model=load_model(args.model).version,
                   seconds=round(time.perf_counter() - t0, 1))  # fmt: skip
    return summary


def format_summary(s: dict[str, object]) -> str:
    """The summary as one line for standard error."""
    kinds = s["errors_by_kind"]
    assert isinstance(kinds, dict)
    detail = ", ".join(f"{k} {v:,}" for k, v in kinds.items())
    return (
        f"spark_job: {s['documents']:,} documents, {s['sentences']:,} sentences, "
        f"{s['flagged']:,} flagged, {s['errors']:,} errors{f' ({detail})' if detail else ''}; "
        f"wrote {s['output']} (model {s['model']}, {s['seconds']} s)"
    )


def _session(master: str | None, conf: dict[str, str]) -> SparkSession:
    """spark-submit's session, or a quiet local one when run with plain Python."""
    if "PYSPARK_GATEWAY_PORT" in os.environ and master is None:  # launched by spark-submit
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("claim-risk")
        for key, value in conf.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("WARN")
        return spark
    from .spark import local_session

    return local_session(master or "local[*]", conf=conf)


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit status 0 when the job ran, whatever the documents held."""
    args = build_parser().parse_args(argv)
    if args.max_chars < 1 or args.max_file_bytes < 1:
        print("spark_job: --max-chars and --max-file-bytes must be positive", file=sys.stderr)
        return EXIT_USAGE
    if any("=" not in c for c in args.conf):
        print("spark_job: --conf takes KEY=VALUE", file=sys.stderr)
        return EXIT_USAGE
    conf = dict(c.split("=", 1) for c in args.conf)
    from ..core.artifacts import ModelError, load_model
    from .spark import shipped_model_dir

    args.model = shipped_model_dir(args.model)
    try:
        load_model(args.model).decision.with_threshold(args.threshold)
    except ModelError as exc:
        print(f"spark_job: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except ValueError as exc:
        print(f"spark_job: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    existing = SparkSession.getActiveSession()
    spark = _session(args.master, conf)
    try:
        print(format_summary(run(spark, args)), file=sys.stderr)
        return EXIT_OK
    except KeyError as exc:
        print(f"spark_job: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"spark_job: {replace_surrogates(str(exc))}", file=sys.stderr)
        return EXIT_UNREADABLE
    except AnalysisException as exc:
        message = str(exc).splitlines()[0]
        condition = getattr(exc, "getCondition", exc.getErrorClass)()
        code = EXIT_UNREADABLE if condition == "PATH_NOT_FOUND" else EXIT_USAGE
        print(f"spark_job: {message}", file=sys.stderr)
        return code
    except Exception as exc:  # one line for users, not a JVM stack trace
        print(f"spark_job: internal error: {type(exc).__name__}: {exc}"[:2000], file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if existing is None:  # a session this call started (not a caller's)
            spark.stop()


if __name__ == "__main__":
    raise SystemExit(main())
