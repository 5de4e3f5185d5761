"""A folder of nasty inputs, built by the tests, ingested twice through the command line: the
first run reports one line per problem (naming the file, and the line for .jsonl), counts what was
added, skipped and failed, and exits 1 because some inputs failed; the second finds everything
unchanged and leaves the store's stats identical.

The 100,000-line .jsonl goes through reading, duplicate checks, hashing and writing like any
input; only its records' extraction is a stand-in (an article with no entities): the natasha
pipeline at some 5 ms a record would take most of ten minutes."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli

from conftest import KALUGA, VOROBYEV, ZALIVATSKY

BIG_LINES = 100_000
SPACED = "папка с пробелами/статья о парке «Луч».txt"


@pytest.fixture
def nasty(tmp_path) -> Path:
    """The corpus: what each file is, by name."""
    root = tmp_path / "nasty"
    root.mkdir()
    feed = json.dumps({"url": "https://example.org/feed", "text": ZALIVATSKY}, ensure_ascii=False).encode()
    (root / "truncated-gzip.jsonl").write_bytes(gzip.compress(feed)[:30])
    (root / "empty.txt").write_bytes(b"")
    (root / "mixed-endings.txt").write_bytes(
        f"Заголовок\r\n\r\n{VOROBYEV}\rВторая строка.\nТретья строка.\r\n".encode())
    (root / "cp1251-no-cyrillic.txt").write_bytes(
        "Project «North Ray» — phase No. 2, 70 ha… costs 10 €.\n".encode("cp1251"))
    (root / SPACED).parent.mkdir()
    (root / SPACED).write_text(KALUGA, encoding="utf-8")
    (root / "utf16-bom.txt").write_bytes(("Калуга\n\n" + KALUGA).encode("utf-16"))
    (root / "utf16-no-bom.txt").write_bytes(("Вологда\n\n" + VOROBYEV + " Второй текст.").encode("utf-16-le"))
    (root / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"url": "https://example.org/1", "title": "Первая версия", "text": VOROBYEV},
        {"url": "https://example.org/1", "title": "Вторая версия", "text": VOROBYEV + " Он посетил Калугу."},
    )) + "\n", encoding="utf-8")
    (root / "unnamed-letter.txt").write_text("Компания «𗀀» построит завод в Вологде.", encoding="utf-8")
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to("..", target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "gone.txt")
    with (root / "big.jsonl").open("w", encoding="utf-8") as f:
        for n in range(1, BIG_LINES + 1):
            record = {"id": f"big-{n}", "text": f"Запись {n}."} if n != 50_000 else "{not json"
            f.write((record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n")
    return root


@pytest.fixture
def quick_big_records(monkeypatch, nlp):
    """Extraction as usual, but for big.jsonl's records: an article with no entities."""
    import ingest.run
    from graph.model import Extraction
    real = ingest.run.extract
    monkeypatch.setattr(ingest.run, "extract",
                        lambda a: Extraction(a) if a.id.startswith("big-") else real(a))


def ingest(root: Path | str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["ingest", "--quiet", str(root)])
    return result.exit_code, result.stderr.splitlines()


def stats() -> dict:
    return json.loads(CliRunner().invoke(cli, ["stats", "--json"]).stdout)


def test_a_nasty_folder_is_reported_line_by_line_and_a_rerun_changes_nothing(nasty, quick_big_records):
    code, lines = ingest(nasty)
    assert code == 1, lines
    *problems, summary = lines
    assert sorted(problems) == sorted([
        f"skipped: {nasty}/empty.txt: is empty",
        f"skipped: {nasty}/truncated-gzip.jsonl: not text: looks like a gzip archive",
        f"skipped: {nasty}/loop/back: link to a folder already read (a loop?), not read again",
        f"failed: {nasty}/dangling.txt: broken link (to {nasty}/gone.txt)",
        f"failed: {nasty}/big.jsonl line 50000: invalid JSON (Expecting property name enclosed in double quotes)",
        f"skipped: {nasty}/feed.jsonl line 1: same url https://example.org/1 as line 2: the later record is kept",
    ]), "\n".join(lines)
    # the records but one; mixed endings, cp1251, spaced path, two UTF-16, the unnamed letter, the feed's url
    added = BIG_LINES - 1 + 7
    assert summary.split(" -> ")[0] == f"{added} added, 0 replaced, 0 unchanged, 4 skipped, 2 failed"
    first = stats()
    assert first["articles"] == added

    code, again = ingest(nasty)
    assert code == 1 and again[:-1] == problems
    assert again[-1].split(" -> ")[0] == f"0 added, 0 replaced, {added} unchanged, 4 skipped, 2 failed"
    assert stats() == first

    code, spelled = ingest(f"{nasty}/../{nasty.name}/./")  # the folder named another way
    assert code == 1 and spelled[-1].split(" -> ")[0] == f"0 added, 0 replaced, {added} unchanged, 4 skipped, 2 failed"
    assert stats() == first


def test_the_nasty_texts_are_read_right(nasty):
    from graph.model import Article
    from ingest.readers import read_articles
    texts = {Path(a.source).name: a.text for a in read_articles([nasty]) if isinstance(a, Article)
             and not a.id.startswith("big-")}
    assert texts["mixed-endings.txt"] == f"Заголовок\n\n{VOROBYEV}\nВторая строка.\nТретья строка."
    assert texts["cp1251-no-cyrillic.txt"] == "Project «North Ray» — phase No. 2, 70 ha… costs 10 €."
    assert texts[Path(SPACED).name] == KALUGA
    assert texts["utf16-bom.txt"] == f"Калуга\n\n{KALUGA}"
    assert texts["utf16-no-bom.txt"].startswith(f"Вологда\n\n{VOROBYEV}")
