"""End to end in real headless Chromium: `investgraph app` on the example corpus; search an
entity, open its page, open the projects view, download an export. Screenshots go to
test-artifacts/ (gitignored).

Chromium is the Debian package at /usr/bin/chromium (or $CHROMIUM; scripts/ensure-chromium
installs it, scripts/test calls that), driven by Playwright's Python API; `playwright install` is
never run. Without Chromium these tests skip, saying why, except in CI (CI=true), where they fail.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, in_ci, investgraph_script

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def chromium() -> None:
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


def network_spots(page, nodes: int) -> set[tuple[int, int]]:
    """Where the network's nodes are (rounded), once it shows `nodes` and no layout is running."""
    frame = page.locator("iframe[title*='st_link_analysis']").first.element_handle().content_frame()
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


def test_search_entity_projects_export(app_url, page, tmp_path):
    page.goto(app_url)
    page.get_by_role("heading", name="Projects").wait_for()
    assert page.title() == "InvestGraph" or "InvestGraph" in page.content()
    shot(page, "01-projects")

    # search in the sidebar, any case form
    box = page.get_by_label("Search entities")
    box.fill("Кречетова")
    box.press("Enter")
    hit = page.get_by_role("button", name="Игорь Кречетов")
    hit.wait_for()
    shot(page, "02-search")
    hit.click()
    page.get_by_role("heading", name="Игорь Кречетов").wait_for()
    page.get_by_text("Roles held").wait_for()
    page.get_by_text("губернатор").first.wait_for()
    assert "never-shown-secret" not in page.content()
    shot(page, "03-entity")

    # the graph explorer around it renders the component
    page.get_by_role("button", name="Explore the graph around it").click()
    page.get_by_role("heading", name="Graph explorer").wait_for()
    page.frame_locator("iframe[title*='st_link_analysis']").locator("canvas").first.wait_for()
    shot(page, "04-explorer")
    # a view that brings new nodes is laid out again: they are not left piled on one spot
    weight = page.get_by_role("spinbutton", name="Minimum weight (articles)")
    nodes = int(page.get_by_text(" nodes · ").first.inner_text().split()[0])
    assert nodes > 3
    before = network_spots(page, nodes)
    weight.fill("9")  # only the seed is left
    weight.press("Enter")
    page.get_by_text("1 nodes · 0 edges").wait_for()
    network_spots(page, 1)
    weight.fill("1")  # and everything comes back, as new nodes
    weight.press("Enter")
    page.get_by_text(f"{nodes} nodes · ").wait_for()
    spots = network_spots(page, nodes)
    assert len(spots) == nodes, (before, spots)
    shot(page, "04b-explorer-relaid")

    # the projects view, with the table
    page.get_by_role("link", name="Projects").click()
    page.get_by_role("heading", name="Projects").wait_for()
    page.get_by_text("rows").first.wait_for()
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    page.wait_for_timeout(1500)
    shot(page, "05-projects-table")
    csv = download(page, page.get_by_role("button", name="CSV", exact=True)).read_text(encoding="utf-8-sig")
    assert "индустриальный парк «Северный луч»" in csv

    # the export page: the whole graph as JSON, through graph.export
    page.get_by_role("link", name="Export").click()
    page.get_by_role("heading", name="Export").wait_for()
    page.get_by_text("JSON: nodes with mentions").click()
    import json
    data = json.loads(download(page, page.get_by_role("button", name="Download investgraph.json")).read_text("utf-8"))
    assert {"articles", "nodes", "edges"} <= set(data) and len(data["articles"]) == 16
    shot(page, "06-export")
