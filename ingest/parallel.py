"""Extraction on every core (a process pool) or on a Dask cluster, for ingest.run.

Extraction is the slow part of an ingest (natasha's taggers and parser, the grammars, the
relation model) and each article is extracted on its own, so it spreads over processes:

- `PoolExtractor(workers)`: a `concurrent.futures.ProcessPoolExecutor` whose workers are
  started with 'spawn' (nothing of the parent is inherited: no open store, no threads) and
  load natasha, the grammars and the relation model once each, in their initializer.
- `DaskExtractor(address, workers)`: the same work on Dask distributed workers, a task per run
  of ARTICLES_PER_TASK articles, on a `LocalCluster` ("local") or the scheduler at a `tcp://`
  address. Needs the `dask` extra (`pip install 'investgraph[dask]'`) here and investgraph
  installed on every worker.

Both hand the articles out as they are read and keep only a bounded number in flight (a
few per worker), and both give the outcomes back in article order whichever worker ends
first, so the one writer in ingest.run writes the same batches as a one-process ingest.

The per-article time limit holds in the workers: a pool worker extracts in its main thread,
where ingest.timelimit's timer signal works; a Dask worker runs tasks in threads, where
`any_thread_limit` raises the timeout in the extracting thread instead. A failure or a
timeout comes back as the article's outcome, with the reason, and the others go on.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any, Protocol, TypeVar

from graph.model import Article, Extraction

from .run import Extracted
from .timelimit import ExtractionTimeout, any_thread_limit

PER_WORKER = 4  # articles (Dask: tasks) in flight per worker: enough to keep each busy, few enough to bound memory
# a Dask task extracts a run of this many articles: one article per task, the client and the scheduler
# (in the ingesting process) spent 2.2 s more CPU than a process pool's over 230 news articles, on
# two cores the workers need
ARTICLES_PER_TASK = 4
T = TypeVar("T")


# what wakes a Dask worker while it extracts, made rarer: the statistical profiler samples the
# extracting thread every 10 ms (a few % of each article); the event loop's watchdog ticks every
# 20 ms, the system and memory monitors run every 500 and 100 ms (with work stealing, over 1,000
# articles 4 s of each worker's CPU and 3 s of the ingesting process's: docs/scaling.md).
# `--dask local` starts its cluster with these; docker-compose's workers get them as environment variables
QUIET_WORKERS = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.tick.interval": "1s",
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.worker.memory.monitor-interval": "1s"}


class DaskMissing(RuntimeError):
    """--dask without Dask installed, or no scheduler at the address."""


class WorkerLost(RuntimeError):
    """A worker died under an article (killed for memory, a crash in native code): extract_one
    returns every failure it can see, so this is the pool or the cluster itself failing."""


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_resolved(article: Article) -> Extraction:
    """What a worker does with one article: extract, then resolve entity keys."""
    from .extract import extract
    from .resolve import resolve
    return resolve(extract(article))


def warm() -> None:
    """A worker's initializer: the models loaded before its first article (extract.ready)."""
    from .extract import ready
    ready()


def extract_one(article: Article, timeout: float | None,
                fn: Callable[[Article], Extraction] = extract_resolved) -> Extracted:
    """One article's outcome in a worker: its extraction, or why it failed (never raises, so
    that one article cannot fail its neighbours; the reason travels as text)."""
    try:
        with any_thread_limit(timeout):
            return Extracted(fn(article))
    except (Exception, ExtractionTimeout) as err:
        return Extracted.failed(err)


def extract_run(articles: tuple[Article, ...], timeout: float | None,
                fn: Callable[[Article], Extraction] = extract_resolved) -> list[Extracted]:
    """A run of articles' outcomes in a worker, each as extract_one gives it."""
    return [extract_one(article, timeout, fn) for article in articles]


def runs_of(articles: Iterable[Article], size: int) -> Iterator[tuple[Article, ...]]:
    """The articles in runs of `size` (the last one shorter), as they come."""
    it = iter(articles)
    while run := tuple(islice(it, size)):
        yield run


