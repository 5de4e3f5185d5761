"""Projects: one row per project and participant with its role, the place, the key people of
participant organisations, the facts and the evidence count; filterable by region, kind and
role, sortable, downloadable as CSV or Excel."""
from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from app.views.common import KIND_LABELS, ROLE_LABELS, derived, graph, open_entity
from graph import analytics

HEADERS = {"project": "Project", "kind": "Kind", "place": "Place", "participant": "Participant",
           "participant_type": "Type", "role": "Role", "key_people": "Key people", "investment": "Investment",
           "jobs": "Jobs", "area": "Area", "stage": "Stage", "years": "Years", "evidence": "Evidence"}


def table() -> pd.DataFrame:
    rows = derived("projects")
    df = pd.DataFrame(rows, columns=analytics.PROJECT_COLUMNS)
    df["kind"] = df["kind"].map(lambda k: KIND_LABELS.get(k, k))
    df["role"] = df["role"].map(lambda r: ROLE_LABELS.get(r, r))
    return df


def excel_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, index=False, sheet_name="projects")
    return buf.getvalue()


def main() -> None:
    st.title("Projects")
    g = graph()
    df = table()
    if df.empty:
        st.info("No projects yet: ingest some news on the Ingest page.")
        return
    places = sorted({p for cell in df["place"] for p in cell.split("; ") if p})
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    regions = c1.multiselect("Region / place", places, key="proj-region")
    kinds = c2.multiselect("Kind", sorted(set(df["kind"]) - {""}), key="proj-kind")
    roles = c3.multiselect("Role", sorted(set(df["role"]) - {""}), key="proj-role")
    text = c4.text_input("Contains", key="proj-text", placeholder="name, company, person…")
    view = df
    if regions:
        # a project is in a region when one of its places is, or lies within it (PART_OF / LOCATED_IN)
        ids = {n: n for n, d in g.nodes(data=True) if d.get("type") == "LOC"}
        names = {g.nodes[n]["name"]: n for n in ids}
        wanted = set(regions)

        def in_region(cell: str) -> bool:
            for p in cell.split("; "):
                if p in wanted or (p in names and {g.nodes[x]["name"] for x in analytics.region_of(g, names[p])} & wanted):
                    return True
            return False
        view = view[view["place"].map(in_region)]
    if kinds:
        view = view[view["kind"].isin(kinds)]
    if roles:
        view = view[view["role"].isin(roles)]
    if text.strip():
        t = text.strip().lower()
        view = view[view.apply(lambda r: any(t in str(v).lower() for v in r.values), axis=1)]
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
