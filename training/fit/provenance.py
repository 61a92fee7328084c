"""Where a trained model comes from: the inputs' last commit and a reproducible creation time.

``created`` in ``metadata.json`` is, in order:

1. ``$SOURCE_DATE_EPOCH`` when it is set (the reproducible-builds convention);
2. else the latest of the commit time of the last commit that touched the training
   inputs (``INPUTS``) and the modification times of the inputs that differ from it:
   uncommitted edits and new files among them, and label files read from outside the
   repository (or ignored by git);
3. without git, the latest modification time of the inputs and the label files read.

A retrain on the same inputs gives the same ``created`` (and so the same bytes);
editing the labels or the training code, or committing such an edit, renews it.
``created_from`` records which rule gave it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..config import ROOT

__all__ = ["INPUTS", "Provenance", "provenance"]

# The training inputs inside the repository, as git pathspecs (``*`` crosses folders):
# the labels, the training code, the scoring code the exporter checks against, the pins.
INPUTS = ("labels", "training", "model/*.py", "pyproject.toml")

FROM_ENV, FROM_COMMIT, FROM_FILES = "SOURCE_DATE_EPOCH", "commit time", "file modification time"


@dataclass(frozen=True)
class Provenance:
    """The provenance fields of ``metadata.json``."""

    created: str
    created_from: str
    commit: str | None
    inputs_dirty: bool

    def metadata(self) -> dict[str, object]:
        """The keys ``metadata.json`` records: ``created``, ``created_from`` and ``git``."""
        return {
            "created": self.created,
            "created_from": self.created_from,
            "git": {"commit": self.commit, "inputs_dirty": self.inputs_dirty},
        }


def _git(root: Path, *args: str) -> str | None:
    """``git args`` run in ``root``; its output, or None when git is missing or fails."""
    try:
        out = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=root, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def _changed(root: Path, pathspecs: Iterable[str], *extra: str) -> list[Path]:
    """Paths under ``pathspecs`` that differ from the last commit (``git status``)."""
    specs = list(pathspecs)
    if not specs:
        return []
    out = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", *extra, "--", *specs)
    fields = (out or "").split("\0")
    paths, i = [], 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.append(root / entry[3:])
        if entry[0] in "RC":  # a rename or copy is followed by its source path
            i += 1
    return paths


def _files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every file below it, skipping Python caches."""
    if path.is_dir():
        yield from (p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    else:
        yield path


def _mtime(path: Path) -> int:
    """Whole-second modification time; a deleted file counts its nearest existing folder's."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return int(path.stat().st_mtime)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def provenance(data_paths: Iterable[Path] = (), root: Path = ROOT) -> Provenance:
    """The creation time and commit of a model trained now on ``data_paths`` (see the module).

    ``data_paths`` are the label files and folders the run read (labels CSV,
    source documents, user labels); those inside ``root`` are already among
    the inputs git watches unless git ignores them.
    """
    data = [p for p in data_paths if p.exists()]
    top = _git(root, "rev-parse", "--show-toplevel")
    in_git = top is not None and Path(top.strip()).resolve() == root.resolve()
    commit, times, commit_time = None, [], None
    changed: list[Path] = []
    if in_git:
        last = (_git(root, "log", "-1", "--format=%H %ct", "--", *INPUTS) or "").split()
        if len(last) == 2 and last[1].isdigit():
            commit, commit_time = last[0], int(last[1])
        changed = _changed(root, INPUTS)
        # A labels file git ignores is read all the same: its edits count too.
        files = [p for p in data if p.is_file() and _inside(p, root)]
        rel = [str(p.resolve().relative_to(root.resolve())) for p in files]
        changed += _changed(root, rel, "--ignored=matching")
        outside = [p for p in data if not _inside(p, root)]
    else:
        # git's ``*`` crosses folders; pathlib's needs ``**/`` for that.
        outside = [*data, *(p for s in INPUTS for p in root.glob(s.replace("*", "**/*")))]
    times = [_mtime(p) for p in changed]
    times += [_mtime(f) for p in outside for f in _files(p)]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        created, source = int(epoch), FROM_ENV
    elif commit_time is not None and (not times or commit_time >= max(times)):
        created, source = commit_time, FROM_COMMIT
    elif times:
        created, source = max(times), FROM_FILES
    else:
        return Provenance("unknown", "unknown", commit, bool(changed))
    stamp = datetime.fromtimestamp(created, tz=UTC).isoformat()
    return Provenance(stamp, source, commit, bool(changed))