class Future(Protocol):
    def result(self) -> Any: ...


def in_order(submit: Callable[[T], Future], items: Iterable[T], in_flight: int,
             first: Callable[[T], Article]) -> Iterator[tuple[T, Any]]:
    """Submit the items (articles, or runs of them) as they come, at most `in_flight` unanswered,
    and yield each with its outcome in the order submitted (waiting for the oldest, whichever
    worker ends first). `first` is an item's first article, named if a worker dies under it."""
    pending: deque[tuple[T, Future]] = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= in_flight:
            yield answer(*pending.popleft(), first)
    while pending:
        yield answer(*pending.popleft(), first)


def answer(item: T, future: Future, first: Callable[[T], Article]) -> tuple[T, Any]:
    """The item with its outcome; if a worker died (which fails every article in flight, not only
    the one it was on), a WorkerLost naming the first article not yet stored."""
    try:
        return item, future.result()
    except Exception as err:
        article = first(item)
        raise WorkerLost(f"a worker stopped abruptly (out of memory?) while articles were being extracted, "
                         f"the first of them not yet stored {article.source or article.id} "
                         f"({type(err).__name__}: {err or 'no reason given'})") from err


class PoolExtractor:
    """Extraction in `workers` local processes, started on the first article that needs one."""

    def __init__(self, workers: int, fn: Callable[[Article], Extraction] = extract_resolved,
                 in_flight: int | None = None, initializer: Callable[[], None] | None = warm) -> None:
        self.workers = workers
        self.fn = fn  # a module-level function (it is pickled by name)
        self.in_flight = in_flight or PER_WORKER * workers
        self.initializer = initializer

    def map(self, articles: Iterable[Article], timeout: float | None) -> Iterator[tuple[Article, Extracted]]:
        pool: ProcessPoolExecutor | None = None

        def submit(article: Article) -> Future:
            nonlocal pool
            if pool is None:
                pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=self.initializer)
            return pool.submit(extract_one, article, timeout, self.fn)

        try:
            yield from in_order(submit, articles, self.in_flight, first=lambda article: article)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


def dask_client(address: str, workers: int) -> tuple[Any, Any]:
    """A Dask client and the LocalCluster it runs (None for a cluster of its own at `address`)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:
        raise DaskMissing("--dask needs Dask: pip install 'investgraph[dask]' (or 'dask[distributed]')") from err
    if address == "local":
        import dask
        # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, so that freed memory goes back to
        # the system at once: natasha's many small numpy arrays then took 40% more CPU (its pipeline
        # over parks-dev: 3.0 s against 2.2 s); None unsets it, for glibc's own threshold. Work
        # stealing has nothing to balance in a batch of equal tasks on the ingest's own cores
        with dask.config.set({**QUIET_WORKERS, "distributed.scheduler.work-stealing": False,
                              "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except OSError as err:
        raise DaskMissing(f"cannot reach the Dask scheduler at {address}: {err}") from err


class DaskExtractor:
    """Extraction as Dask tasks: on a LocalCluster of `workers` processes ("local"), or on the
    cluster whose scheduler is at `address` (its workers, however many: `workers` is not used)."""

    def __init__(self, address: str, workers: int, fn: Callable[[Article], Extraction] = extract_resolved,
                 initializer: Callable[[], None] | None = warm) -> None:
        self.address = address
        self.workers = workers
        self.fn = fn
        self.initializer = initializer

    def map(self, articles: Iterable[Article], timeout: float | None) -> Iterator[tuple[Article, Extracted]]:
        client, cluster = dask_client(self.address, self.workers)
        try:
            if self.initializer:
                client.run(self.initializer)  # every worker loads the models once, before the first article
            threads = sum(client.nthreads().values()) or 1
            runs = in_order(lambda run: client.submit(extract_run, run, timeout, self.fn, pure=False),
                            runs_of(articles, ARTICLES_PER_TASK), PER_WORKER * threads, first=lambda run: run[0])
            for run, outcomes in runs:
                yield from zip(run, outcomes, strict=True)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
