"""Writing a file atomically: a reader sees the old file or the new one, never half of one.

The content goes to a temporary file in the same folder (so the rename stays on
one file system), is flushed to disk, and then replaces the target with
``os.replace``. On any failure the temporary file is removed and the target is
left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "write_bytes"]


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
    permissions ``path`` had (or a new file's under the umask).
    ``before_replace`` runs just before the rename; an exception from it (as
    from the block) leaves ``path`` untouched.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
