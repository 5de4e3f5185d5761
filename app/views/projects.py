"""Projects: one row per project and participant with its role, the place, the key people of
participant organisations, the facts and the evidence count; filterable by region, kind and
role, sortable, downloadable as CSV or Excel."""
from __future__ import annotations

import io
from dataclasses import dataclass

import networkx as nx
import pandas as pd
import streamlit as st

from app.views.common import KIND_LABELS, ROLE_LABELS, derived, graph, open_entity
from graph import analytics

HEADERS = {"project": "Project", "kind": "Kind", "place": "Place", "participant": "Participant",
           "participant_type": "Type", "role": "Role", "key_people": "Key people", "investment": "Investment",
           "jobs": "Jobs", "area": "Area", "stage": "Stage", "years": "Years", "evidence": "Evidence"}


@dataclass(frozen=True)
class ProjectsView:
    """The projects table as the page shows it, built once per graph version: the rows with
    kinds and roles in Russian, and the filter options."""

    frame: pd.DataFrame
    places: list[str]
    kinds: list[str]
    roles: list[str]


def projects_view(g: nx.MultiDiGraph) -> ProjectsView:
    rows = analytics.projects_table(g)
    df = pd.DataFrame({c: [r[c] for r in rows] for c in analytics.PROJECT_COLUMNS}, columns=analytics.PROJECT_COLUMNS)
    df["kind"] = df["kind"].map(lambda k: KIND_LABELS.get(k, k))
    df["role"] = df["role"].map(lambda r: ROLE_LABELS.get(r, r))
    places = sorted({p for cell in set(df["place"]) for p in cell.split("; ") if p})
    return ProjectsView(df, places, sorted(set(df["kind"]) - {""}), sorted(set(df["role"]) - {""}))


def row_texts(df: pd.DataFrame) -> pd.Series:
    """Each row's shown cells as one lower-case text, for the «Contains» filter."""
    shown = [c for c in analytics.PROJECT_COLUMNS if c not in ("project_id", "participant_id")]
    return df[shown[0]].str.cat([df[c].astype(str) for c in shown[1:]], sep=" ").str.lower()


def within(g: nx.MultiDiGraph, regions: list[str]) -> set[str]:
    """Names of the places that are one of the regions or lie in one (PART_OF / LOCATED_IN)."""
    wanted = set(regions)
    inside = set(wanted)
    for n, d in g.nodes(data=True):
        if d.get("type") == "LOC" and {g.nodes[x]["name"] for x in analytics.region_of(g, n)} & wanted:
            inside.add(d["name"])
    return inside


def excel_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, index=False, sheet_name="projects")
    return buf.getvalue()


def main() -> None:
    st.title("Projects")
    g = graph()
    pv: ProjectsView = derived("projects-view", projects_view)
    df = pv.frame
    if df.empty:
        st.info("No projects yet: ingest some news on the Ingest page.")
        return
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    regions = c1.multiselect("Region / place", pv.places, key="proj-region")
    kinds = c2.multiselect("Kind", pv.kinds, key="proj-kind")
    roles = c3.multiselect("Role", pv.roles, key="proj-role")
    text = c4.text_input("Contains", key="proj-text", placeholder="name, company, person…")
    keep = pd.Series(True, index=df.index)
    if regions:  # a project is in a region when one of its places is, or lies within it
        inside = within(g, regions)
        keep &= df["place"].map(lambda cell: any(p in inside for p in cell.split("; ")))
    if kinds:
        keep &= df["kind"].isin(kinds)
    if roles:
        keep &= df["role"].isin(roles)
    if text.strip():  # the rows' texts are made once, the first time someone filters on text
        texts = derived("projects-text", lambda _: row_texts(df))
        keep &= texts.str.contains(text.strip().lower(), regex=False)
    view = df[keep]
    st.caption(f"{view['project_id'].nunique()} projects · {len(view)} rows")
    shown = view.drop(columns=["project_id", "participant_id"]).rename(columns=HEADERS)
    event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="proj-table",
                         column_config={"Evidence": st.column_config.NumberColumn(format="%d")})
    picked = event.selection.rows if event and hasattr(event, "selection") else []
    if picked:
        row = view.iloc[picked[0]]
        b1, b2 = st.columns(2)
        if b1.button(f"Open project: {row['project']}", key="proj-open"):
            open_entity(row["project_id"])
        if row["participant_id"] and b2.button(f"Open participant: {row['participant']}", key="proj-open-part"):
            open_entity(row["participant_id"])
    d1, d2, _ = st.columns([1, 1, 4])
    export = shown
    d1.download_button("CSV", lambda: export.to_csv(index=False).encode("utf-8-sig"), "projects.csv", "text/csv",
                       key="proj-csv", icon=":material/download:", on_click="ignore")
    d2.download_button("Excel", lambda: excel_bytes(export), "projects.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="proj-xlsx",
                       icon=":material/download:", on_click="ignore")


main()
