"""Scoring a Spark DataFrame of documents: one row per sentence out.

``pip install 'claim-risk[spark]'``. pyspark, pandas and pyarrow are imported
inside these functions only, so ``import claim_risk`` never needs them.

The model is plain data (``model.json`` + ``metadata.json``, about 300 kB).
``score_spark`` reads the two files' bytes on the driver and broadcasts them
once; on each executor the first task of a Python worker process writes them
to a private temporary folder and loads it with ``load_model``, which checks
the SHA-256 and caches the model for the life of the process. Every later
batch in that process reuses it.

Bad documents never fail the job. A document that cannot be scored comes out
as one row with ``index`` and ``score`` null and ``error`` saying why, the
kind first: ``missing`` (null text), ``empty`` (blank), ``binary`` (not
UTF-8, or with NUL bytes), ``failed`` (scoring raised; not seen in tests),
with ``read_paths`` ``too-large`` (a file over ``max_file_bytes``) and
``unreadable`` (a file that cannot be opened or is no regular file), and
from ``claim_risk.frontends.spark_job``'s readers ``malformed``. A
document over ``max_chars`` characters is scored on its first ``max_chars``
characters and each of its rows carries a ``truncated: ...`` error. Every
other row has ``error`` null.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.artifacts import (
    DEFAULT_DIR,
    ENV_VAR,
    METADATA_FILE,
    MODEL_FILE,
    cascade,
    load_model,
)
from ..core.pipeline import RECORD_FIELDS, SentenceScore
from ..core.score import score_texts
from ..core.tiers import CascadeTier, LinearTier, Tier

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.broadcast import Broadcast
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

__all__ = [
    "CHUNK_DOCUMENTS",
    "MAX_CHARS",
    "MAX_FILE_BYTES",
    "OUTPUT_COLUMNS",
    "local_session",
    "model_files",
    "output_schema",
    "score_spark",
    "shipped_model_dir",
]

MAX_CHARS = 1_000_000
MAX_FILE_BYTES = 64 << 20
CHUNK_DOCUMENTS = 256
OUTPUT_COLUMNS = (*RECORD_FIELDS, "error")
"""After ``id``: the fields of every ``SentenceScore`` record, then ``error``."""

_MODEL_DIRS: dict[str, str] = {}


def shipped_model_dir(model_dir: str | os.PathLike | None = None) -> str | os.PathLike | None:
    """``model_dir``, or a real folder for the shipped model when the package is zipped.

    Under ``spark-submit --py-files claim_risk.zip`` (the wheel, renamed) the
    driver imports ``claim_risk`` from the zip, where ``claim_risk/artifacts`` is no
    folder; its two files are then read from the package and written to a
    temporary folder.
    """
    if model_dir not in (None, "fast") or os.environ.get(ENV_VAR) or DEFAULT_DIR.is_dir():
        return model_dir
    from importlib.resources import files

    artifacts = files("claim_risk") / "artifacts"
    try:
        data = {name: (artifacts / name).read_bytes() for name in (MODEL_FILE, METADATA_FILE)}
    except OSError:
        return model_dir  # load_model then says what is missing
    return _model_dir(data)


def _folder_files(loaded: LinearTier, prefix: str = "") -> dict[str, bytes]:
    directory = loaded.directory
    files = {prefix + name: (directory / name).read_bytes() for name in (MODEL_FILE, METADATA_FILE)}
    if hashlib.sha256(files[prefix + MODEL_FILE]).hexdigest() != loaded.metadata["model_sha256"]:
        raise RuntimeError(f"{directory / MODEL_FILE} changed while it was being read")
    return files


def model_files(model_dir: str | os.PathLike | None = None) -> dict[str, bytes]:
    """The bytes of ``model.json`` and ``metadata.json``, after checking the model loads here.

    For ``cascade`` the fast model's two files come too (as ``fast/...``), with the cut.
    """
    loaded = load_model(shipped_model_dir(model_dir))
    if isinstance(loaded, CascadeTier):
        return {
            **_folder_files(loaded.second),
            **_folder_files(loaded.first, "fast/"),
            "cascade_cut": repr(loaded.cut).encode(),
        }
    return _folder_files(loaded)


def executor_model(files: dict[str, bytes]) -> Tier:
    """The model of ``model_files`` in a worker: written to a private folder and loaded there."""
    own = {name: files[name] for name in (MODEL_FILE, METADATA_FILE)}
    model = load_model(_model_dir(own))
    if "cascade_cut" in files:
        fast = {name: files["fast/" + name] for name in (MODEL_FILE, METADATA_FILE)}
        model = cascade(model, load_model(_model_dir(fast)), float(files["cascade_cut"]))
    return model


def _model_dir(files: dict[str, bytes]) -> str:
    """A folder holding ``files``, written once per process and removed at its exit."""
    key = hashlib.sha256(b"".join(files[name] for name in sorted(files))).hexdigest()
    path = _MODEL_DIRS.get(key)
    if path is None:
        path = tempfile.mkdtemp(prefix=f"claim-risk-model-{key[:12]}-")
        for name, data in files.items():
            Path(path, name).write_bytes(data)
        atexit.register(shutil.rmtree, path, True)
        _MODEL_DIRS[key] = path
    return path


def output_schema(id_type: DataType) -> StructType:
    """The rows ``score_spark`` returns: the document id (its input type) and one sentence.

    The sentence's columns and their types come from ``SentenceScore``'s fields.
    """
    from pyspark.sql.types import (
        BooleanType,
        DoubleType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    spark_type = {"int": IntegerType, "str": StringType, "float": DoubleType, "bool": BooleanType}
    types = {f.name: f.type for f in fields(SentenceScore)}
    return StructType(
        [
            StructField("id", id_type),
            *(StructField(name, spark_type[types[name]]()) for name in RECORD_FIELDS),
            StructField("error", StringType()),
        ]
    )


class _Refused:
    """A file the worker did not read, and why (the error row's message)."""

    __slots__ = ("error",)

    def __init__(self, error: str) -> None:
        self.error = error


def read_file(path: str | bytes, max_bytes: int) -> bytes | _Refused:
    """A local file's bytes, or why it was not read: ``too-large`` or ``unreadable``.

    Opened without blocking, so a FIFO or device among the files is refused
    (no regular file) instead of hanging the task; the size is checked before
    reading, and a file that grew past the cap meanwhile is refused as well.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    too_large = "too-large: file of {} bytes, over the " + f"{max_bytes:,}-byte read limit"
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _Refused("unreadable: not a regular file")
            if info.st_size > max_bytes:
                return _Refused(too_large.format(info.st_size))
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return _Refused(f"unreadable: {exc.strerror or type(exc).__name__}")
    if len(data) > max_bytes:
        return _Refused(f"too-large: file grew past the {max_bytes:,}-byte read limit")
    return data


def _prepare(value: object, max_chars: int) -> tuple[str | None, str | None]:
    """The text to score and an error: (None, why) for a bad document, (text, None) if fine.

    Bytes are decoded as strict UTF-8, as ``predict`` reads files. Text with
    NUL characters is taken for binary. A document over ``max_chars`` is cut
    (at its last line break in the final half of the cap, else at the cap) and
    the error says so, with its text still scored.
    """
    if isinstance(value, _Refused):
        return None, value.error
    if value is None or (isinstance(value, float) and value != value):
        return None, "missing: no text"
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            text = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"binary: not valid UTF-8 (byte {exc.start})"
    else:
        text = value if isinstance(value, str) else str(value)
    if "\x00" in text:
        return None, f"binary: NUL byte at character {text.index(chr(0))}"
    if not text.strip():
        return None, "empty: no text"
    if len(text) > max_chars:
        cut = text.rfind("\n", max_chars // 2, max_chars)
        cut = cut + 1 if cut >= 0 else max_chars
        return text[:cut], f"truncated: scored the first {cut:,} of {len(text):,} characters"
    return text, None


def _score_chunk(texts: list[str], threshold: float | None, model: Tier) -> list[Any]:
    """Records per document in one batch; a document that raises gets its message instead."""
    try:
        return score_texts(texts, threshold, model)
    except Exception:
        out: list[Any] = []
        for text in texts:
            try:
                out.append(score_texts([text], threshold, model)[0])
            except Exception as exc:
                out.append(f"failed: {type(exc).__name__}: {exc}"[:500])
        return out


def _rows(
    ids: Sequence[object],
    values: Sequence[object],
    threshold: float | None,
    model: Tier,
    max_chars: int,
) -> dict[str, list]:
    """The output columns for one chunk of documents."""
    cols: dict[str, list] = {name: [] for name in ("id", *OUTPUT_COLUMNS)}
    prepared = [_prepare(v, max_chars) for v in values]
    todo = [i for i, (text, _) in enumerate(prepared) if text is not None]
    scored = dict(
        zip(todo, _score_chunk([prepared[i][0] for i in todo], threshold, model), strict=True)
    )
    for i, doc_id in enumerate(ids):
        error = prepared[i][1]
        records = scored.get(i)
        if isinstance(records, str):
            error, records = records, None
        if not records:
            _append(cols, (doc_id, *[None] * len(RECORD_FIELDS)), error or "empty: no sentences")
            continue
        for r in records:
            _append(cols, (doc_id, *(getattr(r, name) for name in RECORD_FIELDS)), error)
    return cols


def _append(cols: dict[str, list], row: tuple, error: str | None) -> None:
    """Append one row (the id and the sentence fields, then the error) to the column lists."""
    for name, value in zip(cols, (*row, error), strict=True):
        cols[name].append(value)


def _frame(cols: dict[str, list]) -> pd.DataFrame:
    """A pandas frame with nullable dtypes, so missing numbers travel to Spark as nulls."""
    import pandas as pd

    dtypes = {
        "index": "Int32",
        "start": "Int32",
        "end": "Int32",
        "score": "Float64",
        "flagged": "boolean",
        "page_score": "Float64",
    }
    return pd.DataFrame(
        {
            name: pd.array(values, dtype=dtypes[name])
            if name in dtypes
            else pd.Series(values, dtype=object)
            for name, values in cols.items()
        }
    )


def _score_batches(
    batches: Iterator[pd.DataFrame],
    files: Broadcast,
    threshold: float | None,
    max_chars: int,
    chunk: int,
    decode_ids: bool,
    max_file_bytes: int | None = None,
) -> Iterator[pd.DataFrame]:
    """The ``mapInPandas`` function: documents in, sentence rows out, ``chunk`` at a time.

    Text arrives as bytes (decoded here, so invalid UTF-8 is a bad document,
    not a failed task); so do string ids when ``decode_ids``. With
    ``max_file_bytes``, the text column holds file paths, each read here when
    its chunk comes up (so at most ``chunk`` files are in memory at once).
    """
    model = executor_model(files.value)
    for batch in batches:
        ids = batch["id"].astype(object).where(batch["id"].notna(), None).tolist()
        if decode_ids:
            ids = [None if i is None else bytes(i).decode("utf-8", "replace") for i in ids]
        values = batch["text"].tolist()
        for lo in range(0, len(ids), chunk):
            part = slice(lo, lo + chunk)
            texts = values[part]
            if max_file_bytes is not None:
                texts = [
                    _Refused("missing: no path")
                    if p is None
                    else read_file(bytes(p), max_file_bytes)
                    for p in texts
                ]
            yield _frame(_rows(ids[part], texts, threshold, model, max_chars))


def score_spark(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    model_dir: str | os.PathLike | None = None,
    threshold: float | None = None,
    max_chars: int = MAX_CHARS,
    chunk: int = CHUNK_DOCUMENTS,
    read_paths: bool = False,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> DataFrame:
    """One row per sentence of every document of ``df``, scored as ``score_texts`` scores it.

    ``text_col`` holds each document's text (string, or binary read as UTF-8),
    or with ``read_paths`` the path of a file holding it (string, or binary
    from ``os.fsencode``), which the executors read themselves: a path must
    name a file they can see (local mode, or a shared mount), and a file over
    ``max_file_bytes`` is not read. ``id_col`` names it and comes out as
    ``id``. Columns out: ``id``, ``index``, ``text``, ``start``, ``end``,
    ``score``, ``flagged``, ``band``, ``page_score`` (the document's, on each
    of its rows) and ``error`` (null unless the document was bad or
    truncated; see the module doc). Rows of a document come out together and
    in order. The model is loaded and checked here first, so a missing or
    corrupt model fails before any task runs.
    """
    from pyspark.sql.types import BinaryType, StringType

    # Text and string ids travel as bytes and are decoded in Python, so that
    # invalid UTF-8 (possible in Parquet) is a bad document, not a failed task.
    for name in (id_col, text_col):
        if name not in df.columns:
            raise KeyError(f"column {name!r} not in the DataFrame (has: {', '.join(df.columns)})")
    if max_chars < 1 or chunk < 1 or max_file_bytes < 1:
        raise ValueError("max_chars, chunk and max_file_bytes must be positive")
    model_dir = shipped_model_dir(model_dir)
    load_model(model_dir).decision.with_threshold(threshold)
    files = df.sparkSession.sparkContext.broadcast(model_files(model_dir))
    id_type = df.schema[id_col].dataType
    decode_ids = isinstance(id_type, StringType)
    text = df[text_col]
    if not isinstance(df.schema[text_col].dataType, BinaryType):
        text = text.cast("string").cast("binary")
    docs = df.select(
        (df[id_col].cast("binary") if decode_ids else df[id_col]).alias("id"), text.alias("text")
    )
    fn = partial(
        _score_batches,
        files=files,
        threshold=threshold,
        max_chars=max_chars,
        chunk=chunk,
        decode_ids=decode_ids,
        max_file_bytes=max_file_bytes if read_paths else None,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
        return docs.mapInPandas(fn, output_schema(id_type))


def local_session(
    master: str = "local[2]",
    app_name: str = "claim-risk",
    shuffle_partitions: int = 4,
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """A quiet local Spark session whose Python workers run this interpreter.

    For tests, benchmarks and ``python -m claim_risk.frontends.spark_job`` on one machine
    (``conf`` adds Spark settings, e.g. ``spark.driver.memory``); on a cluster,
    build the session with ``spark-submit`` as usual. Also silences pyspark's
    warning about pandas 3, which the tests cover for what this module uses.
    """
    from pyspark.sql import SparkSession

    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
