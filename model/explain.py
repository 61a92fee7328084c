"""Why a sentence scored as it did: the features that moved its score most.

The sentence model is linear in its features, so a sentence's log-odds is the
intercept plus, for each feature present, its value times its weight. Those
products are the explanation: positive ones pushed towards "unsupported".
They explain the sentence read alone; the context stage then moves the score
by what its page says (``predict --explain`` shows that part as ``page``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from model.artifacts import load_model
from model.linear import Contribution

__all__ = ["Contribution", "explain_sentences"]


def explain_sentences(
    sentences: Sequence[str], k: int = 5, model_dir: str | os.PathLike | None = None
) -> list[dict[str, list[Contribution]]]:
    """For each sentence, the ``k`` strongest contributions each way.

    Returns ``[{"up": [(feature, contribution), ...], "down": [...]}, ...]``,
    contributions in log-odds, strongest first.
    """
    return load_model(model_dir).sentence.explain(list(sentences), k)
