"""The formats of graph.formats that need no Neo4j, each through `investgraph export` on the
example corpus: FollowTheMoney (every entity validated by the followthemoney library), the HTML
page (opened in headless Chromium with the network cut off), PNG and SVG pictures, Gephi's colours
in GraphML and GEXF, and the manifest of each read back by `investgraph snapshot info`.
(tests/test_formats_neo4j.py: the neo4j-admin CSV and the Cypher script in a real Neo4j.)"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from click.testing import CliRunner

from app.cli import cli
from graph.model import SCHEMA

from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
COLORS = {t: s["color"] for t, s in SCHEMA["entity_types"].items()}
FTM_SCHEMA = {"PERSON": {"Person"}, "ORG": {"Organization", "Company"}, "LOC": {"Address"}, "PROJECT": {"Project"}}


def export(store_path: Path, fmt: str, out: Path, *options: str) -> list[str]:
    """`investgraph export` of the store; the lines it printed."""
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(out), "--store", str(store_path),
                                      *options])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def selection_json(store_path: Path, tmp_path: Path, *options: str) -> dict:
    """The JSON export of the same selection: what the other formats must show."""
    export(store_path, "json", tmp_path / "selection.json", *options)
    return json.loads((tmp_path / "selection.json").read_text(encoding="utf-8"))


# --- FollowTheMoney -----------------------------------------------------------------------------

def ftm_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_ftm_entities_are_valid_and_complete(examples_db, tmp_path):
    from followthemoney import model
    out = tmp_path / "graph.ftm.json"
    export(examples_db, "ftm", out)
    data, whole = ftm_lines(out), selection_json(examples_db, tmp_path)
    ids = {e["id"] for e in data}
    assert len(ids) == len(data)
    for e in data:  # every entity: a schema of the library, valid values, links to entities in the file
        schema = model.get(e["schema"])
        assert schema is not None, e
        schema.validate(e)
        proxy = model.get_proxy(e)
        assert proxy.id == e["id"] and proxy.caption
        for prop, values in e["properties"].items():
            if schema.properties[prop].type.name == "entity":
                assert set(values) <= ids, (e, prop)
    kinds = Counter(e["schema"] for e in data)
    by_type = Counter(n["type"] for n in whole["nodes"])
    for type_, schemas in FTM_SCHEMA.items():
        assert sum(kinds[s] for s in schemas) == by_type[type_]
    relations = Counter(e["type"] for e in whole["edges"])
    assert kinds["ProjectParticipant"] == relations["INVOLVED_IN"] > 0
    assert kinds["Employment"] + kinds["UnknownLink"] == relations["WORKS_AT"] and kinds["Employment"] > 0
    assert kinds["Membership"] == relations["PART_OF"]
    assert kinds["Company"] > 0  # «ООО …» and «АО …» are companies


def test_ftm_carries_sources_roles_and_places(examples_db, tmp_path):
    out = tmp_path / "graph.ftm.json"
    export(examples_db, "ftm", out)
    data = {e["id"]: e for e in ftm_lines(out)}
    whole = selection_json(examples_db, tmp_path)
    articles = {a["id"]: a for a in whole["articles"]}
    edges = {e["id"]: e for e in whole["edges"]}
    links = [e for e in data.values() if e["schema"] in ("ProjectParticipant", "Employment", "UnknownLink")]
    for link in links:  # every link: where it is stated (the urls its articles have), its sentences, their dates
        edge = edges[link["properties"]["recordId"][0]]
        stated = [articles[v["article"]] for v in edge["evidence"]]
        assert set(link["properties"].get("sourceUrl", [])) == {a["url"] for a in stated if a["url"]}
        assert set(link["properties"]["description"]) == {v["sentence"] for v in edge["evidence"]}
        assert set(link["properties"].get("date", [])) == {a["date"] for a in stated if a["date"]}
    assert sum(1 for link in links if link["properties"].get("sourceUrl")) > len(links) / 2
    taiga = next(e for e in data.values() if "ООО «Тайга Металл»" in e["properties"]["name"])
    assert taiga["schema"] == "Company" and len(taiga["properties"]["sourceUrl"]) >= 3
    roles = {r for e in links if e["schema"] == "ProjectParticipant" for r in e["properties"]["role"]}
    assert "резидент (resident)" in roles
    posts = [e for e in links if e["schema"] == "Employment" and "генеральный директор" in e["properties"]["role"]]
    assert any(data[e["properties"]["employer"][0]]["id"] == taiga["id"] for e in posts)
    placed = [e for e in data.values() if e["schema"] == "Project" and e["properties"].get("addressEntity")]
    assert placed and all(data[a]["schema"] == "Address" for e in placed for a in e["properties"]["addressEntity"])
    invested = [e for e in data.values() if e["schema"] == "Project" and e["properties"].get("amount")]
    assert invested and all(e["properties"]["currency"] for e in invested)


def test_ftm_articles_and_manifest_beside(examples_db, tmp_path):
    from followthemoney import model
    out = tmp_path / "graph.ftm.json"
    printed = export(examples_db, "ftm", out, "--articles")
    assert f"wrote {out}.manifest.json" in printed
    data = ftm_lines(out)
    articles = {e["id"] for e in data if e["schema"] == "Article"}
    assert len(articles) == 16
    for e in data:
        model.get(e["schema"]).validate(e)
        if e["schema"] != "Article":
            assert set(e["properties"]["proof"]) <= articles and e["properties"]["proof"]
    info = CliRunner().invoke(cli, ["snapshot", "info", str(out), "--json"])
    assert info.exit_code == 0, info.output
    assert json.loads(info.output)["counts"]["entities_total"] == len(data) - len(articles) - sum(
        1 for e in data if e["schema"] in ("ProjectParticipant", "Employment", "UnknownLink", "Membership"))
    again = CliRunner().invoke(cli, ["export", "--format", "ftm", "-o", str(out), "--store", str(examples_db)])
    assert again.exit_code == 2 and "exists; use --force" in again.output


# --- pictures -------------------------------------------------------------------------------------

PEOPLE = ("--types", "PERSON,ORG", "--relations", "WORKS_AT")  # persons and organisations only


def pixels_near(image, color: str, tolerance: int = 8) -> int:
    """How many pixels of the RGB image are within `tolerance` of #rrggbb in every channel."""
    import numpy as np
    want = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(np.asarray(image.convert("RGB")).astype(int) - want).max(axis=2) <= tolerance).sum())


