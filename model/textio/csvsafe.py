"""CSV cells that are safe to open in a spreadsheet (OWASP "CSV injection"), and back.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (tab and carriage return can smuggle one in). ``escape_cell`` puts a
single quote in front of such a cell, which spreadsheets show as text;
``unescape_cell`` takes it off again, so that text round-trips exactly:
``unescape_cell(escape_cell(s)) == s`` for every string ``s``. A cell that
already begins with a quote followed by one of those characters gets one more
quote, so the pair stays reversible; a cell that a spreadsheet saved without the
quote reads back unchanged. Standard library only: ``model`` and ``training``
both use it.
"""

from __future__ import annotations

__all__ = ["TRIGGERS", "escape_cell", "escape_row", "unescape_cell", "unescape_row"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(cell: str) -> bool:
    """True if the cell starts with a trigger, possibly after a run of quotes."""
    return cell.lstrip(QUOTE).startswith(TRIGGERS)


def escape_cell(cell: str) -> str:
    """The cell as a spreadsheet will show it as text: ``=1+1`` becomes ``'=1+1``."""
    return QUOTE + cell if _needs_quote(cell) else cell


def unescape_cell(cell: str) -> str:
    """Undo ``escape_cell``: ``'=1+1`` becomes ``=1+1``; other cells are left as they are."""
    return cell[1:] if cell.startswith(QUOTE) and _needs_quote(cell) else cell


def escape_row(row: dict[str, str]) -> dict[str, str]:
    """A copy of ``row`` with every string value escaped."""
    return {k: escape_cell(v) if isinstance(v, str) else v for k, v in row.items()}


def unescape_row(row: dict[str, str]) -> dict[str, str]:
    """A copy of ``row`` with every string value unescaped."""
    return {k: unescape_cell(v) if isinstance(v, str) else v for k, v in row.items()}
