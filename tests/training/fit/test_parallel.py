"""Training's worker processes die with it (issue 22: a SIGKILLed training left three loky
workers alive for 15 minutes). ``_kill_mid_run("plain", folder)`` runs joblib's own
``Parallel`` instead: its workers are still alive after the parent is gone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = """
import os, sys, time
from joblib import Parallel, delayed
from claim_risk.training.fit.parallel import parallel

def work(i):
    open(os.path.join(sys.argv[2], str(os.getpid())), "w").close()
    time.sleep(60)

run = parallel(2) if sys.argv[1] == "ours" else Parallel(n_jobs=2)
run(delayed(work)(i) for i in range(2))
"""


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _kill_mid_run(kind: str, folder: Path) -> list[int]:
    """Start two workers busy for a minute, SIGKILL their parent; return the workers' pids."""
    folder.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, kind, str(folder)])
    deadline = time.monotonic() + 60
    while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in folder.iterdir()]
    assert len(workers) == 2, "the workers never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    workers = _kill_mid_run("ours", tmp_path / "ours")
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, workers))


def test_the_same_computation_as_plain_parallel() -> None:
    from claim_risk.training.fit.parallel import parallel
    from joblib import delayed

    assert parallel(2)(delayed(pow)(i, 2) for i in range(6)) == [0, 1, 4, 9, 16, 25]
    assert parallel(1)(delayed(pow)(i, 3) for i in range(3)) == [0, 1, 8]
