"""Export: GraphML and GEXF that networkx (and so Gephi) reads back, with articles as nodes
(MENTIONED_IN edges) or without, the JSON contract, CSV tables."""
from __future__ import annotations

import csv
import io
import json
import zipfile
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from graph.export import export, export_bytes, to_json

from conftest import ORG_KEY, PERSON_KEY, REL_A1, REL_A2


def csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- the example corpus ------------------------------------------------------------

def mentioned_in_pairs(g) -> int:
    """How many (entity, article) pairs a snapshot has: the MENTIONED_IN edges of an export."""
    return sum(len({m["article"] for m in d["mentions"]}) for _, d in g.nodes(data=True))


def split_by_type(g) -> tuple[dict, dict, list, list]:
    """Entity nodes, article nodes, relation edges and MENTIONED_IN edges of a graph read back."""
    entities = {n: d for n, d in g.nodes(data=True) if d["type"] != "ARTICLE"}
    articles = {n: d for n, d in g.nodes(data=True) if d["type"] == "ARTICLE"}
    edges = list(g.edges(data=True))
    kind = "relation" if edges and "relation" in edges[0][2] else "type"
    mentioned = [(u, v, d) for u, v, d in edges if d[kind] == "MENTIONED_IN"]
    return entities, articles, [e for e in edges if e[2][kind] != "MENTIONED_IN"], mentioned


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_file_round_trip_with_article_nodes(examples_store, tmp_path, fmt, reader):
    stats, snapshot = examples_store.stats(), examples_store.snapshot()
    (path,) = export(snapshot, fmt, tmp_path / "out" / f"graph.{fmt}")  # articles by default
    g = reader(path)
    entities, articles, relations, mentioned = split_by_type(g)
    assert len(entities) == stats["entities_total"] and len(articles) == stats["articles"] == 16
    assert len(relations) == stats["relations_total"]
    assert len(mentioned) == mentioned_in_pairs(snapshot) > stats["articles"]
    assert sum(int(d["weight"]) for _, _, d in mentioned) == stats["mentions"]
    assert all(u in entities and v in articles for u, v, _ in mentioned)
    stored = {a["id"]: a for a in examples_store.articles()}
    assert set(articles) == set(stored)
    for n, d in articles.items():
        assert (d["label"], d["url"], d["date"], d["source"]) == (
            stored[n]["title"] or n, stored[n]["url"], stored[n]["date"], stored[n]["source"])
        assert int(d["mention_count"]) == sum(1 for _, dd in snapshot.nodes(data=True)
                                              for m in dd["mentions"] if m["article"] == n)
    types = {d["type"] for d in entities.values()}
    assert types <= {"PERSON", "ORG", "LOC", "PROJECT"} and {"PERSON", "ORG", "LOC"} <= types
    assert sum(int(d["mention_count"]) for d in entities.values()) == stats["mentions"]
    for d in entities.values():
        assert d["name"] and d["label"] == d["name"]
    if fmt == "gexf":
        assert any("Тайга Металл" in d["label"] for d in entities.values())  # may keep a legal form


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_file_without_articles_has_only_entities(examples_store, tmp_path, fmt, reader):
    stats = examples_store.stats()
    (path,) = export(examples_store.snapshot(), fmt, tmp_path / f"graph.{fmt}", articles=False)
    g = reader(path)
    assert g.number_of_nodes() == stats["entities_total"]
    assert g.number_of_edges() == stats["relations_total"]
    assert sum(int(d["mention_count"]) for _, d in g.nodes(data=True)) == stats["mentions"]


