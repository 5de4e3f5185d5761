"""The contracts: `investgraph extract` (one JSON object per article, entities with mentions
whose offsets point into the article text as the readers normalise it), and the stores' projects
read (Store.projects, run against both stores with the same expectations)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from graph import analytics
from graph.model import ENTITY_TYPES, Article, Entity, Evidence, Extraction, Mention, Relation
from graph.model import Participant, Place, Project
from ingest.readers import read_articles

from conftest import VOROBYEV, ZALIVATSKY, investgraph_script


@pytest.fixture
def two_articles(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # CRLF line endings and trailing spaces: offsets must refer to the normalised text
    (folder / "zalivatsky.txt").write_bytes(ZALIVATSKY.replace("\n", "  \r\n").encode("utf-8"))
    (folder / "vorobyev.txt").write_text(VOROBYEV + "\n", encoding="utf-8")
    return folder


def articles_by_doc(folder: Path) -> dict[str, Article]:
    items = list(read_articles([folder]))
    assert all(isinstance(a, Article) for a in items)
    return {a.doc: a for a in items}


def parse_jsonl(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def check_contract(records: list[dict], articles: dict[str, Article]) -> None:
    assert sorted(r["doc"] for r in records) == sorted(articles)
    for rec in records:
        text = articles[rec["doc"]].text
        assert isinstance(rec["entities"], list) and isinstance(rec["relations"], list)
        assert rec["entities"], f"nothing found in {rec['doc']}"
        ids = [e["id"] for e in rec["entities"]]
        assert len(ids) == len(set(ids))
        for e in rec["entities"]:
            assert {"id", "type", "name", "mentions"} <= set(e)
            assert e["type"] in ENTITY_TYPES
            assert e["name"].strip()
            assert e["mentions"]
            for m in e["mentions"]:
                assert 0 <= m["start"] < m["stop"] <= len(text)
                assert text[m["start"]:m["stop"]] == m["text"]
        for r in rec["relations"]:
            assert r["source"] in ids and r["target"] in ids
            ev = r["evidence"]
            assert 0 <= ev["start"] < ev["stop"] <= len(text)


def by_name(record: dict, name: str) -> dict:
    matches = [e for e in record["entities"] if e["name"] == name]
    assert len(matches) == 1, [e["name"] for e in record["entities"]]
    return matches[0]


def test_extract_cli_contract(two_articles, nlp):
    result = CliRunner().invoke(cli, ["extract", str(two_articles), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    articles = articles_by_doc(two_articles)
    records = parse_jsonl(result.stdout)
    check_contract(records, articles)
    rec = {r["doc"]: r for r in records}

    # full name, then surname alone: one person with both mentions
    person = by_name(rec["zalivatsky"], "Руслан Заливацкий")
    assert person["type"] == "PERSON"
    assert [m["text"] for m in person["mentions"]] == ["Руслан Заливацкий", "Заливацкий"]
    text = articles["zalivatsky"].text
    assert person["mentions"][1]["start"] == text.index("Заливацкий сказал")
    assert not [e for e in rec["zalivatsky"]["entities"]
                if e["type"] == "PERSON" and e["id"] != person["id"]]

    # instrumental case in the text, nominative name in the record
    governor = by_name(rec["vorobyev"], "Андрей Воробьев")
    assert governor["type"] == "PERSON"
    assert [m["text"] for m in governor["mentions"]] == ["Андреем Воробьевым"]
    moscow = by_name(rec["vorobyev"], "Москва")
    assert moscow["type"] == "LOC" and moscow["mentions"][0]["text"] == "Москве"


def test_extract_cli_text_format(two_articles, nlp):
    result = CliRunner().invoke(cli, ["extract", str(two_articles / "vorobyev.txt"), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "# vorobyev" in result.stdout
    assert "Андрей Воробьев" in result.stdout


def test_extract_cli_reports_bad_files_and_fails(tmp_path, two_articles, nlp):
    bad = tmp_path / "bad.csv"
    bad.write_text("title\nбез текста\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(two_articles / "vorobyev.txt"), str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.stderr
    assert len(parse_jsonl(result.stdout)) == 1  # the good file is still extracted


def test_extract_console_script(two_articles):
    script = investgraph_script()
    proc = subprocess.run([str(script), "extract", str(two_articles), "--format", "jsonl"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    records = parse_jsonl(proc.stdout)
    assert len(records) == 2
    check_contract(records, articles_by_doc(two_articles))


# --- the store's projects read: Store.projects() -------------------------------------------------
# Both stores answer it with a few queries (no whole graph), with the same answers: the ones the
# projects table gave when it was built from the whole graph (`projects_from_graph` below).

ALPHA = ("PROJECT", "парк «Альфа»")
BETA = ("PROJECT", "завод «Бета»")
GAMMA = ("PROJECT", "технопарк «Гамма»")
OKA = ("ORG", "ООО «Ока Фарма»")
PLAIN = ("ORG", "АО «Без ролей»")
HOLDING = ("ORG", "Холдинг «Север»")
SOKOLOVA, IVANOV, PETROV = ("PERSON", "Ирина Соколова"), ("PERSON", "Олег Иванов"), ("PERSON", "Иван Петров")
KALUGA, REGION, RUSSIA, ZONE = ("LOC", "Калуга"), ("LOC", "Калужская область"), ("LOC", "Россия"), ("LOC", "Промзона")
ALPHA_FACTS = {"investment": {"amount": 2.5e9, "currency": "RUB"}, "jobs": {"count": 300}}
PROJECT_INFO = {ALPHA: ("industrial_park", ALPHA_FACTS), BETA: ("plant", {}), GAMMA: (None, {})}


def key(e: tuple[str, str]) -> str:
    return f"{e[0]}:{e[1].lower()}"


def stated(n: int, kind: str | None, source: tuple[str, str], target: tuple[str, str] | None = None,
           role: str | None = None) -> Extraction:
    """One article stating `source` `kind` `target` (or only mentioning `source`)."""
    ends = [source] + ([target] if target else [])
    text = " и ".join(name for _, name in ends) + "."
    ents, pos = [], 0
    for i, (type_, name) in enumerate(ends):
        kind_, facts = PROJECT_INFO.get((type_, name), (None, {}))
        ents.append(Entity(f"T{i}", type_, name, key=key((type_, name)), kind=kind_, facts=dict(facts),
                           mentions=[Mention(pos, pos + len(name), name, 0, len(text))]))
        pos += len(name) + 3
    aid = f"https://projects.example.ru/{n}"
    rels = [Relation(kind, "T0", "T1", role, [Evidence(aid, 0, len(text), text)])] if target else []
    return Extraction(Article(aid, text, title=f"n{n}", url=aid, date="2024-03-01", source="t"), ents, rels)


def projects_graph() -> list[Extraction]:
    said = [
        ("LOCATED_IN", ALPHA, KALUGA, None), ("PART_OF", ALPHA, ZONE, None), ("PART_OF", ALPHA, HOLDING, None),
        ("PART_OF", KALUGA, REGION, None), ("LOCATED_IN", REGION, RUSSIA, None),
        ("LOCATED_IN", REGION, KALUGA, None),  # a loop among places
        ("INVOLVED_IN", OKA, ALPHA, "resident"), ("INVOLVED_IN", OKA, ALPHA, "resident"),  # two articles
        ("INVOLVED_IN", OKA, ALPHA, "investor"), ("INVOLVED_IN", PLAIN, ALPHA, None),
        ("INVOLVED_IN", PETROV, ALPHA, "initiator"), ("PART_OF", BETA, ALPHA, None),
        ("LOCATED_IN", BETA, RUSSIA, None), ("INVOLVED_IN", OKA, BETA, "partner"),
        ("WORKS_AT", SOKOLOVA, OKA, "директор"), ("WORKS_AT", IVANOV, OKA, None),
        ("WORKS_AT", SOKOLOVA, OKA, "директор"), ("WORKS_AT", HOLDING, OKA, "акционер"),  # not a person
        ("WORKS_AT", PETROV, PLAIN, "советник"),
    ]
    return [stated(n, *s) for n, s in enumerate(said)] + [stated(len(said), None, GAMMA)]


def test_projects_from_the_store(store):
    store.write(projects_graph())
    oka_people = (("Ирина Соколова", "директор"), ("Олег Иванов", ""))
    kaluga = Place(key(KALUGA), "Калуга", frozenset({"Калужская область", "Россия"}))
    assert store.projects() == [
        Project(key(BETA), "завод «Бета»", "plant", {}, [Place(key(RUSSIA), "Россия")],
                [Participant(key(OKA), "ООО «Ока Фарма»", "ORG", "partner", oka_people)], 3),
        Project(key(ALPHA), "парк «Альфа»", "industrial_park", ALPHA_FACTS,
                [kaluga, Place(key(ZONE), "Промзона")],
                [Participant(key(PLAIN), "АО «Без ролей»", "ORG", "participant", (("Иван Петров", "советник"),)),
                 Participant(key(PETROV), "Иван Петров", "PERSON", "initiator"),
                 Participant(key(OKA), "ООО «Ока Фарма»", "ORG", "investor", oka_people),
                 Participant(key(OKA), "ООО «Ока Фарма»", "ORG", "resident", oka_people)],
                # places 2 + holding 1 + Ока 2 + 1 + Без ролей 1 + Петров 1 + Бета 1
                9),
        Project(key(GAMMA), "технопарк «Гамма»", "", {}, [], [], 0),
    ]
    rows = analytics.project_rows(store.projects())
    assert [(r["project"], r["participant"], r["role"], r["key_people"], r["place"], r["evidence"]) for r in rows] == [
        ("завод «Бета»", "ООО «Ока Фарма»", "partner", "Ирина Соколова (директор); Олег Иванов", "Россия", 3),
        ("парк «Альфа»", "АО «Без ролей»", "participant", "Иван Петров (советник)", "Калуга; Промзона", 9),
        ("парк «Альфа»", "Иван Петров", "initiator", "", "Калуга; Промзона", 9),
        ("парк «Альфа»", "ООО «Ока Фарма»", "investor", "Ирина Соколова (директор); Олег Иванов", "Калуга; Промзона", 9),
        ("парк «Альфа»", "ООО «Ока Фарма»", "resident", "Ирина Соколова (директор); Олег Иванов", "Калуга; Промзона", 9),
        ("технопарк «Гамма»", "", "", "", "", 0),
    ]
    assert rows[1]["investment"] == "2,5 млрд ₽" and rows[1]["jobs"] == "300" and rows[0]["investment"] == ""


def test_an_empty_store_has_no_projects(store):
    assert store.projects() == []


def test_projects_as_the_whole_graph_gave_them(examples_store):
    """The table from the store's read is the one the whole graph gave, row by row, and each
    place lies in the places the whole graph's walk upwards finds."""
    g = examples_store.snapshot()
    projects = examples_store.projects()
    assert len(projects) == sum(d["type"] == "PROJECT" for _, d in g.nodes(data=True)) > 10
    assert analytics.project_rows(projects) == projects_from_graph(g)
    places = {pl.id: pl for p in projects for pl in p.places}
    assert places
    for pl in places.values():
        assert {pl.name} | pl.within == {g.nodes[n]["name"] for n in region_of(g, pl.id)}


