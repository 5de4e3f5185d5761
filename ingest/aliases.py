"""The curated alias table (ingest/data/aliases.json): well-known places and federal bodies
written several ways ("РФ", "Россия", "Российская Федерация"). `canonical(type, name)`
gives the canonical name of a known variant, or None.
"""
from __future__ import annotations

from functools import lru_cache

from graph.text import name_key

from .vocabulary import data_file


@lru_cache(maxsize=1)
def groups() -> dict[str, list[list[str]]]:
    """Entity type -> its groups of names, the canonical name first."""
    raw = data_file("aliases.json")
    return {etype: names for etype, names in raw.items() if not etype.startswith("_")}


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], str]:
    return {(etype, name_key(name)): names[0] for etype, kinds in groups().items() for names in kinds for name in names}


def canonical(etype: str, name: str) -> str | None:
    return table().get((etype, name_key(name)))
