"""The ingest job: read files, extract, resolve, write to a store in batches.

Bad files are reported (file and problem) and skipped; the rest of the batch goes on.
An article already stored with the same text is skipped before extraction, so
re-running an ingest is cheap and changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Article
from graph.store import Store

from .extract import extract
from .readers import ReadError, read_articles
from .resolve import resolve


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[ReadError] = field(default_factory=list)
    entity_keys: set[str] = field(default_factory=set)


def ingest_articles(store: Store, items: Iterable[Article | ReadError], batch_size: int = 16,
                    progress: Callable[[str], None] | None = None) -> IngestReport:
    report = IngestReport()
    batch = []
    superseding: set[str] = set()  # new ids of files whose old version was removed below

    def flush() -> None:
        if batch:
            written = store.write(batch)
            report.added += len([i for i in written.added if i not in superseding])
            report.replaced += len(written.replaced) + len([i for i in written.added if i in superseding])
            batch.clear()

    for item in items:
        if isinstance(item, ReadError):
            report.errors.append(item)
            continue
        if progress:
            progress(item.source or item.id)
        if store.article_hash(item.id) == item.content_hash:
            report.unchanged += 1
            continue
        # the same file read again with changed text (no url/id): replace the old article
        for old in store.articles_from_source(item.source):
            if old["id"] != item.id and old["doc"] == item.doc and item.id.startswith("sha1:"):
                store.remove_article(old["id"])
                superseding.add(item.id)
        try:
            extraction = resolve(extract(item))
        except Exception as err:  # one broken article must not stop the batch
            report.errors.append(ReadError(item.source or item.id, f"extraction failed: {err}"))
            continue
        report.entity_keys |= {e.key for e in extraction.entities}
        batch.append(extraction)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def ingest_paths(store: Store, paths: list[str | Path], **kwargs) -> IngestReport:
    return ingest_articles(store, read_articles(paths), **kwargs)
