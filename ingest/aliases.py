"""The curated alias table (ingest/data/aliases.json): well-known places and federal bodies
written several ways ("РФ", "Россия", "Российская Федерация"). `canonical(type, name)`
gives the canonical name of a known variant, or None.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from graph.text import name_key


@lru_cache(maxsize=1)
def groups() -> dict[str, list[list[str]]]:
    """Entity type -> its groups of names, the canonical name first."""
    raw = json.loads(resources.files("ingest").joinpath("data/aliases.json").read_text(encoding="utf-8"))
    return {etype: names for etype, names in raw.items() if not etype.startswith("_")}


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], str]:
    return {(etype, name_key(name)): names[0] for etype, kinds in groups().items() for names in kinds for name in names}


def canonical(etype: str, name: str) -> str | None:
    return table().get((etype, name_key(name)))
