"""Atomic writes: the new file whole, or the old one untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from claim_risk.textio.atomic import atomic_write, write_bytes


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_is_written_as_utf8_with_newlines_untranslated(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with atomic_write(path) as fh:
        fh.write("é,1\r\nx\n")
    assert path.read_bytes() == "é,1\r\nx\n".encode()
    assert leftovers(tmp_path) == []


def test_bytes_replace_an_existing_file_and_keep_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_bytes(path, b"<p>new</p>")
    assert path.read_bytes() == b"<p>new</p>"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_permissions_of_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_bytes(tmp_path / "new.html", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.html").stat().st_mode & 0o777 == 0o640


def test_a_failed_block_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []


def test_a_refusal_before_the_rename_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("old\n", encoding="utf-8")

    def refuse() -> None:
        raise FileExistsError("changed meanwhile")

    with pytest.raises(FileExistsError), atomic_write(path, before_replace=refuse) as fh:
        fh.write("new\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_an_error_not_a_new_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_bytes(tmp_path / "no" / "page.html", b"x")
    assert not (tmp_path / "no").exists()


# Issue 22 point 8: temporary files of dead writers, and links.


def _dead_pid() -> int:
    """The id of a process that has exited and been reaped."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_files_name_their_writer(tmp_path: Path, monkeypatch) -> None:
    seen: list[str] = []

    def spy(*_: object) -> None:
        seen.extend(leftovers(tmp_path))

    with atomic_write(tmp_path / "a.csv", before_replace=spy) as fh:
        fh.write("x")
    [name] = seen
    assert name.startswith(f".a.csv.{os.getpid()}.") and name.endswith(".tmp")


def test_a_write_removes_the_temporary_files_of_dead_writers_only(tmp_path: Path) -> None:
    import time

    path = tmp_path / "mine.csv"
    dead = _dead_pid()
    stale = [f".mine.csv.{dead}.abcd_123.tmp", ".mine.csv.zyxw9876.tmp"]  # and an old-style one
    alive = [f".mine.csv.{os.getpid()}.live_tmp.tmp", f".mine.csv.{os.getppid()}.pare_nt0.tmp",
             ".mine.csv.fresh_00.tmp", f".other.csv.{dead}.abcd_123.tmp",
             f".mine.csv.x.{dead}.abcd_123.tmp"]  # fmt: skip
    for name in stale + alive:
        (tmp_path / name).write_text("a full copy of the labels")
    hour_ago = time.time() - 3600
    os.utime(tmp_path / ".mine.csv.zyxw9876.tmp", (hour_ago, hour_ago))
    write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
    assert leftovers(tmp_path) == sorted(alive)  # live, recent or another file's: kept


def test_a_link_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "data" / "labels.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    chain = tmp_path / "chain.csv"
    chain.symlink_to(link)
    write_bytes(chain, b"new\n")
    assert chain.is_symlink() and link.is_symlink()
    assert real.read_bytes() == b"new\n" and not real.is_symlink()
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []
