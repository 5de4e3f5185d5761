"""Reading a snapshot back: `read_snapshot(path)` turns a JSON or CSV snapshot (as `investgraph
export` writes them) into the graph it was made from, and `import_snapshot(store, g)` writes that
graph into a store through `Store.write`, so that importing is idempotent and the store's merges
and splits place what comes in, as they place any ingest.

What an import writes, per article of the snapshot: the article (id, title, url, date, source)
with a stand-in text, since a snapshot carries no article texts: spaces, with the evidence
sentences and the mentions' words at their offsets (so that every offset, sentence and mention
stays right); the entities mentioned in it (keyed by their node id, with type, name, kind and
facts) with those mentions; the relations with evidence in it, with their sentences and
confidences.

What it does not write: an article the store already holds (by id) is kept as it is, text and
extraction, and nothing of the snapshot's for that article is written; an entity of the snapshot
with no mention in it is dropped by the store (an entity lives while it is mentioned), and with
it its relations. Merge logs and the source store's decisions are not in a snapshot.
GraphML and GEXF cannot be read back: they carry no mentions or evidence.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from .export import ARTICLE, MANIFEST_FILE, MENTIONED_IN
from .model import Article, Entity, Evidence, Extraction, Mention, Relation
from .snapshot import SnapshotError
from .store import Store

ARTICLE_FIELDS = ("id", "source", "title", "url", "date")


@dataclass
class Snapshot:
    """A snapshot read back: its graph (as Store.snapshot() gives one) and its manifest (None when it has none)."""

    graph: nx.MultiDiGraph
    manifest: dict[str, Any] | None = None


def read_snapshot(path: Path) -> Snapshot:
    """A JSON file, a CSV folder or a CSV .zip written by `investgraph export`; SnapshotError
    (naming the file and why) for anything else."""
    path = Path(path)
    try:
        if path.is_dir():
            return from_tables(path, lambda name: folder_table(path, name))
        if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                return from_tables(path, lambda name: zip_table(z, name))
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not {"articles", "nodes", "edges"} <= set(data):
                raise SnapshotError(f"{path}: not an InvestGraph JSON export (no articles, nodes and edges)")
            try:
                return Snapshot(from_json(path, data), data.get("manifest"))
            except KeyError as err:
                raise SnapshotError(f"{path}: a node, edge or mention without its {err.args[0]!r}") from err
    except SnapshotError:
        raise
    except FileNotFoundError as err:
        raise SnapshotError(f"{path}: not found ({err.filename})") from err
    except KeyError as err:
        raise SnapshotError(f"{path}: {err.args[0]} is missing (a CSV snapshot has {MANIFEST_FILE}, "
                            "mentions.csv and evidence.csv: export it again with this version)") from err
    except (OSError, ValueError, TypeError, zipfile.BadZipFile) as err:
        raise SnapshotError(f"{path}: cannot read it as a snapshot ({err})") from err
    raise SnapshotError(f"{path}: only JSON and CSV snapshots can be read back (GraphML and GEXF carry no "
                        "mentions or evidence)")


def from_json(path: Path, data: dict) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.graph["articles"] = [{k: a.get(k) or "" for k in ARTICLE_FIELDS} for a in data["articles"]]
    for n in data["nodes"]:
        mentions = [{"article": m["article"], "start": int(m["start"]), "stop": int(m["stop"]), "text": m.get("text")}
                    for m in n.get("mentions", [])]
        if any(m["text"] is None for m in mentions):
            raise SnapshotError(f"{path}: its mentions carry no text (exported before snapshots could be read "
                                "back): export it again with this version")
        g.add_node(n["id"], type=n["type"], name=n["name"], kind=n.get("kind") or "",
                   aliases=list(n.get("aliases", [])), facts=dict(n.get("facts") or {}), mentions=mentions,
                   mention_count=int(n.get("mention_count", len(mentions))))
    for e in data["edges"]:
        evidence = [{"article": v["article"], "start": int(v["start"]), "stop": int(v["stop"]),
                     "sentence": v.get("sentence", ""), "confidence": v.get("confidence", e.get("confidence"))}
                    for v in e.get("evidence", [])]
        add_edge(path, g, e["id"], e["source"], e["target"], e["type"], e.get("role") or "", int(e.get("weight", 1)),
                 e.get("confidence"), evidence)
    return g


def add_edge(path: Path, g: nx.MultiDiGraph, key: str, source: str, target: str, type_: str, role: str, weight: int,
             confidence: float | None, evidence: list[dict]) -> None:
    for end in (source, target):
        if end not in g:
            raise SnapshotError(f"{path}: relation {key} ({type_}) joins {end}, which is not among its nodes")
    g.add_edge(source, target, key=key, type=type_, role=role, weight=weight, evidence=evidence,
               evidence_count=len(evidence), confidence=confidence)


def folder_table(folder: Path, name: str) -> str:
    if not (folder / name).is_file():
        raise KeyError(name)
    return (folder / name).read_text(encoding="utf-8")


def zip_table(z: zipfile.ZipFile, name: str) -> str:
    if name not in z.namelist():
        raise KeyError(name)
    return z.read(name).decode("utf-8")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def from_tables(path: Path, read: Callable[[str], str]) -> Snapshot:
    """A CSV snapshot from its tables (`read(name)` gives one's text, KeyError(name) when it is
    missing). Article nodes and MENTIONED_IN edges are left out."""
    manifest = json.loads(read(MANIFEST_FILE))
    mention_rows, evidence_rows = rows(read("mentions.csv")), rows(read("evidence.csv"))
    g = nx.MultiDiGraph()
    g.graph["articles"] = [{k: a.get(k) or "" for k in ARTICLE_FIELDS} for a in rows(read("articles.csv"))]
    mentions: dict[str, list[dict]] = {}
    for m in mention_rows:
        mentions.setdefault(m["entity"], []).append(
            {"article": m["article"], "start": int(m["start"]), "stop": int(m["stop"]), "text": m["text"]})
    for n in rows(read("nodes.csv")):
        if n["type"] == ARTICLE:
            continue
        ms = mentions.pop(n["id"], [])
        g.add_node(n["id"], type=n["type"], name=n["name"], kind=n["kind"] or "",
                   aliases=sorted({m["text"] for m in ms} - {n["name"]}), facts=json.loads(n["facts"] or "{}"),
                   mentions=ms, mention_count=int(n["mention_count"]))
    if mentions:
        raise SnapshotError(f"{path}: mentions.csv names {next(iter(mentions))}, which is not in nodes.csv")
    evidence: dict[str, list[dict]] = {}
    for v in evidence_rows:
        evidence.setdefault(v["relation"], []).append(
            {"article": v["article"], "start": int(v["start"]), "stop": int(v["stop"]), "sentence": v["sentence"],
             "confidence": number(v["confidence"])})
    for e in rows(read("edges.csv")):
        if e["type"] != MENTIONED_IN:
            add_edge(path, g, e["id"], e["source"], e["target"], e["type"], e["role"], int(e["weight"]),
                     number(e["confidence"]), evidence.get(e["id"], []))
    return Snapshot(g, manifest)


# --- into a store ----------------------------------------------------------------------------

def stand_in_text(pieces: list[tuple[int, int, str]]) -> str:
    """An article text made of what a snapshot knows of it: spaces, with each (start, stop, text)
    written at its offsets, sentences before the mentions inside them."""
    chars = [" "] * max((stop for _, stop, _ in pieces), default=0)
    for start, stop, text in sorted(pieces, key=lambda p: (p[0] - p[1], p[0])):  # longest first
        part = text[:stop - start]
        chars[start:start + len(part)] = part
    return "".join(chars)


def extractions(g: nx.MultiDiGraph) -> Iterator[Extraction]:
    """One Extraction per article of the snapshot, in its order, as the store would write it:
    entities keyed by their node ids."""
    mentions: dict[str, dict[str, list[Mention]]] = {}  # article -> node -> mentions
    stated: dict[str, dict[tuple[str, float | None], list[Evidence]]] = {}  # article -> (edge, conf.) -> ev.
    for n, d in g.nodes(data=True):
        for m in d.get("mentions", []):
            mentions.setdefault(m["article"], {}).setdefault(n, []).append(Mention(m["start"], m["stop"], m["text"]))
    ends: dict[str, tuple[str, str, dict]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        ends[k] = (u, v, d)
        for e in d.get("evidence", []):
            stated.setdefault(e["article"], {}).setdefault((k, e.get("confidence")), []).append(
                Evidence(e["article"], e["start"], e["stop"], e.get("sentence", "")))
    for a in g.graph.get("articles", []):
        here, told = mentions.get(a["id"], {}), stated.get(a["id"], {})
        nodes = list(here) + [n for k, _ in told for n in ends[k][:2] if n not in here]
        entities = [Entity(n, g.nodes[n]["type"], g.nodes[n]["name"], key=n, kind=g.nodes[n].get("kind") or None,
                           mentions=here.get(n, []), facts=dict(g.nodes[n].get("facts") or {}))
                    for n in dict.fromkeys(nodes)]
        relations = [Relation(ends[k][2]["type"], ends[k][0], ends[k][1], role=ends[k][2].get("role") or None,
                              evidence=ev, confidence=c) for (k, c), ev in told.items()]
        pieces = [(e.start, e.stop, e.sentence) for ev in told.values() for e in ev]
        pieces += [(m.start, m.stop, m.text) for ms in here.values() for m in ms]
        article = Article(id=a["id"], text=stand_in_text(pieces), title=a.get("title") or "",
                          url=a.get("url") or "", date=a.get("date") or "", source=a.get("source") or "")
        yield Extraction(article, entities, relations)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # articles written
    kept: list[str] = field(default_factory=list)  # articles the store held already, kept as they were


def import_snapshot(store: Store, g: nx.MultiDiGraph, batch_size: int = 100) -> ImportReport:
    """Write a snapshot's graph into `store` (see the module docstring), `batch_size` articles
    per transaction; a failed batch is a StoreError and is rolled back, earlier batches stay."""
    report, batch = ImportReport(), []
    for ex in extractions(g):
        if store.article_hash(ex.article.id) is not None:
            report.kept.append(ex.article.id)
            continue
        batch.append(ex)
        if len(batch) >= batch_size:
            report.added += store.write(batch).added
            batch = []
    if batch:
        report.added += store.write(batch).added
    return report
