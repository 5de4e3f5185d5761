"""The shape of graph/ and app/: small functions, modules that import on their own with no import
cycle, opening a store in one place above the stores, and both stores answering the same named
queries (graph.base.QUERIES)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

MAX_FUNCTION_LINES = 60
GRAPH_MODULES = sorted(p.stem for p in (ROOT / "graph").glob("*.py") if p.stem != "__init__")


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_no_function_in_graph_and_app_is_over_60_lines():
    long = []
    for path in python_files("graph", "app"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, long


def graph_imports(path: Path) -> set[str]:
    """The graph modules a graph module imports, at any depth of its code (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                found |= {module} if module else {a.name for a in node.names}
            elif module.startswith("graph."):
                found.add(module.removeprefix("graph."))
            elif module == "graph":
                found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("graph.") for a in node.names if a.name.startswith("graph.")}
    return found & set(GRAPH_MODULES)


def test_graph_has_no_import_cycle_and_opens_stores_only_from_graph_open():
    imports = {m: graph_imports(ROOT / "graph" / f"{m}.py") for m in GRAPH_MODULES}
    assert not [m for m, found in imports.items() if "open" in found], "nothing in graph/ may import graph.open"
    assert {m for m, found in imports.items() if {"embedded", "neo4j_store"} <= found} == {"open"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join(path + (module,))}"
        if module not in done:
            for imported in sorted(imports[module]):
                visit(imported, path + (module,))
            done.add(module)

    for module in GRAPH_MODULES:
        visit(module, ())


@pytest.mark.parametrize("module", GRAPH_MODULES)
def test_each_graph_module_imports_alone_in_a_fresh_interpreter(module):
    result = subprocess.run([sys.executable, "-c", f"import graph.{module}"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_both_stores_write_every_named_query_and_no_other():
    from graph import embedded, neo4j_store
    from graph.base import PROJECT_TABLES, QUERIES
    for store in (embedded, neo4j_store):
        assert set(store.QUERIES) == set(QUERIES), store.__name__
        assert set(store.TABLES) == set(PROJECT_TABLES), store.__name__


def test_every_graph_and_app_module_says_what_it_owns():
    missing = [str(p.relative_to(ROOT)) for p in python_files("graph", "app")
               if p.name != "__init__.py" and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, missing
