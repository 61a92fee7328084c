"""Which unlabelled sentences to label first, so that a few labels teach the model most.

Three rules, applied greedily:
1. **uncertainty**: closest to the decision threshold first, in log-odds, where
   a label is most likely to change what the model does;
2. **spread**: documents take turns (round robin), so one long page cannot
   fill the list;
3. **no near-duplicates**: a sentence whose TF-IDF cosine similarity to one
   already chosen (or already labelled) exceeds ``max_similarity`` is skipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["suggest_order"]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def suggest_order(
    texts: Sequence[str],
    doc_ids: Sequence[str],
    scores: Sequence[float],
    threshold: float,
    n: int,
    labelled_texts: Sequence[str] = (),
    max_similarity: float = 0.8,
) -> list[int]:
    """Indices of up to ``n`` sentences to label, best first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if n <= 0 or not texts:
        return []
    cut = _logit(threshold)
    distance = np.array([abs(_logit(s) - cut) for s in scores])
    queues: dict[str, list[int]] = {}
    for i in np.argsort(distance, kind="stable"):
        queues.setdefault(doc_ids[i], []).append(int(i))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([*texts, *labelled_texts])
    except ValueError:  # no tokens at all (punctuation only)
        matrix = None
    chosen: list[int] = []
    kept_rows = list(range(len(texts), len(texts) + len(labelled_texts)))
    while len(chosen) < n and any(queues.values()):
        # One turn: each document offers its most uncertain remaining sentence,
        # and the offers are taken in order of uncertainty.
        offers = sorted((q.pop(0) for q in queues.values() if q), key=lambda i: distance[i])
        for i in offers:
            if len(chosen) >= n:
                break
            if matrix is not None and kept_rows:
                sims = (matrix[kept_rows] @ matrix[i].T).toarray().ravel()
                if sims.max() > max_similarity:
                    continue
            chosen.append(i)
            kept_rows.append(i)
    return chosen
