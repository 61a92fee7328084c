"""Writing the model folder and report files so that an interrupted run leaves the old ones intact.

Everything is written into a temporary sibling folder first; the model folder
is then swapped in with renames, and report files are moved in one by one with
``os.replace`` (atomic on one file system). Files in ``reports/`` that training
does not produce (the benchmark's) are left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_dir", "created_stamp", "dump_json", "git_inputs_commit", "replace_files"]


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


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


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


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
            timeout=10,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


INPUTS = ("labels", "training", "model/*.py", "pyproject.toml")


def git_inputs_commit() -> dict[str, object]:
    """The last commit that touched the training inputs, and whether they have uncommitted edits.

    Recording this (rather than HEAD) keeps the artifacts identical when only
    the artifacts themselves are committed afterwards.
    """
    commit = _git("log", "-1", "--format=%H", "--", *INPUTS)
    dirty = bool(_git("status", "--porcelain", "--", *INPUTS))
    return {"commit": commit or None, "inputs_dirty": dirty}


def created_stamp() -> str:
    """Creation time: $SOURCE_DATE_EPOCH, else the inputs' last commit time (deterministic)."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct", "--", *INPUTS)
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).isoformat()
    return "unknown"
