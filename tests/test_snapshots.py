"""Graph snapshots on the dated corpus (conftest.dated_extractions): selections (around, project,
types, relations, weight, confidence, since/until/as-of), the manifest and its content hash,
`investgraph snapshot info`, `investgraph diff`, and `investgraph import` back into each store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.export import export, export_bytes
from graph.snapshot import Selection, content_hash, manifest, read_manifest, select, selection_problem
from graph.snapshot_io import import_snapshot, read_snapshot

from conftest import DATED_KEYS as K

D1, D2, D3 = "https://news.example.ru/d1", "https://news.example.ru/d2", "https://news.example.ru/d3"


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    return result


def edges(g) -> set[tuple[str, str, str, str]]:
    """(type, source name, target name, role) of each relation."""
    return {(d["type"], g.nodes[u]["name"], g.nodes[v]["name"], d["role"]) for u, v, d in g.edges(data=True)}


def names(g) -> set[str]:
    return {d["name"] for _, d in g.nodes(data=True)}


def articles(g) -> list[str]:
    return [a["id"] for a in g.graph["articles"]]


# --- selections ------------------------------------------------------------------------------

def test_the_empty_selection_is_the_whole_graph(dated_embedded):
    g = dated_embedded.snapshot()
    assert select(g, Selection()) is g
    assert Selection(hops=2).is_whole() and Selection().as_given() == {}


def test_as_of_leaves_out_what_later_articles_state(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(as_of="2024-03-31"))
    assert articles(g) == [D1, D2]
    assert ("INVOLVED_IN", "Ока Фарма", "Альфа", "operator") not in edges(g)  # stated in June
    assert ("INVOLVED_IN", "Ока Фарма", "Альфа", "investor") in edges(g)
    assert names(g) == {"Иван Петров", "Ока Фарма", "Альфа", "Калуга", "Бета Строй", "Сергей Орлов"}
    alpha = g.nodes[K["Альфа"]]  # mentions (and counts) as known then
    assert {m["article"] for m in alpha["mentions"]} == {D1, D2} and alpha["mention_count"] == 3
    located = next(d for _, _, d in g.edges(data=True) if d["type"] == "LOCATED_IN")
    assert located["weight"] == 1 and located["evidence_count"] == 1  # the June restatement is not known yet
    # on the day itself the article counts
    assert "Мария Кузнецова" in names(select(dated_embedded.snapshot(), Selection(as_of="2024-06-20")))


def test_since_keeps_only_evidence_and_mentions_from_that_day_on(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(since="2024-03-01"))
    assert articles(g) == [D2, D3]
    assert ("WORKS_AT", "Иван Петров", "Ока Фарма", "директор") not in edges(g)
    assert "Иван Петров" not in names(g)  # mentioned only in January, no relation left
    assert "Ока Фарма" in names(g)  # mentioned in June
    g = select(dated_embedded.snapshot(), Selection(since="2024-02-01", until="2024-04-30"))
    assert articles(g) == [D2]
    assert edges(g) == {("INVOLVED_IN", "Бета Строй", "Альфа", "resident"),
                        ("WORKS_AT", "Сергей Орлов", "Бета Строй", "генеральный директор")}
    # until and as-of together: the earlier bound wins
    assert articles(select(dated_embedded.snapshot(), Selection(until="2024-12-31", as_of="2024-02-01"))) == [D1]


def test_weight_is_counted_within_the_dates(dated_embedded):
    g = dated_embedded.snapshot()
    assert edges(select(g, Selection(min_weight=2))) == {("LOCATED_IN", "Альфа", "Калуга", "")}
    assert edges(select(g, Selection(min_weight=2, as_of="2024-03-31"))) == set()


@pytest.mark.parametrize("hops, reached", [
    (1, {"Сергей Орлов", "Бета Строй"}),
    (2, {"Сергей Орлов", "Бета Строй", "Альфа"}),
    (3, {"Сергей Орлов", "Бета Строй", "Альфа", "Ока Фарма", "Калуга"}),
])
def test_around_reaches_as_far_as_hops(dated_embedded, hops, reached):
    g = select(dated_embedded.snapshot(), Selection(around=(K["Сергей Орлов"],), hops=hops))
    assert names(g) == reached
    assert all(g.nodes[u]["name"] in reached and g.nodes[v]["name"] in reached for u, v in g.edges())


def test_around_through_relations_of_the_dates_only(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(around=(K["Альфа"],), as_of="2024-02-01"))
    assert names(g) == {"Альфа", "Ока Фарма", "Калуга"}  # «Бета Строй» is a resident from March


def test_project_brings_its_participants_their_people_and_places(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(projects=(K["Альфа"],)))
    assert names(g) == {"Альфа", "Ока Фарма", "Бета Строй", "Иван Петров", "Сергей Орлов", "Калуга"}
    assert "Мария Кузнецова" not in names(g) and articles(g) == [D1, D2, D3]


def test_types_and_relations(dated_embedded):
    g = dated_embedded.snapshot()
    people = select(g, Selection(types=("PERSON", "ORG")))
    assert {d["type"] for _, d in people.nodes(data=True)} == {"PERSON", "ORG"}
    assert {t for t, *_ in edges(people)} == {"WORKS_AT"}
    works = select(g, Selection(relations=("WORKS_AT",)))
    assert {t for t, *_ in edges(works)} == {"WORKS_AT"}
    assert "Альфа" in names(works)  # still mentioned in the articles: entities stay while mentioned
    # the entity asked for stays, whatever --types says
    assert "Альфа" in names(select(g, Selection(around=(K["Альфа"],), types=("ORG",))))


def test_min_confidence_in_a_selection(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(min_confidence=0.5))
    assert ("INVOLVED_IN", "Ока Фарма", "Альфа", "operator") not in edges(g)  # 0.4
    assert ("INVOLVED_IN", "Ока Фарма", "Альфа", "investor") in edges(g)  # 0.9
    assert ("WORKS_AT", "Иван Петров", "Ока Фарма", "директор") in edges(g)  # rules: no confidence


@pytest.mark.parametrize("sel, message", [
    (Selection(types=("COMPANY",)), "unknown entity type COMPANY"),
    (Selection(relations=("OWNS",)), "unknown relation type OWNS"),
    (Selection(since="2024-13-01"), "since must be a date YYYY-MM-DD"),
    (Selection(since="2024-05-01", until="2024-04-01"), "the date range is empty"),
    (Selection(around=("x",), hops=4), "hops must be 1..3"),
])
def test_selection_problems(sel, message):
    assert message in selection_problem(sel)


def test_cli_selection_by_name(dated_embedded, tmp_path):
    out = tmp_path / "orlov.json"
    result = run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url,
                 "--around", "Сергея Орлова", "--hops", "2", "--as-of", "2024-03-31")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {n["name"] for n in data["nodes"]} == {"Сергей Орлов", "Бета Строй", "Альфа"}
    assert data["manifest"]["selection"] == {"around": ["Сергея Орлова"], "hops": 2, "as_of": "2024-03-31"}
    assert data["manifest"]["articles"] == [D1, D2]


@pytest.mark.parametrize("args, exit_code, message", [
    (["--around", "Никто Никакой"], 1, "Error: no node matches 'Никто Никакой'"),
    (["--project", "Сергей Орлов"], 1,
     "Error: 'Сергей Орлов' names no PROJECT, only the PERSON Сергей Орлов (PERSON:сергей орлов)"),
    (["--types", "COMPANY"], 2, "unknown entity type COMPANY"),
    (["--since", "2024-3-1"], 2, "'2024-3-1' is not a date YYYY-MM-DD"),
    (["--around", "Альфа", "--hops", "4"], 2, "--hops"),
])
def test_cli_selection_errors_are_one_line(dated_embedded, tmp_path, args, exit_code, message):
    out = tmp_path / "g.json"
    result = run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url, *args)
    assert result.exit_code == exit_code and message in result.output
    assert "Traceback" not in result.output and not out.exists()


# --- the manifest ----------------------------------------------------------------------------

def test_manifest_says_what_the_snapshot_is(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(as_of="2024-03-31"))
    m = manifest(g, {"as_of": "2024-03-31"}, dated_embedded.url)
    assert m["format"] == "investgraph-snapshot/1" and m["investgraph_version"] == "0.1.0"
    assert m["store"] == dated_embedded.url and m["selection"] == {"as_of": "2024-03-31"}
    assert m["created_at"].endswith("+00:00")
    assert m["counts"] == {"articles": 2, "entities": {"PERSON": 2, "ORG": 2, "LOC": 1, "PROJECT": 1},
                           "entities_total": 6,
                           "relations": {"WORKS_AT": 2, "INVOLVED_IN": 2, "LOCATED_IN": 1, "PART_OF": 0},
                           "relations_total": 5}
    assert m["articles"] == [D1, D2] and m["content_hash"].startswith("sha256:")


def test_manifest_redacts_a_password():
    import networkx as nx
    m = manifest(nx.MultiDiGraph(articles=[]), {}, "neo4j://neo4j:s3cret@db.example:7687")
    assert "s3cret" not in json.dumps(m) and m["store"] == "neo4j://neo4j:***@db.example:7687"


def test_content_hash_is_of_the_content_only(dated_embedded, tmp_path):
    whole = dated_embedded.snapshot()
    march = select(whole, Selection(as_of="2024-03-31"))
    assert content_hash(whole) == content_hash(dated_embedded.snapshot())
    assert content_hash(march) != content_hash(whole)
    # the same content by another road (since ≤ March instead of as-of): the same hash
    assert content_hash(select(whole, Selection(until="2024-03-31"))) == content_hash(march)
    hashes, created = set(), set()
    for n in range(2):
        out = tmp_path / f"g{n}.json"
        assert run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url).exit_code == 0
        m = read_manifest(out)
        hashes.add(m["content_hash"])
        created.add(m["created_at"])
    assert hashes == {content_hash(whole)}


@pytest.mark.parametrize("fmt, name", [("json", "g.json"), ("graphml", "g.graphml"), ("gexf", "g.gexf"),
                                       ("csv", "tables"), ("csv", "tables.zip")])
def test_every_format_carries_the_manifest_and_snapshot_info_prints_it(dated_embedded, tmp_path, fmt, name):
    out = tmp_path / name
    result = run("export", "--format", fmt, "-o", str(out), "--store", dated_embedded.url, "--as-of", "2024-03-31")
    assert result.exit_code == 0, result.output
    m = read_manifest(out)
    march = select(dated_embedded.snapshot(), Selection(as_of="2024-03-31"))
    assert m["content_hash"] == content_hash(march)  # whatever the format
    assert m["selection"] == {"as_of": "2024-03-31"} and m["articles"] == [D1, D2]
    info = run("snapshot", "info", str(out))
    assert info.exit_code == 0, info.output
    assert f"content hash  {m['content_hash']}" in info.output and "selection     as_of=2024-03-31" in info.output
    assert f"  article {D2}" in info.output and f"  article {D3}" not in info.output
    as_json = run("snapshot", "info", "--json", str(out))
    assert json.loads(as_json.output) == m


def test_snapshot_info_notices_an_edited_file(dated_embedded, tmp_path):
    out = tmp_path / "g.json"
    assert run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["nodes"][0]["name"] = "Кто-то другой"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("snapshot", "info", str(out))
    assert result.exit_code == 1 and "does not match the manifest's content hash" in result.output


def test_snapshot_info_of_a_file_without_manifest_is_one_line(dated_embedded, tmp_path):
    out = tmp_path / "old.json"
    out.write_bytes(export_bytes(dated_embedded.snapshot(), "json"))  # no manifest: as before snapshots
    result = run("snapshot", "info", str(out))
    assert result.exit_code == 1 and result.output.strip().endswith("no manifest in it (exported before snapshots "
                                                                    "had one?)")


# --- diff ------------------------------------------------------------------------------------

@pytest.fixture
def march_and_june(dated_embedded, tmp_path) -> tuple[Path, Path]:
    paths = []
    for day in ("2024-03-31", "2024-06-30"):
        out = tmp_path / f"{day}.json"
        result = run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url, "--as-of", day)
        assert result.exit_code == 0, result.output
        paths.append(out)
    return paths[0], paths[1]


def test_diff_lists_what_a_later_article_states_as_new(march_and_june):
    march, june = march_and_june
    result = run("diff", str(march), str(june), "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert [e["name"] for e in d["new_entities"]] == ["Гамма Томск", "Мария Кузнецова"]
    assert d["removed_entities"] == [] and d["removed_relations"] == []
    (new,) = d["new_relations"]
    assert (new["type"], new["source_name"], new["target_name"]) == ("WORKS_AT", "Мария Кузнецова", "Гамма Томск")
    (ev,) = new["evidence"]
    assert (ev["article"], ev["date"]) == (D3, "2024-06-20")
    assert ev["text"] == "Мария Кузнецова работает в «Гамма Томск»."
    (role,) = d["changed_roles"]
    assert (role["source_name"], role["target_name"], role["before"], role["after"]) == (
        "Ока Фарма", "Альфа", ["investor"], ["investor", "operator"])
    assert role["evidence"][0]["text"] == "Оператором парка «Альфа» стала «Ока Фарма»."


def test_diff_as_text(march_and_june):
    march, june = march_and_june
    lines = run("diff", str(march), str(june)).output.splitlines()
    assert "+ Мария Кузнецова -WORKS_AT-> Гамма Томск" in lines
    assert "~ Ока Фарма -INVOLVED_IN-> Альфа: role investor -> investor, operator" in lines
    assert "      «Мария Кузнецова работает в «Гамма Томск».»" in lines
    assert lines[-1] == "2 new entities, 0 removed; 1 new relations, 0 removed; 1 changed roles, 0 changed facts"
    back = run("diff", str(june), str(march)).output.splitlines()  # the other way round: removed
    assert "- Мария Кузнецова -WORKS_AT-> Гамма Томск" in back
    assert "~ Ока Фарма -INVOLVED_IN-> Альфа: role investor, operator -> investor" in back


def test_diff_of_a_snapshot_with_itself_is_empty(march_and_june):
    march, _ = march_and_june
    assert run("diff", str(march), str(march)).output.splitlines() == [
        "0 new entities, 0 removed; 0 new relations, 0 removed; 0 changed roles, 0 changed facts"]


# --- import ----------------------------------------------------------------------------------

def without_manifest_times(path: Path, fmt: str) -> object:
    """An exported file's content, with the manifest's created_at and store left out."""
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["manifest"] = {k: v for k, v in data["manifest"].items() if k not in ("created_at", "store")}
        return data
    tables = {p.name: p.read_text(encoding="utf-8") for p in sorted(path.iterdir())}
    m = json.loads(tables.pop("manifest.json"))
    return tables, {k: v for k, v in m.items() if k not in ("created_at", "store")}


@pytest.mark.parametrize("fmt, name", [("json", "g.json"), ("csv", "tables")])
def test_export_import_export_gives_the_same_file(dated_store, tmp_path, fmt, name):
    """On each store: export, import into the emptied store, export again: the same file, the
    manifest's time and store aside."""
    from conftest import clear_neo4j
    first, second = tmp_path / "first" / name, tmp_path / "second" / name
    assert run("export", "--format", fmt, "-o", str(first), "--store", dated_store.url).exit_code == 0
    if dated_store.url.startswith("sqlite"):
        target = str(tmp_path / "empty" / "graph.db")
    else:
        clear_neo4j(dated_store)
        target = dated_store.url
    assert run("stats", "--json", "--store", target).output.count('"articles": 0') == 1
    result = run("import", str(first), "--store", target)
    assert result.exit_code == 0, result.output
    assert "3 articles added, 0 already stored" in result.output
    assert run("export", "--format", fmt, "-o", str(second), "--store", target).exit_code == 0
    assert without_manifest_times(second, fmt) == without_manifest_times(first, fmt)
    again = run("import", str(first), "--store", target)  # idempotent
    assert "0 articles added, 3 already stored" in again.output
    assert read_manifest(second)["content_hash"] == read_manifest(first)["content_hash"]


