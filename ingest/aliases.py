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
def table() -> dict[tuple[str, str], str]:
    raw = json.loads(resources.files("ingest").joinpath("data/aliases.json").read_text(encoding="utf-8"))
    known: dict[tuple[str, str], str] = {}
    for etype, groups in raw.items():
        if etype.startswith("_"):
            continue
        for names in groups:
            for name in names:
                known[(etype, name_key(name))] = names[0]
    return known


def canonical(etype: str, name: str) -> str | None:
    return table().get((etype, name_key(name)))
