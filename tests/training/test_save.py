"""Nothing half-written: an interrupted training run leaves the previous model loadable."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.artifacts import _load
from training.save import atomic_dir, replace_files


def test_failed_write_keeps_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "artifacts"
    target.mkdir()
    (target / "pipeline.joblib").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "pipeline.joblib").write_text("new, half")
        raise RuntimeError("interrupted")
    assert (target / "pipeline.joblib").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["artifacts"]


def test_successful_write_replaces_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "artifacts"
    target.mkdir()
    (target / "stale.txt").write_text("x")
    with atomic_dir(target) as tmp:
        (tmp / "pipeline.joblib").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["pipeline.joblib"]


def test_report_files_are_replaced_and_others_kept(tmp_path: Path) -> None:
    (tmp_path / "benchmark.json").write_text("{}")
    (tmp_path / "metrics.json").write_text("old")
    with replace_files(tmp_path) as tmp:
        (tmp / "metrics.json").write_text("new")
    assert (tmp_path / "metrics.json").read_text() == "new"
    assert (tmp_path / "benchmark.json").read_text() == "{}"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0])
def test_killed_training_leaves_a_loadable_model(
    tiny_model: Path, tmp_path: Path, delay: float
) -> None:
    target = tmp_path / "artifacts"
    shutil.copytree(tiny_model / "artifacts", target)
    labels = tiny_model / "labels"
    cmd = [
        sys.executable,
        "-m",
        "training.train",
        "--labels",
        str(labels / "sentences.csv"),
        "--sources",
        str(labels / "sources"),
        "--user-labels",
        str(tmp_path / "none"),
        "--artifacts",
        str(target),
        "--reports",
        str(tmp_path / "reports"),
        "--quick",
        "--n-jobs",
        "1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    loaded = _load.__wrapped__(target)  # bypass the per-process cache
    assert 0.0 < loaded.threshold < 1.0
