"""Nothing half-written: an interrupted training run leaves the previous model loadable."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from claim_risk.core.artifacts import _load
from claim_risk.training.fit import save
from claim_risk.training.fit.save import atomic_dir, recover, replace_files

ROOT = Path(__file__).resolve().parents[3]


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


def _old_model(tmp_path: Path) -> Path:
    target = tmp_path / "artifacts"
    target.mkdir()
    (target / "pipeline.joblib").write_text("old")
    return target


def _crash_after_first_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two-rename swap, killed after its first rename (nothing runs after that)."""
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) > 1:
            raise KeyboardInterrupt("killed")
        real(src, dst)

    monkeypatch.setattr(save, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "replace", replace)


def test_a_kill_between_the_two_renames_is_repaired_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_model(tmp_path)
    _crash_after_first_rename(monkeypatch)
    with pytest.raises(KeyboardInterrupt), atomic_dir(target) as tmp:
        (tmp / "pipeline.joblib").write_text("new")
    monkeypatch.undo()
    assert not target.exists()  # the state a kill leaves: no model, the old one aside
    [aside] = tmp_path.glob("artifacts.old-*")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    aside.rename(tmp_path / f"artifacts.old-{dead.pid}")  # left by a process that is gone
    with pytest.raises(RuntimeError), atomic_dir(target):
        raise RuntimeError("the next run fails too")
    assert (target / "pipeline.joblib").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["artifacts"]


def test_recover_leaves_a_running_swap_alone(tmp_path: Path) -> None:
    target = _old_model(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / f"artifacts.old-{busy.pid}").mkdir()
        (tmp_path / f"artifacts.tmp-{busy.pid}-abc").mkdir()
        (tmp_path / f"artifacts.tmp-{dead.pid}-stale").mkdir()
        recover(target)
    finally:
        busy.kill()
        busy.wait()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["artifacts", f"artifacts.old-{busy.pid}", f"artifacts.tmp-{busy.pid}-abc"]


def test_a_failed_second_rename_puts_the_old_model_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_model(tmp_path)
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(save, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="disk full"), atomic_dir(target) as tmp:
        (tmp / "pipeline.joblib").write_text("new")
    assert (target / "pipeline.joblib").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["artifacts"]


def test_the_swap_is_one_atomic_exchange_where_the_system_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    if not save._exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert (b / "x").read_text() == "a" and not (a / "x").exists()
    (tmp_path / "m").mkdir()
    target = _old_model(tmp_path / "m")

    def no_rename(src, dst):
        raise AssertionError("the two-rename fallback ran")

    monkeypatch.setattr(os, "replace", no_rename)
    with atomic_dir(target) as tmp:
        (tmp / "pipeline.joblib").write_text("new")
    assert (target / "pipeline.joblib").read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["artifacts"]


def test_leftovers_of_an_interrupted_swap_are_ignored_by_git() -> None:
    paths = ["model/artifacts.old-1234/metadata.json", "model/artifacts.tmp-1234-x/m.json",
             "labels/user/.mine.csv.lock", "labels/user/.mine.csv.a1b2c3.tmp",
             "labels/user/sources/.user_a_1.txt.a1b2.tmp"]  # fmt: skip
    out = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert out.stdout.split() == paths


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
        "claim_risk.training.train",
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