def projects_from_graph(g) -> list[dict]:
    """The projects table as it was built from the whole graph before Store.projects() (the code
    the app ran), kept here as the reference the stores' read must equal."""
    node = dict(g.nodes(data=True))

    def key_people(org: str) -> str:
        people = set()
        for person, _, e in g.in_edges(org, data=True):
            if e["type"] == "WORKS_AT" and node[person]["type"] == "PERSON":
                people.add(node[person]["name"] + (f" ({e['role']})" if e.get("role") else ""))
        return "; ".join(sorted(people))

    rows = []
    for p, d in node.items():
        if d.get("type") != "PROJECT":
            continue
        places, participants, evidence = set(), {}, 0
        for _, t, e in g.out_edges(p, data=True):
            evidence += e.get("evidence_count", 0)
            if e["type"] in ("LOCATED_IN", "PART_OF") and node[t]["type"] == "LOC":
                places.add(t)
        for s, _, e in g.in_edges(p, data=True):
            evidence += e.get("evidence_count", 0)
            if e["type"] == "INVOLVED_IN":
                participants[(s, e.get("role") or "participant")] = e.get("confidence")
        facts = d.get("facts") or {}
        base = {"project": d["name"], "kind": d.get("kind") or "",
                "place": "; ".join(sorted({node[i]["name"] for i in places}))}
        for column, fact in analytics.FACT_COLUMNS:
            base[column] = analytics.format_fact(fact, facts[fact]) if fact in facts else ""
        base["evidence"] = evidence
        if not participants:
            rows.append({**base, "participant": "", "participant_type": "", "role": "", "confidence": None,
                         "key_people": "", "project_id": p, "participant_id": ""})
        for s, role in sorted(participants, key=lambda x: (node[x[0]]["name"], x[1], x[0])):
            rows.append({**base, "participant": node[s]["name"], "participant_type": node[s]["type"], "role": role,
                         "confidence": participants[(s, role)],
                         "key_people": key_people(s) if node[s]["type"] == "ORG" else "", "project_id": p,
                         "participant_id": s})
    rows.sort(key=lambda r: (r["project"].casefold(), r["participant"].casefold(), r["role"]))
    return rows


