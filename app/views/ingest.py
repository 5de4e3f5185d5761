"""Ingest from the app: upload files (.txt .html .json .jsonl .csv) or paste a text; a progress
bar while they are read, extracted and stored; then the entities that came in. A file that
cannot be read is named with its problem; the others go on."""
from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from app.views.common import entity_link, store

SUFFIXES = ["txt", "html", "htm", "json", "jsonl", "csv"]


UPLOAD = "upload"  # the source an uploaded file's articles are stored with: upload/NAME


def relabel(item, folder: Path):
    """An Article or ReadError read from the upload folder, with its source named as the user
    knows it (upload/NAME, never the temporary path)."""
    source = str(item.source)
    for prefix in dict.fromkeys((str(folder), str(folder.resolve()))):  # articles carry the resolved path
        if source.startswith(prefix):
            rest = Path(source[len(prefix):].lstrip("/")).parts[1:]  # drop the per-file subfolder
            source = "/".join([UPLOAD, *rest])
            break
    return dataclasses.replace(item, source=source)


def save_uploads(folder: Path, files: list, title: str, text: str) -> list[Path]:
    """Each upload into its own subfolder (two files may share a name); a pasted text as a file
    named by its content, so that two different pasted texts are two articles."""
    paths = []
    for i, f in enumerate(files):
        path = folder / str(i) / Path(f.name).name
        path.parent.mkdir()
        path.write_bytes(f.getvalue())
        paths.append(path)
    if text.strip():
        body = (title.strip() + "\n\n" if title.strip() else "") + text.strip()
        path = folder / "pasted" / f"pasted-{hashlib.sha1(body.encode('utf-8')).hexdigest()[:12]}.txt"
        path.parent.mkdir()
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


def run_ingest(folder: Path, paths: list[Path]) -> None:
    from ingest.readers import read_articles  # ingest (and natasha) load only when used
    from ingest.run import ingest_articles

    s = store()
    sources: list[str | Path] = [*paths]
    items = [relabel(item, folder) for item in read_articles(sources)]
    bar = st.progress(0.0, text="Reading…")
    done = [0]
    total = max(1, sum(1 for i in items if not hasattr(i, "problem")))

    def progress(name: str) -> None:
        done[0] += 1
        bar.progress(min(1.0, done[0] / total), text=f"{done[0]}/{total} · {Path(name).name}")

    with st.spinner("Extracting and storing…"):
        report = ingest_articles(s, items, progress=progress, keys=True)
    bar.progress(1.0, text="Done")
    st.session_state["graph_generation"] = st.session_state.get("graph_generation", 0) + 1
    st.session_state["ingest_report"] = {
        "added": report.added, "replaced": report.replaced, "unchanged": report.unchanged,
        "errors": [f"{e.source.removeprefix(UPLOAD + '/')}: {e.problem}" for e in report.errors],
        "skipped": [f"{e.source.removeprefix(UPLOAD + '/')}: {e.problem}" for e in report.skipped],
        "entities": sorted(report.entity_keys)}


def show_report(report: dict) -> None:
    skipped = report.get("skipped", [])
    st.success(f"{report['added']} added, {report['replaced']} replaced, {report['unchanged']} unchanged, "
               f"{len(skipped)} skipped, {len(report['errors'])} failed")
    for skip in skipped:
        st.warning(f"skipped: {skip}")
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
            paths = save_uploads(Path(tmp), files or [], title, text)
            if not paths:
                st.warning("Choose files or paste a text first.")
            else:
                run_ingest(Path(tmp), paths)
    if report := st.session_state.get("ingest_report"):
        show_report(report)


main()
