"""The formats that build a Neo4j database, in real Neo4j 5: the Cypher script run through the
driver (`investgraph import FILE.cypher`) and by cypher-shell, and the neo4j-admin CSV imported
with `neo4j-admin database import full` offline into a stopped database of a second server, which
is then started. Each must give the source's `investgraph stats --json` and the same
`investgraph export --format json` (manifest aside).

The test server is the suite's (INVESTGRAPH_NEO4J_URL, emptied by the fixtures); cypher-shell and
neo4j-admin come from its jar folders, fetched by scripts/test (NEO4J_HOME_DIR, default .neo4j).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from app.cli import cli

from conftest import ROOT, in_ci

pytestmark = pytest.mark.neo4j
NEO4J_SCRIPT = ROOT / "scripts" / "neo4j"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def stats(store: str) -> dict:
    return json.loads(run("stats", "--json", "--store", store))


def content(store: str, folder: Path) -> dict:
    """`investgraph export --format json` of a store, less the manifest's time, store and selection."""
    out = folder / f"export-{abs(hash(store))}.json"
    run("export", "--format", "json", "-o", str(out), "--force", "--store", store)
    data = json.loads(out.read_text(encoding="utf-8"))
    for key in ("created_at", "store", "selection"):
        data["manifest"].pop(key)
    return data


def same_graph(source: str, target: str, folder: Path) -> None:
    assert stats(target) == stats(source)
    assert content(target, folder) == content(source, folder)


def server_home() -> Path:
    return Path(os.environ.get("NEO4J_HOME_DIR") or ROOT / ".neo4j")


def jars(folder: Path, what: str) -> Path:
    """A jar folder scripts/test fetched; its absence fails in CI and skips elsewhere."""
    if not folder.is_dir():
        message = f"no {what} jars in {folder}: scripts/test fetches them (scripts/neo4j fetch)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return folder


def neo4j_script(*args: str, env: dict[str, str], cwd: Path | None = None, timeout: int = 300) -> str:
    done = subprocess.run([str(NEO4J_SCRIPT), *args], env={**os.environ, **env}, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# --- the Cypher script ---------------------------------------------------------------------------

def test_cypher_script_through_the_driver_rebuilds_the_graph(embedded_examples, neo4j_store, neo4j_url, tmp_path):
    script = tmp_path / "graph.cypher"
    run("export", "--format", "cypher", "-o", str(script), "--store", embedded_examples.url)
    printed = run("import", str(script), "--store", neo4j_url)
    assert "statements of" in printed
    same_graph(embedded_examples.url, neo4j_url, tmp_path)
    assert "Игорь Кречетов" in run("search", "Кречетова", "--store", neo4j_url)  # the search index works
    again = CliRunner().invoke(cli, ["import", str(script), "--store", neo4j_url])
    assert again.exit_code == 1 and "holds a graph" in again.output  # never twice into one database
    assert stats(neo4j_url) == stats(embedded_examples.url)


def test_cypher_script_of_a_selection_by_cypher_shell(dated_embedded, neo4j_store, neo4j_url, tmp_path):
    script, chosen = tmp_path / "march.cypher", tmp_path / "march.json"
    selection = ("--as-of", "2024-03-31", "--store", dated_embedded.url)
    run("export", "--format", "cypher", "-o", str(script), *selection)
    run("export", "--format", "json", "-o", str(chosen), *selection)
    jars(server_home() / "cypher-shell", "cypher-shell")
    port = str(urlsplit(neo4j_url).port)
    neo4j_script("shell", "--fail-fast", "-f", str(script), env={"NEO4J_BOLT_PORT": port})
    expected = json.loads(chosen.read_text(encoding="utf-8"))
    got = content(neo4j_url, tmp_path)
    assert got["manifest"]["content_hash"] == expected["manifest"]["content_hash"]
    assert {k: v for k, v in got.items() if k != "manifest"} == {k: v for k, v in expected.items() if k != "manifest"}
    assert stats(neo4j_url)["articles"] == 2  # March: two articles known


# --- neo4j-admin database import full ----------------------------------------------------------------

@pytest.fixture
def admin_home(tmp_path, neo4j_url):
    """A second Neo4j home sharing the suite server's jars, its server stopped after the test."""
    from test_browser import free_port
    env = {"NEO4J_HOME_DIR": str(tmp_path / "admin-home"),
           "NEO4J_LIB_DIR": str(jars(Path(os.environ.get("NEO4J_LIB_DIR") or server_home() / "lib"), "Neo4j")),
           "NEO4J_BOLT_PORT": str(free_port()), "NEO4J_HTTP_PORT": "0", "NEO4J_HEAP": "512m",
           "NEO4J_PAGECACHE": "64m"}
    yield env
    neo4j_script("stop", env=env)


def test_neo4j_admin_import_gives_the_same_store(embedded_examples, admin_home, tmp_path):
    folder = tmp_path / "admin"
    run("export", "--format", "neo4j-admin", "-o", str(folder), "--store", embedded_examples.url)
    report = neo4j_script("admin", "database", "import", "full", "neo4j", "@neo4j-admin-import.args",
                          env=admin_home, cwd=folder)
    assert "IMPORT DONE" in report
    neo4j_script("start", env=admin_home)
    target = f"neo4j://neo4j@127.0.0.1:{admin_home['NEO4J_BOLT_PORT']}"
    same_graph(embedded_examples.url, target, tmp_path)
    card = run("entity", "Тайга Металл", "--store", target)  # an imported store answers like any other
    assert "генеральный директор" in card and "Марина Лаптева" in card
    assert "Игорь Кречетов" in run("search", "Кречетова", "--store", target)