def test_import_of_a_selection_round_trips_too(dated_embedded, embedded_store, tmp_path):
    from graph.open import open_store
    g = select(dated_embedded.snapshot(), Selection(projects=(K["Альфа"],), as_of="2024-03-31"))
    (path,) = export(g, "json", tmp_path / "alpha.json", manifest=manifest(g, {}, dated_embedded.url))
    target = open_store(str(tmp_path / "other.db"))
    try:
        report = import_snapshot(target, read_snapshot(path).graph)
        assert report.added == [D1, D2]
        assert content_hash(target.snapshot()) == content_hash(g)
        card = target.entity(K["Иван Петров"])  # the stand-in text keeps offsets: the card quotes the mention
        assert [m.sentence for m in card.mentions] == ["Иван Петров"]
        assert target.article(D1)["text"].startswith("Иван Петров работает директором «Ока Фарма».")
    finally:
        target.close()


def test_import_keeps_what_the_store_holds(dated_embedded, tmp_path):
    out = tmp_path / "g.json"
    assert run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url).exit_code == 0
    texts = {a: dated_embedded.article(a)["text"] for a in (D1, D2, D3)}
    before = content_hash(dated_embedded.snapshot())
    result = run("import", str(out), "--store", dated_embedded.url)
    assert "0 articles added, 3 already stored" in result.output
    assert {a: dated_embedded.article(a)["text"] for a in texts} == texts  # real texts stay
    assert content_hash(dated_embedded.snapshot()) == before


