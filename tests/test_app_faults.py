"""The workbench under faults: a search the store refuses, a store that stops answering, a page
that fails. Each is one plain line on the page, the rest of the page works, no traceback reaches
the browser, and the server log has the cause without the password."""
from __future__ import annotations

import logging

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from test_app import APP, KRECHETOV, app_env  # noqa: F401 - app_env is a fixture

SECRET = "fault-secret-pw"
GONE = "neo4j://neo4j@127.0.0.1:7687: the server does not answer (ServiceUnavailable: connection refused)"


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    return SECRET


def run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]  # no traceback in the browser
    return at


def sidebar_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.sidebar.button]


def test_a_search_of_60000_characters_is_one_warning_and_the_session_goes_on(app_env):
    at = run()
    at.sidebar.text_input(key="query").input("Кречетов " * 7000).run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1 and warnings[0].startswith("The search failed: a search of 62,999 characters is "
                                                         "refused"), warnings
    assert at.dataframe and not at.error  # the projects page is there
    at.sidebar.text_input(key="query").input("Кречетова").run()  # the next search works
    assert any(KRECHETOV in label for label in sidebar_buttons(at)) and not at.sidebar.warning


def test_a_store_gone_mid_session_is_one_line_not_a_traceback(app_env, monkeypatch, secret, caplog):
    from graph.embedded import EmbeddedStore
    from graph.store import StoreError
    at = run()
    assert at.dataframe

    def gone(*args, **kwargs):
        raise StoreError(GONE)

    monkeypatch.setattr(EmbeddedStore, "stats", gone)
    monkeypatch.setattr(EmbeddedStore, "revision", gone)  # a run asks for the graph's revision first
    with caplog.at_level(logging.WARNING, logger="investgraph.app"):
        run(at)
    assert [e.value for e in at.error] == [f"The graph store does not answer: {GONE}"]
    assert not at.dataframe
    assert GONE in caplog.text and SECRET not in caplog.text


def test_a_search_the_store_cannot_answer_leaves_the_page_working(app_env, monkeypatch):
    from graph.embedded import EmbeddedStore
    from graph.store import StoreError
    at = run()

    def gone(*args, **kwargs):
        raise StoreError(GONE)

    monkeypatch.setattr(EmbeddedStore, "search", gone)
    at.sidebar.text_input(key="query").input("Заливацкий без ответа").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.sidebar.error] == [f"The search failed: {GONE}"]
    assert at.dataframe  # the projects table still shows


def test_a_failing_page_is_one_line_and_the_sidebar_still_searches(app_env, monkeypatch, secret, caplog):
    from graph.embedded import EmbeddedStore

    def broken(*args, **kwargs):
        raise RuntimeError(f"bolt://neo4j:{SECRET}@db: something broke deep inside")

    monkeypatch.setattr(EmbeddedStore, "projects", broken)
    st.cache_resource.clear()  # the projects table of an earlier test is cached
    with caplog.at_level(logging.ERROR, logger="investgraph.app"):
        at = run()
    errors = [e.value for e in at.error]
    assert errors == ["The Projects page failed: RuntimeError: bolt://neo4j:***@db: something broke deep inside"]
    assert "Traceback" in caplog.text and "something broke" in caplog.text and SECRET not in caplog.text
    at.sidebar.text_input(key="query").input("Кречетова").run()
    assert any(KRECHETOV in label for label in sidebar_buttons(at))
