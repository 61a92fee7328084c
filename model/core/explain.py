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

from .artifacts import ModelChoice, load_model
from .linear import Contribution

__all__ = ["Contribution", "explain_sentences"]


def explain_sentences(
    sentences: Sequence[str], k: int = 5, model_dir: ModelChoice = None
) -> list[dict[str, list[Contribution]]]:
    """For each sentence, read alone, the ``k`` strongest contributions each way.

    Returns ``[{"up": [(feature, contribution), ...], "down": [...]}, ...]``,
    contributions in log-odds, strongest first; a cascade's sentence is
    explained by the tier that scored it.
    """
    if isinstance(sentences, str):
        raise TypeError("sentences is a str: pass a list of sentences")
    sentences = list(sentences)
    return load_model(model_dir).explain(sentences, k)
