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

# The sentence model, in order of preference. "claims" reads what a sentence asserts
# (issue #19): names abstracted to their kind (``claim_risk.core.lexicon``), short
# segments damped with their shape weighed (``claim_risk.core.shape``), and the cues of
# a claim's scope (negation, attribution, the flat assertion). Its regularisation
# variants follow; then each part taken away in turn and the model before #19, so
# that the selection table shows what each part does on held-out topics and on the
# behavioural suite. The one-standard-error rule prefers the first.
_CLAIMS = {"cues": True}
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("claims", _CLAIMS),
    Candidate("claims C=1", {**_CLAIMS, "C": 1.0}),
    Candidate("claims C=16", {**_CLAIMS, "C": 16.0}),
    Candidate("claims min_words=4", {**_CLAIMS, "min_words": 4}),
    Candidate("claims - lexicon (+swap)", {**_CLAIMS, "lexicon": False}, augment=True),
    Candidate("claims - shape", {**_CLAIMS, "min_words": None}),
    Candidate("claims - scope cues", {**_CLAIMS, "scope_cues": False}),
    Candidate(
        "before #19: word12+cues+swap",
        {"cues": True, "lexicon": False, "min_words": None, "scope_cues": False},
        augment=True,
    ),
)
QUICK = CANDIDATES[:2]

# The semantic tier (``make semantic``): the same lexical features plus the MiniLM
# sentence embedding of the sentence as written, at a scale against the TF-IDF block;
# scale 1 first (unit-length vectors); then the semantic tier before #19.
SEMANTIC_CANDIDATES: tuple[Candidate, ...] = (
    *(
        Candidate(f"claims+minilm x{scale:g}", {**_CLAIMS, "embedding_scale": scale})
        for scale in (1.0, 0.5, 2.0)
    ),
    Candidate(
        "before #19: word12+cues+swap+minilm x1",
        {
            "cues": True,
            "lexicon": False,
            "min_words": None,
            "scope_cues": False,
            "embedding_scale": 1.0,
        },
        augment=True,
    ),
)
SEMANTIC_QUICK = SEMANTIC_CANDIDATES[:1]
SELECTION_RULE = (
    "one-standard-error rule: the first configuration, in order of preference (cheapest to "
    "score first), whose mean leave-one-topic-out ROC-AUC is within one standard error of the "
    "best mean"
)

# The context stage: the feature sets tried, in order of preference. The gated page
# terms come first (issue #19: on real pages the plain page terms lifted every
# sentence of a selling page and hid claims on citing pages); then the simplest first,
# so the one-standard-error rule prefers fewer features.
_SETS = (
    ("gated", ("sentence", "page_top_gated")),
    ("gated+mean", ("sentence", "page_top_gated", "page_mean_gated")),
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
