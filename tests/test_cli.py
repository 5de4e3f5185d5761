"""The `investgraph` command line: help, ingest, stats, search, entity, merge, split, decisions, export."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli

from conftest import VOROBYEV, ZALIVATSKY, write_texts

COMMANDS = sorted(cli.commands)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def ingested(runner, tmp_path, news_dir, nlp):
    """A store in tmp_path filled through the CLI; returns its --store value."""
    url = str(tmp_path / "cli-store" / "graph.db")
    result = runner.invoke(cli, ["ingest", str(news_dir), "--store", url, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 replaced, 0 unchanged, 0 skipped, 0 failed" in result.stderr
    return url


def test_every_command_is_listed():
    assert {"ingest", "extract", "stats", "search", "entity", "merge", "split", "decisions", "export", "load",
            "app"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help(runner, command):
    args = ([command] if command else []) + ["--help"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    if command:
        assert command in result.output


def test_stats_json(runner, ingested):
    result = runner.invoke(cli, ["stats", "--json", "--store", ingested])
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert set(s) == {"articles", "mentions", "entities", "entities_total", "relations", "relations_total"}
    assert set(s["entities"]) == {"PERSON", "ORG", "LOC", "PROJECT"}
    assert set(s["relations"]) == {"WORKS_AT", "INVOLVED_IN", "LOCATED_IN", "PART_OF"}
    assert s["articles"] == 3
    assert s["entities_total"] == sum(s["entities"].values()) > 0
    assert s["relations_total"] == sum(s["relations"].values())


def test_stats_uses_investgraph_home(runner, isolated_home, news_dir, nlp):
    result = runner.invoke(cli, ["ingest", str(news_dir / "vorobyev.txt"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (isolated_home / "graph.db").is_file()
    s = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    assert s["articles"] == 1


def test_stats_uses_investgraph_store_env(runner, tmp_path, monkeypatch, ingested):
    monkeypatch.setenv("INVESTGRAPH_STORE", ingested)
    s = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    assert s["articles"] == 3


def test_stats_text(runner, ingested):
    result = runner.invoke(cli, ["stats", "--store", ingested])
    assert result.exit_code == 0
    assert "articles  3" in result.stdout


def test_reingest_reports_unchanged(runner, ingested, news_dir):
    result = runner.invoke(cli, ["ingest", str(news_dir), "--store", ingested, "--quiet"])
    assert result.exit_code == 0
    assert "0 added, 0 replaced, 3 unchanged, 0 skipped, 0 failed" in result.stderr


def test_ingest_missing_path_fails_naming_it(runner, tmp_path):
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(cli, ["ingest", str(missing), "--store", str(tmp_path / "s.db"), "--quiet"])
    assert result.exit_code != 0
    assert str(missing) in result.stderr
    assert f"failed: {missing}: no such file or folder" in result.stderr


def test_ingest_bad_file_next_to_good_ones_is_named_and_exits_1(runner, tmp_path, nlp):
    folder = write_texts(tmp_path / "in", {"good.txt": ZALIVATSKY, "bad.csv": "title\nнет текста\n"})
    url = str(tmp_path / "s.db")
    result = runner.invoke(cli, ["ingest", str(folder), "--store", url, "--quiet"])
    assert result.exit_code == 1  # some input failed, though the good one went in
    assert result.stderr.splitlines() == [
        f"failed: {folder / 'bad.csv'}: CSV needs a header with a 'text' column (and optionally title, url, date, id)",
        f"1 added, 0 replaced, 0 unchanged, 0 skipped, 1 failed -> sqlite:///{url}"]


def test_ingest_counts_each_kind_of_outcome_and_names_each_problem(runner, tmp_path, nlp):
    folder = write_texts(tmp_path / "in", {"a.txt": ZALIVATSKY, "b.txt": VOROBYEV, "empty.txt": "",
                                           "feed.jsonl": '{"id": "x", "text": "Встреча в Москве."}\n{"id": "y"}\n'})
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "big.txt").write_text("Слово. " * 200, encoding="utf-8")
    (folder / "gone.txt").symlink_to(folder / "deleted.txt")
    url = str(tmp_path / "s.db")
    first = runner.invoke(cli, ["ingest", str(folder / "a.txt"), str(folder / "b.txt"), "--store", url, "--quiet"])
    assert first.exit_code == 0 and first.stderr.endswith("2 added, 0 replaced, 0 unchanged, 0 skipped, 0 failed "
                                                          f"-> sqlite:///{url}\n")
    (folder / "a.txt").write_text(ZALIVATSKY + "\n\nДобавлен абзац.", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(folder), "--store", url, "--quiet", "--max-bytes", "1000"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped: {folder / 'big.txt'}: too large (2,400 bytes, the limit is 1,000; see --max-bytes)",
        f"skipped: {folder / 'empty.txt'}: is empty",
        f"skipped: {folder / 'image.txt'}: not text: looks like a PNG image",
        f"failed: {folder / 'feed.jsonl'} line 2: has no 'text'",
        f"failed: {folder / 'gone.txt'}: broken link (to {folder / 'deleted.txt'})",
        f"1 added, 1 replaced, 1 unchanged, 3 skipped, 2 failed -> sqlite:///{url}"]
    assert json.loads(runner.invoke(cli, ["stats", "--json", "--store", url]).stdout)["articles"] == 3


def test_ingest_with_only_skipped_inputs_exits_0(runner, tmp_path):
    folder = write_texts(tmp_path / "in", {"empty.txt": "", "blank.html": "<html><body><nav>Меню</nav></body></html>"})
    result = runner.invoke(cli, ["ingest", str(folder), "--store", str(tmp_path / "s.db"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 replaced, 0 unchanged, 2 skipped, 0 failed" in result.stderr
    assert f"skipped: {folder / 'blank.html'}: no article text in the page" in result.stderr


@pytest.mark.parametrize("option", [["--max-bytes", "0"], ["--batch-size", "0"], ["--max-bytes", "5MB"]])
def test_ingest_usage_errors_exit_2(runner, tmp_path, option):
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--store", str(tmp_path / "s.db"), "--quiet"] + option)
    assert result.exit_code == 2 and option[0] in result.stderr
    assert runner.invoke(cli, ["ingest"]).exit_code == 2


def test_extract_skips_and_fails_like_ingest(runner, tmp_path, nlp):
    folder = write_texts(tmp_path / "in", {"a.txt": VOROBYEV, "empty.txt": ""})
    result = runner.invoke(cli, ["extract", str(folder)])
    assert result.exit_code == 0 and result.stderr == f"skipped: {folder / 'empty.txt'}: is empty\n"
    assert len(result.stdout.splitlines()) == 1
    (folder / "bad.json").write_text("{", encoding="utf-8")
    assert runner.invoke(cli, ["extract", str(folder)]).exit_code == 1


def test_search_and_entity(runner, ingested):
    result = runner.invoke(cli, ["search", "Заливацкого", "--store", ingested])
    assert result.exit_code == 0
    assert "Руслан Заливацкий" in result.stdout and "PERSON" in result.stdout
    assert runner.invoke(cli, ["search", "Заливацкого", "--type", "LOC", "--store", ingested]).exit_code != 0
    card = runner.invoke(cli, ["entity", "Заливацкого", "--store", ingested])
    assert card.exit_code == 0
    assert card.stdout.startswith("Руслан Заливацкий  [PERSON]")
    assert "mentions: 2 in 1 articles" in card.stdout
    missing = runner.invoke(cli, ["entity", "Никтоникакович", "--store", ingested])
    assert missing.exit_code != 0 and "Никтоникакович" in missing.output


def test_export_csv_folder(runner, ingested, tmp_path):
    stats = json.loads(runner.invoke(cli, ["stats", "--json", "--store", ingested]).stdout)
    out = tmp_path / "export-csv"
    result = runner.invoke(cli, ["export", "--format", "csv", "-o", str(out), "--store", ingested])
    assert result.exit_code == 0, result.output
    counts = {}
    for name in ("nodes.csv", "edges.csv", "articles.csv"):
        with open(out / name, encoding="utf-8", newline="") as f:
            counts[name] = len(list(csv.DictReader(f)))
        assert str(out / name) in result.stderr
    assert counts == {"nodes.csv": stats["entities_total"], "edges.csv": stats["relations_total"],
                      "articles.csv": stats["articles"]}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_file_formats(runner, ingested, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(cli, ["export", "--format", fmt, "-o", str(out), "--store", ingested])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0


@pytest.mark.parametrize("flag, article_nodes", [([], 3), (["--articles"], 3), (["--no-articles"], 0)])
def test_export_graphml_has_article_nodes_unless_told_not_to(runner, ingested, tmp_path, flag, article_nodes):
    import networkx as nx
    stats = json.loads(runner.invoke(cli, ["stats", "--json", "--store", ingested]).stdout)
    out = tmp_path / "graph.graphml"
    result = runner.invoke(cli, ["export", "--format", "graphml", "-o", str(out), "--store", ingested] + flag)
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    types = [d["type"] for _, d in g.nodes(data=True)]
    assert types.count("ARTICLE") == article_nodes
    assert len(types) - article_nodes == stats["entities_total"]
    mentioned = [d for _, _, d in g.edges(data=True) if d["type"] == "MENTIONED_IN"]
    assert sum(int(d["weight"]) for d in mentioned) == (stats["mentions"] if article_nodes else 0)


def test_export_json_refuses_the_articles_flag(runner, tmp_path):
    result = runner.invoke(cli, ["export", "--format", "json", "--articles", "-o", str(tmp_path / "g.json"),
                                 "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "json keeps articles in their own list" in result.stderr


def test_export_needs_a_known_format(runner, tmp_path):
    result = runner.invoke(cli, ["export", "--format", "xlsx", "-o", str(tmp_path / "x"),
                                 "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 2


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_a_full_disk_is_one_line(runner, ingested):
    result = runner.invoke(cli, ["export", "--format", "json", "-o", "/dev/full", "--store", ingested])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: cannot write /dev/full: No space left on device"]


@pytest.mark.parametrize("fmt, make, name, message", [
    ("json", "folder", "out", "{path} is a folder; give a file name"),
    ("csv", "file", "out", "{path} is a file; CSV export writes a folder of nodes.csv, edges.csv, articles.csv "
                           "or a .zip"),
    ("csv", None, "new.csv", "CSV export writes three tables (nodes.csv, edges.csv, articles.csv): give a folder "
                             "or a name ending in .zip, not new.csv"),
    ("graphml", "file", "g.graphml", "{path} exists; use --force to overwrite"),
    ("csv", "file", "t.zip", "{path} exists; use --force to overwrite"),
    ("csv", "table", "tables", "{path}/nodes.csv exists; use --force to overwrite"),
])
def test_export_refuses_an_output_it_must_not_write_in_one_line(runner, ingested, tmp_path, fmt, make, name, message):
    path = tmp_path / name
    if make == "folder":
        path.mkdir()
    elif make == "file":
        path.write_text("keep me", encoding="utf-8")
    elif make == "table":
        path.mkdir()
        (path / "nodes.csv").write_text("keep me", encoding="utf-8")
    result = runner.invoke(cli, ["export", "--format", fmt, "-o", str(path), "--store", ingested])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["Error: " + message.format(path=path)]
    if make is None:
        assert not path.exists()  # no folder named new.csv
    if make == "file":
        assert path.read_text(encoding="utf-8") == "keep me"


def test_export_overwrites_with_force_and_writes_csv_zip(runner, ingested, tmp_path):
    import zipfile
    path = tmp_path / "g.json"
    path.write_text("old", encoding="utf-8")
    result = runner.invoke(cli, ["export", "--format", "json", "-o", str(path), "--force", "--store", ingested])
    assert result.exit_code == 0 and json.loads(path.read_text(encoding="utf-8"))["articles"]
    zipped = tmp_path / "tables.zip"
    assert runner.invoke(cli, ["export", "--format", "csv", "-o", str(zipped), "--store", ingested]).exit_code == 0
    # a snapshot: the three tables, and what reads it back (mentions, evidence) and says what it is
    assert sorted(zipfile.ZipFile(zipped).namelist()) == ["articles.csv", "edges.csv", "evidence.csv",
                                                          "manifest.json", "mentions.csv", "nodes.csv"]


def test_export_that_fails_midway_leaves_the_old_file_whole(runner, ingested, tmp_path, monkeypatch):
    path = tmp_path / "g.json"
    path.write_text("the old export", encoding="utf-8")
    import graph.export
    real = graph.export.write_json

    def disk_full(parts, out):  # the export is written as it is read: the disk fills up on the way
        real(parts, out)
        out.flush()
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(graph.export, "write_json", disk_full)
    result = runner.invoke(cli, ["export", "--format", "json", "-o", str(path), "--force", "--store", ingested])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: cannot write {path}: No space left on device"]
    assert path.read_text(encoding="utf-8") == "the old export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("command", ["search", "entity"])
def test_a_search_too_long_for_any_name_is_one_line(runner, ingested, command):
    result = runner.invoke(cli, [command, "Заливацкий " * 5000, "--store", ingested])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: a search of 55,000 characters is refused: no name is longer "
                                          "than 1,000"]


@pytest.mark.parametrize("command, method", [
    (["stats"], "stats"), (["search", "Заливацкого"], "search"), (["entity", "Заливацкого"], "entity"),
    (["export", "--format", "json", "-o", "g.json"], "_dicts")])  # the whole graph is read a page at a time
def test_a_store_error_after_opening_is_one_line(runner, ingested, monkeypatch, command, method):
    from graph.embedded import EmbeddedStore
    from graph.store import StoreError

    def fail(self, *args, **kwargs):
        raise StoreError(f"{self.url}: reading failed: the disk is gone")

    monkeypatch.setattr(EmbeddedStore, method, fail)
    result = runner.invoke(cli, command + ["--store", ingested])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: sqlite:///{ingested}: reading failed: the disk is gone"]


def test_a_failed_ingest_batch_is_named_and_the_rest_kept(runner, tmp_path, news_dir, nlp, monkeypatch):
    from graph.embedded import EmbeddedStore
    from graph.store import StoreError
    real, calls = EmbeddedStore.write, []

    def second_batch_fails(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise StoreError(f"{self.url}: writing a batch of {len(batch)} articles failed, none of them was stored")
        return real(self, batch)

    monkeypatch.setattr(EmbeddedStore, "write", second_batch_fails)
    url = str(tmp_path / "s.db")
    result = runner.invoke(cli, ["ingest", str(news_dir), "--store", url, "--quiet", "--batch-size", "2"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: sqlite:///{url}: writing a batch of 1 articles failed, none of them was stored")
    assert "running the ingest again skips them" in line
    monkeypatch.setattr(EmbeddedStore, "write", real)
    again = runner.invoke(cli, ["ingest", str(news_dir), "--store", url, "--quiet"])
    assert "1 added, 0 replaced, 2 unchanged, 0 skipped, 0 failed" in again.stderr


# --- one node per real thing: the card's merge log, merge, split ----------------------------------

VARIANT = "Руслан Заливатский возглавил компанию «Северный луч» в Вологде."
INITIAL = "Р. Заливацкий, директор компании «Ока Фарма», рассказал о заводе в Калуге."
IGOR = "Игорь Заливацкий, директор компании «Ока Фарма», рассказал о заводе в Калуге."


@pytest.fixture
def namesakes(runner, tmp_path, nlp):
    """A store holding Руслан Заливацкий (twice, once as Р. Заливацкий), Руслан Заливатский and
    Игорь Заливацкий; returns (its --store value, the folder ingested)."""
    folder = write_texts(tmp_path / "namesakes", {"1-ruslan.txt": ZALIVATSKY, "2-variant.txt": VARIANT,
                                                  "3-initial.txt": INITIAL, "4-igor.txt": IGOR})
    url = str(tmp_path / "namesakes-store" / "graph.db")
    result = runner.invoke(cli, ["ingest", str(folder), "--store", url, "--quiet"])
    assert result.exit_code == 0 and "4 added" in result.stderr, result.output
    return url, folder


def test_entity_card_says_why_its_names_are_one_node(runner, namesakes):
    url, _ = namesakes
    card = runner.invoke(cli, ["entity", "PERSON:заливацкий|р", "--store", url])
    assert card.exit_code == 0, card.output
    lines = card.stdout.splitlines()
    assert lines[0] == "Руслан Заливацкий  [PERSON]  PERSON:заливацкий|р"
    assert "aliases: Заливацкий, Р. Заливацкий" in lines
    assert "mentions: 3 in 2 articles" in lines
    works = [line for line in lines if line.startswith("  -> WORKS_AT (директор) Ока Фарма [ORG] weight 1")]
    assert works and all(" confidence 0." in line or line.endswith("confidence 1.00") for line in works), works
    why = lines[lines.index("why these names are one node:") + 1:]
    assert all(w.startswith("  ") and "  (article " in w for w in why)  # ingest's rules, then the key's
    same_key = [w for w in why if ": same key PERSON:заливацкий|р across articles  (article " in w]
    assert {w.split(":")[0].strip() for w in same_key} == {"Руслан Заливацкий", "Р. Заливацкий"}
    assert len(same_key) == 2


def test_merge_and_split_by_name_survive_reingest(runner, namesakes):
    url, folder = namesakes
    merged = runner.invoke(cli, ["merge", "Руслана Заливацкого", "Руслан Заливатский", "--store", url])
    assert merged.exit_code == 0, merged.output
    assert merged.stdout == ("merged Руслан Заливатский (PERSON:заливатский|р) into Руслан Заливацкий "
                             "(PERSON:заливацкий|р): 4 mentions in 3 articles\n")
    split = runner.invoke(cli, ["split", "PERSON:заливацкий|р", "р. заливацкий", "--store", url])
    assert split.exit_code == 0, split.output
    assert split.stdout == ("split Р. Заливацкий (PERSON:заливацкий|р~р заливацкий, 1 mentions) off "
                            "Руслан Заливацкий (PERSON:заливацкий|р, 3 mentions left)\n")
    listed = runner.invoke(cli, ["decisions", "--store", url])
    assert listed.stdout.splitlines() == [
        "1. merge PERSON:заливатский|р (Руслан Заливатский) into PERSON:заливацкий|р (Руслан Заливацкий)",
        "2. split р. заливацкий off PERSON:заливацкий|р into PERSON:заливацкий|р~р заливацкий (Р. Заливацкий)"]

    (folder / "2-variant.txt").write_text(VARIANT.replace("Вологде", "Калуге"), encoding="utf-8")
    again = runner.invoke(cli, ["ingest", str(folder), "--store", url, "--quiet"])
    assert "0 added, 1 replaced, 3 unchanged" in again.stderr
    card = runner.invoke(cli, ["entity", "PERSON:заливацкий|р", "--store", url]).stdout
    assert "aliases: Заливацкий, Руслан Заливатский" in card and "Р. Заливацкий" not in card.split("why")[0]
    assert "  Руслан Заливатский: merged by hand (PERSON:заливатский|р)" in card
    assert "  р. заливацкий: split by hand into PERSON:заливацкий|р~р заливацкий" in card
    found = runner.invoke(cli, ["search", "Заливатский", "--store", url]).stdout.splitlines()
    assert [line.split()[-1] for line in found] == ["PERSON:заливацкий|р"]


@pytest.mark.parametrize("args, message", [
    (["merge", "Заливацкий", "Игорь Заливацкий"],
     "Error: 'Заливацкий' names 3 nodes, give one of their ids: "),
    (["merge", "Никтоникакович", "Игорь Заливацкий"], "Error: no node matches 'Никтоникакович'"),
    (["merge", "Игорь Заливацкий", "Игорь Заливацкий"], "Error: cannot merge PERSON:заливацкий|и into itself"),
    (["split", "Игорь Заливацкий", "Руслан"], "Error: cannot split PERSON:заливацкий|и: none of its mentions is "
                                              "'Руслан' (its mentions: Игорь Заливацкий)")])
def test_merge_and_split_refusals_are_one_line(runner, namesakes, args, message):
    url, _ = namesakes
    result = runner.invoke(cli, args + ["--store", url])
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(message), line
    if "names 3 nodes" in message:  # the search finds another spelling too
        for candidate in ("Руслан Заливацкий [PERSON] PERSON:заливацкий|р", "Игорь Заливацкий [PERSON] "
                          "PERSON:заливацкий|и", "Руслан Заливатский [PERSON] PERSON:заливатский|р"):
            assert candidate in line
    assert runner.invoke(cli, ["decisions", "--store", url]).stderr == "no decisions\n"
