"""The extraction contract, docs/extraction.schema.json, against the code: every line
`investgraph extract --format jsonl` prints for the example corpus (every input format) and for
a text with a group company and an approximate sum is valid under the schema, its offsets point
into the article's text and its relations join entities of the line with the types
graph/schema.json allows; the schema's vocabulary is graph/schema.json's; the example in
docs/extraction-contract.md is a valid line whose offsets fit the text shown with it."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from app.cli import cli
from graph.model import ENTITY_TYPES, INVOLVEMENT_ROLES, PROJECT_KINDS, RELATION_TYPES, SCHEMA
from ingest.readers import read_articles

from conftest import EXAMPLES, ROOT, write_texts

CONTRACT = ROOT / "docs" / "extraction.schema.json"
EXPLAINED = ROOT / "docs" / "extraction-contract.md"
# a unit of a group (PART_OF), a sum with a qualifier, an area
GROUP = ("ООО «Алмаз Сервис» (входит в ГК «Алмаз») построит завод металлоконструкций в Омске. "
         "Инвестиции в проект составят свыше 2 млрд рублей, площадь площадки — 12 га.")


@pytest.fixture(scope="module")
def contract() -> Draft202012Validator:
    schema = json.loads(CONTRACT.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def emitted(nlp, tmp_path_factory) -> list[tuple[dict, str]]:
    """(line, the text of its article) for every line the command prints."""
    group = write_texts(tmp_path_factory.mktemp("group"), {"group.txt": GROUP})
    texts = {a.doc: a.text for a in read_articles([EXAMPLES, group])}
    result = CliRunner().invoke(cli, ["extract", str(EXAMPLES), str(group), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["doc"] for line in lines) == sorted(texts)
    return [(line, texts[line["doc"]]) for line in lines]


def problems(contract: Draft202012Validator, line: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in contract.iter_errors(line)]


def check_offsets(line: dict, text: str) -> None:
    """Mentions, evidence sentences and facts' words are text[start:stop]; relations join the line's
    entities, of the types graph/schema.json allows."""
    types = {e["id"]: e["type"] for e in line["entities"]}
    assert len(types) == len(line["entities"]), "entity ids repeat"
    for e in line["entities"]:
        for m in e["mentions"]:
            assert text[m["start"]:m["stop"]] == m["text"], (line["doc"], m)
        for fact in e.get("facts", {}).values():
            if isinstance(fact, dict):
                ev = fact["evidence"]
                assert ev["article"] == line["article"] and text[ev["start"]:ev["stop"]] == ev["text"], ev
                assert ev["sentence_start"] <= ev["start"] < ev["stop"] <= ev["sentence_stop"] <= len(text), ev
    for r in line["relations"]:
        spec = SCHEMA["relation_types"][r["type"]]
        assert types[r["source"]] in spec["source"] and types[r["target"]] in spec["target"], (line["doc"], r)
        ev = r["evidence"]
        assert text[ev["start"]:ev["stop"]] == ev["sentence"], (line["doc"], r)


def test_every_line_extract_prints_keeps_the_contract(contract, emitted):
    for line, text in emitted:
        assert not problems(contract, line), (line["doc"], problems(contract, line))
        check_offsets(line, text)
    # the lines hold every kind of thing the contract describes, so every part of it was checked
    entities = [e for line, _ in emitted for e in line["entities"]]
    relations = [r for line, _ in emitted for r in line["relations"]]
    assert {e["type"] for e in entities} == set(ENTITY_TYPES)
    assert {r["type"] for r in relations} == set(RELATION_TYPES)
    assert {k for e in entities for k in e.get("facts", {})} == set(contract.schema["$defs"]["facts"]["properties"])
    assert {e["facts"]["investment"]["qualifier"] for e in entities if "investment" in e.get("facts", {})} > {None}


def test_the_contract_declares_what_graph_schema_declares(contract):
    defs = contract.schema["$defs"]
    assert defs["entity"]["properties"]["type"]["enum"] == list(ENTITY_TYPES)
    assert defs["kind"]["enum"] == list(PROJECT_KINDS)
    assert defs["relation"]["properties"]["type"]["enum"] == list(RELATION_TYPES)
    assert defs["involvement_role"]["enum"] == list(INVOLVEMENT_ROLES)
    # the role each relation type takes, as graph/schema.json says
    rules = {rule["if"]["properties"]["type"]["const"]: rule["then"] for rule in defs["relation"]["allOf"]}
    assert set(rules) == set(RELATION_TYPES)
    for rtype, spec in SCHEMA["relation_types"].items():
        then = rules[rtype]
        if spec["role"] is None:
            assert then == {"not": {"required": ["role"]}}, rtype
        else:
            assert then["required"] == ["role"], rtype
            role = then["properties"]["role"]
            assert role == ({"$ref": "#/$defs/involvement_role"} if spec["role"] == "involvement_roles"
                            else {"description": role["description"]}), rtype


def test_the_documented_example_is_a_valid_line(contract):
    page = EXPLAINED.read_text(encoding="utf-8")
    (text,) = re.findall(r"```text\n(.*?)\n```", page, re.S)
    (example,) = re.findall(r"```json\n(.*?)\n```", page, re.S)
    line = json.loads(example)
    assert not problems(contract, line), problems(contract, line)
    check_offsets(line, text)
    assert f"investgraph extract {line['doc']}.txt --format jsonl" in page
