"""joblib's ``Parallel`` whose worker processes die with the process that started them.

joblib's default (loky) workers outlive a parent killed with SIGKILL: they are
re-parented to init and wait up to their idle timeout (300 s per wait) before
leaving, holding memory meanwhile. On Linux each worker here asks the kernel
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed when its parent goes, and
leaves at once if the parent is already gone. Elsewhere the workers are
joblib's usual ones.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

from joblib import Parallel, parallel_config

__all__ = ["die_with_parent", "parallel"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Worker initializer: be killed with ``parent`` (Linux); exit now if it is already gone."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def parallel(n_jobs: int, **kwargs: Any) -> Parallel:
    """``Parallel(n_jobs, ...)`` on loky workers that do not outlive this process."""
    with parallel_config(backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)):
        return Parallel(n_jobs=n_jobs, **kwargs)
