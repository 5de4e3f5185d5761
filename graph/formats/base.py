"""What every snapshot writer of graph.formats shares: the snapshot as re-iterable parts, files
written whole or not at all, and the few facts of a snapshot several formats need.

A writer reads a `Parts`: three functions that each give a fresh iterator (articles, nodes,
edges, in the shapes `Store.snapshot()` gives them: `g.graph["articles"]`, `g.nodes(data=True)`,
`g.edges(keys=True, data=True)`) and the manifest. It may walk them more than once but never
asks for the whole graph at once, so a store that can stream its rows can feed a writer directly;
`graph_parts(g)` makes the parts of a networkx snapshot. What a writer keeps between passes is
said in its module (at most per node or per article, never per evidence sentence unless the
format needs the sentences together).
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx

MANIFEST_FILE = "manifest.json"
ARTICLE_FIELDS = ("id", "source", "title", "url", "date")

Node = tuple[str, dict[str, Any]]
Edge = tuple[str, str, str, dict[str, Any]]


class TooLarge(ValueError):
    """A snapshot too big for its format (an HTML page): the message says how big and how to select a piece."""


@dataclass(frozen=True)
class Parts:
    """A snapshot as writers read it: each of articles(), nodes(), edges() is a new iterator."""

    articles: Callable[[], Iterable[dict[str, Any]]]
    nodes: Callable[[], Iterable[Node]]
    edges: Callable[[], Iterable[Edge]]
    manifest: dict[str, Any] | None = None
    # the nodes with the edges out of them, a page at a time (one read where a writer needs both)
    pages: Callable[[], Iterable[tuple[list[Node], list[Edge]]]] | None = None


def graph_parts(g: nx.MultiDiGraph, manifest: dict[str, Any] | None = None) -> Parts:
    """The parts of a snapshot graph (Store.snapshot(), graph.snapshot.select)."""
    return Parts(articles=lambda: g.graph.get("articles", []), nodes=lambda: g.nodes(data=True),
                 edges=lambda: g.edges(keys=True, data=True), manifest=manifest)


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def selection_text(manifest: dict[str, Any] | None, whole: str = "весь граф") -> str:
    """A manifest's selection in a line (`projects: A, B; as_of: 2024-03-31`), or `whole`."""
    selection = (manifest or {}).get("selection") or {}
    return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in selection.items()) or whole


def article_urls(parts: Parts) -> dict[str, str]:
    """Article id -> its url (the id itself when it is a web address and the url is empty)."""
    out = {}
    for a in parts.articles():
        url = a.get("url") or (a["id"] if str(a["id"]).startswith(("http://", "https://")) else "")
        if url:
            out[a["id"]] = url
    return out


def mention_articles(d: dict[str, Any]) -> list[str]:
    """The articles a node is mentioned in, each once, in order."""
    return list(dict.fromkeys(m["article"] for m in d.get("mentions", [])))


def evidence_articles(d: dict[str, Any]) -> list[str]:
    """The articles an edge's evidence comes from, each once, in order."""
    return list(dict.fromkeys(e["article"] for e in d.get("evidence", [])))


# --- writing files ------------------------------------------------------------------------------

@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file written beside `path` and renamed into place when the block ends without an
    error: a failed export leaves no half-written file and an old file whole. A path that exists
    and is not a regular file (a device such as /dev/stdout) is written directly."""
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("wb") as out:
            yield out
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        with part.open("wb") as out:
            yield out
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


class Members:
    """Where a format of several files writes them: a folder (each file atomic) or a zip."""

    def __init__(self, folder: Path | None = None, archive: zipfile.ZipFile | None = None) -> None:
        self.folder, self.archive = folder, archive
        self.written: list[Path] = []

    @contextmanager
    def text(self, name: str) -> Iterator[IO[str]]:
        """A text member (UTF-8, newlines as written) to write `name` into."""
        if self.archive is not None:
            with self.archive.open(name, "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
                yield out
            return
        assert self.folder is not None
        with atomic_file(self.folder / name) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            yield out
            out.flush()
            out.detach()  # atomic_file closes the file
        self.written.append(self.folder / name)


def as_folder(path: Path) -> bool:
    """A several-file format goes to a folder unless the path names a .zip."""
    return Path(path).suffix.lower() != ".zip"


def write_members(path: Path, write: Callable[[Members], None]) -> list[Path]:
    """Run `write` on a folder at `path`, or on a zip when `path` ends in .zip (written atomically)."""
    path = Path(path)
    if as_folder(path):
        path.mkdir(parents=True, exist_ok=True)
        members = Members(folder=path)
        write(members)
        return members.written
    with atomic_file(path) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        write(Members(archive=archive))
    return [path]


def members_bytes(write: Callable[[Members], None]) -> bytes:
    """A several-file format as the bytes of a zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        write(Members(archive=archive))
    return buf.getvalue()


def scalar(value: Any, null: str) -> str | None:
    """None (as `null`), true/false and numbers, written as Cypher and the import tool's CSV both
    read them; None for any other value."""
    if value is None:
        return null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return None
