"""The word lists extraction reads, loaded from ingest/data/vocabulary.json.

Every list there says what it is for ("about") and who reads it ("read_by"); the code
names a list and gets its words:

    PLANT_HEADS = words("plant_heads")          # frozenset of lemmas
    TITLES = ordered("titles")                  # a tuple, in the file's order (joined into a regex)
    ROLE_WORDS = mapping("role_cues")           # a read-only dict (list values as tuples)

Types, relation types, roles and project kinds are declared in graph/schema.json (graph.model).
The curated name lists (lexicon.json, aliases.json) are read through data_file().
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

VOCABULARY = "vocabulary.json"


@cache
def data_file(name: str) -> dict[str, Any]:
    """One JSON file of ingest/data/, parsed once (callers must not change it)."""
    return json.loads(resources.files("ingest").joinpath("data", name).read_text(encoding="utf-8"))


def names() -> list[str]:
    """The names of all lists in the vocabulary."""
    return [name for name in data_file(VOCABULARY) if not name.startswith("_")]


def entry(name: str) -> dict[str, Any]:
    try:
        return data_file(VOCABULARY)[name]
    except KeyError:
        raise KeyError(f"no list {name!r} in ingest/data/{VOCABULARY}") from None


@cache
def words(name: str) -> frozenset[str]:
    """A word list as a set."""
    return frozenset(entry(name)["words"])


@cache
def ordered(name: str) -> tuple[str, ...]:
    """A word list in the order it is written (for lists whose order matters)."""
    return tuple(entry(name)["words"])


@cache
def mapping(name: str) -> Mapping[str, Any]:
    """A map (word -> role, kind, ...), read-only; list values come as tuples."""
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in entry(name)["map"].items()})
