"""Lone surrogates: possible in a Python string, impossible in UTF-8.

JSON escapes (``"\\ud800"``) and ``surrogateescape`` decoding can put them in a
``str``; writing, hashing or tokenising such a string as UTF-8 would fail, so
the text is first made valid with each one replaced by U+FFFD.
"""

from __future__ import annotations

import re

__all__ = ["SURROGATE", "replace_surrogates"]

SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the replacement character)."""
    return text if text.isascii() else SURROGATE.sub("\ufffd", text)
