"""Projects: one row per project and participant with its role and its confidence, the place, the
key people of participant organisations, the facts and the evidence count; filterable by region,
kind and role, sortable, downloadable as CSV or Excel. The sidebar's minimum confidence hides the
participants and places whose relation to the project is below it (a project whose every
participant is hidden keeps one row without them).

The table comes from the store a page of PAGE_PROJECTS projects at a time (Store.projects_page:
the relations at those projects alone), each page built once per graph version for every
session; the filters and downloads apply to the page shown, or, when asked for, to the whole
table (Store.projects: a few scans of the store, seconds on a million relations), never to the
whole graph."""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from app.views.common import (
    KIND_LABELS,
    ROLE_LABELS,
    default_url,
    gc_paused,
    min_confidence,
    open_entity,
    stats,
    store,
    store_at,
    version,
)
from graph import analytics
from graph.confidence import confident
from graph.model import Project

HEADERS = {"project": "Project", "kind": "Kind", "place": "Place", "participant": "Participant",
           "participant_type": "Type", "role": "Role", "confidence": "Confidence", "key_people": "Key people",
           "investment": "Investment",
           "jobs": "Jobs", "area": "Area", "stage": "Stage", "years": "Years", "evidence": "Evidence"}


@dataclass(frozen=True)
class ProjectsView:
    """The projects table as the page shows it, built once per graph version: the rows with
    kinds and roles in Russian, the filter options, and per place name the names of the places
    it is or lies in (for the region filter), and per project its places with the confidence of
    their relation to it (for the minimum confidence)."""

    frame: pd.DataFrame
    places: list[str]
    kinds: list[str]
    roles: list[str]
    regions: dict[str, frozenset[str]]
    places_of: dict[str, tuple[tuple[str, float | None], ...]]

    @cached_property
    def texts(self) -> pd.Series:
        """Each row's shown cells as one lower-case text, for the «Contains» filter: made the
        first time someone filters on text."""
        return row_texts(self.frame)


def projects_view(projects: list[Project]) -> ProjectsView:
    columns = analytics.project_columns(projects)
    columns["kind"] = [KIND_LABELS.get(k, k) for k in columns["kind"]]
    columns["role"] = [ROLE_LABELS.get(r, r) for r in columns["role"]]
    columns["confidence"] = pd.array(columns["confidence"], dtype="Float64")  # None: rules alone, or no participant
    regions: dict[str, frozenset[str]] = {}  # a place's name -> the names it is or lies in
    for p in projects:
        for pl in p.places:
            regions[pl.name] = regions.get(pl.name, frozenset()) | {pl.name} | pl.within
    places_of = {p.id: tuple((pl.name, pl.confidence) for pl in p.places) for p in projects}
    return ProjectsView(pd.DataFrame(columns, columns=analytics.PROJECT_COLUMNS), sorted(regions),
                        sorted(set(columns["kind"]) - {""}), sorted(set(columns["role"]) - {""}), regions, places_of)


@st.cache_resource(show_spinner=False, max_entries=2)
def _projects_view(url: str, key: str) -> ProjectsView:
    with gc_paused():  # everything built here stays: collecting is pure overhead
        return projects_view(store_at(url).projects())


def view_of_store() -> ProjectsView:
    """The projects table of the current graph version, from the store, once for all sessions."""
    store()
    return _projects_view(default_url(), version())


PAGE_PROJECTS = 100  # projects per page of the table


@st.cache_resource(show_spinner=False, max_entries=64)
def _projects_page(url: str, key: str, page: int) -> ProjectsView:
    return projects_view(store_at(url).projects_page((page - 1) * PAGE_PROJECTS, PAGE_PROJECTS))


