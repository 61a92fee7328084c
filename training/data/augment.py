"""Topic-swap augmentation: copies of seed sentences with the substance and condition replaced.

The seed pages are about kratom and ketamine for postpartum depression, so a
model trained on them learns those names instead of the rhetoric. Each copy
keeps the sentence's label and its claim structure but names another remedy and
another condition, which pushes the weight from the names to the wording. It is
a training-time transformation only (never rows of ``sentences.csv``), applied
to the training side of every split, and it can be switched off.

The replacement remedies and conditions are deliberately disjoint from the
topics of the authored documents, so held-out-topic figures are not inflated by
copies that name the held-out topic.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

__all__ = ["SWAPS", "swap_topics"]

# Seed vocabulary, longest phrases first so that "postpartum depression" wins over "depression".
_SUBSTANCES = [
    r"7-hydroxymitragynine",
    r"mitragynine",
    r"mitragyna speciosa",
    r"esketamine",
    r"spravato",
    r"kratom",
    r"ketamine",
]
_CONDITIONS = [
    r"postpartum depression and anxiety",
    r"postpartum depression",
    r"substance use disorders",
    r"substance use disorder",
    r"parental burnout",
    r"ppd",
    r"suds",
    r"depression",
]
_SUBSTANCE_RE = re.compile(r"\b(" + "|".join(_SUBSTANCES) + r")\b", re.IGNORECASE)
_CONDITION_RE = re.compile(r"\b(" + "|".join(_CONDITIONS) + r")\b", re.IGNORECASE)

# (remedy, condition) pairs used for the copies.
SWAPS: tuple[tuple[str, str], ...] = (
    ("ashwagandha", "chronic fatigue"),
    ("kava", "panic attacks"),
    ("sea moss", "eczema"),
    ("black seed oil", "asthma"),
    ("oregano oil", "chronic sinusitis"),
    ("red light therapy", "fibromyalgia"),
    ("hydrogen water", "long COVID"),
    ("chaga mushroom", "high blood pressure"),
    ("ozone therapy", "Lyme disease"),
    ("maca root", "menopause symptoms"),
    ("elderberry syrup", "the flu"),
    ("DMSO", "tinnitus"),
    ("moringa", "IBS"),
    ("cold plunges", "migraines"),
)


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper() if len(word) <= 5 else word
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _swap(text: str, remedy: str, condition: str) -> str:
    text = _SUBSTANCE_RE.sub(lambda m: _match_case(m.group(), remedy), text)
    return _CONDITION_RE.sub(lambda m: _match_case(m.group(), condition), text)


def swap_topics(
    texts: Sequence[str],
    labels: Sequence[int],
    copies: int = 2,
    random_state: int = 0,
) -> tuple[list[str], list[int]]:
    """Topic-swapped copies of the sentences that name a seed substance or condition.

    Returns only the new sentences and their labels; each eligible sentence gets
    ``copies`` variants with distinct (remedy, condition) pairs drawn with a
    seeded generator, so the output is deterministic.
    """
    rng = random.Random(random_state)
    new_texts: list[str] = []
    new_labels: list[int] = []
    for text, label in zip(texts, labels, strict=True):
        if not (_SUBSTANCE_RE.search(text) or _CONDITION_RE.search(text)):
            continue
        for remedy, condition in rng.sample(SWAPS, k=min(copies, len(SWAPS))):
            swapped = _swap(text, remedy, condition)
            if swapped != text:
                new_texts.append(swapped)
                new_labels.append(label)
    return new_texts, new_labels
