"""Readers: files and folders in, Articles out.

Formats: .txt (first short line is the title), .html/.htm (main text only), .json (one
object or a list), .jsonl, .csv — records carry text, title, url, date, id. Bytes are
decoded as UTF-8 when they are valid UTF-8, else by charset detection (cp1251 is the
usual other). A file that cannot be read yields a ReadError naming the file and the
problem; the caller reports it and goes on with the rest of the batch.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from graph.model import Article

SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".csv")
RECORD_FIELDS = ("text", "title", "url", "date", "id")


@dataclass
class ReadError:
    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) when valid, else the detected encoding, cp1251 by default."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=["cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"]).best()
    encoding = best.encoding if best else "cp1251"
    return raw.decode(encoding, errors="replace")


def normalise_text(text: str) -> str:
    """Unix newlines, no NULs, no trailing spaces; offsets are taken on this text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def article_id(text: str, url: str = "", given_id: str = "") -> str:
    """url if given, else the record's own id, else a hash of the text."""
    if url:
        return url
    if given_id:
        return given_id
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def make_article(text: str, source: str, doc: str, title: str = "", url: str = "",
                 date: str = "", given_id: str = "") -> Article:
    text = normalise_text(text)
    if not title:
        title = default_title(text)
    return Article(id=article_id(text, url, given_id), text=text, title=title.strip(),
                   url=url.strip(), date=normalise_date(date), source=source, doc=doc)


def default_title(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 200 else first[:80] + "…"


DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def normalise_date(value: str) -> str:
    """ISO yyyy-mm-dd from ISO timestamps or dd.mm.yyyy; anything else is dropped."""
    value = (value or "").strip()
    if m := DATE.search(value):
        return m.group(0)
    if m := DMY.search(value):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return ""


# --- formats -----------------------------------------------------------------

def read_txt(path: Path, text: str) -> Iterator[Article]:
    yield make_article(text, str(path), path.stem)


def read_html(path: Path, text: str) -> Iterator[Article]:
    from .html import main_text
    page = main_text(text)
    yield make_article(page.text, str(path), path.stem, title=page.title, url=page.url, date=page.date)


def records_to_articles(path: Path, records: list) -> Iterator[Article | ReadError]:
    for n, rec in enumerate(records, 1):
        where = f"{path} record {n}"
        if not isinstance(rec, dict):
            yield ReadError(where, "not an object with a 'text' field")
            continue
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ReadError(where, "has no 'text'")
            continue
        fields = {k: str(rec.get(k) or "") for k in ("title", "url", "date", "id")}
        doc = fields["id"] or (path.stem if len(records) == 1 else f"{path.stem}-{n}")
        yield make_article(text, str(path), doc, title=fields["title"], url=fields["url"],
                           date=fields["date"], given_id=fields["id"])


def read_json(path: Path, text: str) -> Iterator[Article | ReadError]:
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    yield from records_to_articles(path, data if isinstance(data, list) else [data])


def read_jsonl(path: Path, text: str) -> Iterator[Article | ReadError]:
    records: list = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            yield ReadError(f"{path} line {n}", f"invalid JSON ({err.msg})")
    yield from records_to_articles(path, records)


def read_csv(path: Path, text: str) -> Iterator[Article | ReadError]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
        yield ReadError(str(path), "CSV needs a header with a 'text' column (and optionally title, url, date, id)")
        return
    rows = [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
    yield from records_to_articles(path, rows)


READERS = {".txt": read_txt, ".html": read_html, ".htm": read_html, ".json": read_json,
           ".jsonl": read_jsonl, ".csv": read_csv}


def read_file(path: Path) -> Iterator[Article | ReadError]:
    """Articles of one file; problems come out as ReadError, never as exceptions."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield ReadError(str(path), f"unsupported file type '{path.suffix}' (use {', '.join(SUFFIXES)})")
        return
    try:
        text = decode(path.read_bytes())
    except OSError as err:
        yield ReadError(str(path), f"cannot read ({err.strerror or err})")
        return
    if not text.strip():
        yield ReadError(str(path), "is empty")
        return
    try:
        yield from reader(path, text)
    except (json.JSONDecodeError, csv.Error, ValueError) as err:
        yield ReadError(str(path), f"cannot parse as {path.suffix.lstrip('.')}: {err}")


def iter_files(paths: list[str | Path]) -> Iterator[Path | ReadError]:
    """Files named and the readable files under folders named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            yield p
        else:
            yield ReadError(str(p), "no such file or folder")


def read_articles(paths: list[str | Path]) -> Iterator[Article | ReadError]:
    for item in iter_files(paths):
        if isinstance(item, ReadError):
            yield item
        else:
            yield from read_file(item)
