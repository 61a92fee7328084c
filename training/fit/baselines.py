"""Baselines scored in the same run as the model, so the report shows what the model adds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import CueFeatures

__all__ = ["lexicon_scores", "majority_scores"]

# Hand-set weights over the cue counts: claim rhetoric up, hedges and cautions down.
LEXICON_WEIGHTS = {
    "booster": 1.0,
    "safety_promise": 1.0,
    "vague_evidence": 1.0,
    "benefit": 0.5,
    "first_person": 0.5,
    "hedge": -1.0,
    "caution": -1.0,
    "named_source": -0.5,
}


def majority_scores(y_train: np.ndarray, n: int) -> np.ndarray:
    """The training prevalence for every sentence (ROC-AUC 0.5 by construction)."""
    return np.full(n, float(np.mean(y_train)))


def lexicon_scores(texts: Sequence[str]) -> np.ndarray:
    """A fixed keyword score squashed to [0, 1]; no training involved."""
    cues = CueFeatures(scope=False).fit(texts)  # the keyword baseline as it always was
    counts = cues.transform(texts).toarray()
    weights = np.array([LEXICON_WEIGHTS[name] for name in cues.get_feature_names_out()])
    return 1.0 / (1.0 + np.exp(-(counts @ weights)))
