"""The InvestGraph workbench (Streamlit): who is involved in which project and in what role,
what connects two entities, what else a person or company is tied to — each answer with the
sentences that state it.

Run with `investgraph app`; the store comes from INVESTGRAPH_STORE (else NEO4J_URI, else the
embedded default). Pages live in app/views/ (one script each); the sidebar search is on all.

Nothing that fails reaches the browser as a traceback: a store that does not answer stops the
run with one line; a sidebar or a page that fails says so in one line (common.problem, which logs
the cause server-side without secrets) and the other goes on. `investgraph app` also starts
Streamlit with client.showErrorDetails=none, for whatever might slip past.
"""
from __future__ import annotations

import streamlit as st

from app.views.common import PAGES, begin_run, problem, sidebar

st.set_page_config(page_title="InvestGraph", page_icon=":material/hub:", layout="wide")

TITLES = {"projects": ("Projects", ":material/factory:"), "entity": ("Entity", ":material/badge:"),
          "explorer": ("Graph explorer", ":material/hub:"), "connections": ("Connections", ":material/route:"),
          "articles": ("Articles", ":material/newspaper:"), "ingest": ("Ingest", ":material/upload_file:"),
          "changes": ("What changed", ":material/update:"), "export": ("Export", ":material/download:")}
pages = [st.Page(PAGES[key], title=title, icon=icon, default=key == "projects")
         for key, (title, icon) in TITLES.items()]
page = st.navigation(pages)
begin_run()
try:
    sidebar()
except Exception as err:  # noqa: BLE001 - one line in the sidebar, and the page still runs
    problem(err, "The sidebar failed", st.sidebar)
try:
    page.run()
except Exception as err:  # noqa: BLE001 - one line on the page, never a traceback
    problem(err, f"The {page.title} page failed")
