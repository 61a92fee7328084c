"""Feature extraction: TF-IDF n-grams plus a few cue counts that carry across topics.

TF-IDF on a small corpus learns the names of the substances it was trained on.
The cue features count the rhetoric that marks an unsupported claim whatever
the substance: boosters ("proven", "guaranteed"), safety promises ("without
risk"), vague evidence ("studies show"), testimonial first person, hedges and
cautions. They live in ``model/`` because a saved pipeline needs them to load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = ["CUES", "CueFeatures", "build_pipeline"]


def _words(*phrases: str) -> str:
    return r"\b(?:" + "|".join(phrases) + r")\b"


# Each cue is a regular expression over lower-cased text; the feature is log1p(count).
CUES: dict[str, str] = {
    "booster": _words(
        r"prove[dn]",
        r"guarantee[ds]?",
        r"clinically (?:proven|tested|shown)",
        r"miracle",
        r"breakthrough",
        r"revolutionary",
        r"powerful",
        r"astonishing",
        r"transform(?:s|ed|ative)?",
        r"life[- ]changing",
        r"truly",
        r"instant(?:ly)?",
        r"rapid(?:ly)?",
        r"fast(?:er)?",
        r"dramatic(?:ally)?",
        r"100 ?%",
        r"cure[sd]?",
        r"heal(?:s|ed|ing)?",
        r"eliminat(?:e|es|ed)",
        r"reverse[sd]?",
        r"boost(?:s|ed)?",
        r"no more",
    ),
    "safety_promise": _words(
        r"without (?:any )?(?:risk|side effects?)",
        r"no (?:known )?(?:side effects?|risks?)",
        r"(?:completely|totally|perfectly|100 ?%) safe",
        r"safe and (?:natural|effective|gentle)",
        r"non[- ]addictive",
        r"minimal side effects",
        r"low risk",
        r"all[- ]natural",
        r"natural(?:ly)?",
        r"gentle",
        r"safer",
    ),
    "vague_evidence": _words(
        r"studies (?:show|have shown|suggest|prove|confirm)",
        r"research (?:shows|has shown|suggests|has suggested|proves|confirms)",
        r"science (?:shows|says|backs)",
        r"backed by (?:science|research)",
        r"scientifically",
        r"has shown promis(?:e|ing)",
        r"shown (?:to|promising)",
        r"evidence(?:-based)? (?:shows|suggests)",
        r"experts agree",
        r"doctors (?:recommend|agree)",
    ),
    "benefit": _words(
        r"relie(?:f|ve|ves|ved)",
        r"alleviat(?:e|es|ed|ing)",
        r"improv(?:e|es|ed|ement|ements)",
        r"support(?:s|ed)? (?:your|healthy|the body)",
        r"restor(?:e|es|ed|ing)",
        r"enhanc(?:e|es|ed)",
        r"benefits?",
        r"promising",
        r"effective(?:ly)?",
        r"help(?:s|ed)?",
    ),
    "first_person": _words(r"i", r"i'm", r"i've", r"my", r"me", r"myself"),
    "hedge": _words(
        r"may",
        r"might",
        r"could",
        r"possibl[ey]",
        r"limited",
        r"preliminary",
        r"uncertain",
        r"unclear",
        r"not (?:yet )?(?:known|established|proven|understood|clear)",
        r"more (?:research|studies|robust)",
        r"further (?:research|clinical research|studies|investigation)",
        r"small (?:study|studies|trial|trials)",
        r"no (?:good|strong|reliable|controlled|convincing)? ?(?:evidence|trials?|studies)",
        r"insufficient",
        r"mixed",
    ),
    "caution": _words(
        r"consult",
        r"talk to your",
        r"ask your",
        r"caution",
        r"risks?",
        r"side effects?",
        r"interactions?",
        r"warn(?:s|ing|ings)?",
        r"do not",
        r"don't",
        r"avoid",
        r"dependence",
        r"overdose",
        r"not (?:a )?(?:cure|substitute|replacement)",
        r"does not|do not|did not|cannot",
    ),
    "named_source": _words(
        r"randomi[sz]ed",
        r"placebo",
        r"controlled trial",
        r"meta-analysis",
        r"systematic review",
        r"cochrane",
        r"et al",
        r"journal",
        r"\d{4}",
    ),
}


@lru_cache(maxsize=1)
def _combined() -> re.Pattern[str]:
    """All cues as one alternation of named groups: at each position the first cue wins."""
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in CUES.items()))


class CueFeatures(TransformerMixin, BaseEstimator):
    """Counts of claim-rhetoric cues in each text, as a sparse log1p-scaled matrix.

    Stateless: ``fit`` only records the feature names, so the transformer is
    cheap to pickle and behaves the same on any text.
    """

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        """Record the cue names; no statistics are learned."""
        self.feature_names_ = np.array(list(CUES), dtype=object)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """One row per text, one column per cue (a single regex pass per text)."""
        pattern = _combined()
        index = {name: j for j, name in enumerate(CUES)}
        texts = list(X)
        rows, cols = [], []
        for i, text in enumerate(texts):
            for match in pattern.finditer(text.lower()):
                rows.append(i)
                cols.append(index[match.lastgroup])
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
    char_ngrams: tuple[int, int] | None = None,
    cues: bool = True,
    sublinear_tf: bool = True,
    min_df: int = 2,
    C: float = 4.0,
    class_weight: str | None = "balanced",
    random_state: int = 0,
) -> Pipeline:
    """The scoring pipeline: TF-IDF (and optional cue) features, then logistic regression."""
    parts: list[tuple[str, object]] = [
        (
            "word",
            TfidfVectorizer(
                ngram_range=word_ngrams,
                sublinear_tf=sublinear_tf,
                min_df=min_df,
                strip_accents="unicode",
                token_pattern=r"(?u)\b\w[\w'-]*\b",
                dtype=np.float64,
            ),
        )
    ]
    if char_ngrams is not None:
        parts.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=char_ngrams,
                    sublinear_tf=sublinear_tf,
                    min_df=min_df,
                    strip_accents="unicode",
                    dtype=np.float64,
                ),
            )
        )
    if cues:
        parts.append(("cues", CueFeatures()))
    return Pipeline(
        [
            ("features", FeatureUnion(parts)),
            (
                "clf",
                LogisticRegression(
                    C=C, class_weight=class_weight, max_iter=5000, random_state=random_state
                ),
            ),
        ]
    )