def chosen_view() -> tuple[ProjectsView, str]:
    """The page of the table asked for (the first by default), or the whole table when asked for;
    what the caption says of it."""
    total = stats()["entities"].get("PROJECT", 0)
    pages = max(1, -(-total // PAGE_PROJECTS))
    c1, c2 = st.columns([2, 6])
    whole_table = c2.toggle(f"Filter and download all {total:,} projects", key="proj-all",
                            help="Reads the whole projects table from the store: seconds on a large graph.") \
        if pages > 1 else True
    if whole_table:
        with st.spinner("Reading the projects…"):
            return view_of_store(), ""
    page = int(c1.number_input(f"Page (of {pages:,})", 1, pages, 1, key="proj-page"))
    store()
    page = min(page, pages)
    first = (page - 1) * PAGE_PROJECTS
    shown = f"projects {first + 1:,}–{min(first + PAGE_PROJECTS, total):,} of {total:,}"
    return _projects_page(default_url(), version(), page), f" · {shown} (filters apply to this page)"


def row_texts(df: pd.DataFrame) -> pd.Series:
    """Each row's shown cells as one lower-case text, for the «Contains» filter."""
    shown = [c for c in analytics.PROJECT_COLUMNS if c not in ("project_id", "participant_id", "confidence")]
    return df[shown[0]].str.cat([df[c].astype(str) for c in shown[1:]], sep=" ").str.lower()


PARTICIPANT_COLUMNS = ("participant", "participant_type", "role", "key_people", "participant_id")


def above_confidence(pv: ProjectsView, minimum: float) -> pd.DataFrame:
    """The table without the participants and places whose relation to the project is below
    `minimum` (those without a confidence stay): a project whose every participant is hidden keeps
    its first row, without participant."""
    if not minimum:
        return pv.frame
    df = pv.frame
    passes = df["confidence"].isna() | (df["confidence"] >= minimum)
    kept = df[passes.to_numpy(dtype=bool)]
    bare = df[~df["project_id"].isin(kept["project_id"])].drop_duplicates("project_id").copy()
    bare.loc[:, list(PARTICIPANT_COLUMNS)] = ""
    bare["confidence"] = pd.NA
    out = pd.concat([kept, bare]).sort_index()
    out["place"] = out["project_id"].map(lambda p: "; ".join(sorted({name for name, c in pv.places_of.get(p, ())
                                                                     if confident(c, minimum)})))
    return out


def within(pv: ProjectsView, regions: list[str]) -> set[str]:
    """Names of the places that are one of the regions or lie in one (PART_OF / LOCATED_IN)."""
    wanted = set(regions)
    return wanted | {name for name, ups in pv.regions.items() if ups & wanted}


def excel_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, index=False, sheet_name="projects")
    return buf.getvalue()


def main() -> None:
    st.title("Projects")
    pv, paged = chosen_view()
    df = pv.frame
    minimum = min_confidence()
    if df.empty:
        st.info("No projects yet: ingest some news on the Ingest page.")
        return
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    regions = c1.multiselect("Region / place", pv.places, key="proj-region")
    kinds = c2.multiselect("Kind", pv.kinds, key="proj-kind")
    roles = c3.multiselect("Role", pv.roles, key="proj-role")
    text = c4.text_input("Contains", key="proj-text", placeholder="name, company, person…")
    df = above_confidence(pv, minimum)
    keep = pd.Series(True, index=df.index)
    if regions:  # a project is in a region when one of its places is, or lies within it
        inside = within(pv, regions)
        keep &= df["place"].map(lambda cell: any(p in inside for p in cell.split("; ")))
    if kinds:
        keep &= df["kind"].isin(kinds)
    if roles:
        keep &= df["role"].isin(roles)
    if text.strip():  # the rows' texts are made once, the first time someone filters on text
        texts = pv.texts if df is pv.frame else row_texts(df)  # rows a minimum confidence changed: anew
        keep &= texts.str.contains(text.strip().lower(), regex=False)
    view = df[keep]
    hidden = (f" · participants and places of confidence below {minimum:.2f} hidden (sidebar)" if minimum else "")
    st.caption(f"{view['project_id'].nunique()} projects · {len(view)} rows" + paged + hidden)
    shown = view.drop(columns=["project_id", "participant_id"]).rename(columns=HEADERS)
    event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="proj-table",
                         column_config={"Evidence": st.column_config.NumberColumn(format="%d"),
                                        "Confidence": st.column_config.NumberColumn(format="%.2f")})
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
