"""Readers: files and folders in, Articles out.

Formats: .txt (first short line is the title), .html/.htm (main text only), .json (one
object or a list), .jsonl, .csv — records carry text, title, url, date, id. Bytes are
decoded by their byte order mark (UTF-8, UTF-16, UTF-32), else as UTF-8 when they are
valid UTF-8, else by charset detection (charset-normalizer: UTF-16/32 without a mark when
the bytes hold NULs, else cp1251 and the other Cyrillic code pages). Bytes that are no
text (a known binary signature, NULs that are no UTF-16/32, nothing detection accepts,
mostly control characters) are "not text". Control characters other than newline and tab
are dropped on read, in texts and in every record field.

A file or record that cannot be read yields a ReadError naming the file (and the line, for
.jsonl and .csv) and the problem; the caller reports it and goes on with the rest of the
batch. A ReadError with `skipped` set is an input that is no article (empty, not text, an
HTML page without text, larger than the size limit) rather than one that failed.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from graph.model import Article

from .limits import DEFAULT_MAX_BYTES

SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".csv")
SINGLE_ARTICLE = (".txt", ".html", ".htm")  # one file, one article: the size limit applies to the file


@dataclass
class ReadError:
    source: str
    problem: str
    skipped: bool = False  # no article rather than a failure: empty, not text, too large

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


class NotText(ValueError):
    """The bytes are no text: the message says what they look like."""


BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"), (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"), (b"\x1f\x8b", "a gzip archive"), (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an MS Office document"),
    (b"\x7fELF", "an executable"),
)
WIDE = ["utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be"]
CYRILLIC = ["cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"]
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but \t \n \v \f \r
MAX_CONTROL_SHARE = 0.2  # more control characters than this: binary, not a text with a stray BEL or ESC


def decode(raw: bytes) -> str:
    """The text the bytes hold, or NotText: by BOM; UTF-16/32 when there are NULs and detection
    finds it; UTF-8 when valid; else the Cyrillic code page detection finds. A stray NUL in a
    text is a control character like the others: too many of them is a binary file."""
    for signature, kind in SIGNATURES:
        if raw.startswith(signature):
            raise NotText(f"not text: looks like {kind}")
    text = decode_bytes(raw)
    if len(CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise NotText("not text: mostly control characters (a binary file?)")
    return text


def decode_bytes(raw: bytes) -> str:
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    if b"\x00" in raw and (wide := from_bytes(raw, cp_isolation=WIDE).best()) is not None:
        return str(wide)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (best := from_bytes(raw, cp_isolation=CYRILLIC).best()) is None:
        raise NotText("not text: neither UTF-8 nor a Cyrillic code page fits its bytes")
    return raw.decode(best.encoding, errors="replace")


def strip_controls(text: str) -> str:
    """Without control characters (BEL, BS, ESC, NUL, C1, ...); form feed and vertical tab become
    newlines, tab and newline stay."""
    return CONTROL.sub("", text.replace("\v", "\n").replace("\f", "\n"))


def normalise_text(text: str) -> str:
    """Unix newlines, no control characters but newline and tab, no trailing spaces; offsets are
    taken on this text."""
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
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
    url, given_id = clean_field(url), clean_field(given_id)
    return Article(id=article_id(text, url, given_id), text=text, title=one_line(title) or default_title(text),
                   url=url, date=normalise_date(date), source=source, doc=clean_field(doc))


def clean_field(value: str) -> str:
    """A record field (url, id) without control characters or surrounding space."""
    return CONTROL.sub("", value).strip()


def one_line(value: str) -> str:
    """A title: one line, spaces collapsed, no control characters."""
    return " ".join(strip_controls(value).split())


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
# A reader takes the file's path, its decoded text and the size limit of one article.

def too_large(size: int, max_bytes: int) -> str:
    return f"too large ({size:,} bytes, the limit is {max_bytes:,}; see --max-bytes)"


def source_of(path: Path) -> str:
    """The source an article read from a file is stored with: its resolved absolute path, so that
    every spelling of it (`news/a.txt`, `./news/a.txt`, `/abs/news/a.txt`, a link to it) is one
    source and an edited file replaces its old version whichever way it is named."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a link loop: the absolute path, normalised
        return os.path.abspath(path)


