"""The workbench page by page with Streamlit's AppTest, on the example corpus in the embedded
store (ingested once per session by conftest.examples_db)."""
from __future__ import annotations

import html
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

APP = str(ROOT / "app" / "streamlit_app.py")
KRECHETOV = "Игорь Кречетов"
PARK = "индустриальный парк «Северный луч»"


@pytest.fixture
def app_env(examples_db, monkeypatch):
    monkeypatch.setenv("INVESTGRAPH_STORE", str(examples_db))
    return examples_db


def app(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [e.label for e in at.expander]
    return "\n".join(parts)


def node_id(g, name: str, type_: str | None = None) -> str:
    return next(n for n, d in g.nodes(data=True) if d["name"] == name and (not type_ or d["type"] == type_))


@pytest.fixture
def graph(embedded_examples):
    return embedded_examples.snapshot()


def test_sidebar_search_any_case_form_and_typos(app_env):
    at = app()
    assert "InvestGraph" in [t.value for t in at.sidebar.title]
    at.sidebar.text_input(key="query").input("Кречетова").run()
    labels = [b.label for b in at.sidebar.button]
    assert any(KRECHETOV in label and "PERSON" in label for label in labels), labels
    at.sidebar.text_input(key="query").input("Крчетов").run()  # a typo: the fuzzy fallback
    assert any(KRECHETOV in b.label for b in at.sidebar.button)
    assert "similar names" in "\n".join(c.value for c in at.sidebar.caption)
    at.sidebar.multiselect(key="types").set_value(["ORG"]).run()
    assert not any(KRECHETOV in b.label for b in at.sidebar.button)


def test_search_hit_opens_the_entity_page_with_roles_and_evidence(app_env, graph):
    at = app()
    at.sidebar.text_input(key="query").input("Кречетова").run()
    hit = next(b for b in at.sidebar.button if KRECHETOV in b.label)
    hit.click().run()
    page = texts(at)
    assert at.title and at.title[0].value.endswith(KRECHETOV), page
    assert "Roles held" in page and "губернатор" in page
    assert "<mark" in page and "Вологодск" in page  # mentions highlighted, relation target named
    assert "articles?article=" in page  # evidence links to its article


def participants(graph, project: str) -> set[tuple[str, str]]:
    """(participant name, role as the app labels it) of a project, from the store's graph."""
    from app.views.common import ROLE_LABELS
    return {(graph.nodes[u]["name"], ROLE_LABELS[d["role"] or "participant"])
            for u, _, d in graph.in_edges(project, data=True) if d["type"] == "INVOLVED_IN"}


def test_project_card_facts_are_human_readable(app_env, graph):
    park = next(n for n, d in graph.nodes(data=True) if d["name"] == PARK and d.get("facts"))
    at = app("entity", entity=park)
    page = texts(at)
    assert "Facts" in page
    # the park's own investment, with the words that state it; the 950 млн a resident «вложит в
    # производство клеёного бруса» (2026) belong to that plant, not to the park
    investment = graph.nodes[park]["facts"]["investment"]
    assert (investment["amount"], investment["currency"]) == (2.5e9, "RUB")
    (line,) = [m.value for m in at.markdown if m.value.startswith("**Инвестиции:**")]
    assert line.startswith("**Инвестиции:** 2,5 млрд ₽") and f"«{investment['evidence']['text']}»" in line, line
    assert "Participants" in page
    rows = [m.value for m in at.markdown if m.value.startswith("← участвует в")]
    expected = participants(graph, park)
    assert len(expected) >= 3 and len(rows) == len(expected), rows
    for name, role in expected:  # each participant with its role, and the sentence that says so
        row = next(r for r in rows if html.escape(name) in r and f"({role})" in r)
        assert "«" in row and "articles?article=" in row, row


def test_projects_table_has_participants_with_roles_and_downloads(app_env):
    at = app("projects")
    df = at.dataframe[0].value
    park = df[df["Project"] == PARK]
    assert not park.empty
    assert "резидент" in set(park["Role"]), park[["Participant", "Role"]]
    assert park["Place"].str.contains("Вологодская область").any()
    assert (park["Evidence"] > 0).all()
    assert {b.label for b in at.get("download_button")} >= {"CSV", "Excel"}
    at.multiselect(key="proj-role").set_value(["резидент"]).run()
    assert set(at.dataframe[0].value["Role"]) == {"резидент"}
    at.multiselect(key="proj-region").set_value(["Калужская область"]).run()
    kaluga = at.dataframe[0].value["Place"]
    assert len(kaluga) and kaluga.str.contains("Калужская область").all(), list(kaluga)


def test_connections_path_with_evidence(app_env, graph):
    at = app("connections", entity=node_id(graph, KRECHETOV))
    at.text_input(key="conn-b-q").input("Северный луч").run()
    at.selectbox(key="conn-b-pick").set_value(node_id(graph, PARK, "PROJECT")).run()
    assert not at.exception
    paths = [e.label for e in at.expander if e.label.startswith("Path")]
    assert paths and KRECHETOV in paths[0] and PARK in paths[0], paths
    page = texts(at)
    assert "губернатор" in page and "«" in page  # each hop with its sentence


def test_interlocks_ranked(app_env, graph):
    org = node_id(graph, "ООО «Тайга Металл»")
    at = app("connections", entity=org)
    df = at.dataframe[0].value
    assert len(df) > 0 and list(df["Shared connections"]) == sorted(df["Shared connections"], reverse=True)
    assert set(df["Type"]) == {"ORG"}


def test_articles_list_and_article_view(app_env, graph):
    at = app("articles")
    df = at.dataframe[0].value
    assert len(df) == 16
    article = next(a["id"] for a in graph.graph["articles"] if "Северный луч" in a["title"])
    at = app("articles", article=article)
    page = texts(at)
    assert "<mark" in page and "title='PROJECT'" in page  # entities highlighted by type
    assert "Relations" in page and "entity?entity=" in page


def test_graph_explorer_neighbourhood(app_env, graph):
    at = app("explorer", entity=node_id(graph, KRECHETOV))
    caption = next(c.value for c in at.caption if "nodes" in c.value)
    assert int(caption.split()[0]) > 2, caption
    at.sidebar.slider(key="explorer-hops").set_value(1).run()
    assert next(c.value for c in at.caption if "nodes" in c.value).startswith("2 nodes")
    at.sidebar.multiselect(key="explorer-rels").set_value(["INVOLVED_IN"]).run()
    assert next(c.value for c in at.caption if "nodes" in c.value).startswith("1 nodes")


def test_export_page(app_env):
    at = app("export")
    assert "The whole graph: " in texts(at)
    assert any(b.label.startswith("Download investgraph.") for b in at.get("download_button"))


def test_ingest_pasted_text_shows_new_entities(examples_db, tmp_path, monkeypatch, nlp):
    db = tmp_path / "copy.db"
    shutil.copy(examples_db, db)
    monkeypatch.setenv("INVESTGRAPH_STORE", str(db))
    at = app("ingest")
    at.text_input(key="ingest-title").input("Новый завод")
    at.text_area(key="ingest-text").input("Компания «Ока Фарма» построит завод в Калуге. "
                                          "Директор Ирина Соколова рассказала о планах.")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 added" in s.value for s in at.success), [s.value for s in at.success]
    assert "Соколова" in texts(at)
    at.sidebar.text_input(key="query").input("Соколовой").run()  # the sidebar sees the new graph
    assert any("Ирина Соколова" in b.label for b in at.sidebar.button)
    at.text_area(key="ingest-text").input("Губернатор Игорь Кречетов открыл технопарк в Вологде.")
    at.button[0].click().run()  # another pasted text is another article, not a new version of the first
    assert any(s.value.startswith("1 added, 0 replaced") for s in at.success), [s.value for s in at.success]


@pytest.mark.parametrize("url", ["neo4j://neo4j:url-secret-pw@127.0.0.1:1", "bolt://127.0.0.1:1"])
def test_password_never_on_a_page(url, monkeypatch):
    monkeypatch.setenv("INVESTGRAPH_STORE", url)
    monkeypatch.setenv("NEO4J_PASSWORD", "env-secret-pw")
    at = AppTest.from_file(APP, default_timeout=60).run()
    shown = "\n".join([e.value for e in at.error] + texts(at).split("\n"))
    assert "cannot be opened" in shown and "127.0.0.1" in shown
    assert "url-secret-pw" not in shown and "env-secret-pw" not in shown


def test_store_url_in_sidebar_has_no_password(app_env):
    from app.views.common import shown_url

    class Fake:
        url = "neo4j://neo4j:pw-in-url@db.example:7687"
    assert "pw-in-url" not in shown_url(Fake())
    at = app()
    assert any("Store:" in c.value and str(app_env) in c.value for c in at.sidebar.caption)


@pytest.mark.neo4j
def test_neo4j_store_page_shows_no_password(neo4j_examples, monkeypatch):
    import os
    monkeypatch.setenv("INVESTGRAPH_STORE", os.environ["INVESTGRAPH_NEO4J_URL"])
    at = app("projects")
    page = texts(at) + "\n".join(c.value for c in at.sidebar.caption)
    assert os.environ["NEO4J_PASSWORD"] not in page
    assert "neo4j://" in page and not at.error
    assert PARK in set(at.dataframe[0].value["Project"])


def test_ingest_upload_batch_with_bad_files(examples_db, tmp_path, monkeypatch, nlp):
    """A batch with broken files: each error names its file and the problem, the good files go
    in, and uploading the same batch again duplicates nothing."""
    from conftest import KALUGA, ZALIVATSKY
    from graph.open import open_store
    db = tmp_path / "copy.db"
    shutil.copy(examples_db, db)
    monkeypatch.setenv("INVESTGRAPH_STORE", str(db))
    before = open_store(str(db)).stats()["articles"]
    batch = [("zalivatsky.txt", ZALIVATSKY.encode("utf-8"), "text/plain"),
             ("broken.json", b'{"text": "\xd0\x9e\xd0\xba\xd0\xb0", ', "application/json"),
             ("kaluga-cp1251.txt", KALUGA.encode("cp1251"), "text/plain"),
             ("empty.csv", b"", "text/csv"),
             ("no-text.jsonl", '{"title": "без текста"}\n{"text": '.encode("utf-8"), "application/jsonl")]
    at = app("ingest")
    at.file_uploader(key="ingest-files").set_value(batch)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(e.startswith("broken.json: cannot parse as json") for e in errors), errors
    assert any(e.startswith("no-text.jsonl line 2: invalid JSON") for e in errors), errors
    assert any(e.startswith("no-text.jsonl line 1: has no 'text'") for e in errors), errors
    assert len(errors) == 3, errors
    assert [w.value for w in at.warning] == ["skipped: empty.csv: is empty"]
    assert any(s.value.startswith("2 added, 0 replaced, 0 unchanged, 1 skipped, 3 failed") for s in at.success), \
        [s.value for s in at.success]
    assert at.get("progress")[-1].proto.text == "Done"
    page = texts(at)
    assert "Руслан Заливацкий" in page and "Ирина Соколова" in page  # the new entities, from both good files
    stored = open_store(str(db)).articles()
    assert len(stored) == before + 2
    assert {"upload/zalivatsky.txt", "upload/kaluga-cp1251.txt"} <= {a["source"] for a in stored}

    at.file_uploader(key="ingest-files").set_value(batch)  # the same batch again
    at.button[0].click().run()
    assert any(s.value.startswith("0 added, 0 replaced, 2 unchanged, 1 skipped, 3 failed") for s in at.success), \
        [s.value for s in at.success]
    assert open_store(str(db)).stats()["articles"] == before + 2


def test_entity_page_answers_from_the_store_without_the_whole_graph(app_env, graph, monkeypatch):
    """A deep link to an entity on a fresh server: the card, its relations and the sentences
    behind them come from the store in the first answer, and nothing loads the whole graph."""
    import streamlit as st

    from app.views import common
    st.cache_resource.clear()  # a fresh server: nothing loaded

    def no_snapshot(self):
        raise AssertionError("a page read the whole graph")

    monkeypatch.setattr(common.WholeGraph, "_load", no_snapshot)
    person = node_id(graph, KRECHETOV)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["entity"] = person
    at.switch_page("views/entity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    rows = [m.value for m in at.markdown if "работает в" in m.value]
    assert rows and all("«" in r and "articles?article=" in r for r in rows), rows


def test_connections_deep_link_between_two_entities(app_env, graph, embedded_examples):
    from graph import analytics
    at = app("connections", entity=node_id(graph, KRECHETOV), to=node_id(graph, PARK, "PROJECT"))
    paths = [e.label for e in at.expander if e.label.startswith("Path")]
    assert paths and all(KRECHETOV in p and PARK in p for p in paths), paths
    threshold = analytics.hub_threshold(embedded_examples.stats())  # the store's own, as the page computes it
    assert f"Not through hubs (≥ {threshold} neighbours)" in [c.label for c in at.checkbox]


def test_explorer_says_when_it_shows_only_part(app_env, graph):
    at = app("explorer", entity=node_id(graph, "ООО «Тайга Металл»"))
    at.sidebar.slider(key="explorer-hops").set_value(3).run()
    full = int(next(c.value for c in at.caption if "nodes" in c.value).split()[0])
    assert full > 15 and not at.warning, full  # all of it shown
    at.sidebar.number_input(key="explorer-max").set_value(10).run()
    assert next(c.value for c in at.caption if "nodes" in c.value).startswith("10 nodes")
    assert "Only the nearest 10 nodes are shown" in at.warning[0].value


def test_explorer_says_when_it_reads_a_node_only_through_its_heaviest_relations(app_env, graph):
    org = node_id(graph, "ООО «Тайга Металл»")
    relations = graph.degree(org)  # as the examples are extracted today
    assert 10 < relations < 50
    at = app("explorer", entity=org)
    at.sidebar.slider(key="explorer-hops").set_value(1).run()
    assert not at.info  # its relations are fewer than the 50 read by default
    whole = int(next(c.value for c in at.caption if "nodes" in c.value).split()[0])
    at.sidebar.number_input(key="explorer-per-node").set_value(10).run()
    assert f"«ООО «Тайга Металл»»: showing 10 of its {relations} relations, the heaviest" in at.info[0].value
    shown = int(next(c.value for c in at.caption if "nodes" in c.value).split()[0])
    assert shown < whole


def test_projects_text_filter(app_env):
    at = app("projects")
    at.text_input(key="proj-text").input("тайга металл").run()
    df = at.dataframe[0].value
    assert len(df) > 0 and df.apply(lambda r: "тайга металл" in " ".join(map(str, r.values)).lower(), axis=1).all()
    assert (df["Participant"] == "ООО «Тайга Металл»").any()


# --- the minimum confidence (sidebar) ---------------------------------------------------------

@pytest.fixture
def scored_env(tmp_path, monkeypatch):
    """A store holding conftest.scored_extraction(): «Ока Фарма» WORKS_AT from Иван Петров (a rule's,
    no confidence), INVOLVED_IN парк «Альфа» at 0.30; «Альфа» LOCATED_IN Калуга at 0.80."""
    from graph.open import open_store

    from conftest import scored_extraction
    path = tmp_path / "scored" / "graph.db"
    s = open_store(str(path))
    s.write([scored_extraction()])
    s.close()
    monkeypatch.setenv("INVESTGRAPH_STORE", str(path))
    return path


def relation_rows(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(("→", "←"))]


def test_minimum_confidence_hides_a_low_confidence_relation_on_the_entity_page(scored_env):
    from conftest import SCORED_KEYS
    at = app("entity", entity=SCORED_KEYS["ORG"])
    rows = relation_rows(at)
    assert len(rows) == 2, rows
    (involved,) = [r for r in rows if ">Альфа</a>" in r]
    assert "0.30" in involved  # the confidence next to the relation
    (works,) = [r for r in rows if ">Иван Петров</a>" in r]
    assert "confidence" not in works  # a rule's relation shows none
    at.sidebar.slider(key="min_confidence").set_value(0.5).run()
    assert not at.exception
    rows = relation_rows(at)
    assert len(rows) == 1 and ">Иван Петров</a>" in rows[0], rows  # the rule's relation always shows
    assert any("1 relation(s) below the minimum confidence 0.50 hidden" in c.value for c in at.caption)


def test_minimum_confidence_filters_the_projects_table_and_the_explorer(scored_env):
    from conftest import SCORED_KEYS
    at = app("projects")
    df = at.dataframe[0].value
    assert list(zip(df["Participant"], df["Confidence"], df["Place"])) == [("Ока Фарма", 0.3, "Калуга")]
    at.sidebar.slider(key="min_confidence").set_value(0.5).run()
    df = at.dataframe[0].value
    # the participant is hidden, the project stays, with its place (0.80)
    assert list(zip(df["Project"], df["Participant"], df["Place"])) == [("Альфа", "", "Калуга")]
    at.sidebar.slider(key="min_confidence").set_value(0.85).run()
    assert list(at.dataframe[0].value["Place"]) == [""]

    at = app("explorer", entity=SCORED_KEYS["ORG"])
    assert next(c.value for c in at.caption if "nodes" in c.value).startswith("4 nodes · 3 edges")
    at.sidebar.slider(key="min_confidence").set_value(0.5).run()
    assert next(c.value for c in at.caption if "nodes" in c.value).startswith("2 nodes · 1 edges")


def test_minimum_confidence_cuts_paths_and_an_articles_relations(scored_env):
    from conftest import SCORED_KEYS
    at = app("connections", entity=SCORED_KEYS["PERSON"], to=SCORED_KEYS["LOC"])
    paths = [e.label for e in at.expander if e.label.startswith("Path")]
    assert paths == ["Path 1 · 3 hop(s): Иван Петров — Ока Фарма — Альфа — Калуга"], paths
    assert "· 0.30" in texts(at) and "· 0.80" in texts(at)
    at.sidebar.slider(key="min_confidence").set_value(0.5).run()
    assert not [e for e in at.expander if e.label.startswith("Path")]
    assert "through relations of confidence 0.50 or more" in at.info[0].value

    at = app("articles", article="https://news.example.ru/scored")
    arrows = lambda: sum(m.value.count("→") for m in at.markdown if "<b>" in m.value)  # noqa: E731
    assert arrows() == 6  # three relations
    at.sidebar.slider(key="min_confidence").set_value(0.5).run()
    assert arrows() == 4
    assert any("1 relation(s) below the minimum confidence hidden" in c.value for c in at.caption)
