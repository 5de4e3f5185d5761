"""Two more ways to choose what a snapshot or a diff holds, on the dated corpus
(conftest.dated_extractions): `--region NAME` (a place with the places, projects and
organisations in it, and their participants and people) and `investgraph diff --since DATE`
against the store (also as an HTML report)."""
from __future__ import annotations

import json

from click.testing import CliRunner
from lxml import html as lxml_html

from app.cli import cli
from graph.snapshot import Selection, select

from conftest import DATED_KEYS as K


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def names(g) -> set[str]:
    return {d["name"] for _, d in g.nodes(data=True)}


def test_region_brings_its_projects_with_their_participants_and_people(dated_embedded):
    g = select(dated_embedded.snapshot(), Selection(regions=(K["Калуга"],)))
    assert names(g) == {"Калуга", "Альфа", "Ока Фарма", "Бета Строй", "Иван Петров", "Сергей Орлов"}
    assert "Мария Кузнецова" not in names(g)  # works at «Гамма Томск», located nowhere
    # as of February only what January's article says is located there
    early = select(dated_embedded.snapshot(), Selection(regions=(K["Калуга"],), as_of="2024-02-01"))
    assert names(early) == {"Калуга", "Альфа", "Ока Фарма", "Иван Петров"}


def test_region_by_name_in_the_cli(dated_embedded, tmp_path):
    out = tmp_path / "kaluga.json"
    result = run("export", "--format", "json", "-o", str(out), "--store", dated_embedded.url, "--region", "Калуга")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["manifest"]["selection"] == {"regions": ["Калуга"]}
    assert "Сергей Орлов" in {n["name"] for n in data["nodes"]}
    wrong = run("export", "--format", "json", "-o", str(out), "--force", "--store", dated_embedded.url,
                "--region", "Альфа")
    assert wrong.exit_code == 1 and "names no LOC" in wrong.output


def test_diff_since_a_date_lists_what_later_articles_state(dated_embedded, tmp_path):
    report = tmp_path / "since-march.html"
    result = run("diff", "--since", "2024-03-01", "--store", dated_embedded.url, "--json", "--html", str(report))
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output[result.output.index("{"):])
    assert {e["name"] for e in changes["new_entities"]} == {"Бета Строй", "Сергей Орлов", "Мария Кузнецова",
                                                             "Гамма Томск"}
    new = {(r["type"], r["source_name"], r["target_name"], r["role"]) for r in changes["new_relations"]}
    assert ("INVOLVED_IN", "Бета Строй", "Альфа", "resident") in new
    assert ("INVOLVED_IN", "Ока Фарма", "Альфа", "investor") not in new  # known in January
    (role,) = changes["changed_roles"]
    assert (role["source_name"], role["before"], role["after"]) == ("Ока Фарма", ["investor"],
                                                                    ["investor", "operator"])
    assert all(c["date"] >= "2024-03-01" for r in changes["new_relations"] for c in r["evidence"])
    page = lxml_html.fromstring(report.read_text(encoding="utf-8"))
    assert not page.xpath("//script")  # a report, nothing to run
    text = page.text_content()
    assert "Бета Строй" in text and "Резидентом парка «Альфа» станет «Бета Строй»." in text
    assert "Новые связи (3)" in text and "Изменившиеся роли (1)" in text


def test_diff_needs_two_files_or_since(dated_embedded, tmp_path):
    assert run("diff", "--store", dated_embedded.url).exit_code == 2
    assert "give two snapshot files" in run("diff", "--store", dated_embedded.url).output
    later = run("diff", "--since", "2999-01-01", "--store", dated_embedded.url)
    assert later.exit_code == 2 and "after today" in later.output