def region_of(g, place: str, seen: frozenset = frozenset()) -> list[str]:
    """The places a place lies in (PART_OF / LOCATED_IN upwards), itself first: the whole graph's walk."""
    out = [place]
    for _, t, e in g.out_edges(place, data=True):
        if e["type"] in ("PART_OF", "LOCATED_IN") and t not in seen and g.nodes[t]["type"] == "LOC":
            out += region_of(g, t, seen | {place})
    return out


# --- relation confidences: what the stores keep and give back ------------------------------------
# A relation's confidence is the highest of its evidence's, each evidence sentence keeping the
# confidence the relation had in its article; None (rules alone) stays None.

def scored(n: int, confidence: float | None, source: tuple[str, str] = OKA, target: tuple[str, str] = ALPHA,
           kind: str = "INVOLVED_IN", role: str | None = "investor", again: bool = False) -> Extraction:
    """Article n stating `source` `kind` `target` with this confidence; `again`: a new text of it."""
    ex = stated(n, kind, source, target, role)
    ex.relations[0].confidence = confidence
    if again:
        ex.article.text += " Снова."
    return ex


def confidence_in(store, source: tuple[str, str] = OKA, target: tuple[str, str] = ALPHA) -> dict:
    """The relation's confidence everywhere a store gives it back: the snapshot's edge and its
    evidence, the neighbourhood's edge, both ends' entity cards, the projects table's participant."""
    ((u, v, d),) = store.snapshot().edges(data=True)
    ((_, _, near),) = store.neighbourhood([key(source)]).edges(data=True)
    (out,) = store.entity(key(source)).neighbours
    (back,) = store.entity(key(target)).neighbours
    participants = [p for pr in store.projects() for p in pr.participants]
    return {"snapshot": d["confidence"], "evidence": sorted((e["article"], e["confidence"]) for e in d["evidence"]),
            "neighbourhood": near["confidence"], "card": out.confidence, "card in": back.confidence,
            "participants": [p.confidence for p in participants]}


