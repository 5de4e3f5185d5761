"""The snapshot formats beyond graph.export's GraphML, GEXF, JSON and CSV, one module each; this
module only says which writes what, where the manifest goes, and reads it back:

    neo4j-admin  neo4j_admin.py  CSV for `neo4j-admin database import full`   a folder or .zip; manifest.json in it
    cypher       cypher.py       a script that rebuilds the snapshot in Neo4j  manifest in its first comment lines
    ftm          ftm.py          FollowTheMoney entities as JSON lines         manifest beside: FILE.manifest.json
    html         html.py         a self-contained interactive page             manifest in a JSON script element
    png, svg     picture.py      a picture for reports                         manifest in the PNG text / SVG metadata

Each writer reads a snapshot as `base.Parts` (iterators over articles, nodes and edges) and writes
as it reads. `gephi.py` adds the colours and sizes Gephi reads to GraphML and GEXF.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .base import MANIFEST_FILE, Parts, TooLarge, as_folder, atomic_file, manifest_text, members_bytes, write_members

NAMES = ("neo4j-admin", "cypher", "ftm", "html", "png", "svg")
FOLDER_FORMATS = ("neo4j-admin",)
TAKES_ARTICLES = ("ftm",)  # the formats where --articles means something (FtM Article entities)
SUFFIXES = {"cypher": ".cypher", "ftm": ".ftm.json", "html": ".html", "png": ".png", "svg": ".svg"}


class MissingDependency(RuntimeError):
    """A format whose library is an optional extra that is not installed."""


def size_problem(fmt: str, entities: int, relations: int) -> str | None:
    """Why a snapshot of this size cannot be written in `fmt` (an HTML page beyond its limits), or
    None: asked before the snapshot is read (graph.formats.html.size_problem)."""
    if fmt != "html":
        return None
    from .html import size_problem as page_problem
    return page_problem(entities, relations)


def file_writer(fmt: str, articles: bool) -> Callable[[Parts, IO[bytes]], None]:
    """The writer of a one-file format (imported when needed: matplotlib and followthemoney are big)."""
    if fmt == "cypher":
        from .cypher import write
        return write
    if fmt == "ftm":
        try:
            import followthemoney  # noqa: F401
        except ImportError as err:
            raise MissingDependency("the ftm format needs the followthemoney library: "
                                    "pip install 'investgraph[ftm]'") from err
        from .ftm import write as write_ftm
        return lambda parts, out: write_ftm(parts, out, with_articles=articles)
    if fmt == "html":
        from .html import write as write_html
        return write_html
    if fmt in ("png", "svg"):
        from .picture import write as write_picture
        return lambda parts, out: write_picture(parts, out, fmt)
    raise ValueError(f"unknown export format '{fmt}' (use {', '.join(NAMES)})")


def members_writer(fmt: str):
    from .neo4j_admin import write
    return write


def beside(fmt: str, path: Path) -> Path | None:
    """Where the manifest goes when the format cannot hold it: FtM's FILE.manifest.json."""
    if fmt == "ftm":
        from .ftm import manifest_path
        return manifest_path(path)
    return None


def write(fmt: str, parts: Parts, path: Path, articles: bool = False) -> list[Path]:
    """Write the snapshot to `path` (a folder or .zip for neo4j-admin), each file whole or not at all."""
    path = Path(path)
    if fmt in FOLDER_FORMATS:
        return write_members(path, lambda members: members_writer(fmt)(parts, members))
    with atomic_file(path) as out:
        file_writer(fmt, articles)(parts, out)
    written = [path]
    if parts.manifest is not None and (other := beside(fmt, path)) is not None:
        with atomic_file(other) as out:
            out.write(manifest_text(parts.manifest).encode("utf-8"))
        written.append(other)
    return written


def to_bytes(fmt: str, parts: Parts, articles: bool = False) -> bytes:
    """The snapshot as bytes (neo4j-admin as a zip; FtM without its manifest, which goes beside)."""
    if fmt in FOLDER_FORMATS:
        return members_bytes(lambda members: members_writer(fmt)(parts, members))
    out = io.BytesIO()
    file_writer(fmt, articles)(parts, out)
    return out.getvalue()


def output_problem(fmt: str, path: Path, force: bool) -> str | None:
    """Why these formats must not write at `path`, or None (see graph.export.output_problem)."""
    path = Path(path)
    if fmt in FOLDER_FORMATS and as_folder(path):
        if path.exists() and not path.is_dir():
            return f"{path} is a file; {fmt} export writes a folder of CSV files or a .zip"
        if not path.exists() and path.suffix:
            return f"{fmt} export writes several files: give a folder or a name ending in .zip, not {path.name}"
        if path.is_dir() and any(path.iterdir()) and not force:
            return f"{path} is not empty; use --force to write into it"
        return None
    if path.is_dir():
        return f"{path} is a folder; give a file name"
    for target in filter(None, (path, beside(fmt, path))):
        if target.is_file() and not force:
            return f"{target} exists; use --force to overwrite"
    return None


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a file these formats wrote (None: not one of theirs, or none in it)."""
    path = Path(path)
    if path.name.endswith(".manifest.json"):  # a manifest beside its file, given itself
        return json.loads(path.read_text(encoding="utf-8"))
    if (other := path.with_name(path.name + ".manifest.json")).is_file():
        return json.loads(other.read_text(encoding="utf-8"))
    suffix = path.suffix.lower()
    if suffix == ".cypher":
        from .cypher import read_manifest as from_script
        with path.open(encoding="utf-8") as lines:
            return from_script(lines)
    if suffix in (".html", ".htm"):
        from .html import read_manifest as from_page
        return from_page(path.read_text(encoding="utf-8"))
    if suffix in (".png", ".svg"):
        from .picture import read_png_manifest, read_svg_manifest
        with path.open("rb") as data:
            return (read_png_manifest if suffix == ".png" else read_svg_manifest)(data)
    return None


def handles(path: Path) -> bool:
    """A file whose manifest read_manifest finds (rather than graph.snapshot's own readers)."""
    path = Path(path)
    return (path.name.endswith(".manifest.json") or path.with_name(path.name + ".manifest.json").is_file()
            or path.suffix.lower() in (".cypher", ".html", ".htm", ".png", ".svg"))


def written_here(path: Path) -> bool:
    """A file or folder one of these formats wrote: `investgraph import` and the content-hash check
    of `snapshot info` do not read them (except a Cypher script, which import runs in Neo4j)."""
    from .neo4j_admin import ARGS_FILE
    path = Path(path)
    if handles(path):
        return True
    if path.is_dir():
        return (path / ARGS_FILE).is_file()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return ARGS_FILE in archive.namelist()
    return False


__all__ = ["FOLDER_FORMATS", "MANIFEST_FILE", "NAMES", "MissingDependency", "Parts", "handles", "output_problem",
           "read_manifest", "size_problem", "to_bytes", "TooLarge", "write", "written_here"]
