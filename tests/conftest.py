"""Shared fixtures: a tiny labelled corpus written to a temporary folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from claim_risk.training.data.labeltool import draft_rows
from claim_risk.training.data.schema import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
_BIN = Path(sys.executable).parent / "predict"
# The installed `predict` console script, or the same CLI as a module when it is not installed.
PREDICT = [str(_BIN)] if _BIN.exists() else [sys.executable, "-m", "claim_risk.frontends.cli"]


def run_predict(
    *args: str, stdin: str | bytes = b"", env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """``predict ARGS`` in a subprocess, with ``stdin`` fed in and both streams captured."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [*PREDICT, *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def drive(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """``predict``'s ``main`` in this process on byte streams: status, stdout and stderr."""
    from claim_risk.frontends import cli

    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8"),
        io.TextIOWrapper(err, encoding="utf-8"),
    )
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        code = cli.main(argv)
        for stream in streams[1:]:
            stream.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def jsonl(out: bytes) -> list[dict]:
    """The records of ``predict --format jsonl`` output."""
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


# Keys that ../shared/spec/interface.md promises (checked on the shipped and on fresh models).
SEED_CV_KEYS = {"roc_auc", "pr_auc", "f1", "precision", "recall", "n"}
METADATA_KEYS = {"package_version", "training_data_sha256", "threshold",
                 "label_names", "created", "model_sha256", "bands", "libraries"}  # fmt: skip

PROMO = [
    "Our {x} drops cure {y} in days, guaranteed.",
    "Studies show {x} is completely safe with no side effects.",
    "I felt better within hours of my first dose of {x}.",
    "Doctors hate how fast {x} reverses {y} naturally.",
    "Unlike drugs, {x} works instantly and is totally safe for your baby.",
    "Order {x} today and get free shipping.",
    "What is {x}?",
    "{x} is a plant extract sold online.",
]
EVIDENCE = [
    "There is no good evidence that {x} helps {y}.",
    "Small trials of {x} were inconclusive, and more research is needed.",
    "Talk to your doctor before taking {x}, because it can interact with other medicines.",
    "{y} is common and treatable with proven care.",
    "Some users report benefits from {x}, but no controlled trial has tested this.",
    "{x} is not approved to treat {y}.",
    "Call your local health line for advice.",
    "This page was reviewed by a pharmacist.",
]
LABEL = {
    0: "unsupported",
    1: "unsupported",
    2: "unsupported",
    3: "unsupported",
    4: "unsupported",
    5: "none",
    6: "none",
    7: "none",
}
EV_LABEL = {
    0: "none",
    1: "hedged",
    2: "none",
    3: "none",
    4: "hedged",
    5: "none",
    6: "none",
    7: "none",
}
TOPICS = [("echinacea", "colds"), ("zinc", "acne"), ("garlic", "high blood pressure")]


def write_tiny_corpus(root: Path) -> tuple[Path, Path]:
    """Six documents (three topics x two registers), labelled; returns (csv, sources)."""
    sources = root / "sources"
    sources.mkdir(parents=True)
    rows: list[dict[str, str]] = []
    for topic, cond in TOPICS:
        for register, lines, labels in (
            ("promotional", PROMO, LABEL),
            ("evidence", EVIDENCE, EV_LABEL),
        ):
            doc_id = f"auth_{topic}_{register[:2]}"
            path = sources / f"{doc_id}.txt"
            path.write_text(
                "\n".join(s.format(x=topic, y=cond) for s in lines) + "\n", encoding="utf-8"
            )
            drafted = draft_rows(path, "authored", topic, register)
            for row in drafted:
                row["label"] = labels[int(row["position"])]
            rows.extend(drafted)
    labels_csv = root / "sentences.csv"
    with labels_csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return labels_csv, sources


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A freshly written tiny corpus: (sentences.csv, sources folder)."""
    return write_tiny_corpus(tmp_path / "labels")


def quick_train(labels_csv: Path, sources: Path, out: Path) -> int:
    """Run quick training on a corpus, writing artifacts/ and reports/ under ``out``."""
    from claim_risk.training.train import main

    return main(["--labels", str(labels_csv), "--sources", str(sources),
                 "--user-labels", str(out / "no-user-labels"),
                 "--artifacts", str(out / "artifacts"), "--reports", str(out / "reports"),
                 "--quick", "--n-jobs", "1"])  # fmt: skip


@pytest.fixture
def train_quick():
    """The `quick_train` helper, for tests that train their own tiny models."""
    return quick_train


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder trained with ``--quick`` on the tiny corpus, once per session."""
    root = tmp_path_factory.mktemp("tiny")
    labels_csv, sources = write_tiny_corpus(root / "labels")
    assert quick_train(labels_csv, sources, root) == 0
    return root