def test_png_is_a_picture_of_the_selected_nodes(examples_db, tmp_path):
    import numpy as np
    from PIL import Image
    out = tmp_path / "people.png"
    export(examples_db, "png", out, *PEOPLE)
    nodes = selection_json(examples_db, tmp_path, *PEOPLE)["nodes"]
    assert {n["type"] for n in nodes} == {"PERSON", "ORG"} and len(nodes) > 10
    with Image.open(out) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width >= 1200 and height >= 900
        drawn = int((np.asarray(image.convert("L")) < 245).sum())
        assert drawn > 0.01 * width * height  # not blank
        for type_ in ("PERSON", "ORG"):  # the colour of each type drawn, the others not
            assert pixels_near(image, COLORS[type_]) > 20 * len([n for n in nodes if n["type"] == type_]) ** 0.5
        for type_ in ("LOC", "PROJECT"):
            assert pixels_near(image, COLORS[type_]) < 10
        manifest = json.loads(image.text["investgraph-manifest"])
    assert manifest["selection"]["types"] == ["PERSON", "ORG"]
    image_copy = ARTIFACTS / "export-people.png"
    ARTIFACTS.mkdir(exist_ok=True)
    image_copy.write_bytes(out.read_bytes())


def marks(group) -> int:
    """The shapes a group draws: its <path> and <use> elements, outside <defs> (a marker drawn once
    per node is defined there and used)."""
    count = 0
    for child in group:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in ("path", "use"):
            count += 1
        elif tag != "defs":
            count += marks(child)
    return count


def test_svg_has_one_element_per_selected_node(examples_db, tmp_path):
    out = tmp_path / "project.svg"
    project = ("--project", "индустриальный парк «Северный луч»")
    export(examples_db, "svg", out, *project)
    nodes = selection_json(examples_db, tmp_path, *project)["nodes"]
    root = ElementTree.parse(out).getroot()
    groups = {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if (g.get("id") or "").startswith("nodes-")}
    drawn = {gid.removeprefix("nodes-"): marks(g) for gid, g in groups.items()}
    assert drawn == dict(Counter(n["type"] for n in nodes))
    texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {n["name"] for n in nodes} <= texts  # a small selection: every name written, as text
    info = CliRunner().invoke(cli, ["snapshot", "info", str(out), "--json"])
    assert json.loads(info.output)["counts"]["entities_total"] == len(nodes)


# --- Gephi --------------------------------------------------------------------------------------------

def test_gexf_and_graphml_carry_gephi_colours_and_sizes(examples_db, tmp_path):
    export(examples_db, "gexf", tmp_path / "g.gexf")
    root = ElementTree.parse(tmp_path / "g.gexf").getroot()
    type_id = next(a.get("id") for a in root.iter() if a.tag.endswith("}attribute") and a.get("title") == "type"
                   and a.get("id") is not None)
    seen = {}
    for node in (n for n in root.iter() if n.tag.endswith("}node")):
        type_ = next(v.get("value") for v in node.iter() if v.tag.endswith("}attvalue") and v.get("for") == type_id)
        color = next(c for c in node if c.tag.endswith("}color"))
        size = next(c for c in node if c.tag.endswith("}size"))
        assert float(size.get("value")) > 0
        seen.setdefault(type_, set()).add(hex_color(*(int(color.get(c)) for c in "rgb")))
    assert {t: c for t, c in seen.items() if t in COLORS} == {t: {c} for t, c in COLORS.items()}
    assert seen["ARTICLE"] and seen["ARTICLE"].isdisjoint(COLORS.values())
    edge_colors = {c.get("r") for e in root.iter() if e.tag.endswith("}edge") for c in e if c.tag.endswith("}color")}
    assert len(edge_colors) >= 3  # relation types and MENTIONED_IN apart
    g = nx.read_graphml(export_graphml(examples_db, tmp_path))
    for _, d in g.nodes(data=True):
        assert d["size"] > 0
        if d["type"] in COLORS:
            assert hex_color(d["r"], d["g"], d["b"]) == COLORS[d["type"]]


