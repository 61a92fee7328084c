"""Retraining from the workbench: the adapt loop's ``retrain`` in a subprocess, watched.

The server stays responsive and the labels safe whatever training does: it
runs as ``python -m claim_risk.training.adapt retrain LABELS --out DIR
--progress-json`` in its own process, which reads the labels file (it never
writes it). Its standard output is JSON lines, ``{"stage", "done", "total"}``
while it works and ``{"result": {...}}`` at the end; a thread reads them into
``status()``, which the page polls for its progress bar. When the process
succeeds, ``on_done`` gets the model folder and the result (the workbench then
scores the pages with the new model and shows the lift it measured).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["RetrainJob", "command"]

ERROR_LINES = 20


def command(labels: Path, out: Path, tier: str = "auto") -> list[str]:
    """The retraining command line for ``labels``, writing the model folder ``out``."""
    return [
        sys.executable,
        "-m",
        "claim_risk.training.adapt",
        "retrain",
        str(labels),
        "--out",
        str(out),
        "--tier",
        tier,
        "--progress-json",
    ]


class RetrainJob:
    """At most one retraining at a time, its progress and its outcome."""

    def __init__(
        self,
        labels: Path,
        models: Path,
        on_done: Callable[[Path, dict[str, Any]], None] | None = None,
        tier: str = "auto",
    ) -> None:
        self.labels = labels
        self.tier = tier
        self.models = models
        self.on_done = on_done
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._status: dict[str, Any] = {"state": "idle"}
        self.runs = 0

    def status(self) -> dict[str, Any]:
        """``state`` (idle, running, done, failed) and what goes with it."""
        with self._lock:
            return dict(self._status)

    def start(self) -> bool:
        """Start retraining unless it is running; False when it already was."""
        with self._lock:
            if self._status["state"] == "running":
                return False
            self.runs += 1
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            out = self.models / f"{self.labels.stem}-{stamp}-{self.runs}"
            self._status = {"state": "running", "stage": "starting", "done": 0, "total": 0}
            self.models.mkdir(parents=True, exist_ok=True)
            self._proc = subprocess.Popen(
                command(self.labels, out, self.tier),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        threading.Thread(target=self._watch, args=(self._proc, out), daemon=True).start()
        return True

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._status = {**self._status, **changes}

    def _watch(self, proc: subprocess.Popen[str], out: Path) -> None:
        errors: deque[str] = deque(maxlen=ERROR_LINES)
        reader = threading.Thread(target=lambda: errors.extend(proc.stderr or ()), daemon=True)
        reader.start()
        result: dict[str, Any] | None = None
        for line in proc.stdout or ():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("result"), dict):
                result = message["result"]
            elif "stage" in message:
                self._update(
                    stage=str(message["stage"]),
                    done=message.get("done", 0),
                    total=message.get("total", 0),
                )
        code = proc.wait()
        reader.join()
        if code != 0 or result is None:
            why = "".join(errors).strip() or f"retraining exited with status {code}"
            self._update(state="failed", error=why.splitlines()[-1], log=why)
            return
        try:
            if self.on_done is not None:
                self.on_done(out, result)
        except Exception as exc:  # the new model could not be used: say so on the page
            self._update(state="failed", error=f"{out}: {exc}")
            return
        self._update(state="done", model=str(out), result=result)

    def stop(self) -> None:
        """End a running retraining (when the workbench stops)."""
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
