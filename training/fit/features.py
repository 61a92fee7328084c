"""The scikit-learn pipeline that training fits: TF-IDF n-grams, cue counts, logistic regression.

This is the reference the plain-data scorer in ``model/`` is exported from and
proven equal to. The cue patterns themselves live in ``model/core/cues.py``,
the treatment and condition names in ``model/core/lexicon.py`` and the segment
shape in ``model/core/shape.py``: each step here calls the same code the
scorer runs on the same abstracted text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from claim_risk.core.cues import CUES
from claim_risk.core.features import TOKEN_PATTERN
from claim_risk.core.lexicon import TERMS, Abstractor
from claim_risk.core.shape import SHAPES, SegmentShape
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = [
    "ABSTRACTOR",
    "SOLVER_TOL",
    "CueFeatures",
    "ShapeFeatures",
    "WordFeatures",
    "build_pipeline",
    "logistic_regression",
]

SCOPE_CUES = ("negated_claim", "possible_effect", "attribution")
"""The cues that read a claim's scope and structure (issue #19), switchable for ablation."""

ABSTRACTOR = Abstractor(TERMS)
"""The lexicon training abstracts names with (exported into the model)."""


def lexical(X: Iterable[str], abstract: bool) -> list[str]:
    """The texts as the lexical features read them: names abstracted when ``abstract``."""
    texts = list(X)
    return ABSTRACTOR.many(texts) if abstract else texts


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
    cheap to pickle and behaves the same on any text. With ``abstract`` the
    cues read the text with names abstracted, as the TF-IDF does.
    """

    def __init__(self, abstract: bool = False, scope: bool = True) -> None:
        self.abstract = abstract
        self.scope = scope

    @property
    def cues(self) -> dict[str, str]:
        """The cues this step counts: all, or all but the scope cues (``SCOPE_CUES``)."""
        return {k: v for k, v in CUES.items() if self.scope or k not in SCOPE_CUES}

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        """Record the cue names; no statistics are learned."""
        self.feature_names_ = np.array(list(self.cues), dtype=object)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """One row per text, one column per cue (a single regex pass per text)."""
        cues = self.cues
        pattern = re.compile("|".join(f"({p})" for p in cues.values()))
        texts = lexical(X, self.abstract)
        rows, cols = [], []
        for i, text in enumerate(texts):
            for match in pattern.finditer(text.lower()):
                rows.append(i)
                cols.append(match.lastindex - 1)
        counts = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(cues)), dtype=np.float64
        )
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        return counts

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The cue names, for explanations and reports."""
        return np.array(list(self.cues), dtype=object)


class WordFeatures(TransformerMixin, BaseEstimator):
    """A ``TfidfVectorizer`` over the (abstracted) text, each row damped for short segments.

    ``min_words``: a text of ``n`` words has its TF-IDF row multiplied by
    ``min(1, n / min_words)`` (``claim_risk.core.shape``); None leaves rows as they are.
    """

    def __init__(
        self, vectorizer: TfidfVectorizer, abstract: bool = False, min_words: int | None = None
    ) -> None:
        self.vectorizer = vectorizer
        self.abstract = abstract
        self.min_words = min_words

    def fit(self, X: Iterable[str], y: object = None) -> WordFeatures:
        """Fit the vectorizer on the texts as the features read them."""
        self.vectorizer_ = clone(self.vectorizer).fit(lexical(X, self.abstract))
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """TF-IDF rows, damped when ``min_words`` is set."""
        texts = lexical(X, self.abstract)
        M = self.vectorizer_.transform(texts)
        if self.min_words is not None:
            M = sp.diags(SegmentShape(self.min_words).damping(texts)) @ M
        return sp.csr_matrix(M)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The vectorizer's n-grams."""
        return self.vectorizer_.get_feature_names_out()


class ShapeFeatures(TransformerMixin, BaseEstimator):
    """The segment shape columns (``claim_risk.core.shape.SHAPES``) of each text; stateless."""

    def __init__(self, min_words: int = 6, abstract: bool = False) -> None:
        self.min_words = min_words
        self.abstract = abstract

    def fit(self, X: Iterable[str], y: object = None) -> ShapeFeatures:
        """Nothing is learned."""
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """One row per text, one column per shape."""
        return SegmentShape(self.min_words).columns(lexical(X, self.abstract))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """``shape:short``, ``shape:unterminated``, ``shape:quoted``."""
        return np.array([f"shape:{n}" for n in SHAPES], dtype=object)


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
    lexicon: bool = True,
    min_words: int | None = 6,
    scope_cues: bool = True,
) -> Pipeline:
    """The scoring pipeline: TF-IDF (and optional cue and shape) features, then logistic regression.

    ``lexicon``: the lexical features read names abstracted to their kind.
    ``min_words``: short segments have their TF-IDF damped and the shape
    columns join the features (None: neither). ``scope_cues``: the cues of a
    claim's scope and structure are counted. With ``embedding_scale``, the
    semantic tier: the sentence's MiniLM embedding (``claim_risk.training.fit.embedding``)
    of the text as written, times that scale, joins the features.
    """
    vectorizer = TfidfVectorizer(
        ngram_range=word_ngrams,
        sublinear_tf=sublinear_tf,
        min_df=min_df,
        strip_accents="unicode",
        token_pattern=TOKEN_PATTERN,
        dtype=np.float64,
    )
    parts: list[tuple[str, object]] = [("word", WordFeatures(vectorizer, lexicon, min_words))]
    if cues:
        parts.append(("cues", CueFeatures(lexicon, scope_cues)))
    if min_words is not None:
        parts.append(("shape", ShapeFeatures(min_words, lexicon)))
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
