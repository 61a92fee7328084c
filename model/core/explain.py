"""Why a sentence scored as it did: the features that moved its score most.

The sentence model is linear in its features, so a sentence's log-odds is the
intercept plus, for each feature present, its value times its weight. Those
products are the explanation: positive ones pushed towards "unsupported".
They explain the sentence read alone; the context stage then moves the score
by what its page says (``predict --explain`` shows that part as ``page``).
The semantic model adds one term, the sentence embedding's; a cascade's
sentence is explained by whichever model scored it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from claim_risk.core.artifacts import LoadedModel, ModelChoice, load_model
from claim_risk.core.linear import Contribution

__all__ = ["Contribution", "explain_model", "explain_sentences"]


def explain_model(
    model: LoadedModel, sentences: Sequence[str], k: int, rescored: np.ndarray | None = None
) -> list[dict[str, list[Contribution]]]:
    """Explanations by the model that scored each sentence.

    For a cascade, ``rescored`` marks the sentences the semantic model scored
    (``claim_risk.core.score.cascade_parts``); the fast model explains the others.
    """
    if model.cascade_from is None or rescored is None:
        return model.sentence.explain(list(sentences), k)
    out = model.cascade_from.sentence.explain(list(sentences), k)
    idx = np.flatnonzero(rescored)
    if len(idx):
        for i, e in zip(idx, model.sentence.explain([sentences[i] for i in idx], k), strict=True):
            out[i] = e
    return out


def explain_sentences(
    sentences: Sequence[str], k: int = 5, model_dir: ModelChoice = None
) -> list[dict[str, list[Contribution]]]:
    """For each sentence, the ``k`` strongest contributions each way.

    Returns ``[{"up": [(feature, contribution), ...], "down": [...]}, ...]``,
    contributions in log-odds, strongest first.
    """
    from claim_risk.core.score import rescored_alone

    model = load_model(model_dir)
    sentences = list(sentences)
    return explain_model(model, sentences, k, rescored_alone(model, sentences))
