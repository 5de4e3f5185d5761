"""Ingest from the app: upload files (.txt .html .json .jsonl .csv) or paste a text; a progress
bar while they are read, extracted and stored; then the entities that came in. A file that
cannot be read is named with its problem; the others go on."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app.views.common import TYPE_ICONS, entity_link, store

SUFFIXES = ["txt", "html", "htm", "json", "jsonl", "csv"]


def run_ingest(paths: list[Path]) -> None:
    from ingest.readers import read_articles  # ingest (and natasha) load only when used
    from ingest.run import ingest_articles

    s = store()
    items = list(read_articles(paths))
    bar = st.progress(0.0, text="Reading…")
    done = [0]
    total = max(1, sum(1 for i in items if not hasattr(i, "problem")))

    def progress(name: str) -> None:
        done[0] += 1
        bar.progress(min(1.0, done[0] / total), text=f"{done[0]}/{total} · {Path(name).name}")

    with st.spinner("Extracting and storing…"):
        report = ingest_articles(s, items, progress=progress)
    bar.progress(1.0, text="Done")
    st.session_state["graph_generation"] = st.session_state.get("graph_generation", 0) + 1
    st.session_state["ingest_report"] = {
        "added": report.added, "replaced": report.replaced, "unchanged": report.unchanged,
        "errors": [f"{Path(e.source).name}: {e.problem}" for e in report.errors],
        "entities": sorted(report.entity_keys)}


def show_report(report: dict) -> None:
    st.success(f"{report['added']} added, {report['replaced']} replaced, {report['unchanged']} unchanged, "
               f"{len(report['errors'])} errors")
    for err in report["errors"]:
        st.error(err)
    if report["entities"]:
        s = store()
        st.subheader(f"Entities in these articles ({len(report['entities'])})")
        lines = []
        for key in report["entities"][:300]:
            card = s.entity(key)
            if card is not None:
                lines.append(f"{entity_link(card.id, card.name, card.type)} <small>{card.type} · "
                             f"{card.mention_count} mentions</small>")
        st.markdown("<br>".join(lines), unsafe_allow_html=True)


def main() -> None:
    st.title("Ingest")
    st.caption("Russian news as .txt, .html, .json, .jsonl or .csv (UTF-8 or cp1251), or a pasted text. "
               "Articles already stored with the same text are skipped.")
    with st.form("ingest-form", clear_on_submit=True):
        files = st.file_uploader("Files", type=SUFFIXES, accept_multiple_files=True, key="ingest-files")
        title = st.text_input("Title of the pasted text", key="ingest-title")
        text = st.text_area("…or paste a text", height=180, key="ingest-text")
        submitted = st.form_submit_button("Ingest")
    if submitted:
        with tempfile.TemporaryDirectory(prefix="investgraph-upload-") as tmp:
            paths = []
            for f in files or []:
                path = Path(tmp) / Path(f.name).name
                path.write_bytes(f.getvalue())
                paths.append(path)
            if text.strip():
                path = Path(tmp) / "pasted.txt"
                path.write_text((title.strip() + "\n\n" if title.strip() else "") + text.strip(), encoding="utf-8")
                paths.append(path)
            if not paths:
                st.warning("Choose files or paste a text first.")
            else:
                run_ingest(paths)
    if report := st.session_state.get("ingest_report"):
        show_report(report)


main()
