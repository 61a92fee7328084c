"""The workbench's labels: one user labels CSV, written one label at a time, never lost.

Every save is the adapt loop's read-merge-write: under the file's lock
(``flock``, so other processes, ``extract`` and ``suggest`` among them, take
turns with us), the file is read afresh, the one row changed, and the whole
file written to a temporary file that replaces it atomically, and only if
nothing replaced it meanwhile (else the cycle runs again). So a label saved
from another tab, another workbench or a spreadsheet is merged, not
overwritten, and a crash leaves the file as it was before the save or after
it. Cells a spreadsheet would run as a formula are written with a leading
``'`` (``claim_risk.textio.csvsafe``). Saves that arrive while one is being
written are written together in the next cycle (a group commit); each call
returns only once the file holding its label is in place.

"Skip" is not a label: skipped sentence ids are kept in a small JSON file
beside the labels (``.<name>.skipped.json``), written the same way, so that
the workbench does not suggest them again.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from claim_risk.textio.atomic import write_bytes

from ..adapt.loop import USER_COLUMNS
from ..data.schema import LABELS
from ..data.sentences import FileChanged, file_stamp, locked, read_rows, write_rows

__all__ = ["ATTEMPTS", "LabelStore", "UnknownSentence"]

ATTEMPTS = 20


class UnknownSentence(KeyError):
    """No row of the labels file has this sentence id."""


@dataclass
class _Save:
    """One label waiting to be written, and how its write went."""

    sentence_id: str
    label: str
    done: bool = False
    error: Exception | None = None


class LabelStore:
    """Read and change the labels of one user labels CSV (written by ``extract``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skip_path = path.with_name(f".{path.name}.skipped.json")
        # Threads of this process queue here, so flock waits only on other processes.
        self._mutex = threading.Lock()
        self._queued = threading.Lock()
        self._queue: list[_Save] = []

    def rows(self) -> list[dict[str, str]]:
        """The file's rows as they are now (the file is only ever replaced whole)."""
        return read_rows(self.path, spreadsheet=True)

    def labels(self) -> dict[str, str]:
        """Label by sentence id, for the rows that have one."""
        return {r["id"]: r["label"] for r in self.rows() if r.get("label")}

    def skipped(self) -> set[str]:
        """Ids of the sentences skipped and not labelled since."""
        try:
            data = json.loads(self.skip_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {s for s in data if isinstance(s, str)} if isinstance(data, list) else set()

    def set_label(self, sentence_id: str, label: str) -> None:
        """Save ``label`` (one of the labels, or ``""`` to clear it) on the sentence's row.

        Returns once the file holding it has replaced the old one. Saves that
        arrive while another is being written are written together, in one
        read-merge-write (a group commit), so many clients at once cost few
        rewrites. Raises ValueError for another label and UnknownSentence when
        no row has the id.
        """
        if label not in ("", *LABELS):
            raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
        save = _Save(sentence_id, label)
        with self._queued:
            self._queue.append(save)
        with self._mutex:
            if not save.done:
                with self._queued:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if save.error is not None:
            raise save.error

    def _commit(self, batch: list[_Save]) -> None:
        """Write every save of ``batch`` in one read-merge-write; mark each done or failed."""
        try:
            with locked(self.path):
                for _ in range(ATTEMPTS):
                    stamp = file_stamp(self.path)
                    rows = self.rows()
                    by_id = {r["id"]: r for r in rows}
                    changed = False
                    for save in batch:
                        row = by_id.get(save.sentence_id)
                        save.error = UnknownSentence(save.sentence_id) if row is None else None
                        if row is not None and row.get("label", "") != save.label:
                            row["label"] = save.label
                            changed = True
                    if not changed:
                        break
                    try:
                        write_rows(
                            self.path, rows, USER_COLUMNS, spreadsheet=True, unchanged_since=stamp
                        )
                        break
                    except FileChanged:
                        continue
                else:
                    raise FileChanged(f"{self.path} changed {ATTEMPTS} times during a save")
                labelled = {s.sentence_id for s in batch if s.label and s.error is None}
                if labelled:
                    self._write_skipped(self.skipped() - labelled)
        except Exception as exc:
            for save in batch:
                save.error = save.error or exc
        finally:
            for save in batch:
                save.done = True

    def skip(self, sentence_id: str) -> None:
        """Remember that the sentence was skipped (its label, if any, stays)."""
        with self._mutex, locked(self.path):
            if not any(r["id"] == sentence_id for r in self.rows()):
                raise UnknownSentence(sentence_id)
            self._write_skipped(self.skipped() | {sentence_id})

    def _write_skipped(self, ids: set[str]) -> None:
        if ids == self.skipped():
            return
        write_bytes(self.skip_path, json.dumps(sorted(ids), indent=0).encode("utf-8"))