def test_json_contract(examples_store, tmp_path):
    stats = examples_store.stats()
    (path,) = export(examples_store.snapshot(), "json", tmp_path / "graph.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) >= {"articles", "nodes", "edges"}
    assert len(data["articles"]) == stats["articles"] == 16
    assert len(data["nodes"]) == stats["entities_total"]
    assert len(data["edges"]) == stats["relations_total"]
    article_ids = set()
    for a in data["articles"]:
        assert {"id", "source", "title", "url", "date"} <= set(a)
        article_ids.add(a["id"])
    assert len(article_ids) == 16
    node_ids = set()
    for n in data["nodes"]:
        assert {"id", "type", "name", "aliases", "mentions"} <= set(n)
        assert n["type"] in ("PERSON", "ORG", "LOC", "PROJECT")
        assert isinstance(n["aliases"], list) and n["name"] not in n["aliases"]
        assert n["mentions"]
        for m in n["mentions"]:
            assert set(m) >= {"article", "start", "stop"}
            assert m["article"] in article_ids and 0 <= m["start"] < m["stop"]
        node_ids.add(n["id"])
    assert len(node_ids) == len(data["nodes"])
    assert sum(len(n["mentions"]) for n in data["nodes"]) == stats["mentions"]


def test_csv_folder(examples_store, tmp_path):
    stats = examples_store.stats()
    out = tmp_path / "csv"
    written = export(examples_store.snapshot(), "csv", out)
    assert sorted(p.name for p in written) == ["articles.csv", "edges.csv", "nodes.csv"]
    nodes, edges, articles = (csv_rows(out / n) for n in ("nodes.csv", "edges.csv", "articles.csv"))
    assert len(nodes) == stats["entities_total"]
    assert len(edges) == stats["relations_total"]
    assert len(articles) == stats["articles"]
    assert {"id", "type", "name", "aliases", "mention_count"} <= set(nodes[0])
    assert {"id", "source", "title", "url", "date"} <= set(articles[0])
    assert sum(int(n["mention_count"]) for n in nodes) == stats["mentions"]


def test_csv_zip(examples_store, tmp_path):
    (path,) = export(examples_store.snapshot(), "csv", tmp_path / "graph.zip")
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["articles.csv", "edges.csv", "nodes.csv"]
        rows = list(csv.DictReader(io.StringIO(z.read("articles.csv").decode("utf-8"))))
    assert len(rows) == 16


def test_csv_with_articles_adds_article_nodes_and_mentioned_in_edges(examples_store, tmp_path):
    stats, snapshot = examples_store.stats(), examples_store.snapshot()
    export(snapshot, "csv", tmp_path / "csv", articles=True)
    nodes, edges = csv_rows(tmp_path / "csv" / "nodes.csv"), csv_rows(tmp_path / "csv" / "edges.csv")
    assert sum(n["type"] == "ARTICLE" for n in nodes) == stats["articles"]
    assert len(nodes) == stats["entities_total"] + stats["articles"]
    mentioned = [e for e in edges if e["type"] == "MENTIONED_IN"]
    assert len(mentioned) == mentioned_in_pairs(snapshot)
    assert len(edges) - len(mentioned) == stats["relations_total"]
    assert sum(int(e["weight"]) for e in mentioned) == stats["mentions"]
    assert len({e["id"] for e in edges}) == len(edges)


def test_json_is_the_same_whatever_articles_says(relation_store):
    g = relation_store.snapshot()
    assert export_bytes(g, "json", articles=True) == export_bytes(g, "json") == export_bytes(g, "json", False)


def test_unknown_format_is_refused(examples_store):
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(examples_store.snapshot(), "xlsx")


# --- a graph with a relation -------------------------------------------------------------

def test_json_edge_with_weight_and_evidence(relation_store):
    data = to_json(relation_store.snapshot())
    assert {n["id"] for n in data["nodes"]} == {PERSON_KEY, ORG_KEY}
    person = next(n for n in data["nodes"] if n["id"] == PERSON_KEY)
    assert person["name"] == "Руслан Заливацкий" and person["aliases"] == ["Заливацкий"]
    assert sorted(m["article"] for m in person["mentions"]) == [REL_A1, REL_A1, REL_A2]
    (edge,) = data["edges"]
    assert (edge["source"], edge["target"], edge["type"]) == (PERSON_KEY, ORG_KEY, "WORKS_AT")
    assert edge["weight"] == 2  # two distinct articles
    assert len(edge["evidence"]) == 3  # three sentences
    assert sorted(e["article"] for e in edge["evidence"]) == [REL_A1, REL_A1, REL_A2]
    for ev in edge["evidence"]:
        text = relation_store.article(ev["article"])["text"]
        assert 0 <= ev["start"] < ev["stop"] <= len(text)
        assert text[ev["start"]:ev["stop"]] == ev["sentence"]


# GEXF reserves an edge's `type` (directed/undirected/mutual), so there the relation type is `relation`
@pytest.mark.parametrize("fmt, reader, type_attr", [("graphml", nx.read_graphml, "type"),
                                                    ("gexf", nx.read_gexf, "relation")])
def test_graph_files_carry_weight_and_evidence_count(relation_store, tmp_path, fmt, reader, type_attr):
    (path,) = export(relation_store.snapshot(), fmt, tmp_path / f"graph.{fmt}")
    g = reader(path)
    entities, articles, relations, mentioned = split_by_type(g)
    assert set(entities) == {PERSON_KEY, ORG_KEY} and set(articles) == {REL_A1, REL_A2}
    assert g.nodes[PERSON_KEY]["type"] == "PERSON" and g.nodes[ORG_KEY]["type"] == "ORG"
    ((u, v, d),) = relations
    assert (u, v) == (PERSON_KEY, ORG_KEY)
    assert d[type_attr] == "WORKS_AT"
    assert int(d["weight"]) == 2
    assert int(d["evidence_count"]) == 3
    # Заливацкий twice in a1, once in a2; «Северный луч» twice in a1, once in a2
    assert sorted((u, v, int(d["weight"])) for u, v, d in mentioned) == [
        (ORG_KEY, REL_A1, 2), (ORG_KEY, REL_A2, 1), (PERSON_KEY, REL_A1, 2), (PERSON_KEY, REL_A2, 1)]


def test_gexf_edges_use_only_gexf_edge_types(relation_store, tmp_path):
    """Gephi reads an edge's `type` XML attribute as directed/undirected/mutual."""
    (path,) = export(relation_store.snapshot(), "gexf", tmp_path / "graph.gexf")
    root = ET.parse(path).getroot()
    edges = [el for el in root.iter() if el.tag.endswith("}edge")]
    assert len(edges) == 5  # one relation, four MENTIONED_IN
    for el in edges:
        assert el.get("type", "directed") in ("directed", "undirected", "mutual")


def test_csv_edges_of_the_relation(relation_store, tmp_path):
    export(relation_store.snapshot(), "csv", tmp_path / "csv")
    (edge,) = csv_rows(tmp_path / "csv" / "edges.csv")
    assert (edge["source"], edge["target"], edge["type"]) == (PERSON_KEY, ORG_KEY, "WORKS_AT")
    assert (edge["weight"], edge["evidence_count"]) == ("2", "3")
    nodes = csv_rows(tmp_path / "csv" / "nodes.csv")
    assert {n["id"]: int(n["mention_count"]) for n in nodes} == {PERSON_KEY: 3, ORG_KEY: 3}


def test_neighbourhood_exports_too(relation_store, tmp_path):
    g = relation_store.neighbourhood([ORG_KEY])
    (path,) = export(g, "graphml", tmp_path / "n.graphml")
    back = nx.read_graphml(path)
    assert set(back.nodes) == {PERSON_KEY, ORG_KEY} and back.number_of_edges() == 1


# --- relation confidences and --min-confidence -----------------------------------------------

def relations_in(path, fmt: str) -> dict[str, float | None]:
    """Relation type -> its confidence (None: none given) in an exported file; MENTIONED_IN left out."""
    if fmt == "json":
        return {e["type"]: e["confidence"] for e in json.loads(path.read_text(encoding="utf-8"))["edges"]}
    if fmt == "csv":
        return {e["type"]: float(e["confidence"]) if e["confidence"] else None
                for e in csv_rows(path / "edges.csv") if e["type"] != "MENTIONED_IN"}
    g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)
    kind = "type" if fmt == "graphml" else "relation"
    return {d[kind]: d.get("confidence") for _, _, d in g.edges(data=True) if d[kind] != "MENTIONED_IN"}


