"""Confidence: a relation's is the highest of its evidence's.

Each evidence row (a sentence of an article stating a relation) keeps the confidence the
relation had in that article's extraction (Relation.confidence). A relation's confidence is
the highest of its evidence rows', None when none has one (rules alone). It is computed when
read, never stored on the relation, so replacing or removing an article recomputes it, and
the order articles came in does not matter.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Extraction


def top_confidence(values: Iterable[float | None]) -> float | None:
    """The highest of the confidences that are not None; None when none is given."""
    scored = [v for v in values if v is not None]
    return max(scored) if scored else None


def loosest_confidence(values: Iterable[float | None]) -> float | None:
    """Of several relations, the confidence that passes the most filters: None (a rule's, never
    filtered out) if any is None, else the highest."""
    values = list(values)
    return None if any(v is None for v in values) else top_confidence(values)


def confident(confidence: float | None, minimum: float | None) -> bool:
    """Whether a relation with this confidence passes a minimum: one without a confidence (made by
    rules alone) always does, and so does everything when there is no minimum (None or 0)."""
    return not minimum or confidence is None or confidence >= minimum


def confidence_problem(batch: Iterable[Extraction]) -> str | None:
    """Why a batch cannot be written, as to confidences (one that is not a number within 0..1),
    or None."""
    for ex in batch:
        for r in ex.relations:
            c = r.confidence
            if c is not None and (isinstance(c, bool) or not isinstance(c, (int, float)) or math.isnan(c)
                                  or not 0.0 <= c <= 1.0):
                return (f"relation {r.type} {r.source} -> {r.target} in article {ex.article.id} has "
                        f"confidence {c!r}, not a number within 0..1")
    return None
