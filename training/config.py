"""Where training reads and writes, its seed, and the candidates it chooses among.

One place for the settings ``make train`` runs with; every step takes them
from here (or from its command-line flags, which default to these).
"""

from __future__ import annotations

from pathlib import Path

from claim_risk.training.fit.context import ContextCandidate
from claim_risk.training.fit.cv import Candidate

__all__ = [
    "ARTIFACTS",
    "CANDIDATES",
    "CONTEXT_CANDIDATES",
    "DOC_FOLDS",
    "LABELS_DIR",
    "MIN_PAGE",
    "NEIGHBOURS",
    "OOF_FILE",
    "QUICK",
    "REPORTS",
    "ROOT",
    "SEED",
    "SELECTION_RULE",
    "SEMANTIC_CANDIDATES",
    "SEMANTIC_QUICK",
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

# The sentence model. In order of preference: cheapest to score first; among equal
# cost, the aids that issue #2's hidden real-page figures favoured (cue features,
# topic swap) first.
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("word12+cues+swap", {"cues": True}, augment=True),
    Candidate("word12+cues", {"cues": True}),
    Candidate("word12", {"cues": False}),
    Candidate("word12+cues+swap C=1", {"cues": True, "C": 1.0}, augment=True),
    Candidate("word12+cues+swap C=16", {"cues": True, "C": 16.0}, augment=True),
    Candidate("word13+cues+swap", {"cues": True, "word_ngrams": (1, 3)}, augment=True),
)
QUICK = CANDIDATES[:3]

# The semantic tier (``make semantic``): the fast features plus the MiniLM sentence
# embedding at a scale against the TF-IDF block; scale 1 first (unit-length vectors).
SEMANTIC_CANDIDATES: tuple[Candidate, ...] = tuple(
    Candidate(
        f"word12+cues+swap+minilm x{scale:g}",
        {"cues": True, "embedding_scale": scale},
        augment=True,
    )
    for scale in (1.0, 0.5, 2.0)
)
SEMANTIC_QUICK = SEMANTIC_CANDIDATES[:1]
SELECTION_RULE = (
    "one-standard-error rule: the first configuration, in order of preference (cheapest to "
    "score first), whose mean leave-one-topic-out ROC-AUC is within one standard error of the "
    "best mean"
)

# The context stage: its shape, and the feature sets tried (simplest first, so the
# one-standard-error rule prefers fewer features).
WINDOW = 256  # sentences per page window on long documents
TOP_K = 3  # the page_top feature: mean of the page's k highest log-odds
NEIGHBOURS = 2  # sentences each side for the neighbours feature
MIN_PAGE = 3  # shorter documents keep their sentence-alone scores
_SETS = (
    ("sentence", ("sentence",)),
    ("+page", ("sentence", "page_mean", "page_top")),
    ("+page+neighbours", ("sentence", "page_mean", "page_top", "neighbours")),
    (
        "all",
        ("sentence", "page_mean", "page_top", "neighbours", "position", "heading", "page_size"),
    ),
)
CONTEXT_CANDIDATES: tuple[ContextCandidate, ...] = tuple(
    ContextCandidate(f"{name} C={c:g}", feats, c) for name, feats in _SETS for c in (0.1, 1.0)
)
