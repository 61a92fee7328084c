"""The document-context stage: each sentence read in the light of its page.

The sentence model scores a sentence alone. On real pages, whether a sentence
is an unsupported claim depends a great deal on the page around it: the same
"it supports a calm mood" is a sales claim on a shop page and a reported use
on a fact sheet. This stage is a second logistic regression over a few
features of each sentence within its document: its own sentence log-odds,
the page's mean and top-k log-odds, its neighbours' mean log-odds, its
position, and whether it looks like a heading. The gated page terms
(``page_mean_gated``, ``page_top_gated``) are the page's log-odds times the
sentence's own probability: the page acts through the sentence's evidence of
a claim, so a plain background sentence on a selling page stays low, and a
page whose strongest sentences are claims does not hide them. It is fitted in training on
out-of-fold sentence log-odds (document-grouped folds), so it learns how much
to trust the page from scores the sentence model gives to pages it never saw.

Long documents are read in windows of at most ``window`` sentences: the page
features of a sentence come from its window, so memory stays flat however
long the document is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["FEATURES", "ContextModel", "context_features", "page_score"]

# Every feature the stage knows, in a fixed order; a fitted model uses a subset.
FEATURES = (
    "sentence",
    "page_mean",
    "page_top",
    "neighbours",
    "position",
    "heading",
    "page_size",
    "page_mean_gated",
    "page_top_gated",
)
_END = (".", "!", "?", "…", ":", ";", '"', "”", "'", ")")
PAGE_TOP_K = 3


def _is_heading(text: str, max_words: int = 10) -> bool:
    """A short line with no closing punctuation: a heading, a label or a list fragment."""
    stripped = text.rstrip()
    return not stripped.endswith(_END) and len(stripped.split(None, max_words)) <= max_words


def context_features(
    logits: np.ndarray,
    doc: np.ndarray,
    texts: Sequence[str],
    top_k: int,
    neighbours: int,
    names: Sequence[str] = FEATURES,
) -> dict[str, np.ndarray]:
    """The features ``names`` (all of ``FEATURES`` by default) of sentences grouped by ``doc``.

    ``doc`` gives each sentence's page (window) number; sentences of one page
    are contiguous and in reading order. A page of one sentence has itself as
    its page and no neighbours (the neighbour mean is then its own log-odds).
    Only the features asked for are computed: a model uses a few of them.
    """
    z = np.asarray(logits, dtype=np.float64)
    doc = np.asarray(doc, dtype=np.int64)
    n = len(z)
    wanted = set(names)
    if n == 0:
        return {name: np.zeros(0) for name in FEATURES if name in wanted}
    idx = np.arange(n)
    first = np.r_[True, doc[1:] != doc[:-1]]
    starts = idx[first]
    group = np.cumsum(first) - 1
    sizes = np.diff(np.r_[starts, n])
    start, size = starts[group], sizes[group]
    out: dict[str, np.ndarray] = {}
    own = None
    if wanted & {"page_mean_gated", "page_top_gated"}:
        own = 1.0 / (1.0 + np.exp(-np.clip(z, -700.0, 700.0)))
    if wanted & {"page_mean", "page_mean_gated"}:
        page_mean = (np.bincount(group, weights=z) / sizes)[group]
        if "page_mean_gated" in wanted:
            out["page_mean_gated"] = own * page_mean
        if "page_mean" in wanted:
            out["page_mean"] = page_mean
    if wanted & {"page_top", "page_top_gated"}:
        # top-k mean: rank each sentence within its page by descending log-odds
        order = np.lexsort((-z, group))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = idx - starts[group[order]]
        k = np.minimum(size, top_k)
        top_sum = np.bincount(group, weights=np.where(rank < k, z, 0.0), minlength=len(starts))
        page_top = top_sum[group] / k
        if "page_top_gated" in wanted:
            out["page_top_gated"] = own * page_top
        if "page_top" in wanted:
            out["page_top"] = page_top
    if "sentence" in wanted:
        out["sentence"] = z
    if "neighbours" in wanted:
        end = start + size - 1
        csum = np.r_[0.0, np.cumsum(z)]
        lo = np.maximum(idx - neighbours, start)
        hi = np.minimum(idx + neighbours, end)
        count = hi - lo
        around = csum[hi + 1] - csum[lo] - z
        out["neighbours"] = np.where(count > 0, around / np.maximum(count, 1), z)
    if "position" in wanted:
        out["position"] = np.where(size > 1, (idx - start) / np.maximum(size - 1, 1), 0.0)
    if "heading" in wanted:
        out["heading"] = np.fromiter(map(_is_heading, texts), dtype=np.float64, count=n)
    if "page_size" in wanted:
        out["page_size"] = np.log(size.astype(np.float64))
    return {name: out[name] for name in FEATURES if name in wanted}


class ContextModel:
    """Logistic regression over a subset of ``FEATURES``; outputs log-odds."""

    def __init__(
        self,
        features: Sequence[str],
        weights: Sequence[float],
        intercept: float,
        window: int,
        top_k: int,
        neighbours: int,
        min_page: int = 3,
    ) -> None:
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown context feature(s): {', '.join(sorted(unknown))}")
        if len(weights) != len(features):
            raise ValueError(f"{len(weights)} weights for {len(features)} context features")
        if window < 1 or top_k < 1 or neighbours < 0 or min_page < 1:
            raise ValueError("window, top_k and min_page must be >= 1, neighbours >= 0")
        self.features = tuple(features)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.window, self.top_k, self.neighbours = int(window), int(top_k), int(neighbours)
        self.min_page = int(min_page)

    def windows(self, lengths: Sequence[int]) -> np.ndarray:
        """A page number for each sentence: documents cut into windows of ``window``."""
        parts = []
        page = 0
        for n in lengths:
            w = np.arange(n) // self.window + page
            parts.append(w)
            page += -(-n // self.window)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def logits(
        self, sentence_logits: np.ndarray, page: np.ndarray, texts: Sequence[str]
    ) -> np.ndarray:
        """Context log-odds of each sentence, given its sentence log-odds and page number.

        A page shorter than ``min_page`` sentences says too little about itself
        (and the stage never saw one in training): its sentences keep their
        sentence log-odds, so a one-line text scores as ``score_sentences``.
        """
        z = np.asarray(sentence_logits, dtype=np.float64)
        if len(z) == 0:
            return np.zeros(0)
        names = (*self.features, "page_size")
        feats = context_features(z, page, texts, self.top_k, self.neighbours, names)
        out = np.column_stack([feats[f] for f in self.features]) @ self.weights + self.intercept
        short = np.exp(feats["page_size"]) < self.min_page - 0.5
        return np.where(short, z, out)


def page_score(scores: Sequence[float], k: int = PAGE_TOP_K) -> float:
    """A page's risk: the mean of its ``k`` highest sentence scores (0 for an empty page).

    One promotional claim in a long neutral page lifts this less than a page
    whose several sentences are all claims, and a single flagged sentence on a
    short page still counts; it is validated against the documents' registers
    and labels in the report.
    """
    if len(scores) == 0:
        return 0.0
    top = np.sort(np.asarray(scores, dtype=np.float64))[::-1][:k]
    return float(top.mean())
