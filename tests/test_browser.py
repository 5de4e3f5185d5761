"""End to end in real headless Chromium: `investgraph app` on the example corpus; search an
entity, open its page, explore the graph around it, open the projects view, download an export.
Screenshots go to test-artifacts/ (gitignored); with UPDATE_SCREENSHOT set (`make screenshot`) the
explorer's goes to docs/img/app.png too, the picture on the README's front page.

Chromium is the Debian package at /usr/bin/chromium (or $CHROMIUM; scripts/ensure-chromium
installs it, scripts/test calls that), driven by Playwright's Python API; `playwright install` is
never run. Without Chromium these tests skip, saying why, except in CI (CI=true), where they fail.
"""
from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT, in_ci, investgraph_script

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
FRONT_PAGE = ROOT / "docs" / "img" / "app.png"  # the README's screenshot
PARK = "индустриальный парк «Северный луч»"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def chromium() -> None:
    require_chromium()


def require_chromium() -> None:
    """No Chromium: skip (before the app starts), or fail in CI, where the browser tests must run."""
    if Path(CHROMIUM).exists():
        return
    reason = (f"no Chromium at {CHROMIUM}: scripts/ensure-chromium installs the Debian package "
              "(needs apt-get), or set CHROMIUM to a Chromium binary")
    if in_ci():
        pytest.fail(f"{reason}; in CI the browser tests must run", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(examples_db, tmp_path):
    port = free_port()
    env = {**os.environ, "INVESTGRAPH_STORE": str(examples_db), "NEO4J_PASSWORD": "never-shown-secret"}
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen([str(investgraph_script()), "app", "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"the app did not start: {(tmp_path / 'app.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        assert "never-shown-secret" not in (tmp_path / "app.log").read_text()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        yield pg
        browser.close()


def shot(page, name: str) -> None:
    page.wait_for_timeout(600)  # let the last rerun paint
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def idle(page) -> None:
    """Wait until the app has finished its rerun (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=30_000)


def download(page, button) -> Path:
    """Click a download button and return the file; a deferred download that the app's rerun
    swallowed is clicked again once."""
    from playwright.sync_api import expect
    for attempt in range(2):
        idle(page)
        expect(button).to_be_enabled(timeout=60_000)  # Streamlit disables widgets during a rerun
        try:
            with page.expect_download(timeout=15_000) as dl:
                button.click()
            return Path(dl.value.path())
        except Exception:
            if attempt:
                raise
    raise AssertionError("unreachable")


def network_frame(page):
    return page.locator("iframe[title*='st_link_analysis']").first.element_handle().content_frame()


def network_spots(page, nodes: int) -> set[tuple[int, int]]:
    """Where the network's nodes are (rounded), once it shows `nodes` and no layout is running."""
    frame = network_frame(page)
    js = """(n) => { const cy = document.getElementById("cy")?._cyreg?.cy;
        if (!cy || cy.nodes().length !== n || cy.nodes().some(x => x.animated())) return null;
        return cy.nodes().map(x => [Math.round(x.position().x), Math.round(x.position().y)]); }"""
    deadline = time.time() + 60
    while time.time() < deadline:
        found = frame.evaluate(js, nodes)
        if found:
            time.sleep(1.0)  # a layout that is still computing moves them again: wait until it does not
            again = frame.evaluate(js, nodes)
            if again == found:
                return {tuple(p) for p in found}
        time.sleep(0.2)
    raise AssertionError(f"the network did not settle on {nodes} nodes")


def network(page) -> tuple[set[str], set[tuple[str, str, str]]]:
    """The names of the nodes the network draws, and its edges as (source name, type, target name)."""
    js = """() => { const cy = document.getElementById("cy")._cyreg.cy;
        return [cy.nodes().map(x => x.data("name")),
                cy.edges().map(e => [e.source().data("name"), e.data("label"), e.target().data("name")])]; }"""
    names, edges = network_frame(page).evaluate(js)
    return set(names), {tuple(e) for e in edges}


def projects_shown(page) -> int:
    """The rows of the projects table, as its caption counts them and as the grid holds them."""
    caption = page.get_by_text(re.compile(r"^\d+ projects · \d+ rows")).first
    caption.wait_for()
    projects, rows = map(int, re.findall(r"\d+", caption.inner_text())[:2])
    assert 0 < projects <= rows
    grid = page.locator("[data-testid='stDataFrame'] table[role='grid']").first
    grid.wait_for(state="attached")
    assert grid.get_attribute("aria-rowcount") == str(rows + 1)  # a header row, then the rows
    return rows


def test_search_entity_projects_export(app_url, page, embedded_examples):
    page.goto(app_url)
    page.get_by_role("heading", name="Projects").wait_for()
    assert page.title() == "InvestGraph"
    rows = projects_shown(page)  # the first page is the projects table
    shot(page, "01-projects")

    # search in the sidebar, any case form
    box = page.get_by_label("Search entities")
    box.fill("Кречетова")
    box.press("Enter")
    hit = page.get_by_role("button", name="Игорь Кречетов")
    hit.wait_for()
    shot(page, "02-search")
    hit.click()
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name="Игорь Кречетов").wait_for()
    main.get_by_role("heading", name="Roles held").wait_for()
    # the post, the place it governs, and a sentence that says so
    main.get_by_text(re.compile(r"работает в \(губернатор\)")).first.wait_for()
    main.get_by_role("link", name="Вологодская область").first.wait_for()
    main.get_by_text("Об этом сообщил губернатор Вологодской области Игорь Кречетов", exact=False).first.wait_for()
    assert "never-shown-secret" not in page.content()
    shot(page, "03-entity")

    # the graph explorer around it draws him, the region he governs and the edge between them
    main.get_by_role("button", name="Explore the graph around it").click()
    page.get_by_role("heading", name="Graph explorer").wait_for()
    page.frame_locator("iframe[title*='st_link_analysis']").locator("canvas").first.wait_for()
    shot(page, "04-explorer")
    # a view that brings new nodes is laid out again: they are not left piled on one spot
    weight = page.get_by_role("spinbutton", name="Minimum weight (articles)")
    nodes = int(page.get_by_text(" nodes · ").first.inner_text().split()[0])
    assert nodes > 3
    before = network_spots(page, nodes)
    names, edges = network(page)
    assert len(names) == nodes and {"Игорь Кречетов", "Вологодская область"} <= names, names
    assert ("Игорь Кречетов", "WORKS_AT", "Вологодская область") in edges, edges
    weight.fill("9")  # only the seed is left
    weight.press("Enter")
    page.get_by_text("1 nodes · 0 edges").wait_for()
    network_spots(page, 1)
    assert network(page) == ({"Игорь Кречетов"}, set())
    weight.fill("1")  # and everything comes back, as new nodes
    weight.press("Enter")
    page.get_by_text(f"{nodes} nodes · ").wait_for()
    spots = network_spots(page, nodes)
    assert len(spots) == nodes, (before, spots)
    assert network(page) == (names, edges)
    shot(page, "04b-explorer-relaid")

    # who is behind a project: the explorer around the park (a link to it) draws every participant
    g = embedded_examples.snapshot()
    park = next(n for n, d in g.nodes(data=True) if d["name"] == PARK)
    behind = {(g.nodes[u]["name"], "INVOLVED_IN", PARK) for u, _, d in g.in_edges(park, data=True)
              if d["type"] == "INVOLVED_IN"}
    assert len(behind) > 3
    page.goto(f"{app_url}/explorer?entity={quote(park)}")
    caption = page.get_by_text(" nodes · ").first
    caption.wait_for()
    network_spots(page, int(caption.inner_text().split()[0]))
    names, edges = network(page)
    assert behind <= edges, behind - edges
    shot(page, "04c-explorer-project")
    if os.environ.get("UPDATE_SCREENSHOT"):  # `make screenshot`: what a window shows, for the README
        page.screenshot(path=str(FRONT_PAGE))

    # the projects view: the table, and its CSV with the same rows
    page.get_by_role("link", name="Projects").click()
    page.get_by_role("heading", name="Projects").wait_for()
    assert projects_shown(page) == rows
    page.wait_for_timeout(1500)
    shot(page, "05-projects-table")
    data = download(page, page.get_by_role("button", name="CSV", exact=True)).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data)))
    assert len(table) == rows
    assert ("ООО «Тайга Металл»", "резидент") in {(r["Participant"], r["Role"]) for r in table if r["Project"] == PARK}

    # the export page: the whole graph as JSON, through graph.export
    page.get_by_role("link", name="Export").click()
    page.get_by_role("heading", name="Export").wait_for()
    page.get_by_text("JSON: nodes with mentions").click()
    import json
    data = json.loads(download(page, page.get_by_role("button", name="Download investgraph.json")).read_text("utf-8"))
    assert {"articles", "nodes", "edges"} <= set(data) and len(data["articles"]) == 16
    assert {"Игорь Кречетов", PARK} <= {n["name"] for n in data["nodes"]}
    shot(page, "06-export")
