"""claim-risk: scores sentences of health text for unsupported medical claims.

    from model import score_sentences, score_text
    score_sentences(["Ketamine is not passed through breast milk."])  # -> [0.9...]

Imports are lazy so that ``predict`` starts fast. Scoring needs numpy,
blingfire and the standard library only: the model is plain data
(``model/artifacts/model.json``), never a pickle, and scikit-learn, scipy,
pandas and ``datasets`` are imported only by training and the optional
DataFrame and ``datasets`` helpers.

Every scoring function takes ``model_dir``: a model folder, or the name of a
shipped model: ``"fast"`` (the default), ``"semantic"`` (adds the sentence's
MiniLM embedding; needs ``make semantic``) or ``"cascade"`` (fast, then
semantic on what fast scores high).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "DocumentSummary",
    "ModelError",
    "Scorer",
    "SentenceScore",
    "explain_sentences",
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
    "ModelError": "model.artifacts",
    "load_model": "model.artifacts",
    "Scorer": "model.score",
    "SentenceScore": "model.score",
    "DocumentSummary": "model.score",
    "score_documents": "model.score",
    "score_sentence": "model.score",
    "score_sentences": "model.score",
    "score_text": "model.score",
    "score_texts": "model.score",
    "summarize": "model.score",
    "explain_sentences": "model.explain",
    "score_batch": "model.frames",
    "score_frame": "model.frames",
}

if TYPE_CHECKING:
    from model.artifacts import ModelError, load_model
    from model.explain import explain_sentences
    from model.frames import score_batch, score_frame
    from model.score import (
        DocumentSummary,
        Scorer,
        SentenceScore,
        score_documents,
        score_sentence,
        score_sentences,
        score_text,
        score_texts,
        summarize,
    )


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
