"""The configurations training chooses among: sentence models, the semantic tier, the context stage.

Kept apart from ``config`` (paths, seed, the context stage's shape) so that the
settings every step reads stay at the ground of the import graph.
"""

from __future__ import annotations

from .context import ContextCandidate
from .cv import Candidate

__all__ = [
    "CANDIDATES",
    "CONTEXT_CANDIDATES",
    "QUICK",
    "SELECTION_RULE",
    "SEMANTIC_CANDIDATES",
    "SEMANTIC_QUICK",
]

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

# The context stage: the feature sets tried (simplest first, so the one-standard-error
# rule prefers fewer features).
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
