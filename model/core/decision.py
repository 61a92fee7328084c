"""The one decision record: the threshold that flags a sentence and the risk bands.

Every entry point (the API, ``predict``, the DataFrame helpers, the HTML page)
asks a ``Decision`` whether a score is flagged and which band it is in, so the
cut is applied in one place and always agrees with ``metadata.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BANDS", "Band", "Decision", "short_repr"]

BANDS = ("low", "review", "high")


@dataclass(frozen=True)
class Band:
    """Scores in ``[lower, upper)`` (the top band includes 1.0)."""

    name: str
    lower: float
    upper: float


@dataclass(frozen=True)
class Decision:
    """The stored threshold and the bands around it."""

    threshold: float
    bands: tuple[Band, ...]

    @classmethod
    def from_metadata(cls, threshold: object, bands: object) -> Decision:
        """Validate the stored numbers; raise ``ValueError`` saying what is wrong."""
        t = _unit(threshold, "threshold")
        if not isinstance(bands, Sequence) or isinstance(bands, str) or len(bands) != 3:
            raise ValueError("bands must be a list of three {band, from, to} records")
        parsed = []
        for b in bands:
            if not isinstance(b, dict) or {"band", "from", "to"} - set(b):
                raise ValueError("each band needs 'band', 'from' and 'to'")
            parsed.append(Band(str(b["band"]), _unit(b["from"], "band edge"), _unit(b["to"], "")))
        if tuple(b.name for b in parsed) != BANDS:
            raise ValueError(f"bands must be named {', '.join(BANDS)} in that order")
        edges = [parsed[0].lower] + [b.upper for b in parsed]
        if parsed[0].lower != 0.0 or parsed[-1].upper != 1.0:
            raise ValueError("bands must start at 0 and end at 1")
        if any(parsed[i].upper != parsed[i + 1].lower for i in range(2)) or edges != sorted(edges):
            raise ValueError("bands must be contiguous and increasing")
        if parsed[1].lower != t:
            raise ValueError("the 'review' band must start at the threshold")
        return cls(t, tuple(parsed))

    def with_threshold(self, threshold: float | None) -> Decision:
        """The same bands with a user's own threshold (``None`` keeps the stored one).

        A user's cut replaces the start of the ``review`` band; the ``high``
        band keeps its stored edge unless the cut lies above it.
        """
        if threshold is None or threshold == self.threshold:
            return self
        t = _unit(threshold, "threshold")
        low, review, high = self.bands
        high_from = max(high.lower, t)
        return Decision(
            t,
            (
                Band(low.name, 0.0, t),
                Band(review.name, t, high_from),
                Band(high.name, high_from, 1.0),
            ),
        )

    def flagged(self, score: float) -> bool:
        """True when ``score`` is at or above the threshold."""
        return score >= self.threshold

    def band(self, score: float) -> str:
        """``low``, ``review`` or ``high``."""
        if score >= self.bands[2].lower:
            return self.bands[2].name
        return self.bands[1].name if score >= self.threshold else self.bands[0].name

    def to_dict(self) -> dict[str, object]:
        """The decision as recorded in ``metadata.json`` and result headers."""
        return {
            "threshold": self.threshold,
            "bands": [{"band": b.name, "from": b.lower, "to": b.upper} for b in self.bands],
        }


def _unit(value: object, what: str) -> float:
    """A number in [0, 1]; compared before conversion, so a huge integer is refused, not lost."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what or 'band edge'} must be a number, got {short_repr(value)}")
    if not 0 <= value <= 1:
        raise ValueError(f"{what or 'band edge'} must be between 0 and 1, got {short_repr(value)}")
    return float(value)


def short_repr(value: object) -> str:
    """``repr`` cut to a readable length (a refused value may be 400 digits long)."""
    try:
        text = repr(value)
    except RecursionError:  # a list nested deeper than repr goes
        return f"a deeply nested {type(value).__name__}"
    return text if len(text) <= 40 else f"{text[:37]}..."
