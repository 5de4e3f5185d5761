"""Opening a store by URL, and copying a whole graph from one store to another.

The only module that imports both stores; nothing in graph/ imports it (the app, the CLI,
the tests and the benches do), so there is no import cycle. The Neo4j store is imported when a
Neo4j URL is opened: its driver brings pandas and pyarrow (about 100 MB resident and a second of
start-up) into every process that opens an embedded store otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .embedded import EmbeddedStore
from .model import Extraction, WriteReport
from .store import Store, StoreError
from .urls import DEFAULT_FILE, default_url, is_neo4j_url, neo4j_target, redact_url


def open_store(url: str | None = None) -> Store:
    """Open the store a URL names (None: $INVESTGRAPH_STORE, $NEO4J_URI, else the embedded default)."""
    url = url or default_url()
    if is_neo4j_url(url):
        from .neo4j_store import Neo4jStore
        return Neo4jStore(neo4j_target(url))
    if "://" in url and not url.startswith("sqlite:///"):
        raise StoreError(f"{redact_url(url)}: unknown store URL (use a path, sqlite:///PATH or neo4j://HOST:7687)")
    path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_FILE
    return EmbeddedStore(path)


@dataclass
class CopyReport:
    """What copy_store did: articles read, decisions recorded, and what the target made of the articles."""

    articles: int = 0
    decisions: int = 0
    written: WriteReport = field(default_factory=WriteReport)


def copy_store(source: Store, target: Store, batch_size: int = 100) -> CopyReport:
    """Copy the analyst's decisions of `source`, then every article with its mentions, entities,
    relations, evidence and merge log into `target`; one target transaction per `batch_size` articles."""
    report = CopyReport()
    batch: list[Extraction] = []
    report.decisions = len(target.record(source.decisions()))

    def flush() -> None:
        written = target.write(batch)
        for name in ("added", "replaced", "unchanged"):
            getattr(report.written, name).extend(getattr(written, name))
        report.articles += len(batch)
        batch.clear()

    for extraction in source.extractions():
        batch.append(extraction)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report
