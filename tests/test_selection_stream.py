"""Snapshot exports read from the store without the whole graph: a selection read page by page
(graph.selection_stream; a focus through what it reaches, graph.snapshot_reach) writes the files
and the manifest of the selection cut from `Store.snapshot()`, in each store; the export of the
embedded store is one read, untorn by a write landing in the middle; an HTML page of a graph too
big to lay out is refused before anything is written."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.export import STREAMED, export_bytes, export_parts_bytes
from graph.selection_stream import selection_parts
from graph.snapshot import Selection, manifest, select
from graph.snapshot_reach import reach
from graph.snapshot_stream import exporting, store_parts

from conftest import dated_extractions


WHEN = datetime(2026, 1, 2, tzinfo=UTC)


def selections(g) -> list[Selection]:
    """Around every third node (1 to 3 hops), every project, every place as a region, and the same
    with filters; types, relations, weights, confidences and dates without a focus."""
    ids = sorted(g.nodes)
    of_type = {t: [n for n in ids if g.nodes[n]["type"] == t] for t in ("PROJECT", "LOC", "ORG")}
    out = [Selection(around=(n,), hops=h) for n in ids[::3] for h in (1, 2, 3)]
    out += [Selection(projects=(p,)) for p in of_type["PROJECT"]]
    out += [Selection(regions=(r,)) for r in of_type["LOC"]]
    out += [Selection(around=(ids[1],), hops=2, types=("PERSON", "ORG")),
            Selection(projects=tuple(of_type["PROJECT"][:2]), min_weight=2),
            Selection(regions=tuple(of_type["LOC"][:2]), since="2024-03-01"),
            Selection(around=tuple(of_type["ORG"][:2]), hops=2, as_of="2024-03-31", relations=("WORKS_AT",))]
    out += [Selection(types=(t,)) for t in ("PERSON", "ORG", "LOC", "PROJECT")]
    out += [Selection(types=("PERSON", "PROJECT")), Selection(relations=("INVOLVED_IN",)),
            Selection(relations=("WORKS_AT",), types=("ORG",)), Selection(min_weight=2),
            Selection(min_confidence=0.5), Selection(since="2024-03-01"), Selection(until="2024-03-31"),
            Selection(as_of="2024-01-31", types=("ORG", "PROJECT")), Selection(since="2025-01-01", min_weight=2)]
    return out


def assert_streamed_is_selected(store) -> None:
    g = store.snapshot()
    for sel in selections(g):
        chosen = select(g, sel)
        assert export_parts_bytes(selection_parts(store, sel, page=3), "json") == export_bytes(chosen, "json"), sel
        streamed = selection_parts(store, sel, sel.as_given(), WHEN, page=4).manifest
        assert streamed == manifest(chosen, sel.as_given(), store.url, WHEN), sel


def test_a_selection_read_page_by_page_is_the_snapshots(examples_store):
    assert_streamed_is_selected(examples_store)


def test_a_dated_selection_read_page_by_page_is_the_snapshots(dated_store):
    assert_streamed_is_selected(dated_store)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in sorted(z.namelist())}


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("sel", [Selection(around=("ORG:ока фарма",), hops=2, since="2024-02-01"),
                                 Selection(types=("ORG", "PROJECT"))])
def test_every_streamed_format_writes_the_selections_file(dated_embedded, fmt, sel):
    chosen = select(dated_embedded.snapshot(), sel)
    about = manifest(chosen, sel.as_given(), dated_embedded.url, WHEN)
    before = export_bytes(chosen, fmt, manifest=about)
    after = export_parts_bytes(selection_parts(dated_embedded, sel, sel.as_given(), WHEN, page=2), fmt)
    assert (members(after) == members(before)) if fmt in ("csv", "neo4j-admin") else (after == before)


def test_the_reach_stays_near_the_focus(embedded_examples):
    g = embedded_examples.snapshot()
    hub = max(g, key=g.degree)
    near = reach(embedded_examples, Selection(around=(hub,), hops=1))
    assert near == {hub} | set(g.predecessors(hub)) | set(g.successors(hub))
    assert len(near) < g.number_of_nodes()


def test_a_selection_exports_in_the_same_order_every_run(dated_embedded):
    """A small focus in a larger graph keeps the graph's order (networkx's subgraph gave a set's)."""
    sel = Selection(projects=("PROJECT:альфа",))
    g = select(dated_embedded.snapshot(), sel)
    assert list(g) == sorted(g)