def test_json_edges_carry_their_confidence(scored_store):
    data = to_json(scored_store.snapshot())
    assert {e["type"]: e["confidence"] for e in data["edges"]} == {"WORKS_AT": None, "INVOLVED_IN": 0.3,
                                                                   "LOCATED_IN": 0.8}
    assert all({"id", "source", "target", "type", "weight", "evidence"} <= set(e) for e in data["edges"])


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv"])
def test_export_min_confidence_leaves_out_relations_below_it(scored_store, tmp_path, fmt):
    """Every format: without the option every relation with its confidence; with it, the ones
    below it left out, the rules' (no confidence) kept, every node kept."""
    from click.testing import CliRunner

    from app.cli import cli
    out = {}
    for name, extra in (("all", []), ("confident", ["--min-confidence", "0.5"])):
        path = tmp_path / (name if fmt == "csv" else f"{name}.{fmt}")
        result = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(path), "--store", scored_store.url,
                                          *extra])
        assert result.exit_code == 0, result.output
        out[name] = relations_in(path, fmt)
    assert out["all"] == {"WORKS_AT": None, "INVOLVED_IN": 0.3, "LOCATED_IN": 0.8}
    assert out["confident"] == {"WORKS_AT": None, "LOCATED_IN": 0.8}
    g = scored_store.snapshot()
    assert export_bytes(g, "json", min_confidence=0.8) == export_bytes(g, "json", min_confidence=0.5)
    assert len(json.loads(export_bytes(g, "json", min_confidence=0.81))["edges"]) == 1
    assert len(json.loads(export_bytes(g, "json", min_confidence=0.81))["nodes"]) == 4


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_export_min_confidence_must_be_within_0_and_1(tmp_path, value):
    from click.testing import CliRunner

    from app.cli import cli
    result = CliRunner().invoke(cli, ["export", "--format", "json", "-o", str(tmp_path / "g.json"),
                                      "--min-confidence", value])
    assert result.exit_code == 2 and "--min-confidence" in result.output
    assert not (tmp_path / "g.json").exists()


