"""The labelled set as one object: texts, labels, documents, topics, origins, registers.

Cross-validation, the context stage, evaluation and the report take this
object rather than a handful of parallel arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .schema import POSITIVE

__all__ = ["LabelledSet"]


@dataclass(frozen=True)
class LabelledSet:
    """One row per labelled sentence; ``y`` is 1 for the positive (``unsupported``) label."""

    ids: list[str]
    texts: list[str]
    y: np.ndarray
    doc: np.ndarray
    topic: np.ndarray
    origin: np.ndarray
    register: np.ndarray
    position: np.ndarray
    label_names: list[str]

    @classmethod
    def from_dataset(cls, ds: Any) -> LabelledSet:
        """From the validated ``datasets.Dataset`` that ``sentences.load_labels`` returns.

        Rows without a topic (seed and user rows may lack one) take their origin
        as their topic, so held-out-topic folds still group them.
        """
        names = list(ds.features["label"].names)
        t = ds.to_dict()
        origin = np.asarray(t["origin"])
        return cls(
            ids=list(t["id"]),
            texts=list(t["text"]),
            y=(np.asarray(t["label"]) == names.index(POSITIVE)).astype(int),
            doc=np.asarray(t["doc_id"]),
            topic=np.asarray([tp or o for tp, o in zip(t["topic"], origin, strict=True)]),
            origin=origin,
            register=np.asarray([r or "" for r in t["register"]]),
            position=np.asarray(t["position"], dtype=np.int64),
            label_names=names,
        )

    @property
    def augmentable(self) -> np.ndarray:
        """Rows whose topic words the topic-swap augmentation may replace (the seed pages)."""
        return self.origin == "seed"

    def __len__(self) -> int:
        return len(self.texts)

    def describe(self) -> str:
        """One line: sizes and the positive share."""
        return (
            f"{len(self)} sentences, {len(set(self.doc))} documents, {len(set(self.topic))} "
            f"topics, {self.y.mean():.1%} unsupported"
        )
