"""The `investgraph extract` contract: one JSON object per article, entities with mentions
whose offsets point into the article text as the readers normalise it."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.model import ENTITY_TYPES, Article
from ingest.readers import read_articles

from conftest import VOROBYEV, ZALIVATSKY, investgraph_script


@pytest.fixture
def two_articles(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # CRLF line endings and trailing spaces: offsets must refer to the normalised text
    (folder / "zalivatsky.txt").write_bytes(ZALIVATSKY.replace("\n", "  \r\n").encode("utf-8"))
    (folder / "vorobyev.txt").write_text(VOROBYEV + "\n", encoding="utf-8")
    return folder


def articles_by_doc(folder: Path) -> dict[str, Article]:
    items = list(read_articles([folder]))
    assert all(isinstance(a, Article) for a in items)
    return {a.doc: a for a in items}


def parse_jsonl(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def check_contract(records: list[dict], articles: dict[str, Article]) -> None:
    assert sorted(r["doc"] for r in records) == sorted(articles)
    for rec in records:
        text = articles[rec["doc"]].text
        assert isinstance(rec["entities"], list) and isinstance(rec["relations"], list)
        assert rec["entities"], f"nothing found in {rec['doc']}"
        ids = [e["id"] for e in rec["entities"]]
        assert len(ids) == len(set(ids))
        for e in rec["entities"]:
            assert {"id", "type", "name", "mentions"} <= set(e)
            assert e["type"] in ENTITY_TYPES
            assert e["name"].strip()
            assert e["mentions"]
            for m in e["mentions"]:
                assert 0 <= m["start"] < m["stop"] <= len(text)
                assert text[m["start"]:m["stop"]] == m["text"]
        for r in rec["relations"]:
            assert r["source"] in ids and r["target"] in ids
            ev = r["evidence"]
            assert 0 <= ev["start"] < ev["stop"] <= len(text)


def by_name(record: dict, name: str) -> dict:
    matches = [e for e in record["entities"] if e["name"] == name]
    assert len(matches) == 1, [e["name"] for e in record["entities"]]
    return matches[0]


def test_extract_cli_contract(two_articles, nlp):
    result = CliRunner().invoke(cli, ["extract", str(two_articles), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    articles = articles_by_doc(two_articles)
    records = parse_jsonl(result.stdout)
    check_contract(records, articles)
    rec = {r["doc"]: r for r in records}

    # full name, then surname alone: one person with both mentions
    person = by_name(rec["zalivatsky"], "Руслан Заливацкий")
    assert person["type"] == "PERSON"
    assert [m["text"] for m in person["mentions"]] == ["Руслан Заливацкий", "Заливацкий"]
    text = articles["zalivatsky"].text
    assert person["mentions"][1]["start"] == text.index("Заливацкий сказал")
    assert not [e for e in rec["zalivatsky"]["entities"]
                if e["type"] == "PERSON" and e["id"] != person["id"]]

    # instrumental case in the text, nominative name in the record
    governor = by_name(rec["vorobyev"], "Андрей Воробьев")
    assert governor["type"] == "PERSON"
    assert [m["text"] for m in governor["mentions"]] == ["Андреем Воробьевым"]
    moscow = by_name(rec["vorobyev"], "Москва")
    assert moscow["type"] == "LOC" and moscow["mentions"][0]["text"] == "Москве"


def test_extract_cli_text_format(two_articles, nlp):
    result = CliRunner().invoke(cli, ["extract", str(two_articles / "vorobyev.txt"), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "# vorobyev" in result.stdout
    assert "Андрей Воробьев" in result.stdout


def test_extract_cli_reports_bad_files_and_fails(tmp_path, two_articles, nlp):
    bad = tmp_path / "bad.csv"
    bad.write_text("title\nбез текста\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(two_articles / "vorobyev.txt"), str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.stderr
    assert len(parse_jsonl(result.stdout)) == 1  # the good file is still extracted


def test_extract_console_script(two_articles):
    script = investgraph_script()
    proc = subprocess.run([str(script), "extract", str(two_articles), "--format", "jsonl"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    records = parse_jsonl(proc.stdout)
    assert len(records) == 2
    check_contract(records, articles_by_doc(two_articles))
