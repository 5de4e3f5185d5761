"""Resolution: which stored entity each extracted entity is.

For now an entity's key is its type plus the lemmatised name, so `Руслан Заливацкий` in
two articles is one node and `Заливацкого` finds it. Smarter resolution (initials,
abbreviations, aliases, namesakes) replaces `entity_key` without touching the stores.
"""
from __future__ import annotations

from graph.model import Entity, Extraction
from graph.text import name_key


def entity_key(entity: Entity) -> str:
    return f"{entity.type}:{name_key(entity.name)}"


def resolve(extraction: Extraction) -> Extraction:
    """Give every entity its cross-article key (in place) and return the extraction."""
    for entity in extraction.entities:
        entity.key = entity_key(entity)
    return extraction
