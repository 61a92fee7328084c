"""`make bench`: speed and memory of the shipped model, written to reports/benchmark.json.

Every figure is the median of repeated runs with its min and max, measured on
this machine; the machine and library versions are recorded beside them. In
one process, each timed repeat reads sentences no earlier repeat of that
measurement read (``kit.corpora``), so no cache can serve it; commands are
timed in a fresh process each time.
``reports/README.md`` is then re-rendered with its section
(``evaluation.sections.bench_section``), and the figures of the project
README's *Speed* section with ``evaluation.sections.speed_summary``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from unittest.mock import patch

from ..config import REPORTS
from ..evaluation.report import write_readme, write_speed_summary
from ..evaluation.sections import TARGETS
from .kit import (
    corpora,
    corpus,
    documents,
    log,
    machine,
    rate,
    run_command,
    spread,
    timed,
)
from .peers import bench_end_to_end, fasttext_predict
from .tiers import bench_tiers

BENCH_JSON = REPORTS / "benchmark.json"


def bench_scoring(n: int, repeats: int) -> dict:
    """One-process throughput of the shipped model: sentences alone, and documents end to end."""
    from claim_risk import score_sentences, score_text, score_texts
    from claim_risk.core.artifacts import load_model

    warm, *runs = corpora(n, repeats + 1)
    load_model()
    score_sentences(warm[:100])
    log(f"scoring {n:,} sentences x{repeats}")
    t_score = timed(score_sentences, runs)
    docs = [documents(sentences) for sentences in runs]
    n_sent = statistics.mean(sum(len(score_text(d)) for d in ds[:50]) / 50 * len(ds) for ds in docs)
    mb = statistics.mean(sum(len(d.encode("utf-8")) for d in ds) / 1e6 for ds in docs)
    from claim_risk.core.segment import segment

    log(f"segmentation alone on {len(docs[0]):,} documents x{repeats}")
    t_seg = timed(lambda ds: [segment(d) for d in ds], docs)
    t_seg_public = bench_public_segmentation(docs)
    log(f"score_texts (batched) on {len(docs[0]):,} documents ({mb:.1f} MB) x{repeats}")
    t_text = timed(score_texts, docs)
    log(f"score_text one document at a time x{repeats}")
    t_single = timed(lambda ds: [score_text(d) for d in ds], docs)
    return {
        "sentences": n,
        "score_sentences_per_s": rate(n, t_score),
        "score_sentences_timing": t_score,
        "end_to_end_documents": len(docs[0]),
        "end_to_end_mb": mb,
        "end_to_end_sentences_per_s": rate(n_sent, t_text),
        "end_to_end_mb_per_s": rate(mb, t_text),
        "end_to_end_timing": t_text,
        "per_document_sentences_per_s": rate(n_sent, t_single),
        "segmentation_sentences_per_s": rate(n_sent, t_seg),
        "segmentation_public_sentences_per_s": rate(n_sent, t_seg_public),
        "per_document_timing": t_single,
    }


def bench_stages(n: int, repeats: int) -> dict:
    """Microseconds a sentence of each stage of the shipped sentence model, on pre-split
    sentences: where ``score_sentences`` spends its time.

    Names (abstraction), shape (damping and columns) and features (TF-IDF and
    cues) are timed on the text each reads; then the whole sentence model.
    Every stage, and every repeat, reads sentences no other one read, so the
    caches of word facts one stage fills cannot serve another.
    """
    from claim_risk.core.artifacts import load_model

    model = load_model().sentence
    warm, *sets = corpora(n, 4 * repeats + 1, seed=5)
    model.logits(warm)
    names, shape, features, whole = (sets[k * repeats : (k + 1) * repeats] for k in range(4))
    log(f"stages of the sentence model on {n:,} sentences x{repeats}")
    timings = {
        "names": timed(model.lexical_texts, names),
        "features": timed(model.features.transform, [model.lexical_texts(s) for s in features]),
        "sentence_model": timed(model.logits, whole),
    }
    if model.shape is not None:
        timings["shape"] = timed(model.shape.read, [model.lexical_texts(s) for s in shape])
    return {
        "sentences": n,
        "us_per_sentence": {k: t["median_s"] / n * 1e6 for k, t in timings.items()},
    }


def bench_public_segmentation(docs: list[list[str]]) -> dict[str, float]:
    """Segmentation timed with blingfire's public ``text_to_sentences`` in place of the
    undocumented C handle the segmenter calls: the gain that justifies keeping the handle."""
    import blingfire
    from claim_risk.core import segment as segment_module

    log(f"segmentation with blingfire's public call on {len(docs[0]):,} documents x{len(docs)}")
    with patch.object(segment_module, "_to_sentences", blingfire.text_to_sentences):
        return timed(lambda ds: [segment_module.segment(d) for d in ds], docs)


def bench_references(n: int, repeats: int) -> dict:
    """Side by side on the same sentences, in one run: the plain-data scorer, the
    scikit-learn pipeline it is exported from (fitted here with the shipped
    configuration), a plain scikit-learn TF-IDF + LR, and fastText if installed."""
    import numpy as np
    from claim_risk import score_sentences
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from ..data.sentences import load_labels
    from ..fit.features import build_pipeline

    table = load_labels(user_dir=None).to_dict()
    texts, y = table["text"], (np.asarray(table["label"]) == 0).astype(int)
    exported = build_pipeline().fit(texts, y)
    plain = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), LogisticRegression())
    plain.fit(texts, y)
    warm, *runs = corpora(n, repeats + 1, seed=1)
    out: dict = {"sentences": n}
    for name, fn in (
        ("plain_data_scorer", score_sentences),
        ("sklearn_pipeline", exported.predict_proba),
        ("plain_sklearn_tfidf_lr", plain.predict_proba),
    ):
        log(f"{name} on {n:,} sentences x{repeats}")
        fn(warm)
        out[name] = {"sentences_per_s": rate(n, timed(fn, runs))}
    try:
        out["fasttext"] = {"sentences_per_s": _fasttext_rate(texts, y, warm, runs)}
    except ImportError:
        out["fasttext"] = "not installed"
    out["ratio_to_sklearn_pipeline"] = (
        out["plain_data_scorer"]["sentences_per_s"]["median"]
        / out["sklearn_pipeline"]["sentences_per_s"]["median"]
    )
    return out


def _fasttext_rate(
    texts: list[str], y: Sequence[int], warm: list[str], runs: list[list[str]]
) -> dict:
    """fastText (``peers.fasttext_predict``) on the same sentences, called one by one from
    Python (ImportError if absent)."""
    predict = fasttext_predict(texts, y)

    def run(sentences: list[str]) -> None:
        for s in sentences:
            predict(s)

    log(f"fasttext on {len(runs[0]):,} sentences x{len(runs)}")
    run(warm)
    return rate(len(runs[0]), timed(run, runs))


def bench_peers(n: int, rounds: int) -> dict:
    """End to end from raw documents beside pre-split, fastText with the same segmenter
    as the peer (``peers.bench_end_to_end``)."""
    import numpy as np

    from ..data.sentences import load_labels

    try:
        table = load_labels(user_dir=None).to_dict()
        predict = fasttext_predict(table["text"], (np.asarray(table["label"]) == 0).astype(int))
    except ImportError:
        predict = None
    return bench_end_to_end(n, rounds, predict)


def bench_datasets(n: int, repeats: int) -> dict:
    """Dataset.map(batched=True) with one process and with all cores."""
    from claim_risk.frontends.frames import score_batch
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    cores = os.cpu_count() or 1
    sets = corpora(n, 2 * repeats, seed=2)
    out = {}
    for k, procs in enumerate((1, cores)):
        log(f"datasets map num_proc={procs} on {n:,} sentences x{repeats}")
        t = timed(
            lambda ds, p=procs: ds.map(
                score_batch,
                batched=True,
                batch_size=10_000,
                num_proc=p if p > 1 else None,
                load_from_cache_file=False,
            ),
            [Dataset.from_dict({"text": s}) for s in sets[k * repeats : (k + 1) * repeats]],
        )
        out[f"num_proc_{procs}"] = {"sentences_per_s": rate(n, t), "timing": t}
    out["speedup"] = (
        out[f"num_proc_{cores}"]["sentences_per_s"]["median"]
        / out["num_proc_1"]["sentences_per_s"]["median"]
    )
    out["cores"] = cores
    return out


def bench_cold_start(repeats: int) -> dict:
    """Wall time of `predict "one sentence"` beside `import sklearn` and `pass`."""
    predict = str(Path(sys.executable).with_name("predict"))
    cmds = {
        "python_pass": [sys.executable, "-c", "pass"],
        "import_sklearn": [sys.executable, "-c", "import sklearn"],
        "predict_one_sentence": [predict, "Colloidal silver cures every infection."],
    }
    log(f"cold starts x{repeats}")
    out = {}
    for name, cmd in cmds.items():
        out[name] = spread([run_command(cmd)[0] for _ in range(repeats)])
    out["ratio_to_import_sklearn"] = (
        out["predict_one_sentence"]["median_s"] / out["import_sklearn"]["median_s"]
    )
    return out


def bench_big_file(mb_sizes: tuple[int, ...], repeats: int) -> dict:
    """`predict --format jsonl` on generated files: wall time and peak memory."""
    predict = str(Path(sys.executable).with_name("predict"))
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in mb_sizes:
            path = Path(tmp) / f"{size}mb.txt"
            sentences = corpus(20_000, seed=3)
            docs = documents(sentences)
            with path.open("w", encoding="utf-8") as fh:
                written, i = 0, 0
                while written < size * 1_000_000:
                    block = docs[i % len(docs)] + "\n\n"
                    fh.write(block)
                    written += len(block.encode("utf-8"))
                    i += 1
            log(f"predict --format jsonl on {size} MB x{repeats}")
            runs = [
                run_command([predict, "--format", "jsonl", "--file", str(path)])
                for _ in range(repeats)
            ]
            times = [t for t, _ in runs]
            out[f"{size}mb"] = {
                "bytes": path.stat().st_size,
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "peak_rss_mib": max(r for _, r in runs) / 1024,
                "mb_per_s": size / statistics.median(times),
            }
    small, big = f"{mb_sizes[0]}mb", f"{mb_sizes[-1]}mb"
    out["memory_ratio"] = out[big]["peak_rss_mib"] / out[small]["peak_rss_mib"]
    return out


def bench_training() -> dict:
    """Wall time of the training run (no environment set-up) and the model file size."""
    with tempfile.TemporaryDirectory() as tmp:
        log("training (python -m claim_risk.training.train) into a temporary folder")
        t, rss = run_command(
            [
                sys.executable,
                "-m",
                "claim_risk.training.train",
                "--artifacts",
                f"{tmp}/a",
                "--reports",
                f"{tmp}/r",
            ]
        )
        size = (Path(tmp) / "a" / "model.json").stat().st_size
    return {"wall_s": t, "peak_rss_mib": rss / 1024, "model_file_bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.bench.scoring", description=__doc__
    )
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--out", type=Path, default=BENCH_JSON)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    load_before = os.getloadavg()
    result = {
        "machine": machine(),
        "load_average_before": list(load_before),
        "scoring": bench_scoring(args.sentences, args.repeats),
        "stages": bench_stages(min(args.sentences, 50_000), args.repeats),
        "end_to_end": bench_peers(min(args.sentences, 50_000), max(args.repeats, 5)),
        "references": bench_references(min(args.sentences, 100_000), args.repeats),
        "datasets_map": bench_datasets(args.sentences, args.repeats),
        "cold_start": bench_cold_start(max(args.repeats, 5)),
        "big_file": bench_big_file((1, args.big_mb), args.repeats),
        "training": bench_training(),
        "tiers": bench_tiers(min(args.sentences, 2_000), args.repeats),
        "targets": TARGETS,
    }
    result["fresh_inputs"] = True  # every timed repeat reads text no earlier one read (kit.timed)
    result["bench_wall_s"] = time.perf_counter() - t0
    result["load_average_after"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_readme(args.out.parent, inputs={BENCH_JSON.name: args.out})
    if args.out == BENCH_JSON:
        write_speed_summary(args.out)
    log(f"wrote {args.out} in {result['bench_wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
