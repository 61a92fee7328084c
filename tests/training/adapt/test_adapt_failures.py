"""The adapt loop when the environment fails (issue 22 point 8): a read-only labels folder,
a full disk, no permission, a run killed mid-write, and an --out that is a link.

Every failure is one line on standard error and exit 3 (nothing changed: the labels file
and its sources/ are as they were); a killed run's temporary copy of the labels is removed
by the next run; a link is written through to its target. Read-only folders and full disks
are simulated by making the write calls raise the errors the system would.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from claim_risk.textio import atomic
from claim_risk.training.adapt import loop as adapt
from claim_risk.training.data.sentences import read_rows, write_rows

PAGE_A = "Our slimming tea flushes toxins from your liver overnight.\nTea is a drink.\n"
PAGE_B = (
    "<html><body><p>This magnesium spray guarantees deep sleep without any side effects."
    "</p><p>Talk to a doctor if insomnia lasts more than a month.</p></body></html>"
)


def _label_all(path: Path) -> None:
    """Label every row, as a spreadsheet would save them."""
    rows = read_rows(path, spreadsheet=True)
    for i, row in enumerate(rows):
        row["label"] = ("none", "unsupported")[i % 2]
    write_rows(path, rows, adapt.USER_COLUMNS, spreadsheet=True)


FAILURES = [
    (errno.EROFS, "Read-only file system"),
    (errno.ENOSPC, "No space left on device"),
    (errno.EACCES, "Permission denied"),
]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """Two pages and an extracted, labelled --out: (pages folder, out)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (pages / "b.html").write_text(PAGE_B, encoding="utf-8")
    out = tmp_path / "user" / "mine.csv"
    assert adapt.main(["extract", str(pages / "a.txt"), "--out", str(out)]) == 0
    _label_all(out)
    return pages, out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _raise(code: int, message: str, when=lambda *_, **__: True):
    """A stand-in for a system call that fails with ``code`` when ``when(*args)`` holds."""

    def fail(*args, **kwargs):
        if when(*args, **kwargs):
            raise OSError(code, message)
        return None

    return fail


@pytest.mark.parametrize(("code", "message"), FAILURES)
@pytest.mark.parametrize("where", ["mkstemp", "fsync of the labels", "replace of the labels"])
def test_a_failed_write_is_one_line_exit_3_and_changes_nothing(
    setup, monkeypatch: pytest.MonkeyPatch, capsys, code: int, message: str, where: str
) -> None:
    pages, out = setup
    before = _files(out.parent)
    capsys.readouterr()
    real_fsync, real_replace = os.fsync, os.replace
    if where == "mkstemp":  # a read-only folder refuses the first new file
        monkeypatch.setattr(atomic.tempfile, "mkstemp", _raise(code, message))
    elif where.startswith("fsync"):  # the disk fills while the labels are written

        def fsync(fd: int) -> None:
            if os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[1].startswith(".mine.csv."):
                raise OSError(code, message)
            real_fsync(fd)

        monkeypatch.setattr(atomic.os, "fsync", fsync)
    else:

        def replace(src, dst) -> None:
            if str(dst).endswith("mine.csv"):
                raise OSError(code, message)
            real_replace(src, dst)

        monkeypatch.setattr(atomic.os, "replace", replace)
    status = adapt.main(["extract", str(pages), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 3, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert message in err and "mine.csv" in err and "nothing changed" in err
    monkeypatch.undo()
    assert _files(out.parent) == before  # no new source without its rows, no temporary file
    assert adapt.main(["extract", str(pages), "--out", str(out)]) == 0  # and it recovers


def test_suggest_on_a_full_disk_is_one_line_exit_3(
    setup, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _, out = setup
    before = _files(out.parent)
    monkeypatch.setattr(atomic.os, "replace", _raise(errno.ENOSPC, "No space left on device"))
    capsys.readouterr()
    assert adapt.main(["suggest", str(out), "--n", "2"]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No space left on device" in err
    assert _files(out.parent) == before


def test_a_read_only_lock_file_is_one_line_exit_3(
    setup, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    pages, out = setup
    real_open = Path.open

    def open_(self, *args, **kwargs):
        if self.name.endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    capsys.readouterr()
    assert adapt.main(["extract", str(pages), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Read-only file system" in err


STALL = """
import os, sys, time
real = os.fsync
def stall(fd):
    real(fd)
    if os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[1].startswith(".mine.csv."):
        open(sys.argv[1], "w").close()
        time.sleep(120)
os.fsync = stall
from claim_risk.training.adapt.loop import main
sys.exit(main(["extract", sys.argv[2], "--out", sys.argv[3]]))
"""


def test_a_run_killed_mid_write_leaves_the_labels_and_the_next_run_cleans_up(
    setup, tmp_path: Path
) -> None:
    """A real SIGKILL while the new labels file is written (held at its fsync), twice."""
    pages, out = setup
    labels = {r["text"]: r["label"] for r in read_rows(out, spreadsheet=True)}
    before = out.read_bytes()
    for attempt in range(2):
        ready = tmp_path / f"ready{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-c", STALL, str(ready), str(pages), str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the run never reached the write"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        temporaries = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]
        assert len(temporaries) == 1 and temporaries[0].startswith(f".mine.csv.{proc.pid}.")
        # the killed run's full copy of the labels; the earlier one was removed
    assert out.read_bytes() == before  # the labels themselves untouched
    assert adapt.main(["extract", str(pages), "--out", str(out)]) == 0
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []
    after = {r["text"]: r["label"] for r in read_rows(out, spreadsheet=True)}
    assert {t: lab for t, lab in after.items() if t in labels} == labels


def test_an_out_that_is_a_link_is_written_through(setup, tmp_path: Path) -> None:
    pages, out = setup
    link = out.parent / "link.csv"
    link.symlink_to(out)
    labels = {r["text"]: r["label"] for r in read_rows(out, spreadsheet=True)}
    assert adapt.main(["extract", str(pages), "--out", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == out.resolve()
    rows = read_rows(out, spreadsheet=True)
    assert {r["text"] for r in rows} > set(labels)  # the target got page b's rows
    assert {r["text"]: r["label"] for r in rows if r["text"] in labels} == labels
