"""What a name may be: the same in both stores.

Both stores call `bounded(batch)` first thing in `write`, so that what they keep of a name is the
same, whatever wrote the batch (ingest, `load` from another store, a test): Neo4j indexes entity
ids and name keys and refuses a value of more than a few kB ("property value is too large to
index"), which stopped the batch for good, while SQLite kept it whole.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace

from .model import Entity, Extraction

MAX_NAME_CHARS = 300  # a name, an alias or a mention's text; longer ones are cut at a word, with "…"
MAX_KEY_CHARS = 300  # an entity id; a longer one keeps its start and a hash of the whole, so it stays unique
NOT_IN_NAMES = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def within_bounds(text: str) -> bool:
    """Whether bound_name leaves a text as it is, without the work: every character NOT_IN_NAMES
    drops, and every whitespace but the plain space, is one str.isprintable refuses; so a printable
    text without a leading, trailing or double space, and short enough, is a name already (most are:
    the check is what every write pays for every name and mention)."""
    return len(text) <= MAX_NAME_CHARS and text.isprintable() and "  " not in text \
        and not text.startswith(" ") and not text.endswith(" ")


def bound_name(text: str) -> str:
    """A name as both stores keep it: no control or invisible formatting characters (NUL, ESC, C1,
    soft hyphen, zero-width and bidirectional marks), whitespace runs (newlines, tabs) one space, and
    at most MAX_NAME_CHARS characters: a longer one is cut at the last space before the limit (at the
    limit when there is none) and ends in "…"."""
    return text if within_bounds(text) else cut_name(text)


def cut_name(text: str) -> str:
    """bound_name's work, done on any text."""
    text = " ".join(NOT_IN_NAMES.sub("", text).split())
    if len(text) <= MAX_NAME_CHARS:
        return text
    cut = text[:MAX_NAME_CHARS - 1]
    if " " in cut[MAX_NAME_CHARS // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def bound_key(key: str) -> str:
    """An entity id both stores can index: a key of more than MAX_KEY_CHARS characters becomes its
    start and a hash of the whole ("ORG:…#1f2e…"), so that two long keys stay two ids."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return f"{key[:MAX_KEY_CHARS - len(digest) - 2]}…#{digest}"


def bounded(batch: Iterable[Extraction]) -> list[Extraction]:
    """The batch as a store writes it: every entity's name, key, mention texts and merge-log
    aliases bounded (bound_name, bound_key); offsets, relations and articles as they are. An
    extraction whose names are all within bounds is passed on unchanged."""
    return [bounded_extraction(ex) for ex in batch]


def bounded_extraction(ex: Extraction) -> Extraction:
    entities = [bounded_entity(e) for e in ex.entities]
    if all(new is old for new, old in zip(entities, ex.entities, strict=True)):
        return ex
    return replace(ex, entities=entities)


def bounded_entity(e: Entity) -> Entity:
    """The entity itself when its key and every text of it are within bounds (within_bounds), else
    a copy with them bounded."""
    texts = (e.name, *(m.text for m in e.mentions), *e.merged_by, *e.aliases)
    if len(e.key) <= MAX_KEY_CHARS and all(map(within_bounds, texts)):
        return e
    return replace(e, name=bound_name(e.name), key=bound_key(e.key),
                   mentions=[replace(m, text=bound_name(m.text)) for m in e.mentions],
                   merged_by={bound_name(alias): rule for alias, rule in e.merged_by.items()},
                   aliases=[bound_name(a) for a in e.aliases])