# --- one read ------------------------------------------------------------------------------------

def export_with_a_write_midway(store, monkeypatch, at: int) -> bytes:
    """The JSON export of the whole graph, another connection committing the last dated article
    just before the export's read number `at`."""
    from graph.open import open_store
    writer = open_store(str(store.path))
    reads = {"n": 0}
    real = store._dicts

    def write_midway(query: str, **params):
        reads["n"] += 1
        if reads["n"] == at:
            assert len(writer.write(dated_extractions()[2:]).added) == 1
        return real(query, **params)

    monkeypatch.setattr(store, "_dicts", write_midway)
    try:
        with exporting(store, Selection()) as parts:
            return export_parts_bytes(parts, "json")
    finally:
        monkeypatch.setattr(store, "_dicts", real)
        writer.close()
        assert reads["n"] > at  # the write landed while the export read


class StoppedClock(datetime):
    """The manifest's clock, stopped at WHEN: exports made a second apart compare byte for byte."""

    @classmethod
    def now(cls, tz=None):
        return WHEN


@pytest.mark.parametrize("at", [2, 4, 6])
def test_a_write_during_an_export_does_not_tear_it(embedded_store, monkeypatch, at):
    """The export of the embedded store started (manifest, then file, page by page); another
    connection commits an article between two reads: the file is the export of the store as it was
    before that write, its content hash that of its content."""
    import graph.snapshot
    monkeypatch.setattr(graph.snapshot, "datetime", StoppedClock)
    embedded_store.write(dated_extractions()[:2])
    with exporting(embedded_store, Selection()) as parts:
        before = export_parts_bytes(parts, "json")
    assert export_with_a_write_midway(embedded_store, monkeypatch, at) == before
    with exporting(embedded_store, Selection()) as parts:
        after = export_parts_bytes(parts, "json")
    assert after != before and len(json.loads(after)["articles"]) == 3


def test_without_one_read_the_same_write_tears_the_export(embedded_store, monkeypatch):
    """What the test above guards against: each read on its own sees the write midway."""
    from contextlib import nullcontext
    embedded_store.write(dated_extractions()[:2])
    with exporting(embedded_store, Selection()) as parts:
        before = json.loads(export_parts_bytes(parts, "json"))
    monkeypatch.setattr(embedded_store, "reading", nullcontext)
    torn = json.loads(export_with_a_write_midway(embedded_store, monkeypatch, 4))
    assert torn != before
    assert torn["manifest"]["counts"]["articles"] == len(before["articles"])  # read before the write
    assert torn["manifest"]["counts"]["entities_total"] > len(before["nodes"])  # read after it


# --- an HTML page too big for a browser ----------------------------------------------------------

def test_a_page_too_big_is_refused_before_anything_is_written(dated_embedded, tmp_path, monkeypatch):
    from graph.formats import html
    monkeypatch.setattr(html, "MAX_NODES", 3)
    out = tmp_path / "all.html"
    result = CliRunner().invoke(cli, ["export", "--format", "html", "-o", str(out), "--store",
                                      str(dated_embedded.path)])
    assert result.exit_code == 1
    assert "an HTML page shows at most 3 entities" in result.output and "--around" in result.output
    assert "Traceback" not in result.output and not out.exists()
    small = tmp_path / "park.html"
    result = CliRunner().invoke(cli, ["export", "--format", "html", "-o", str(small), "--store",
                                      str(dated_embedded.path), "--around", "Петров"])
    assert result.exit_code == 0, result.output


def test_a_page_without_manifest_is_refused_as_it_counts(dated_embedded, tmp_path, monkeypatch):
    from graph.formats import TooLarge, html, write
    monkeypatch.setattr(html, "MAX_RELATIONS", 2)
    folder = tmp_path / "pages"
    with pytest.raises(TooLarge, match="at most 5,000 entities and 2 relations"):
        write("html", store_parts(dated_embedded), folder / "all.html")
    assert list(folder.iterdir()) == []
