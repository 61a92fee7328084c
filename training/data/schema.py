"""The labelled-sentence table: its columns, label names and sentence ids."""

from __future__ import annotations

import hashlib

__all__ = [
    "COLUMNS",
    "LABELS",
    "ORIGINS",
    "POSITIVE",
    "REGISTERS",
    "assign_ids",
    "sentence_id",
]

LABELS: tuple[str, ...] = ("unsupported", "hedged", "none")
POSITIVE = "unsupported"
ORIGINS: tuple[str, ...] = ("seed", "authored", "user")
REGISTERS: tuple[str, ...] = ("promotional", "evidence")
COLUMNS: tuple[str, ...] = (
    "id",
    "doc_id",
    "position",
    "text",
    "label",
    "origin",
    "topic",
    "register",
    "notes",
)


def sentence_id(doc_id: str, text: str, occurrence: int = 0) -> str:
    """A stable id: the document plus a hash of the sentence text.

    It survives re-segmentation of other parts of the document, and it changes
    when the text changes, so a label can never silently move to other text.
    ``occurrence`` tells apart repeats of the same text in one document.
    """
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}-{digest}" + (f"-{occurrence}" if occurrence else "")


def assign_ids(doc_id: str, texts: list[str]) -> list[str]:
    """Ids for the sentences of one document, in order."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        ids.append(sentence_id(doc_id, text, seen.get(text, 0)))
        seen[text] = seen.get(text, 0) + 1
    return ids
