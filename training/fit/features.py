"""The scikit-learn pipeline that training fits: TF-IDF n-grams, cue counts, logistic regression.

This is the reference the plain-data scorer in ``model/`` is exported from and
proven equal to. The cue patterns themselves live in ``model/core/cues.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from claim_risk.core.cues import CUES
from claim_risk.core.features import TOKEN_PATTERN
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = ["SOLVER_TOL", "CueFeatures", "build_pipeline", "logistic_regression"]


# Largest |gradient| of scikit-learn's averaged objective at which a fit stops. Newton-CG
# gets there in a few steps; the floating-point floor is about 1e-17. At 1e-15 the weights
# sit within about 1e-12 of the unique optimum (fits started apart agree to that; the same
# fit on two emulated CPUs to 1e-14), so the 1e-7 export grid rounds the optimum itself, not
# where a tolerance happened to stop (lbfgs at tol=1e-8 stopped about 1e-6 from it, at a
# point that moved with the CPU).
SOLVER_TOL = 1e-15


class CueFeatures(TransformerMixin, BaseEstimator):
    """Counts of claim-rhetoric cues in each text, as a sparse log1p-scaled matrix.

    The plain reference: one alternation of the cues (at each position the first
    cue in order wins), one ``finditer`` per text. ``model/core/features.py`` must
    find exactly the same matches, faster.

    Stateless: ``fit`` only records the feature names, so the transformer is
    cheap to pickle and behaves the same on any text.
    """

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        """Record the cue names; no statistics are learned."""
        self.feature_names_ = np.array(list(CUES), dtype=object)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """One row per text, one column per cue (a single regex pass per text)."""
        pattern = re.compile("|".join(f"({p})" for p in CUES.values()))
        texts = list(X)
        rows, cols = [], []
        for i, text in enumerate(texts):
            for match in pattern.finditer(text.lower()):
                rows.append(i)
                cols.append(match.lastindex - 1)
        counts = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(CUES)), dtype=np.float64
        )
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        return counts

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The cue names, for explanations and reports."""
        return np.array(list(CUES), dtype=object)


def build_pipeline(
    *,
    word_ngrams: tuple[int, int] = (1, 2),
    cues: bool = True,
    sublinear_tf: bool = True,
    min_df: int = 2,
    C: float = 4.0,
    class_weight: str | None = "balanced",
    random_state: int = 0,
    embedding_scale: float | None = None,
) -> Pipeline:
    """The scoring pipeline: TF-IDF (and optional cue) features, then logistic regression.

    With ``embedding_scale``, the semantic tier: the sentence's MiniLM embedding
    (``claim_risk.training.fit.embedding``) times that scale joins the features.
    """
    parts: list[tuple[str, object]] = [
        (
            "word",
            TfidfVectorizer(
                ngram_range=word_ngrams,
                sublinear_tf=sublinear_tf,
                min_df=min_df,
                strip_accents="unicode",
                token_pattern=TOKEN_PATTERN,
                dtype=np.float64,
            ),
        )
    ]
    if cues:
        parts.append(("cues", CueFeatures()))
    if embedding_scale is not None:
        from .embedding import EmbeddingFeatures

        parts.append(("embedding", EmbeddingFeatures(embedding_scale)))
    return Pipeline(
        [
            ("features", FeatureUnion(parts)),
            ("clf", logistic_regression(C, class_weight, random_state)),
        ]
    )


def logistic_regression(
    C: float, class_weight: str | None = "balanced", random_state: int = 0
) -> LogisticRegression:
    """L2 logistic regression solved to its floating-point floor (``SOLVER_TOL``).

    The problem is strictly convex, so its optimum is unique; solving to it,
    rather than to a looser tolerance, makes the fitted numbers the same on any
    CPU to about 1e-13. Used by the sentence model, its folds and the context stage.
    """
    return LogisticRegression(
        C=C,
        class_weight=class_weight,
        solver="newton-cg",
        tol=SOLVER_TOL,
        max_iter=200,
        random_state=random_state,
    )
