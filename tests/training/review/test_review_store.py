"""The workbench's labels: saved one at a time, merged, and never lost.

Threads of one server and separate processes saving at once all land; a
process killed mid-save leaves a whole file holding every label it had
confirmed; skips are not labels.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from claim_risk.training.adapt.loop import extract
from claim_risk.training.data.schema import LABELS
from claim_risk.training.data.sentences import read_rows
from claim_risk.training.review.store import LabelStore, UnknownSentence

from tests.training.review.conftest import write_pages

CHILD = """
import sys
from pathlib import Path
from claim_risk.training.review.store import LabelStore
store = LabelStore(Path(sys.argv[1]))
for i, sid in enumerate(sys.argv[2:]):
    store.set_label(sid, ("unsupported", "hedged", "none")[i % 3])
    print(sid, flush=True)
"""


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    out = tmp_path / "user" / "mine.csv"
    extract([str(write_pages(tmp_path / "pages", pages=8, sentences=25))], out, topic="t")
    return out


def _ids(path: Path) -> list[str]:
    return [r["id"] for r in read_rows(path, spreadsheet=True)]


def test_set_clear_and_refuse(labels: Path) -> None:
    store = LabelStore(labels)
    sid = _ids(labels)[3]
    store.set_label(sid, "hedged")
    assert store.labels() == {sid: "hedged"}
    store.set_label(sid, "")
    assert store.labels() == {}
    with pytest.raises(ValueError, match="not one of"):
        store.set_label(sid, "skip")
    with pytest.raises(UnknownSentence):
        store.set_label("user_nope_00000000-0000000000", "none")
    assert len(_ids(labels)) == 200  # no row gained or lost


def test_skip_is_remembered_apart_and_is_not_a_label(labels: Path) -> None:
    store = LabelStore(labels)
    a, b = _ids(labels)[:2]
    store.skip(a)
    store.skip(b)
    assert store.skipped() == {a, b} and store.labels() == {}
    assert all(r["label"] == "" for r in store.rows())
    store.set_label(a, "none")
    assert store.skipped() == {b} and store.labels() == {a: "none"}


def test_threads_saving_at_once_lose_nothing(labels: Path) -> None:
    store = LabelStore(labels)
    ids = _ids(labels)[:120]
    barrier = threading.Barrier(6)

    def work(part: list[str]) -> None:
        barrier.wait()
        for i, sid in enumerate(part):
            store.set_label(sid, LABELS[i % 3])

    threads = [threading.Thread(target=work, args=(ids[k::6],)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = LabelStore(labels).labels()
    assert set(got) == set(ids)
    assert got == {sid: LABELS[i // 6 % 3] for i, sid in enumerate(ids)}


def test_two_processes_saving_at_once_lose_nothing(labels: Path) -> None:
    ids = _ids(labels)
    halves = [ids[0:100:2], ids[1:100:2]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(labels), *half],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    got = LabelStore(labels).labels()
    expected = {sid: LABELS[i % 3] for half in halves for i, sid in enumerate(half)}
    assert got == expected
    assert len(_ids(labels)) == 200


def test_a_process_killed_mid_save_leaves_every_confirmed_label(labels: Path) -> None:
    """SIGKILL while saving: the file is whole, and every label confirmed before is in it."""
    ids = _ids(labels)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(labels), *ids],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    confirmed = [proc.stdout.readline().strip() for _ in range(15)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    got = LabelStore(labels).labels()  # reads: the file parses as a whole CSV
    assert len(_ids(labels)) == 200
    for i, sid in enumerate(confirmed):
        assert got[sid] == LABELS[i % 3]
    assert set(got) <= set(ids[: len(got)])  # labelled in order, none invented
    LabelStore(labels).set_label(ids[-1], "none")  # the next save works and tidies up
    left = [p.name for p in labels.parent.iterdir() if p.name.endswith(".tmp")]
    assert left == []
