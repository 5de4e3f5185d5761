"""End to end in real headless Chromium (the fixtures of tests/test_browser.py): the Export page
downloads a selection in a format beyond the old four, with its manifest; the «What changed» page
shows a period's changes and a project's timeline."""
from __future__ import annotations

import json
import re

import pytest

from test_browser import ARTIFACTS, app_url, chromium, download, idle, page, shot  # noqa: F401

PARK = "индустриальный парк «Северный луч»"

pytestmark = pytest.mark.browser


def test_export_a_project_as_a_cypher_script_with_its_manifest(app_url, page):  # noqa: F811
    page.goto(f"{app_url}/export")
    page.get_by_role("heading", name="Export").wait_for()
    page.get_by_text("Cypher script that rebuilds").click()
    idle(page)
    page.get_by_text("Selection (empty: the whole graph)").click()
    box = page.get_by_label("Projects with their participants, people and places")
    box.fill("Северный луч")
    box.press("Control+Enter")
    idle(page)
    page.get_by_text(re.compile(r"^Selection: projects=")).wait_for()
    script = download(page, page.get_by_role("button", name="Download investgraph.cypher")).read_text("utf-8")
    manifest = json.loads(download(page, page.get_by_role("button", name="Download its manifest.json"))
                          .read_text("utf-8"))
    assert manifest["selection"] == {"projects": ["Северный луч"]}
    assert manifest["content_hash"] in script  # the script carries the same manifest in its first lines
    assert "Северный луч" in script and manifest["counts"]["relations_total"] > 0
    shot(page, "07-export-selection")


def test_what_changed_and_a_projects_timeline(app_url, page):  # noqa: F811
    page.goto(f"{app_url}/changes")
    page.get_by_role("heading", name="What changed").wait_for()
    page.get_by_text(re.compile(r"^New projects \(\d+\)")).wait_for()
    page.get_by_text(re.compile(r"^New participants \(\d+\)")).wait_for()
    page.get_by_text(re.compile(r"^New posts \(\d+\)")).wait_for()
    box = page.get_by_placeholder("a project's name")
    box.fill("Северный луч")
    box.press("Enter")
    idle(page)
    page.get_by_text(re.compile(r"^\d+ articles, earliest first\.")).wait_for()
    page.locator("ul.timeline").last.wait_for()  # the caption shows before the articles under it
    idle(page)
    dates = [d for d in page.locator("ul.timeline").evaluate_all(
        "els => els.map(e => e.previousElementSibling ? e.previousElementSibling.innerText : '')")]
    days = [re.match(r"(\d{4}-\d{2}-\d{2})", d).group(1) for d in dates if re.match(r"\d{4}-\d{2}-\d{2}", d)]
    assert days and days == sorted(days)
    shot(page, "08-what-changed")
