"""Neo4j next to the embedded store: URL handling, the example corpus giving the same graph
and the same answers in both, `investgraph load` between them, and clear one-line errors
for an unreachable server, a wrong password and a missing database.

The store contract itself (test_store.py, test_export.py) runs against both stores through
the `store` fixture; this file holds what needs both at once or the server specifically.
"""
from __future__ import annotations

import json
import socket
from operator import itemgetter
from urllib.parse import urlsplit

import networkx as nx
import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.export import to_json
from graph.open import copy_store, open_store
from graph.store import StoreError
from graph.urls import default_url, neo4j_target

from conftest import EXAMPLES, ingest_examples

pytestmark = pytest.mark.neo4j


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sorted_json(g: nx.MultiDiGraph) -> dict:
    """Export JSON with every list in a fixed order, to compare graphs from different stores."""
    data = to_json(g)
    by_place = itemgetter("article", "start", "stop")
    return {
        "articles": sorted(data["articles"], key=itemgetter("id")),
        "nodes": sorted(({**n, "mentions": sorted(n["mentions"], key=by_place)} for n in data["nodes"]),
                        key=itemgetter("id")),
        "edges": sorted(({**e, "evidence": sorted(e["evidence"], key=by_place)} for e in data["edges"]),
                        key=itemgetter("id")),
    }


def graph_data(g: nx.MultiDiGraph) -> tuple[list, list]:
    nodes = sorted(g.nodes(data=True), key=itemgetter(0))
    edges = sorted(g.edges(keys=True, data=True), key=itemgetter(0, 1, 2))
    return nodes, edges


# --- URLs (no server needed) ------------------------------------------------------------------

