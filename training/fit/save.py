"""Writing the model folder and report files so that an interrupted run leaves the old ones intact.

Everything is written into a temporary sibling folder first. The model folder
is then swapped in with one atomic exchange of the two folders (Linux
``renameat2(RENAME_EXCHANGE)``), so a model is in place at every instant; where
that call is missing, two renames are used (target -> ``<target>.old-<pid>``,
temporary -> target), and the next run first restores a model that a kill
between them left aside (``recover``). Report files are moved in one by one
with ``os.replace`` (atomic on one file system). Files in ``reports/`` that
training does not produce (the benchmark's) are left alone.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = [
    "atomic_dir",
    "dump_json",
    "recover",
    "replace_files",
    "rounded",
]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_RENAMEAT2_ARGS = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)


def rounded(obj: object, digits: int) -> object:
    """``obj`` with every float rounded to ``digits`` decimals (NaN and infinities kept)."""
    if isinstance(obj, float):
        return round(obj, digits) if obj == obj and abs(obj) != float("inf") else obj
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [rounded(v, digits) for v in obj]
    return obj


def dump_json(obj: object, path: Path, digits: int | None = None) -> None:
    """Stable, readable JSON (sorted keys, 2-space indent, trailing newline).

    With ``digits``, floats are rounded first, so that floating-point noise
    between machines (about 1e-11) does not reach the file.
    """
    if digits is not None:
        obj = rounded(obj, digits)
    path.write_text(
        json.dumps(obj, indent=2, sort_keys=True, allow_nan=True) + "\n", encoding="utf-8"
    )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then nothing happened)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = _RENAMEAT2_ARGS
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _stale(path: Path, marker: str) -> bool:
    """True if ``path`` (``<name><marker><pid>...``) was left by a process that is gone.

    This process counts as gone: it is not inside a swap when it asks.
    """
    digits = path.name.split(marker, 1)[1].split("-", 1)[0]
    if not digits.isdigit() or int(digits) == os.getpid():
        return True
    try:
        os.kill(int(digits), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _remove(path: Path) -> None:
    """Delete a folder tree, or just the link when ``path`` is a symbolic link."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def recover(target: Path) -> None:
    """Repair what a run killed during a swap left beside ``target``.

    If ``target`` is missing, the newest ``<target>.old-<pid>`` of a finished
    process is renamed back; other such folders and ``<target>.tmp-<pid>-*``
    folders of finished processes are removed.
    """
    if not target.parent.is_dir():
        return
    olds = sorted(
        (p for p in target.parent.glob(f"{target.name}.old-*") if _stale(p, ".old-")),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    if olds and not os.path.lexists(target):
        os.replace(olds.pop(0), target)
    for path in olds:
        _remove(path)
    for path in target.parent.glob(f"{target.name}.tmp-*"):
        if _stale(path, ".tmp-"):
            _remove(path)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` whole.

    A model stays in place at every instant, or (without ``renameat2``) is put
    back by ``recover`` at the start of the next run.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists() and _exchange(tmp, target):
        _remove(tmp)  # it now holds the old model
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            recover(target)  # puts the old model back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove(old)


@contextmanager
def replace_files(target: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success each file in it replaces its namesake in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target))
    try:
        yield tmp
        for path in sorted(tmp.rglob("*")):
            if path.is_file():
                dest = target / path.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
