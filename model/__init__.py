"""claim-risk: scores sentences of health text for unsupported medical claims.

    from claim_risk import score_sentences, score_text
    score_sentences(["Ketamine is not passed through breast milk."])  # -> [0.9...]

Imports are lazy so that ``predict`` starts fast. Scoring needs numpy,
blingfire and the standard library only: the model is plain data
(``model/artifacts/model.json`` in the repository), never a pickle, and scikit-learn, scipy,
pandas and ``datasets`` are imported only by training and the optional
DataFrame and ``datasets`` helpers.

Every scoring function takes ``model_dir``: a model folder, or the name of a
shipped model: ``"fast"`` (the default), ``"semantic"`` (adds the sentence's
MiniLM embedding; needs ``make semantic``) or ``"cascade"`` (fast, then
semantic on what fast scores high).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__ as __version__

__all__ = [
    "DocumentSummary",
    "ModelError",
    "Scorer",
    "SentenceScore",
    "explain_sentences",
    "iter_score_texts",
    "load_model",
    "score_batch",
    "score_documents",
    "score_frame",
    "score_sentence",
    "score_sentences",
    "score_text",
    "score_texts",
    "summarize",
]

_HOMES = {
    "ModelError": "claim_risk.core.artifacts",
    "load_model": "claim_risk.core.artifacts",
    "Scorer": "claim_risk.core.score",
    "SentenceScore": "claim_risk.core.pipeline",
    "DocumentSummary": "claim_risk.core.score",
    "score_documents": "claim_risk.core.score",
    "score_sentence": "claim_risk.core.score",
    "score_sentences": "claim_risk.core.score",
    "score_text": "claim_risk.core.score",
    "score_texts": "claim_risk.core.score",
    "iter_score_texts": "claim_risk.core.score",
    "summarize": "claim_risk.core.score",
    "explain_sentences": "claim_risk.core.explain",
    "score_batch": "claim_risk.frontends.frames",
    "score_frame": "claim_risk.frontends.frames",
}

if TYPE_CHECKING:
    from .core.artifacts import ModelError, load_model
    from .core.explain import explain_sentences
    from .core.pipeline import SentenceScore
    from .core.score import (
        DocumentSummary,
        Scorer,
        iter_score_texts,
        score_documents,
        score_sentence,
        score_sentences,
        score_text,
        score_texts,
        summarize,
    )
    from .frontends.frames import score_batch, score_frame


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'claim_risk' has no attribute {name!r}")
