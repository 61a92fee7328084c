"""Writing a file atomically: a reader sees the old file or the new one, never half of one.

The content goes to a temporary file in the same folder (so the rename stays on
one file system), is flushed to disk, and then replaces the target with
``os.replace``. On any failure the temporary file is removed and the target is
left as it was.

A process killed mid-write (SIGKILL, power loss) cannot remove its temporary
file, so each one is named ``.<target name>.<writer's PID>.<random>.tmp`` and
the next write of the same target removes those whose writer is no longer
running on this machine (a zombie counts as gone; a live process's file, this
process's included, is never touched). Unnamed ones from older versions
(``.<target name>.<random>.tmp``) are removed once they are 15 minutes old.
A target that is a symbolic link is written through: the file it leads to is
replaced and the link kept.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "remove_stale_temporaries", "write_bytes"]

UNNAMED_STALE_AFTER = 15 * 60  # seconds: an unnamed temporary file older than this is dead
_NAMED = re.compile(r"(\d+)\.[a-z0-9_]{8}")
_UNNAMED = re.compile(r"[a-z0-9_]{8}")


def _running(pid: int) -> bool:
    """Whether process ``pid`` is alive on this machine (a zombie, killed but unreaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's live process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def remove_stale_temporaries(target: Path) -> list[str]:
    """Remove the temporary files of ``target`` left by dead writers; return their names.

    Best effort: a file that cannot be removed (a read-only folder) is left.
    """
    prefix, removed = f".{target.name}.", []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        middle = name[len(prefix) : -len(".tmp")]
        named = _NAMED.fullmatch(middle)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if named:
                stale = not _running(int(named.group(1)))
            else:
                age = time.time() - entry.stat(follow_symlinks=False).st_mtime
                stale = bool(_UNNAMED.fullmatch(middle)) and age > UNNAMED_STALE_AFTER
            if stale:
                os.unlink(entry.path)
                removed.append(name)
        except OSError:
            continue
    return removed


def _mode_for(target: Path) -> int:
    """The permissions a plain write would leave: the file's own, or the umask's for a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_write(
    path: str | os.PathLike,
    *,
    binary: bool = False,
    before_replace: Callable[[], None] | None = None,
) -> Iterator[IO]:
    """Yield a file to write (UTF-8 text with untranslated newlines, or bytes with ``binary``).

    When the block ends without an error, the file replaces ``path``, with the
    permissions ``path`` had (or a new file's under the umask); a link is
    written through. Temporary files of ``path`` left by dead writers are
    removed first. ``before_replace`` runs just before the rename; an exception from it (as
    from the block) leaves ``path`` untouched.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    try:
        text = {"newline": "", "encoding": "utf-8"}
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", **text) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, binary=True) as fh:
        fh.write(data)
