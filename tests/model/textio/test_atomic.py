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
