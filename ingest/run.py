"""The ingest job: read files, extract, resolve, write to a store in batches.

Bad files are reported (file and problem) and skipped; the rest of the batch goes on.
An article already stored with the same text is skipped before extraction, so
re-running an ingest is cheap and changes nothing.

A .txt file whose text changed gets a new id (a hash of its text); its old version is
removed only by the write that stores the new one, in the same transaction
(`Extraction.replaces`). If the new text cannot be extracted, the old version stays and
the failure is reported. File articles carry their resolved path as source, so any
spelling of a file's path finds its old version.

An article id given more than once in one input (a url, a record id, the same text) is
stored once, from its last occurrence; the earlier ones are reported as skipped. An
article whose extraction takes longer than the time limit (`timeout`, ingest.timelimit)
fails with the reason and the batch goes on.

Extraction runs in this process, or (given an `extractor`, see ingest.parallel) in worker
processes or on a Dask cluster; either way the outcomes come back in article order and this
process alone writes them, in the same batches, so the graph is the same. The input may be
streamed: given `last` (from `survey`, a first pass that keeps ids, not texts) duplicates are
found without holding the articles in memory.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from graph.model import Article, Extraction
from graph.store import Store

from .extract import extract, ready
from .limits import DEFAULT_TIMEOUT
from .readers import DEFAULT_MAX_BYTES, ReadError, read_articles
from .resolve import resolve
from .timelimit import ExtractionTimeout, time_limit


@dataclass(frozen=True)
class Extracted:
    """What extraction made of one article: its resolved extraction, or why it failed."""

    extraction: Extraction | None
    failure: str = ""

    @classmethod
    def failed(cls, err: BaseException) -> Extracted:
        """An article whose extraction raised `err`: its message, or its kind where it has none
        (a StopIteration says nothing by itself)."""
        return cls(None, str(err) or type(err).__name__)


class Extractor(Protocol):
    """Extracts articles somewhere (ingest.parallel: a process pool, a Dask cluster) and yields
    each article with its outcome in the order the articles came, holding only a bounded number
    of them at a time."""

    def map(self, articles: Iterable[Article], timeout: float | None) -> Iterator[tuple[Article, Extracted]]: ...


@dataclass
class Survey:
    """A first pass over the input: how many items it holds, and where each article id that comes
    more than once comes last (with that occurrence's source), so that a second pass can stream.
    An id that comes once is not kept: what the survey holds grows with the duplicates, not with
    the corpus (`seen` holds a hash per id, a few dozen bytes, while it runs)."""

    count: int = 0
    last: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[ReadError] = field(default_factory=list)  # inputs that failed
    skipped: list[ReadError] = field(default_factory=list)  # inputs that are no article, with the reason
    entity_keys: set[str] = field(default_factory=set)  # the nodes written, when asked for (keys=True)


def older_versions(store: Store, article: Article) -> list[str]:
    """The stored articles this one supersedes: the same file read before its text changed
    (only for articles keyed by their text; a url or record id is replaced in place)."""
    if not article.id.startswith("sha1:"):
        return []
    return [old["id"] for old in store.articles_from_source(article.source)
            if old["id"] != article.id and old["doc"] == article.doc]


def survey(items: Iterable[Article | ReadError]) -> Survey:
    """Count the items and note where each article id that comes again comes last; the texts are
    not kept, nor the ids that come once. (Two ids with the same hash both get noted, which
    changes nothing: an id noted at its only place is kept there.)"""
    found, seen = Survey(), set[int]()
    for n, item in enumerate(items):
        found.count += 1
        if isinstance(item, Article):
            if (h := hash(item.id)) in seen:
                found.last[item.id] = (n, item.source)
            seen.add(h)
    return found


def last_versions(items: Iterable[Article | ReadError],
                  last: dict[str, tuple[int, str]] | None = None) -> Iterator[Article | ReadError]:
    """The items with each article id once: where the input holds an id (a url, a record id, the
    same text) more than once, the last one is kept and each earlier one becomes a skipped
    ReadError naming it, so that which version is stored does not depend on batch boundaries and
    a re-run finds it unchanged. Without `last` (see survey) the items are held in memory."""
    if last is None:
        items = list(items)
        last = survey(items).last
    for n, item in enumerate(items):
        later_at, later_source = last.get(item.id, (n, "")) if isinstance(item, Article) else (n, "")
        if isinstance(item, Article) and later_at > n:  # only an article comes again later
            where = "" if later_source == item.source else f" (in {later_source})"
            yield ReadError(item.source or item.id, f"duplicate of {describe(item)}, which comes again later in "
                            f"the input{where}: the later one is kept", skipped=True)
        else:
            yield item


def describe(article: Article) -> str:
    """How a duplicate message names an article: its url, its record id, or its text."""
    if article.url:
        return f"url {article.url}"
    if not article.id.startswith("sha1:"):
        return f"record id '{article.id}'"
    return f"the same text ({article.doc or article.id})"


def in_process(articles: Iterable[Article], timeout: float | None) -> Iterator[tuple[Article, Extracted]]:
    """Extraction here, one article at a time, under the time limit (ingest.timelimit); the models
    are loaded before the first article (extract.ready), outside its limit."""
    for article in articles:
        ready()
        try:
            with time_limit(timeout):
                outcome = Extracted(resolve(extract(article)))
        except (Exception, ExtractionTimeout) as err:  # one broken article must not stop the batch
            outcome = Extracted.failed(err)
        yield article, outcome  # outside the limit: the time the caller takes is not the article's


def ingest_articles(store: Store, items: Iterable[Article | ReadError], batch_size: int = 16,
                    progress: Callable[[str], None] | None = None,
                    timeout: float | None = DEFAULT_TIMEOUT, extractor: Extractor | None = None,
                    last: dict[str, tuple[int, str]] | None = None, keys: bool = False) -> IngestReport:
    """Extract and store the articles, report the rest; an article id given twice is stored once,
    from its last occurrence (see last_versions). An article whose extraction takes longer than
    `timeout` seconds (None or 0: no limit; see ingest.timelimit) fails, and the batch goes on.
    `extractor`: where extraction runs (default: here); the writes are the same either way.
    `keys`: also list the nodes written in the report (what the app shows after an upload; a
    large ingest does not keep them)."""
    report = IngestReport()
    batch: list[Extraction] = []

    def flush() -> None:
        if batch:
            written = store.write(batch)
            report.added += len(written.added)
            report.replaced += len(written.replaced)
            report.unchanged += len(written.unchanged)
            batch.clear()

    def changed() -> Iterator[Article]:
        """The articles to extract; read problems and unchanged articles are counted on the way."""
        for item in last_versions(items, last):
            if isinstance(item, ReadError):
                (report.skipped if item.skipped else report.errors).append(item)
            elif store.article_hash(item.id) == item.content_hash:
                if progress:
                    progress(item.source or item.id)
                report.unchanged += 1
            else:
                yield item

    outcomes = extractor.map(changed(), timeout) if extractor else in_process(changed(), timeout)
    for article, outcome in outcomes:
        if progress:
            progress(article.source or article.id)
        older = older_versions(store, article)
        if outcome.extraction is None:
            kept = "; its stored version is kept" if older else ""
            report.errors.append(ReadError(article.source or article.id,
                                           f"extraction failed: {outcome.failure}{kept}"))
            continue
        extraction = outcome.extraction
        extraction.replaces = older
        if keys:
            report.entity_keys |= {e.key for e in extraction.entities}
        batch.append(extraction)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def ingest_paths(store: Store, paths: list[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
                 **kwargs) -> IngestReport:
    return ingest_articles(store, read_articles(paths, max_bytes), **kwargs)
