"""Issue 16, first part: `ingest --workers N` and `--dask local` give the graph a one-process ingest
gives; failures and time limits in the workers are reported per article; the writer keeps the
article order whichever worker ends first."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.model import Article, Extraction
from graph.model import WriteReport
from ingest.parallel import DaskExtractor, PoolExtractor, dask_client, in_order
from ingest.run import ingest_articles, ingest_paths
from conftest import EXAMPLES, export_content
BROKEN = "СЛОМАНО"  # an article containing this fails in fails_on_marker
SLOW = "МЕДЛЕННО"  # an article containing this runs forever in endless_on_marker
LATE = "ПОЗЖЕ"  # an article containing this ends a second after the others in late_on_marker


# --- stand-ins for extraction, run in worker processes (module level: pickled by name) ----------

def fails_on_marker(article: Article) -> Extraction:
    if BROKEN in article.text:
        raise ValueError("no sentence in this text")
    return Extraction(article=article)


def endless_on_marker(article: Article) -> Extraction:
    while SLOW in article.text:  # a loop in Python, as a pathological extraction would be
        pass
    return Extraction(article=article)


def late_on_marker(article: Article) -> Extraction:
    if LATE in article.text:
        time.sleep(1.0)
    return Extraction(article=article)


class RecordingStore:
    """Just what ingest_articles needs of a store, remembering each batch written."""

    url = "memory:"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def article_hash(self, article_id: str) -> None:
        return None

    def articles_from_source(self, source: str) -> list[dict]:
        return []

    def write(self, batch: list[Extraction]) -> WriteReport:
        self.batches.append([x.article.id for x in batch])
        return WriteReport(added=[x.article.id for x in batch])


def articles(*texts: str) -> list[Article]:
    return [Article(id=f"a{n}", text=text, source=f"{n}.txt") for n, text in enumerate(texts)]


# --- the same graph ------------------------------------------------------------------------------

def ingested(tmp_path: Path, name: str, *options: str) -> tuple[dict, bytes]:
    """`investgraph ingest examples/news OPTIONS` into a fresh store: its stats and JSON export."""
    runner, url, out = CliRunner(), str(tmp_path / name / "graph.db"), tmp_path / f"{name}.json"
    result = runner.invoke(cli, ["ingest", str(EXAMPLES), "--store", url, "--quiet", *options])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("16 added, 0 replaced, 0 unchanged, 0 skipped, 0 failed")
    stats = runner.invoke(cli, ["stats", "--json", "--store", url])
    assert runner.invoke(cli, ["export", "--format", "json", "-o", str(out), "--store", url]).exit_code == 0
    return json.loads(stats.stdout), export_content(out.read_bytes())


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> tuple[dict, bytes]:
    return ingested(tmp_path_factory.mktemp("one"), "w1", "--workers", "1")


def test_two_workers_give_the_same_stats_and_export_as_one_process(tmp_path, one_process):
    stats, export = ingested(tmp_path, "w2", "--workers", "2")
    assert stats == one_process[0] and stats["articles"] == 16
    assert export == one_process[1]


def test_dask_local_with_two_workers_gives_the_same_stats_and_export(tmp_path, one_process):
    pytest.importorskip("dask.distributed")
    stats, export = ingested(tmp_path, "dask", "--dask", "local", "--workers", "2")
    assert stats == one_process[0]
    assert export == one_process[1]


def test_local_dask_workers_keep_the_allocators_own_trimming():
    """Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, under which natasha's many small
    numpy arrays took 40% more CPU; the local cluster's workers start without it."""
    pytest.importorskip("dask.distributed")
    import os
    client, cluster = dask_client("local", 1)
    try:
        assert list(client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == [None]
    finally:
        client.close()
        cluster.close()


def test_dask_address_must_be_local_or_a_url(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(EXAMPLES), "--store", str(tmp_path / "s.db"), "--dask", "x"])
    assert result.exit_code == 2 and "tcp://HOST:8786" in result.output


# --- failures, time limits and order in the workers ----------------------------------------------

def test_a_failing_article_in_a_parallel_batch_is_reported_with_its_file_and_the_rest_stored(tmp_path):
    from graph.open import open_store
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(6):
        (folder / f"{n}.txt").write_text(f"Статья номер {n}. {BROKEN if n == 2 else ''}", encoding="utf-8")
    store = open_store(str(tmp_path / "graph.db"))
    try:
        report = ingest_paths(store, [folder], batch_size=4,
                              extractor=PoolExtractor(2, fn=fails_on_marker, initializer=None))
        assert [str(e) for e in report.errors] == [
            f"{(folder / '2.txt').resolve()}: extraction failed: no sentence in this text"]
        assert report.added == 5 and len(store.articles()) == 5
    finally:
        store.close()