def read_txt(path: Path, text: str, max_bytes: int) -> Iterator[Article | ReadError]:
    yield make_article(text, source_of(path), path.stem)


def read_html(path: Path, text: str, max_bytes: int) -> Iterator[Article | ReadError]:
    from .html import main_text
    page = main_text(text)
    if not normalise_text(page.text).strip():
        yield ReadError(str(path), "no article text in the page", skipped=True)
        return
    yield make_article(page.text, source_of(path), path.stem, title=page.title, url=page.url, date=page.date)


Record = tuple[str, object]  # where it stands ("FILE line N" or "FILE record N"), the parsed record


def records_to_articles(path: Path, records: list[Record], max_bytes: int) -> Iterator[Article | ReadError]:
    """The file's articles, each id once: a record whose url or id (or, without them, text) comes
    again in a later record of the file is skipped, naming both places; the last one is kept."""
    read = list(record_articles(path, records, max_bytes))
    last = {item.id: where for where, item in read if isinstance(item, Article)}
    for where, item in read:
        if isinstance(item, Article) and last[item.id] != where:
            later = last[item.id].removeprefix(f"{path} ")
            yield ReadError(where, f"{same_what(item)} as {later}: the later record is kept", skipped=True)
        else:
            yield item


def same_what(article: Article) -> str:
    """What two records share that makes them one article: "same url U", "same id I", "same text"."""
    if article.url:
        return f"same url {article.url}"
    return "same text" if article.id.startswith("sha1:") else f"same id {article.id}"


def record_articles(path: Path, records: list[Record], max_bytes: int) -> Iterator[tuple[str, Article | ReadError]]:
    """Each record's place and its article, or the ReadError saying why it is none."""
    for n, (where, rec) in enumerate(records, 1):
        yield where, record_article(path, where, n, rec, len(records), max_bytes)


def record_article(path: Path, where: str, n: int, rec: object, count: int, max_bytes: int) -> Article | ReadError:
    if not isinstance(rec, dict):
        return ReadError(where, "not an object with a 'text' field")
    text = rec.get("text")
    if not isinstance(text, str) or not normalise_text(text).strip():
        return ReadError(where, "has no 'text'")
    if (size := len(text.encode("utf-8", errors="replace"))) > max_bytes:
        return ReadError(where, too_large(size, max_bytes), skipped=True)
    fields = {k: str(rec.get(k) or "") for k in ("title", "url", "date", "id")}
    doc = clean_field(fields["id"]) or (path.stem if count == 1 else f"{path.stem}-{n}")
    return make_article(text, source_of(path), doc, title=fields["title"], url=fields["url"],
                        date=fields["date"], given_id=fields["id"])


def read_json(path: Path, text: str, max_bytes: int) -> Iterator[Article | ReadError]:
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    yield from records_to_articles(path, [(f"{path} record {n}", r) for n, r in enumerate(records, 1)], max_bytes)


def read_jsonl(path: Path, text: str, max_bytes: int) -> Iterator[Article | ReadError]:
    records: list[Record] = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append((f"{path} line {n}", json.loads(line)))
        except json.JSONDecodeError as err:
            yield ReadError(f"{path} line {n}", f"invalid JSON ({err.msg})")
    yield from records_to_articles(path, records, max_bytes)


def read_csv(path: Path, text: str, max_bytes: int) -> Iterator[Article | ReadError]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
        yield ReadError(str(path), "CSV needs a header with a 'text' column (and optionally title, url, date, id)")
        return
    records: list[Record] = []
    first = reader.line_num + 1  # the line a row starts on (a quoted field may span lines)
    for row in reader:
        records.append((f"{path} line {first}", {(k or "").strip().lower(): v for k, v in row.items()}))
        first = reader.line_num + 1
    yield from records_to_articles(path, records, max_bytes)


