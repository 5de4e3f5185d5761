"""The whole-graph export read from the store a page at a time (graph.snapshot_stream): the same
nodes, edges, articles, manifest and files as from `Store.snapshot()`, in every streamed format."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from graph.export import STREAMED, export_bytes, export_parts_bytes
from graph.formats.base import graph_parts
from graph.snapshot import canonical, content_hash, manifest
from graph.snapshot_stream import store_parts, stream_manifest

WHEN = datetime(2026, 1, 2, tzinfo=UTC)


def old_hash(g) -> str:
    text = json.dumps(canonical(g), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_content_hash_is_the_canonical_json_text_hash(embedded_examples):
    g = embedded_examples.snapshot()
    assert content_hash(g) == old_hash(g)


@pytest.mark.parametrize("page", [1, 3, 2000])
def test_parts_read_a_page_at_a_time_are_the_snapshots(embedded_examples, page):
    g = embedded_examples.snapshot()
    parts = store_parts(embedded_examples, page=page)
    assert list(parts.articles()) == list(g.graph["articles"])
    assert [(n, dict(d)) for n, d in parts.nodes()] == [(n, dict(d)) for n, d in g.nodes(data=True)]
    assert [(u, v, k, dict(d)) for u, v, k, d in parts.edges()] == list(g.edges(keys=True, data=True))


def test_streamed_manifest_is_the_snapshots(embedded_examples):
    g = embedded_examples.snapshot()
    assert stream_manifest(embedded_examples, {}, WHEN, page=4) == manifest(g, {}, embedded_examples.url, WHEN)


def test_streamed_manifest_on_the_dated_corpus(dated_embedded):
    g = dated_embedded.snapshot()
    assert stream_manifest(dated_embedded, {}, WHEN, page=2) == manifest(g, {}, dated_embedded.url, WHEN)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in sorted(z.namelist())}


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("articles", [None, True, False])
def test_every_streamed_format_writes_the_same_file(embedded_examples, fmt, articles):
    if fmt == "json" and articles is not None:
        return
    g = embedded_examples.snapshot()
    about = manifest(g, {}, embedded_examples.url, WHEN)
    before = export_bytes(g, fmt, articles=articles, manifest=about)
    after = export_parts_bytes(store_parts(embedded_examples, about, page=5), fmt, articles=articles)
    if fmt in ("csv", "neo4j-admin"):
        assert members(after) == members(before)
    else:
        assert after == before


@pytest.mark.parametrize("fmt", STREAMED)
def test_graph_parts_write_as_the_graph(embedded_examples, fmt):
    g = embedded_examples.snapshot()
    assert export_parts_bytes(graph_parts(g), fmt) == export_bytes(g, fmt) or fmt in ("csv", "neo4j-admin")


def old_with_articles(g):
    """A copy with each article of the snapshot as a node and a MENTIONED_IN edge from each entity
    to each article that mentions it. An article id that is also an entity id gets "article:" first."""
    out = g.copy()
    ids = {}
    for a in g.graph.get("articles", []):
        node = a["id"] if a["id"] not in g else f"article:{a['id']}"
        ids[a["id"]] = node
        out.add_node(node, type="ARTICLE", name=a.get("title") or a["id"], kind="", aliases=[], facts={},
                     mention_count=0, url=a.get("url") or "", date=a.get("date") or "", source=a.get("source") or "")
    for n, d in g.nodes(data=True):
        counts: dict[str, int] = {}
        for m in d.get("mentions", []):
            counts[m["article"]] = counts.get(m["article"], 0) + 1
        for article, count in counts.items():
            if (node := ids.get(article)) is not None:
                out.add_edge(n, node, key=f"MENTIONED_IN:{n}@{article}", type="MENTIONED_IN", role="", weight=count,
                             evidence_count=0)
                out.nodes[node]["mention_count"] += count
    return out


def networkx_graphml(g, manifest_=None, articles=True) -> bytes:
    import networkx as nx

    from graph.export import flat_graph
    from graph.formats.gephi import styled
    flat = styled(flat_graph(old_with_articles(g) if articles else g), "graphml")
    if manifest_ is not None:
        flat.graph["manifest"] = json.dumps(manifest_, ensure_ascii=False)
    return "\n".join(nx.generate_graphml(flat)).encode("utf-8")


def odd_graph():
    import networkx as nx
    g = nx.MultiDiGraph()
    g.graph["articles"] = [{"id": "a1", "title": "T & <x>\r\nnext", "url": "u\"q", "date": "", "source": "s"},
                           {"id": "n1", "title": "", "url": "", "date": "", "source": ""}]
    g.add_node("n1", type="PERSON", name='Иван "И"\u2028', aliases=["x"], facts={"a": 1},
               mentions=[{"article": "a1", "start": 0, "stop": 3, "text": "Ив"},
                         {"article": "n1", "start": 0, "stop": 3, "text": "Ив"}])
    g.add_node("n2", type="ORG", name="ООО\t", aliases=[], facts={}, mentions=[], kind="bank")
    g.add_edge("n1", "n2", key="r2", type="WORKS_AT", role="", weight=2, evidence=[], confidence=None)
    g.add_edge("n1", "n2", key="r1", type="WORKS_AT", role="дир", weight=1, evidence=[], confidence=0.5)
    return g


@pytest.mark.parametrize("articles", [True, False])
@pytest.mark.parametrize("with_manifest", [True, False])
def test_graphml_is_networkxs_text(embedded_examples, articles, with_manifest):
    for g in (embedded_examples.snapshot(), odd_graph()):
        about = manifest(g, {"around": ["x & y"]}, "bolt://u:p@h", WHEN) if with_manifest else None
        assert export_bytes(g, "graphml", articles=articles, manifest=about) == networkx_graphml(g, about, articles)


def test_article_nodes_are_as_before(embedded_examples):
    from graph.export import with_articles
    for g in (embedded_examples.snapshot(), odd_graph()):
        old, new = old_with_articles(g), with_articles(g)
        assert list(new.nodes(data=True)) == list(old.nodes(data=True))
        assert list(new.edges(keys=True, data=True)) == list(old.edges(keys=True, data=True))


def test_graphml_of_an_empty_graph_is_networkxs_text():
    import networkx as nx
    g = nx.MultiDiGraph()
    assert export_bytes(g, "graphml") == networkx_graphml(g)
    about = manifest(g, {}, "x", WHEN)
    assert export_bytes(g, "graphml", manifest=about) == networkx_graphml(g, about)


def networkx_gexf(g, manifest_=None, articles=True) -> bytes:
    from xml.sax.saxutils import escape

    import networkx as nx

    from graph.export import flat_graph
    from graph.formats.gephi import styled
    flat = flat_graph(old_with_articles(g) if articles else g)
    for _, _, d in flat.edges(data=True):
        d["relation"] = d.pop("type")
    styled(flat, "gexf", type_key="relation")
    xml = "\n".join(nx.generate_gexf(flat))
    if manifest_ is not None:
        description = f"<description>{escape(json.dumps(manifest_, ensure_ascii=False))}</description>"
        xml = xml.replace("</meta>", f"{description}</meta>", 1)
    return xml.encode("utf-8")


@pytest.mark.parametrize("articles", [True, False])
@pytest.mark.parametrize("with_manifest", [True, False])
def test_gexf_is_networkxs_text(embedded_examples, articles, with_manifest):
    import networkx as nx
    empty = nx.MultiDiGraph()
    lonely = nx.MultiDiGraph()
    lonely.add_node("x", type="LOC", name="X", aliases=[], facts={}, mentions=[])
    for g in (embedded_examples.snapshot(), odd_graph(), empty, lonely):
        about = manifest(g, {"around": ["x & y"]}, "bolt://u:p@h", WHEN) if with_manifest else None
        assert export_bytes(g, "gexf", articles=articles, manifest=about) == networkx_gexf(g, about, articles)


def test_neo4j_parts_read_a_page_at_a_time_are_the_snapshots(neo4j_examples):
    g = neo4j_examples.snapshot()
    parts = store_parts(neo4j_examples, page=7)
    assert list(parts.articles()) == list(g.graph["articles"])
    assert [(n, dict(d)) for n, d in parts.nodes()] == [(n, dict(d)) for n, d in g.nodes(data=True)]
    assert [(u, v, k, dict(d)) for u, v, k, d in parts.edges()] == list(g.edges(keys=True, data=True))
    assert stream_manifest(neo4j_examples, {}, WHEN, page=5) == manifest(g, {}, neo4j_examples.url, WHEN)
