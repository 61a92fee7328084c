"""What the benchmarks share: timing, a perturbed corpus, the machine, report blocks.

``make bench`` (``bench.scoring``), its tiers (``bench.tiers``),
``make bench-spark`` and ``make adapt-curve`` use these, so that their figures
are measured and written the same way.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

__all__ = [
    "corpora",
    "corpus",
    "documents",
    "log",
    "machine",
    "rate",
    "run_command",
    "spread",
    "timed",
]

T = TypeVar("T")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def spread(times: list[float]) -> dict[str, float]:
    """Median, min and max of some wall times, and how many there were."""
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": len(times),
    }


def timed(run: Callable[[T], object], inputs: Sequence[T]) -> dict[str, float]:
    """Median, min and max wall time of ``run``, one timed repeat per item of ``inputs``.

    Each repeat must get an input no earlier repeat had (``corpora`` makes
    them), so that nothing a repeat leaves in a cache can serve the next one:
    the semantic tier keeps its last batch's embeddings, and timing one batch
    three times once reported that cache's speed. An input equal to an earlier
    one is refused.
    """
    for i, item in enumerate(inputs):
        if any(item is earlier or item == earlier for earlier in inputs[:i]):
            raise ValueError(f"repeat {i + 1} would time an input an earlier repeat saw")
    times = []
    for item in inputs:
        t0 = time.perf_counter()
        run(item)
        times.append(time.perf_counter() - t0)
    return spread(times)


def rate(n: float, t: dict[str, float]) -> dict[str, float]:
    """Items per second from a timing: median and spread (from the max and min times)."""
    return {"median": n / t["median_s"], "low": n / t["max_s"], "high": n / t["min_s"]}


def _perturbed(seed: int) -> Iterator[str]:
    """Sentences from the labelled data, drawn at random and each perturbed, without end."""
    import csv

    from ..config import (
        SENTENCES,  # here: bench_encoder runs in venvs without sklearn
    )

    with SENTENCES.open(newline="", encoding="utf-8") as fh:
        base = [row["text"] for row in csv.DictReader(fh)]
    rng = random.Random(seed)
    for i in itertools.count():
        words = rng.choice(base).split()
        op = rng.randrange(4)
        if op == 0 and len(words) > 3:
            del words[rng.randrange(len(words))]
        elif op == 1 and len(words) > 2:
            j = rng.randrange(len(words) - 1)
            words[j], words[j + 1] = words[j + 1], words[j]
        elif op == 2:
            words.insert(rng.randrange(len(words) + 1), str(rng.randrange(10_000)))
        else:
            words.append(rng.choice(("today", "now", "for you", f"#{i}")))
        yield " ".join(words)


def corpus(n: int, seed: int = 0) -> list[str]:
    """``n`` sentences from the labelled data, shuffled and perturbed so few repeat exactly."""
    return list(itertools.islice(_perturbed(seed), n))


def corpora(n: int, runs: int, seed: int = 0) -> list[list[str]]:
    """``runs`` corpora of ``n`` perturbed sentences each, no sentence in two of them.

    One for each timed repeat (and one to warm up with), so that every repeat
    reads text no earlier one read. Sentences are told apart ignoring a final
    full stop, as ``documents`` drops it from headings.
    """
    seen: set[str] = set()
    out: list[list[str]] = [[] for _ in range(runs)]
    if n * runs == 0:
        return out
    drawn = 0
    for sentence in _perturbed(seed):
        drawn += 1
        if drawn > 100 * n * runs + 1000:
            raise ValueError(f"too few distinct sentences for {runs} corpora of {n}")
        key = sentence.rstrip(".!?")
        if key in seen:
            continue
        seen.add(key)
        out[(len(seen) - 1) // n].append(sentence)
        if len(seen) == n * runs:
            break
    return out


def documents(sentences: list[str], per_doc: int = 25) -> list[str]:
    """Raw documents: paragraphs of sentences with headings and bullet lines between them."""
    docs = []
    for i in range(0, len(sentences), per_doc):
        chunk = sentences[i : i + per_doc]
        lines, para = [], []
        for j, s in enumerate(chunk):
            if j % 7 == 0:
                lines.append(s.rstrip("."))  # a heading line
            elif j % 5 == 0:
                lines.append("- " + s)
            else:
                para.append(s if s.endswith((".", "!", "?")) else s + ".")
                if len(para) == 3:
                    lines.append(" ".join(para))
                    para = []
        lines.append(" ".join(para))
        docs.append("\n".join(line for line in lines if line))
    return docs


def run_command(cmd: list[str], stdin_path: Path | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of a command, measured in a fresh wrapper process."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "cmd = json.loads(sys.argv[1]); src = sys.argv[2]\n"
        "fin = open(src, 'rb') if src else subprocess.DEVNULL\n"
        "t0 = time.perf_counter()\n"
        "r = subprocess.run(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "t = time.perf_counter() - t0\n"
        "assert r.returncode == 0, r.stderr.decode()[-500:]\n"
        "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, json.dumps(cmd), str(stdin_path or "")],
        capture_output=True,
        text=True,
        check=True,
    )
    t, rss = out.stdout.split()
    return float(t), int(rss)


def machine() -> dict:
    """Cores, CPU model and library versions."""
    import blingfire  # noqa: F401
    import datasets
    import numpy
    import sklearn

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "scikit_learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "datasets": datasets.__version__,
    }