def everywhere(confidence: float | None, evidence: list[tuple[int, float | None]]) -> dict:
    return {"snapshot": confidence, "evidence": [(f"https://projects.example.ru/{n}", c) for n, c in evidence],
            "neighbourhood": confidence, "card": confidence, "card in": confidence, "participants": [confidence]}


def test_a_relation_confidence_round_trips(store, tmp_path):
    store.write([scored(1, 0.82)])
    assert confidence_in(store) == everywhere(0.82, [(1, 0.82)])
    ((rel,),) = [ex.relations for ex in store.extractions()]
    assert rel.confidence == 0.82
    from graph.open import copy_store, open_store
    copy = open_store(str(tmp_path / "copy" / "graph.db"))
    try:
        copy_store(store, copy)
        assert confidence_in(copy) == everywhere(0.82, [(1, 0.82)])
    finally:
        copy.close()


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 2, 1)])
def test_a_relation_confidence_is_the_highest_of_its_articles(store, order):
    said = {1: 0.4, 2: 0.9, 3: None}
    for n in order:  # one write per article, in either order
        store.write([scored(n, said[n])])
    assert confidence_in(store) == everywhere(0.9, [(1, 0.4), (2, 0.9), (3, None)])


def test_replacing_the_article_that_gave_the_highest_confidence_lowers_it(store):
    store.write([scored(1, 0.4), scored(2, 0.9)])
    assert store.write([scored(2, 0.99)]).unchanged == ["https://projects.example.ru/2"]  # same text: as it was
    assert confidence_in(store)["snapshot"] == 0.9
    assert store.write([scored(2, 0.3, again=True)]).replaced == ["https://projects.example.ru/2"]
    assert confidence_in(store) == everywhere(0.4, [(1, 0.4), (2, 0.3)])
    store.remove_article("https://projects.example.ru/1")
    assert confidence_in(store) == everywhere(0.3, [(2, 0.3)])
    store.write([scored(2, None, again=False)])  # the first text again: now stated by rules alone
    assert confidence_in(store) == everywhere(None, [(2, None)])


