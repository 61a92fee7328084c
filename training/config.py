"""Where training reads and writes, its seed, and the candidates it chooses among.

One place for the settings ``make train`` runs with; every step takes them
from here (or from its command-line flags, which default to these).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ARTIFACTS",
    "DOC_FOLDS",
    "LABELS_DIR",
    "MIN_PAGE",
    "NEIGHBOURS",
    "OOF_FILE",
    "REPORTS",
    "ROOT",
    "SEED",
    "SENTENCES",
    "SOURCES",
    "TOP_K",
    "USER_DIR",
    "WINDOW",
]

ROOT = Path(__file__).resolve().parent.parent
LABELS_DIR = ROOT / "labels"
SENTENCES = LABELS_DIR / "sentences.csv"
SOURCES = LABELS_DIR / "sources"
USER_DIR = LABELS_DIR / "user"
ARTIFACTS = ROOT / "model" / "artifacts"
REPORTS = ROOT / "reports"
OOF_FILE = "oof.csv"  # in the reports folder: the out-of-fold scores the report is built from

SEED = 0
DOC_FOLDS = 10

# The context stage's shape (the feature sets it tries are in fit/candidates.py).
WINDOW = 256  # sentences per page window on long documents
TOP_K = 3  # the page_top feature: mean of the page's k highest log-odds
NEIGHBOURS = 2  # sentences each side for the neighbours feature
MIN_PAGE = 3  # shorter documents keep their sentence-alone scores
