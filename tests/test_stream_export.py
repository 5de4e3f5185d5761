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