@pytest.mark.parametrize("where", ["pool", "dask"])
def test_the_time_limit_holds_in_the_workers(where):
    if where == "dask":
        pytest.importorskip("dask.distributed")
        extractor = DaskExtractor("local", 2, fn=endless_on_marker, initializer=None)
    else:
        extractor = PoolExtractor(2, fn=endless_on_marker, initializer=None)
    store = RecordingStore()
    began = time.monotonic()
    report = ingest_articles(store, articles("раз", f"два {SLOW}", "три"), timeout=0.5, extractor=extractor)
    assert time.monotonic() - began < 60
    assert [str(e) for e in report.errors] == [
        "1.txt: extraction failed: took longer than 0.5 s, the time limit of one article (see --timeout)"]
    assert store.batches == [["a0", "a2"]]


def test_results_are_written_in_article_order_whichever_worker_ends_first():
    store = RecordingStore()
    texts = [f"{n} {LATE if n in (0, 3) else ''}" for n in range(7)]  # the first and fourth end last
    ingest_articles(store, articles(*texts), batch_size=3,
                    extractor=PoolExtractor(2, fn=late_on_marker, initializer=None))
    assert store.batches == [["a0", "a1", "a2"], ["a3", "a4", "a5"], ["a6"]]


def test_in_order_waits_for_the_oldest_and_bounds_what_is_in_flight():
    submitted, answered = [], []

    def slower_first(n: int) -> int:
        time.sleep(0.05 * (5 - n))  # 0 ends last
        return n

    def feed():
        for n in range(5):
            submitted.append(n)
            yield n

    with ThreadPoolExecutor(5) as pool:
        for n, result in in_order(lambda n: pool.submit(slower_first, n), feed(), in_flight=2,
                                     first=lambda n: Article(id=str(n), text="")):
            answered.append(result)
            assert len(submitted) - len(answered) <= 2
    assert answered == [0, 1, 2, 3, 4]


# --- the command line ----------------------------------------------------------------------------

def test_without_dask_installed_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # `import dask.distributed` raises ImportError
    (tmp_path / "a.txt").write_text("Губернатор открыл завод.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--store", str(tmp_path / "s.db"),
                                      "--quiet", "--dask", "local"])
    assert result.exit_code == 1
    assert "--dask needs Dask: pip install 'investgraph[dask]'" in result.stderr
    assert "Traceback" not in result.output


def test_the_default_pool_is_the_cores_but_not_more_than_a_small_input_needs(monkeypatch):
    from app.cli import make_extractor
    monkeypatch.setattr("ingest.parallel.default_workers", lambda: 4)
    assert make_extractor(None, None, 30) is None  # 30 articles: one process
    assert make_extractor(None, None, 50).workers == 2
    assert make_extractor(None, None, 10_000).workers == 4
    assert make_extractor(3, None, 5).workers == 3  # asked for: given
    assert make_extractor(1, None, 10_000) is None
    assert make_extractor(None, "local", 5).workers == 1


def dies_on_marker(article: Article) -> Extraction:
    import os
    if BROKEN in article.text:
        os._exit(9)  # as a worker killed for its memory would
    return Extraction(article=article)


def test_a_worker_that_dies_is_one_line_naming_the_article_and_earlier_batches_stay(tmp_path, monkeypatch):
    import app.cli
    from ingest.parallel import PoolExtractor as Pool
    monkeypatch.setattr(app.cli, "make_extractor", lambda *_: Pool(2, fn=dies_on_marker, initializer=None,
                                                                   in_flight=2))
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}.txt").write_text(f"Статья номер {n}. {BROKEN if n == 3 else ''}", encoding="utf-8")
    url = str(tmp_path / "s.db")
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--store", url, "--quiet", "--batch-size", "2"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: a worker stopped abruptly (out of memory?) while articles were being extracted, the first " \
           "of them not yet stored " in result.stderr
    assert "running the ingest again skips them" in result.stderr
    stats = json.loads(CliRunner().invoke(cli, ["stats", "--json", "--store", url]).stdout)
    assert stats["articles"] >= 2  # the first batch was written before the worker died