def test_import_respects_the_analysts_merge(store, tmp_path):
    """The target store merged «Бета Строй» into «Ока Фарма» by hand: an imported snapshot whose new
    article names «Бета Строй» lands in «Ока Фарма» too, and no «Бета Строй» node comes back."""
    from conftest import dated_extractions, mention
    from graph.model import Article, Entity, Extraction
    from graph.open import open_store
    jan, mar, _ = dated_extractions()
    store.write([jan, mar])
    store.merge(K["Ока Фарма"], K["Бета Строй"])
    text, d4 = "«Бета Строй» откроет склад.", "https://news.example.ru/d4"
    later = Extraction(Article(d4, text, title="Склад", url=d4, date="2024-07-01", source="hand"),
                       [Entity("B", "ORG", "Бета Строй", key=K["Бета Строй"], mentions=[mention(text, "Бета Строй")])])
    source = open_store(str(tmp_path / "source.db"))
    try:
        source.write([mar, later])
        snap = source.snapshot()
    finally:
        source.close()
    report = import_snapshot(store, snap)
    assert report.added == [d4] and report.kept == [D2]
    g = store.snapshot()
    assert K["Бета Строй"] not in g
    assert {m["article"] for m in g.nodes[K["Ока Фарма"]]["mentions"]} == {D1, D2, d4}
    assert [d.other for d in store.decisions()] == [K["Бета Строй"]]


def test_import_refuses_graphml_in_one_line(dated_embedded, tmp_path):
    out = tmp_path / "g.graphml"
    assert run("export", "--format", "graphml", "-o", str(out), "--store", dated_embedded.url).exit_code == 0
    result = run("import", str(out), "--store", str(tmp_path / "t.db"))
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {out}: only JSON and CSV snapshots can be read back (GraphML and "
                                     "GEXF carry no mentions or evidence)")


def test_import_of_a_csv_export_without_the_snapshot_tables_is_one_line(dated_embedded, tmp_path):
    export(dated_embedded.snapshot(), "csv", tmp_path / "old")  # no manifest: the three tables of before
    result = run("import", str(tmp_path / "old"), "--store", str(tmp_path / "t.db"))
    assert result.exit_code == 1 and "manifest.json is missing" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_project_s_own_label_is_not_the_owner_its_card_adds():
    from graph.text import own_label
    assert own_label("индустриальный парк «Северный луч»") == "Северный луч"
    assert own_label("завод (ООО «Северный луч»)") == "завод"  # a card's owner in brackets
    assert own_label("ТОР «Технополис «Москва»»") == "Технополис «Москва»"
