"""`make bench-spark`: Spark local mode against one process and ``Dataset.map``.

The same generated documents (perturbed labelled sentences laid out as pages,
from ``claim_risk.training.bench.scoring``) go through three paths, end to end (segmentation and
scoring with the page context):

- ``score_texts`` in one process, one batched call;
- ``Dataset.map`` with ``num_proc=2``: one map cuts documents into sentence
  rows, a second runs ``score_batch`` over them with ``document_column``;
- Spark ``local[2]``: ``claim_risk.frontends.spark.score_spark`` on a DataFrame read from
  Parquet, to Spark's ``noop`` sink (scoring only) and to Parquet (a job).

The contenders run in turns, round after round, so that other work on the
machine's shared cores weighs on all of them alike; each round's documents are
new (``kit.corpora``), so no run reads what an earlier one read; figures are medians with
their range, and the load average is recorded. Writes
``reports/bench_spark.json``, has ``reports/README.md`` re-rendered with its
Spark section (``evaluation.sections.spark_section``), and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..evaluation.report import write_readme
from ..evaluation.sections import spark_section
from .kit import corpora, documents, log, machine, rate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[2]
OUT_JSON = ROOT / "reports" / "bench_spark.json"
CORES = 2


def segment_batch(batch: dict[str, list]) -> dict[str, list]:
    """For ``Dataset.map(batched=True)``: documents in, one row per sentence out."""
    from claim_risk.core.segment import split_sentences

    out: dict[str, list] = {"doc": [], "text": []}
    for doc, text in zip(batch["doc"], batch["text"], strict=True):
        sentences = split_sentences(text)
        out["doc"] += [doc] * len(sentences)
        out["text"] += sentences
    return out


def one_process(rounds: list[list[str]]) -> tuple[int, Callable[[int], object]]:
    """``score_texts`` on every document of a round in one call: (sentences of round 0, the run)."""
    from claim_risk import score_texts

    n = sum(len(r) for r in score_texts(rounds[0]))
    return n, lambda i: score_texts(rounds[i])


def datasets_map(rounds: list[list[str]], n: int) -> Callable[[int], object]:
    """Two ``Dataset.map`` passes with ``num_proc=2``: cut into sentences, then ``score_batch``."""
    from claim_risk.frontends.frames import score_batch
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    sets = [Dataset.from_dict({"doc": list(range(len(d))), "text": d}) for d in rounds]

    def run(i: int) -> int:
        rows = sets[i].map(
            segment_batch,
            batched=True,
            num_proc=CORES,
            remove_columns=["text", "doc"],
            load_from_cache_file=False,
        )
        scored = rows.map(
            score_batch,
            batched=True,
            batch_size=10_000,
            num_proc=CORES,
            fn_kwargs={"document_column": "doc"},
            load_from_cache_file=False,
        )
        return len(scored)

    assert run(0) == n
    return run


def spark_runs(
    spark: SparkSession, rounds: list[list[str]], n: int, tmp: Path
) -> tuple[dict[str, Callable[[int], None]], float]:
    """``score_spark`` on DataFrames read from Parquet (one a round), to the noop sink and to
    Parquet.

    Also the time of the first run (on round 0), which starts the Python workers.
    """
    from claim_risk.frontends.spark import score_spark

    frames = []
    for i, docs in enumerate(rounds):
        src = tmp / f"docs{i}.parquet"
        df = spark.createDataFrame(list(enumerate(docs)), "id long, text string")
        df.repartition(2 * CORES).write.parquet(str(src))
        frames.append(spark.read.parquet(str(src)))
    out = tmp / "scores.parquet"

    def to_noop(i: int) -> None:
        score_spark(frames[i]).write.format("noop").mode("overwrite").save()

    def to_parquet(i: int) -> None:
        score_spark(frames[i]).write.mode("overwrite").parquet(str(out))

    t0 = time.perf_counter()
    to_parquet(0)
    first = time.perf_counter() - t0
    assert spark.read.parquet(str(out)).filter("index is not null").count() == n
    return {"noop": to_noop, "parquet": to_parquet}, first


def interleaved(runs: dict[str, Callable[[int], object]], repeats: int) -> dict[str, dict]:
    """Timings of each run, taken in rounds (one of each per round) so load hits all alike.

    Round ``i`` calls each run with ``i + 1``: its new documents (round 0 warmed up).
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(repeats):
        for name, fn in runs.items():
            log(f"round {i + 1}/{repeats}: {name}")
            t0 = time.perf_counter()
            fn(i + 1)
            times[name].append(time.perf_counter() - t0)
    return {
        name: {
            "median_s": statistics.median(t),
            "min_s": min(t),
            "max_s": max(t),
            "runs": len(t),
        }
        for name, t in times.items()
    }


def bench_job(docs: list[str], tmp: Path) -> dict:
    """Wall time of the Spark job module on the documents as text files (one run)."""
    folder = tmp / "pages"
    folder.mkdir()
    for i, d in enumerate(docs):
        (folder / f"{i:05d}.txt").write_text(d, encoding="utf-8")
    cmd = [sys.executable, "-m", "claim_risk.frontends.spark_job",
           "--input", str(folder), "--format", "text",
           "--output", str(tmp / "job.parquet"), "--master", f"local[{CORES}]"]  # fmt: skip
    log(f"python -m claim_risk.frontends.spark_job on {len(docs):,} text files")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = time.perf_counter() - t0
    summary = [line for line in proc.stderr.splitlines() if line.startswith("spark_job:")]
    return {"files": len(docs), "wall_s": wall, "summary": summary[-1] if summary else ""}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the JSON and the report section, print the table."""
    from claim_risk.frontends.spark import local_session

    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.bench.spark", description=__doc__
    )
    parser.add_argument("--sentences", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT_JSON)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    from claim_risk.core.segment import segment

    rounds = [documents(s) for s in corpora(args.sentences, args.repeats + 1, seed=4)]
    docs = rounds[1]
    n = round(statistics.mean(sum(len(segment(d)) for d in ds) for ds in rounds[1:]))
    load = os.getloadavg()
    n0, one = one_process(rounds)
    log(f"{len(docs):,} documents, {n:,} sentences a round; setting up Dataset.map and Spark")
    runs: dict[str, Callable[[int], object]] = {"one_process": one}
    runs["datasets_map"] = datasets_map(rounds, n0)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        spark = local_session(f"local[{CORES}]", "claim-risk-bench")
        session_start = time.perf_counter() - started
        try:
            spark_fns, first_run = spark_runs(spark, rounds, n0, Path(tmp))
            runs.update({f"spark_{k}": fn for k, fn in spark_fns.items()})
            timings = interleaved(runs, args.repeats)
        finally:
            spark.stop()
        job = bench_job(docs, Path(tmp))
    import pyspark

    result = {
        "machine": {**machine(), "pyspark": pyspark.__version__},
        "documents": len(docs),
        "sentences": n,
        "load_average_before": list(load),
        "load_average_after": list(os.getloadavg()),
        "timings": timings,
        "sentences_per_s": {k: rate(n, t) for k, t in timings.items()},
        "num_proc": CORES,
        "spark": {
            "master": f"local[{CORES}]",
            "session_start_s": session_start,
            "first_run_s": first_run,
            "input_partitions": 2 * CORES,
        },
        "job": job,
    }
    result["bench_wall_s"] = time.perf_counter() - t0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_readme(args.out.parent, inputs={OUT_JSON.name: args.out})
    print(spark_section(result))
    log(f"wrote {args.out} in {result['bench_wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