def hex_color(r: int, g: int, b: int) -> str:
    return f"#{r:02x}{g:02x}{b:02x}"


def export_graphml(store_path: Path, tmp_path: Path) -> Path:
    export(store_path, "graphml", tmp_path / "g.graphml")
    return tmp_path / "g.graphml"


# --- the CLI around the formats ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [("cypher", "g.cypher"), ("html", "g.html"), ("png", "g.png"),
                                       ("svg", "g.svg"), ("neo4j-admin", "admin")])
def test_snapshot_info_reads_the_manifest_of_each_format(examples_db, tmp_path, fmt, name):
    export(examples_db, fmt, tmp_path / name, "--as-of", "2024-12-31")
    expected = selection_json(examples_db, tmp_path, "--as-of", "2024-12-31")["manifest"]
    info = CliRunner().invoke(cli, ["snapshot", "info", str(tmp_path / name), "--json"])
    assert info.exit_code == 0, info.output
    got = json.loads(info.output)
    assert got["content_hash"] == expected["content_hash"] and got["selection"] == {"as_of": "2024-12-31"}


@pytest.mark.parametrize("args, message", [
    (["--format", "html", "--articles"], "html takes no --articles"),
    (["--format", "neo4j-admin", "-o", "new.csv"], "give a folder or a name ending in .zip"),
])
def test_refused_options(examples_db, tmp_path, args, message):
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "x.html")]
    result = CliRunner().invoke(cli, ["export", *args, "--store", str(examples_db)])
    assert result.exit_code == 2 and message in result.output


def test_a_cypher_script_needs_neo4j(examples_db, tmp_path):
    export(examples_db, "cypher", tmp_path / "g.cypher")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "g.cypher"), "--store", str(tmp_path / "other.db")])
    assert result.exit_code == 1 and "a Cypher script runs only in Neo4j" in result.output


# --- the HTML page in a browser, offline ---------------------------------------------------------------

@pytest.mark.browser
def test_html_page_opens_offline_and_shows_the_selection(examples_db, tmp_path):
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
    require_chromium()  # none: skip, or fail in CI
    project = ("--project", "ТОР «Амурский берег»")
    out = tmp_path / "amur.html"
    export(examples_db, "html", out, *project)
    selection = selection_json(examples_db, tmp_path, *project)
    asked: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1300, "height": 900}, offline=True)
        context.route(re.compile(r"^(?!file:).*"), lambda route: (asked.append(route.request.url), route.abort()))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(out.as_uri())
        page.locator("body[data-ready=true]").wait_for(timeout=30_000)
        assert page.evaluate("cy.nodes().length") == len(selection["nodes"]) > 3
        assert page.evaluate("cy.edges().length") == len(selection["edges"])
        counts = page.locator("#counts")
        assert counts.get_attribute("data-nodes") == str(len(selection["nodes"]))
        assert f"{len(selection['nodes'])} узлов" in counts.inner_text()
        assert sorted(page.evaluate("cy.nodes().map(n => n.data('label'))")) == sorted(
            n["name"] for n in selection["nodes"])
        page.evaluate("cy.nodes().filter(n => n.data('label') === 'ТОР «Амурский берег»').emit('tap')")
        page.locator("#details h2", has_text="ТОР «Амурский берег»").wait_for()
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "export-html.png"))
        browser.close()
    assert not errors and not asked  # nothing failed, nothing was fetched


def test_a_big_selection_is_drawn_by_its_best_connected_nodes(tmp_path):
    from graph.formats import write
    from graph.formats.base import graph_parts
    from graph.formats.picture import MAX_DRAWN
    g = nx.MultiDiGraph(articles=[])
    for i in range(MAX_DRAWN + 200):
        g.add_node(f"ORG:{i}", type="ORG", name=f"Компания {i}", mentions=[], mention_count=1)
    g.add_node("PERSON:hub", type="PERSON", name="Центральная Персона", mentions=[], mention_count=1)
    for i in range(0, MAX_DRAWN + 200, 2):  # the hub works at every other company: those are drawn first
        g.add_edge("PERSON:hub", f"ORG:{i}", key=f"r{i}", type="WORKS_AT", role="", weight=1, evidence=[])
    (out,) = write("svg", graph_parts(g), tmp_path / "big.svg")
    root = ElementTree.parse(out).getroot()
    groups = {el.get("id"): marks(el) for el in root.iter("{http://www.w3.org/2000/svg}g")
              if (el.get("id") or "").startswith("nodes-")}
    assert groups == {"nodes-PERSON": 1, "nodes-ORG": MAX_DRAWN - 1}
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert f"показаны {MAX_DRAWN} из {MAX_DRAWN + 201} узлов" in texts and "Центральная Персона" in texts
