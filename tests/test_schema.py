"""The schema (graph/schema.json) is the one declaration of types, relation types, roles and
project kinds; the vocabulary (ingest/data/vocabulary.json) holds the word lists extraction reads.

Extraction emits only what the schema declares, the gold uses only what it declares, and every
word list loads and is not empty.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.model import (ENTITY_TYPES, INVOLVEMENT_ROLES, PROJECT_KINDS, RELATION_TYPES, SCHEMA, ZONE_KINDS, colors,
                         labels, role_fits)
from ingest import vocabulary

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "gold"
# a few parks-dev documents from across the set (the old and the new ones)
GOLD_SAMPLE = ["dev-001", "dev-013", "dev-021", "dev-030", "dev-055", "dev-077", "dev-102"]


def check_declared(entities: list[dict], relations: list[dict], where: str, posts_written: bool = True) -> None:
    """Every entity type, project kind, relation type, source/target type pair and
    INVOLVED_IN role is declared in the schema; a WORKS_AT role is the post as written (some
    factRuEval gold relations name none)."""
    types = {e["id"]: e["type"] for e in entities}
    for e in entities:
        assert e["type"] in ENTITY_TYPES, (where, e)
        if e["type"] == "PROJECT":
            assert e.get("kind") in PROJECT_KINDS, (where, e["name"], e.get("kind"))
        else:
            assert e.get("kind") is None, (where, e)
    for r in relations:
        spec = SCHEMA["relation_types"].get(r["type"])
        assert spec is not None, (where, r)
        pair = (types[r["source"]], types[r["target"]])
        assert pair[0] in spec["source"] and pair[1] in spec["target"], (where, r["type"], pair)
        if spec["role"] == "involvement_roles":
            assert r.get("role") in INVOLVEMENT_ROLES, (where, r)
        elif spec["role"] == "post":
            assert isinstance(r.get("role"), str) and (r["role"].strip() or not posts_written), (where, r)
        else:
            assert r.get("role") is None, (where, r)


@pytest.fixture(scope="module")
def extracted(nlp) -> list[tuple[str, dict]]:
    from ingest.extract import as_contract, extract
    from ingest.readers import read_articles

    articles = list(read_articles([ROOT / "examples" / "news"]))
    articles += list(read_articles([GOLD / "parks-dev" / f"{name}.json" for name in GOLD_SAMPLE]))
    assert len(articles) >= 16 + len(GOLD_SAMPLE)
    return [(a.doc, as_contract(extract(a))) for a in articles]


def test_schema_declares_the_types_once():
    assert ENTITY_TYPES == ("PERSON", "ORG", "LOC", "PROJECT")
    assert RELATION_TYPES == ("WORKS_AT", "INVOLVED_IN", "LOCATED_IN", "PART_OF")
    assert "investor" in INVOLVEMENT_ROLES and "resident" in INVOLVEMENT_ROLES
    assert "other" in PROJECT_KINDS and set(ZONE_KINDS) < set(PROJECT_KINDS)
    for spec in SCHEMA["relation_types"].values():
        assert set(spec["source"]) | set(spec["target"]) <= set(ENTITY_TYPES)
    # the app's labels and colours come from the schema: one for every name
    for section in ("entity_types", "relation_types", "involvement_roles", "project_kinds"):
        assert set(labels(section)) == set(SCHEMA[section]) and all(labels(section).values())
    assert set(colors("entity_types")) == set(ENTITY_TYPES)
    assert set(colors("relation_types")) == set(RELATION_TYPES)
    # the kinds a role can be of are declared kinds
    for spec in SCHEMA["involvement_roles"].values():
        assert set(spec.get("of", [])) <= set(PROJECT_KINDS)


def test_a_resident_is_in_a_territory_and_other_roles_fit_every_kind():
    assert all(role_fits("resident", k) for k in ZONE_KINDS) and role_fits("resident", "cluster")
    assert not role_fits("resident", "plant") and not role_fits("resident", "infrastructure")
    assert all(role_fits(r, k) for r in INVOLVEMENT_ROLES if r != "resident" for k in PROJECT_KINDS)


def test_extraction_emits_only_what_the_schema_declares(extracted):
    seen_types, seen_relations = set(), set()
    for doc, record in extracted:
        check_declared(record["entities"], record["relations"], doc)
        kinds = {e["id"]: e.get("kind") for e in record["entities"]}
        assert all(role_fits(r.get("role"), kinds[r["target"]]) for r in record["relations"]
                   if r["type"] == "INVOLVED_IN"), doc
        seen_types |= {e["type"] for e in record["entities"]}
        seen_relations |= {r["type"] for r in record["relations"]}
    # the sample exercises the whole schema, not an empty corner of it
    assert seen_types == set(ENTITY_TYPES)
    assert seen_relations == set(RELATION_TYPES)


@pytest.mark.parametrize("corpus", ["parks-dev", "factru-dev", "seed"])
def test_gold_uses_only_declared_kinds_and_roles(corpus):
    files = sorted((GOLD / corpus).glob("*.json"))
    assert files
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        check_declared(gold["entities"], gold["relations"], path.name, posts_written=False)


def test_every_vocabulary_list_loads_and_is_not_empty():
    names = vocabulary.names()
    assert len(names) >= 40
    for name in names:
        entry = vocabulary.entry(name)
        assert entry["about"].strip() and entry["read_by"].strip(), name
        if "map" in entry:
            values = vocabulary.mapping(name)
            assert values and all(isinstance(k, str) and k for k in values), name
        else:
            words = vocabulary.words(name)
            assert words and all(isinstance(w, str) and w.strip() == w and w for w in words), name
            assert vocabulary.ordered(name)
    with pytest.raises(KeyError):
        vocabulary.words("no such list")


def test_vocabulary_maps_point_into_the_schema():
    """Roles the cue words give and kinds the zone words name are declared ones."""
    assert set(vocabulary.mapping("role_cues").values()) <= set(INVOLVEMENT_ROLES)
    assert set(vocabulary.mapping("we_role_cues").values()) <= set(INVOLVEMENT_ROLES)
    assert set(vocabulary.mapping("zone_abbreviations").values()) <= set(ZONE_KINDS)
    assert set(vocabulary.mapping("short_zone_heads")) <= set(PROJECT_KINDS)


def test_module_lists_come_from_the_vocabulary():
    """The names the code reads are the data file's lists, not copies of them."""
    from ingest import candidates, involvement, relations, syntax
    from ingest.grammars import organisations, projects
    assert syntax.AREA_NOUNS is vocabulary.words("place_nouns")
    assert projects.PLANT_HEADS is vocabulary.words("plant_heads")
    assert organisations.BODIES is vocabulary.words("bodies")
    assert involvement.SPEECH_VERBS is vocabulary.words("speech_verbs")
    assert relations.UNIT_NOUNS is vocabulary.words("unit_nouns")
    assert candidates.ORG_REFERRING is vocabulary.words("org_referring")