def test_a_relation_made_by_rules_alone_has_no_confidence(store):
    store.write([scored(1, None, SOKOLOVA, OKA, "WORKS_AT", "директор"), scored(2, None, SOKOLOVA, OKA, "WORKS_AT",
                                                                              "директор")])
    ((_, _, d),) = store.snapshot().edges(data=True)
    assert d["confidence"] is None and [e["confidence"] for e in d["evidence"]] == [None, None]
    (n,) = store.entity(key(SOKOLOVA)).neighbours
    assert n.confidence is None
    ((_, _, near),) = store.neighbourhood([key(SOKOLOVA)]).edges(data=True)
    assert near["confidence"] is None
    assert all(r.confidence is None for ex in store.extractions() for r in ex.relations)


def test_confidences_stay_through_a_merge(store):
    """A decision writes the articles it touches again (from the store): their confidences stay."""
    other = ("ORG", "Ока Фарма")
    store.write([scored(1, 0.6), scored(2, 0.7, source=other)])
    store.merge(key(OKA), key(other))
    assert confidence_in(store) == everywhere(0.7, [(1, 0.6), (2, 0.7)])


def test_a_confidence_outside_0_to_1_fails_the_batch(store):
    from graph.store import StoreError
    with pytest.raises(StoreError, match=r"confidence 1\.5, not a number within 0\.\.1"):
        store.write([scored(1, 0.5), scored(2, 1.5)])
    assert store.stats()["articles"] == 0


def test_projects_carry_their_relations_confidences(store):
    store.write([scored(1, 0.3), scored(2, 0.8), scored(3, None, PETROV, ALPHA, role="initiator"),
                 scored(4, 0.55, ALPHA, KALUGA, "LOCATED_IN", None), scored(5, 0.25, ALPHA, ZONE, "LOCATED_IN", None),
                 scored(6, None, ALPHA, ZONE, "PART_OF", None)])
    (alpha,) = store.projects()
    assert [(p.name, p.confidence) for p in alpha.participants] == [("Иван Петров", None), ("ООО «Ока Фарма»", 0.8)]
    # a place a rule also gives (PART_OF) passes every filter: no confidence
    assert [(pl.name, pl.confidence) for pl in alpha.places] == [("Калуга", 0.55), ("Промзона", None)]
