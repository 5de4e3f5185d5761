"""The app's Export page (every format, the CLI's selection, the CLI's code) and its «What changed»
page (new projects, participants and posts of a period with their evidence; a project's timeline),
with Streamlit's AppTest on the dated corpus (conftest.dated_extractions)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from app.cli import cli
from conftest import ROOT, export_content
from graph.export import EXPORT_FORMATS

APP = str(ROOT / "app" / "streamlit_app.py")


@pytest.fixture
def dated_env(tmp_path, monkeypatch):
    from graph.open import open_store

    from conftest import dated_extractions
    path = tmp_path / "dated" / "graph.db"
    s = open_store(str(path))
    s.write(dated_extractions())
    s.close()
    monkeypatch.setenv("INVESTGRAPH_STORE", str(path))
    return path


def page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [h.value for h in at.header] + [e.label for e in at.expander]
    return "\n".join(parts)


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_export_page_offers_every_format_and_the_selection(dated_env):
    at = page("export")
    assert len(at.radio(key="export-fmt").options) == len(EXPORT_FORMATS)
    assert "Selection: the whole graph" in texts(at)
    assert labels(at) == ["Download investgraph.graphml", "Download its manifest.json"]
    for fmt, name in (("cypher", "investgraph.cypher"), ("neo4j-admin", "investgraph-neo4j-admin.zip"),
                      ("csv", "investgraph-csv.zip"), ("ftm", "investgraph.ftm.json"), ("png", "investgraph.png")):
        at.radio(key="export-fmt").set_value(fmt).run()
        assert not at.exception
        assert labels(at)[0] == f"Download {name}"


def test_export_page_says_a_name_that_names_nothing(dated_env):
    at = page("export")
    at.text_area(key="export-projects").input("Нет такого парка").run()
    assert any("names no PROJECT" in e.value for e in at.error), [e.value for e in at.error]
    assert not labels(at)


def test_export_page_refuses_a_whole_graph_page_too_big_and_offers_a_selection(dated_env, monkeypatch):
    from graph.formats import html
    monkeypatch.setattr(html, "MAX_NODES", 3)
    at = page("export")
    at.radio(key="export-fmt").set_value("html").run()
    assert any("an HTML page shows at most 3 entities" in e.value for e in at.error), [e.value for e in at.error]
    assert not labels(at)
    at.text_area(key="export-around").input("Иван Петров").run()
    assert not at.error and labels(at)[0] == "Download investgraph.html"


def test_export_page_refuses_a_selected_page_too_big_before_the_download(dated_env, monkeypatch):
    from graph.formats import html
    monkeypatch.setattr(html, "MAX_NODES", 1)
    at = page("export")
    at.radio(key="export-fmt").set_value("html")
    at.text_area(key="export-around").input("Иван Петров").run()
    assert any("an HTML page shows at most 1 entities" in e.value for e in at.error), [e.value for e in at.error]
    assert not labels(at)


def test_export_page_says_a_bad_range(dated_env):
    at = page("export")
    at.date_input(key="export-since").set_value(date(2024, 6, 1))
    at.date_input(key="export-until").set_value(date(2024, 1, 1)).run()
    assert any("the date range is empty" in e.value for e in at.error)


def test_export_page_writes_what_the_cli_writes(dated_env, tmp_path):
    """A selection on the page and the same options of `investgraph export` give the same file
    (created_at and store aside), with the manifest the download offers beside it."""
    at = page("export")
    at.radio(key="export-fmt").set_value("json")
    at.text_area(key="export-projects").input("Альфа")
    at.date_input(key="export-as-of").set_value(date(2024, 3, 31)).run()
    assert "Selection: projects=['Альфа'], as_of=2024-03-31" in texts(at)
    made = at.session_state["export-prepared"]
    data, manifest = made.get()
    out = tmp_path / "cli.json"
    done = CliRunner().invoke(cli, ["export", "--format", "json", "-o", str(out), "--project", "Альфа",
                                    "--as-of", "2024-03-31"])
    assert done.exit_code == 0, done.output
    assert export_content(data) == export_content(out.read_bytes())
    assert json.loads(made.manifest()) == manifest == json.loads(data)["manifest"]
    assert manifest["selection"] == {"projects": ["Альфа"], "as_of": "2024-03-31"}
    assert {n["name"] for n in json.loads(data)["nodes"]} >= {"Альфа", "Бета Строй", "Сергей Орлов"}
    assert "Мария Кузнецова" not in {n["name"] for n in json.loads(data)["nodes"]}  # stated in June


def test_export_page_whole_graph_is_the_cli_whole_graph(dated_env, tmp_path):
    at = page("export")
    at.radio(key="export-fmt").set_value("graphml").run()
    data, manifest = at.session_state["export-prepared"].get()
    out = tmp_path / "cli.graphml"
    assert CliRunner().invoke(cli, ["export", "--format", "graphml", "-o", str(out)]).exit_code == 0
    from graph.snapshot import read_manifest
    theirs = read_manifest(out)
    assert theirs["content_hash"] == manifest["content_hash"]
    assert data.replace(manifest["created_at"].encode(), b"") == \
        out.read_bytes().replace(theirs["created_at"].encode(), b"")


def since(at: AppTest, day: date) -> AppTest:
    at.radio(key="changes-period").set_value("Since a date").run()
    at.date_input(key="changes-since").set_value(day).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_what_changed_lists_new_participants_and_posts_with_evidence(dated_env):
    at = since(page("changes"), date(2024, 3, 1))
    shown = texts(at)
    assert "New participants (1)" in shown and "New posts (2)" in shown and "New projects (0)" in shown
    markdown = "\n".join(m.value for m in at.markdown)
    assert "Бета Строй" in markdown and "resident" in markdown
    assert "Сергей Орлов" in markdown and "генеральный директор" in markdown
    assert "2024-03-05" in markdown and "Резидентом парка «Альфа» станет «Бета Строй»." in markdown
    assert "Changed roles (1)" in shown  # «Ока Фарма» became the operator in June
    assert "Мария Кузнецова" in markdown


def test_what_changed_from_the_first_article_has_the_new_project(dated_env):
    at = since(page("changes"), date(2024, 1, 1))
    assert "New projects (1)" in texts(at)
    assert "Парк «Альфа» строят в Калуге." in "\n".join(m.value for m in at.markdown)


def test_this_week_of_an_old_corpus_is_empty(dated_env):
    at = page("changes")
    assert "New projects (0)" in texts(at) and "No new project in this period." in texts(at)


def test_project_timeline_in_date_order_with_facts_and_relations(dated_env):
    at = page("changes")
    at.text_input(key="changes-project").input("Альфа").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "3 articles, earliest first." in texts(at)
    moments = [m.value for m in at.markdown if "<ul class='timeline'>" in m.value]
    assert [m[m.index("<code>") + 6:m.index("</code>")] for m in moments] == ["2024-01-10", "2024-03-05",
                                                                              "2024-06-20"]
    assert "resident" in moments[1] and "Бета Строй" in moments[1]
    assert "operator" in moments[2]