READERS = {".txt": read_txt, ".html": read_html, ".htm": read_html, ".json": read_json,
           ".jsonl": read_jsonl, ".csv": read_csv}


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadError]:
    """Articles of one file; problems come out as ReadError, never as exceptions. A .txt or .html
    file larger than `max_bytes` is skipped unread; so is a record whose text is larger."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield ReadError(str(path), f"unsupported file type '{path.suffix}' (use {', '.join(SUFFIXES)})")
        return
    try:
        if path.suffix.lower() in SINGLE_ARTICLE and (size := path.stat().st_size) > max_bytes:
            yield ReadError(str(path), too_large(size, max_bytes), skipped=True)
            return
        raw = path.read_bytes()
    except OSError as err:
        yield ReadError(str(path), f"cannot read ({err.strerror or err})")
        return
    try:
        text = decode(raw)
    except NotText as err:
        yield ReadError(str(path), str(err), skipped=True)
        return
    if not normalise_text(text).strip():
        yield ReadError(str(path), "is empty", skipped=True)
        return
    try:
        yield from reader(path, text, max_bytes)
    except (json.JSONDecodeError, csv.Error, ValueError, RecursionError) as err:
        yield ReadError(str(path), f"cannot parse as {path.suffix.lstrip('.')}: {err}")


def iter_files(paths: list[str | Path]) -> Iterator[Path | ReadError]:
    """Files named and the readable files under folders named, in a stable order. What cannot be
    looked at (a path that does not exist, a folder that cannot be listed, a link that leads
    nowhere or back into its own folder) comes out as a ReadError naming it."""
    for p in map(Path, paths):
        try:
            if p.is_dir():
                yield from folder_files(p)
            elif p.is_file():
                yield p
            elif p.is_symlink():
                yield ReadError(str(p), f"broken link (to {os.readlink(p)})")
            else:
                yield ReadError(str(p), "no such file or folder")
        except OSError as err:
            yield ReadError(str(p), f"cannot read ({err.strerror or err})")


def folder_files(root: Path) -> Iterator[Path | ReadError]:
    """The files with a supported suffix under a folder (links followed, each folder once), and
    a ReadError for each folder that cannot be listed and each supported-looking link that leads
    nowhere; sorted by path. Hidden files and folders are left out. One folder is listed at a time
    (its entries sorted by name, a subfolder's files where its name sorts), so that what is held
    grows with a folder's entries, not with the whole tree: the ingest reads this twice."""
    seen: set[str] = set()
    stack: list[tuple[Path, Iterator[tuple[str, bool]]]] = []
    yield from enter_folder(root, seen, stack)
    while stack:
        folder, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
        elif not entry[0].startswith("."):
            name, is_folder = entry
            yield from enter_folder(folder / name, seen, stack) if is_folder else folder_file(folder / name)


def enter_folder(folder: Path, seen: set[str], stack: list[tuple[Path, Iterator[tuple[str, bool]]]]
                 ) -> Iterator[ReadError]:
    """Put a folder's entries (name, whether a folder), sorted by name, on the stack; a ReadError
    instead when it cannot be listed or was read already (a link back into it)."""
    real = os.path.realpath(folder)
    if real in seen:
        yield ReadError(str(folder), "link to a folder already read (a loop?), not read again", skipped=True)
        return
    seen.add(real)
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e.name, leads_to_folder(e)) for e in listing)
    except OSError as err:
        yield ReadError(str(err.filename or folder), f"cannot read folder ({err.strerror or err})")
        return
    stack.append((folder, iter(entries)))


def leads_to_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows links
    except OSError:
        return False


def folder_file(f: Path) -> Iterator[Path | ReadError]:
    """A file in a folder, if its suffix is supported; a ReadError for a link that leads nowhere."""
    if f.suffix.lower() not in SUFFIXES:
        return
    try:
        if f.is_file():
            yield f
        elif f.is_symlink() and not f.exists():
            yield ReadError(str(f), f"broken link (to {os.readlink(f)})")
    except OSError as err:
        yield ReadError(str(f), f"cannot read ({err.strerror or err})")


def read_articles(paths: list[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadError]:
    for item in iter_files(paths):
        if isinstance(item, ReadError):
            yield item
        else:
            yield from read_file(item, max_bytes)