# --- snapshots: what makes a file readable back, and its manifest ------------------------------

def test_json_mentions_carry_their_text_and_evidence_its_confidence(scored_store):
    data = to_json(scored_store.snapshot())
    person = next(n for n in data["nodes"] if n["type"] == "PERSON")
    assert [m["text"] for m in person["mentions"]] == ["Иван Петров"]
    assert {e["type"]: [v["confidence"] for v in e["evidence"]] for e in data["edges"]} == {
        "WORKS_AT": [None], "INVOLVED_IN": [0.3], "LOCATED_IN": [0.8]}


MANIFEST = {"format": "investgraph-snapshot/1", "content_hash": "sha256:0", "selection": {"as_of": "2024-05-01"},
            "note": "кириллица & <xml>"}


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_files_carry_the_manifest_and_stay_readable(scored_store, tmp_path, fmt, reader):
    from graph.snapshot import read_manifest
    (path,) = export(scored_store.snapshot(), fmt, tmp_path / f"g.{fmt}", manifest=MANIFEST)
    g = reader(path)  # still a graph networkx (and Gephi) reads
    assert g.number_of_edges() > 3
    if fmt == "graphml":
        assert json.loads(g.graph["manifest"]) == MANIFEST
    assert read_manifest(path) == MANIFEST


def test_json_manifest_comes_first_and_leaves_the_contract_as_it_is(scored_store):
    g = scored_store.snapshot()
    data = json.loads(export_bytes(g, "json", manifest=MANIFEST))
    assert list(data) == ["manifest", "articles", "nodes", "edges"]
    assert {k: v for k, v in data.items() if k != "manifest"} == json.loads(export_bytes(g, "json"))


@pytest.mark.parametrize("name", ["tables", "tables.zip"])
def test_csv_snapshot_adds_mentions_evidence_and_manifest(scored_store, tmp_path, name):
    from graph.snapshot import read_manifest
    written = export(scored_store.snapshot(), "csv", tmp_path / name, manifest=MANIFEST)
    if name.endswith(".zip"):
        with zipfile.ZipFile(written[0]) as z:
            names = sorted(z.namelist())
            evidence = list(csv.DictReader(io.StringIO(z.read("evidence.csv").decode("utf-8"))))
    else:
        names = sorted(p.name for p in written)
        evidence = csv_rows(tmp_path / name / "evidence.csv")
    assert names == ["articles.csv", "edges.csv", "evidence.csv", "manifest.json", "mentions.csv", "nodes.csv"]
    assert sorted(e["confidence"] for e in evidence) == ["", "0.3", "0.8"]
    assert read_manifest(tmp_path / name) == MANIFEST
