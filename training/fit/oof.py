"""The out-of-fold scores a report is built from, saved beside it.

Four scores per labelled sentence: the sentence model alone and with the
context stage, each from document-grouped folds and from held-out topics.
They are kept at six decimals (``reports/oof.csv``), and the report is
rendered from the kept values, so ``python -m claim_risk.training.evaluation.report`` rebuilds the
same report from the file without retraining.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

__all__ = ["OutOfFold"]

DIGITS = 6


def _kept(values: np.ndarray) -> np.ndarray:
    """Values as written to and read back from the file."""
    return np.array([float(f"{v:.{DIGITS}f}") for v in np.asarray(values, dtype=float)])


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold probabilities, one per labelled sentence, in the labelled set's order."""

    doc_sentence: np.ndarray
    topic_sentence: np.ndarray
    doc_context: np.ndarray
    topic_context: np.ndarray

    def kept(self) -> OutOfFold:
        """The same scores at the precision the file keeps."""
        return OutOfFold(*(_kept(getattr(self, f.name)) for f in fields(self)))

    def save(self, path: Path, ids: list[str]) -> None:
        """Write ``id`` and the four scores, one row per sentence."""
        names = [f.name for f in fields(self)]
        columns = [getattr(self, n) for n in names]
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", *names])
            for i, sid in enumerate(ids):
                writer.writerow([sid, *(f"{c[i]:.{DIGITS}f}" for c in columns)])

    @classmethod
    def load(cls, path: Path, ids: list[str]) -> OutOfFold:
        """Read the file back; its ids must be the labelled set's, in order."""
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if [r["id"] for r in rows] != list(ids):
            raise ValueError(
                f"{path} was written for other labels than the current ones: run 'make train'"
            )
        return cls(*(np.array([float(r[f.name]) for r in rows]) for f in fields(cls)))
