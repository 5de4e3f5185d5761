"""The documentation holds: the README is a front page (short, with the app's picture), every link
in it and in docs/ reaches a file and a heading, every `investgraph` command and `make` target they
name exists, and docs/cli.md is what the commands' --help print today."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from app.cli import cli

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """The anchor GitHub makes of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)}


def test_the_command_reference_is_what_help_prints():
    render = runpy.run_path(str(ROOT / "scripts" / "cli_doc.py"))["render"]
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is out of date: .venv/bin/python scripts/cli_doc.py > docs/cli.md"


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 150
    assert "](docs/img/app.png)" in readme and (ROOT / "docs" / "img" / "app.png").stat().st_size > 10_000
    for command in ("make demo", "make test"):
        assert f"\n{command}   #" in readme, command


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_reach_a_file_and_a_heading(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name}: {target}"
        if fragment:
            assert fragment in anchors(file), f"{page.name}: {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_commands_named_exist(page):
    text = page.read_text(encoding="utf-8")
    for name in re.findall(r"(?:^\s*|`)investgraph ([a-z]+)\b", text, re.M):  # in code, not prose
        assert name in cli.commands, f"{page.name}: investgraph {name}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"(?:^\s*|`)make ([a-z]+)\b", text, re.M):
        assert re.search(rf"^{target}:", makefile, re.M), f"{page.name}: make {target}"
