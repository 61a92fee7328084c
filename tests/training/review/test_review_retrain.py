"""Retraining from the workbench: the adapt loop's command, run and watched in a subprocess."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from claim_risk.training.adapt.loop import extract
from claim_risk.training.review.retrain import RetrainJob, command

from tests.training.review.conftest import write_pages


def test_the_command_is_the_adapt_loops_retrain(tmp_path: Path) -> None:
    cmd = command(tmp_path / "mine.csv", tmp_path / "out", "fast")
    assert cmd[1:5] == ["-m", "claim_risk.training.adapt", "retrain", str(tmp_path / "mine.csv")]
    res = subprocess.run([*cmd[:4], "--help"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0
    for option in ("--out", "--tier", "--progress-json"):
        assert option in res.stdout and option in cmd


def _wait(job: RetrainJob) -> dict:
    while (status := job.status())["state"] == "running":
        time.sleep(0.2)
    return status


def test_a_failed_retraining_says_why_and_changes_nothing(tmp_path: Path) -> None:
    labels = tmp_path / "user" / "mine.csv"
    extract([str(write_pages(tmp_path / "pages", pages=2, sentences=4))], labels, topic="t")
    before = labels.read_bytes()
    called: list[Path] = []
    job = RetrainJob(labels, tmp_path / "models", lambda out, _: called.append(out), "fast")
    assert job.status() == {"state": "idle"}
    assert job.start()
    status = _wait(job)
    assert status["state"] == "failed"
    assert "no labelled rows" in status["error"]
    assert called == [] and labels.read_bytes() == before