def test_url_gives_user_host_port_and_database(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    t = neo4j_target("neo4j://alice@db.example.org:7688?database=graph")
    assert (t.uri, t.user, t.password, t.database) == ("neo4j://db.example.org:7688", "alice", "s3cret-pass", "graph")
    assert t.url == "neo4j://alice@db.example.org:7688?database=graph"
    assert "s3cret-pass" not in repr(t)


def test_url_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    t = neo4j_target("bolt://localhost")
    assert (t.uri, t.user, t.password, t.database, t.url) == (
        "bolt://localhost:7687", "neo4j", "", "neo4j", "bolt://neo4j@localhost:7687")
    monkeypatch.setenv("NEO4J_USER", "reader")
    monkeypatch.setenv("NEO4J_DATABASE", "news")
    t = neo4j_target("bolt://localhost:7999")
    assert (t.user, t.database, t.url) == ("reader", "news", "bolt://reader@localhost:7999?database=news")


def test_a_password_in_the_url_is_used_but_never_shown(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    t = neo4j_target("neo4j://bob:hunter22@127.0.0.1:7687")
    assert t.password == "hunter22" and "hunter22" not in t.url + t.uri + repr(t)
    monkeypatch.setenv("NEO4J_PASSWORD", "from-env-1")
    assert neo4j_target("neo4j://bob:hunter22@127.0.0.1:7687").password == "from-env-1"


@pytest.mark.parametrize("url", ["neo4j://", "neo4j://host:notaport", "neo4j://host/some/path", "ftp://host/x"])
def test_bad_urls_are_refused(url):
    with pytest.raises(StoreError, match="URL"):
        open_store(url)


def test_neo4j_uri_selects_the_store_when_investgraph_store_is_unset(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "neo4j://neo4j@db:7687")
    assert default_url() == "neo4j://neo4j@db:7687"
    monkeypatch.setenv("INVESTGRAPH_STORE", "/data/graph.db")
    assert default_url() == "/data/graph.db"


# --- errors: one line naming the URL (never the password) and the cause --------------------------

def test_unreachable_server(monkeypatch):
    url = f"neo4j://neo4j@127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as failure:
        open_store(url)
    message = str(failure.value)
    assert message.startswith(f"{url}: cannot open the Neo4j store: the server is unreachable")
    assert "Connection refused" in message and "\n" not in message


def test_wrong_password(neo4j_url, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    with pytest.raises(StoreError) as failure:
        open_store(neo4j_url)
    message = str(failure.value)
    assert message.startswith(neo4j_target(neo4j_url).url + ": cannot open the Neo4j store: ")
    assert "authentication failed for user 'neo4j'" in message
    assert "not-the-password" not in message and "\n" not in message


def test_missing_database(neo4j_url):
    url = urlsplit(neo4j_url)._replace(query="database=nosuchdb").geturl()
    with pytest.raises(StoreError) as failure:
        open_store(url)
    message = str(failure.value)
    assert message.startswith(neo4j_target(url).url) and "?database=nosuchdb" in message
    assert message.endswith("database 'nosuchdb' does not exist")


def cli_commands(bad: str, tmp_path) -> list[list[str]]:
    """Every command that opens a store, pointed at `bad`."""
    good = str(tmp_path / "good" / "graph.db")
    return [["ingest", str(EXAMPLES), "--store", bad, "--quiet"], ["stats", "--store", bad],
            ["search", "Кречетов", "--store", bad], ["entity", "Тайга Металл", "--store", bad],
            ["export", "--format", "json", "-o", str(tmp_path / "g.json"), "--store", bad],
            ["load", "--from", bad, "--to", good], ["load", "--from", good, "--to", bad],
            ["app", "--store", bad]]


def assert_one_line_error(result, url: str, cause: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {url}: ") and cause in line, line


def test_every_command_names_an_unreachable_server_in_one_line(tmp_path):
    bad = f"neo4j://neo4j:hunter22@127.0.0.1:{free_port()}"
    runner = CliRunner()
    for args in cli_commands(bad, tmp_path):
        result = runner.invoke(cli, args)
        assert_one_line_error(result, neo4j_target(bad).url, "the server is unreachable")
        assert "hunter22" not in result.output, args


def test_cli_wrong_password_and_missing_database(neo4j_url, monkeypatch):
    runner = CliRunner()
    url = urlsplit(neo4j_url)._replace(query="database=nosuchdb").geturl()
    assert_one_line_error(runner.invoke(cli, ["stats", "--store", url]), neo4j_target(url).url,
                          "database 'nosuchdb' does not exist")
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    result = runner.invoke(cli, ["stats", "--store", neo4j_url])
    assert_one_line_error(result, neo4j_target(neo4j_url).url, "authentication failed")
    assert "not-the-password" not in result.output


# --- the example corpus: the same graph and the same answers ----------------------------------

@pytest.fixture
def both(embedded_examples, neo4j_store):
    """The example corpus ingested into each store by the ingest job."""
    ingest_examples(neo4j_store)
    return embedded_examples, neo4j_store


def test_ingesting_the_examples_gives_identical_stats_and_export(both):
    embedded, neo4j = both
    assert neo4j.stats() == embedded.stats()
    assert sorted_json(neo4j.snapshot()) == sorted_json(embedded.snapshot())
    assert json.dumps(to_json(neo4j.snapshot())) == json.dumps(to_json(embedded.snapshot()))  # order too


def test_both_stores_answer_every_read_the_same(both):
    embedded, neo4j = both
    assert neo4j.articles() == embedded.articles()
    assert neo4j.articles(limit=5) == embedded.articles(limit=5)
    for a in embedded.articles():
        assert neo4j.article(a["id"]) == embedded.article(a["id"])
        assert neo4j.article_hash(a["id"]) == embedded.article_hash(a["id"])
        assert neo4j.articles_from_source(a["source"]) == embedded.articles_from_source(a["source"])
    g = embedded.snapshot()
    queries = {q for _, d in g.nodes(data=True) for q in [d["name"], *d["aliases"], d["name"].split()[0]]}
    queries |= {"а", "о", "ва", "Рос", "-", "1", "Газ_", "%", "Тайга-Металл", "ОЭЗ «Ока»"}  # short, odd, punctuated
    for q in sorted(queries):
        assert neo4j.search(q) == embedded.search(q), q
        assert neo4j.search(q, types=["ORG", "PROJECT"], limit=3) == embedded.search(q, types=["ORG", "PROJECT"],
                                                                                       limit=3), q
    for entity_id in g.nodes:
        assert neo4j.entity(entity_id) == embedded.entity(entity_id), entity_id
        assert graph_data(neo4j.neighbourhood([entity_id], hops=2)) == \
            graph_data(embedded.neighbourhood([entity_id], hops=2)), entity_id
    filters = {"hops": 3, "types": ["ORG", "PROJECT", "LOC"], "relations": ["INVOLVED_IN", "LOCATED_IN"],
               "min_weight": 1}
    seeds = sorted(g.nodes)[:10]
    assert graph_data(neo4j.neighbourhood(seeds, **filters)) == graph_data(embedded.neighbourhood(seeds, **filters))
    assert list(neo4j.extractions()) == list(embedded.extractions())


def test_removing_an_article_leaves_the_same_graph_in_both(both, tmp_path):
    embedded_examples, neo4j = both
    victim = neo4j.articles()[3]["id"]
    neo4j.remove_article(victim)
    assert neo4j.article(victim) is None and neo4j.stats()["articles"] == 15
    embedded = open_store(str(tmp_path / "copy.db"))
    try:
        copy_store(embedded_examples, embedded)
        embedded.remove_article(victim)
        assert neo4j.stats() == embedded.stats()
        assert sorted_json(neo4j.snapshot()) == sorted_json(embedded.snapshot())
    finally:
        embedded.close()


def test_articles_are_nodes_that_entities_are_mentioned_in(neo4j_examples, embedded_examples):
    """(:Article {id, title, date, url, source})<-[:MENTIONED_IN]-(:Entity), one edge per mention."""
    records, _, _ = neo4j_examples.driver.execute_query(
        "MATCH (a:Article) RETURN a.id AS id, a.title AS title, a.date AS date, a.url AS url, a.source AS source "
        "ORDER BY id", database_=neo4j_examples.database)
    expected = sorted(embedded_examples.articles(), key=itemgetter("id"))
    assert [r.data() for r in records] == [{k: a[k] for k in ("id", "title", "date", "url", "source")}
                                           for a in expected]
    records, _, _ = neo4j_examples.driver.execute_query(
        "MATCH (e)-[m:MENTIONED_IN]->(a) RETURN labels(e) AS source, labels(a) AS target, count(m) AS n",
        database_=neo4j_examples.database)
    assert [r.data() for r in records] == [{"source": ["Entity"], "target": ["Article"],
                                            "n": embedded_examples.stats()["mentions"]}]


# --- investgraph load ----------------------------------------------------------------------------

def test_load_round_trip_embedded_neo4j_embedded(examples_db, neo4j_store, tmp_path):
    runner = CliRunner()
    to_neo4j = runner.invoke(cli, ["load", "--from", str(examples_db), "--to", neo4j_store.url])
    assert to_neo4j.exit_code == 0, to_neo4j.output
    assert to_neo4j.stderr.startswith("16 articles copied (16 added, 0 replaced, 0 unchanged)")
    back = tmp_path / "back" / "graph.db"
    to_embedded = runner.invoke(cli, ["load", "--from", neo4j_store.url, "--to", str(back)])
    assert to_embedded.exit_code == 0, to_embedded.output

    exported = {}
    for name, url in (("source", str(examples_db)), ("neo4j", neo4j_store.url), ("back", str(back))):
        out = tmp_path / f"{name}.json"
        result = runner.invoke(cli, ["export", "--format", "json", "-o", str(out), "--store", url])
        assert result.exit_code == 0, result.output
        exported[name] = json.loads(out.read_text(encoding="utf-8"))
    source = exported["source"]
    assert len(source["articles"]) == 16 and source["nodes"] and source["edges"]
    for name in ("neo4j", "back"):
        for key in ("articles", "nodes", "edges"):
            assert sorted(map(json.dumps, exported[name][key])) == sorted(map(json.dumps, source[key])), (name, key)

    again = runner.invoke(cli, ["load", "--from", str(examples_db), "--to", neo4j_store.url])
    assert again.exit_code == 0 and "(0 added, 0 replaced, 16 unchanged)" in again.stderr
    same = runner.invoke(cli, ["load", "--from", str(back), "--to", f"sqlite:///{back}"])
    assert same.exit_code == 1 and "--from and --to name the same store" in same.stderr


def test_open_store_follows_neo4j_uri(neo4j_store, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", neo4j_store.url)
    s = open_store()
    try:
        assert s.url == neo4j_store.url and s.stats()["articles"] == 0
    finally:
        s.close()
