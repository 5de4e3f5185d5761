"""Shared fixtures: an isolated INVESTGRAPH_HOME per test, the natasha pipeline loaded once,
small Russian articles, the example corpus ingested once per session, and `store`: every
store-behaviour test runs against both stores, the embedded one and a real Neo4j.

Neo4j comes from INVESTGRAPH_NEO4J_URL (scripts/test starts a server and sets it). Without
it the Neo4j variants skip, except in CI (CI=true), where they fail: there they must run. The
browser tests (tests/test_browser.py, without Chromium) likewise.
"""
from __future__ import annotations

import copy
import dataclasses
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "news"

# Small invented articles. Each is short so extraction stays fast.
ZALIVATSKY = (
    "Руслан Заливацкий возглавил компанию «Северный луч» в Вологде.\n\n"
    "Позже Заливацкий сказал, что завод откроется в 2025 году."
)
VOROBYEV = "В пятницу в Москве прошла встреча с губернатором Андреем Воробьевым."
KALUGA = "Компания «Ока Фарма» построит завод в Калуге. Директор Ирина Соколова рассказала о планах."


def write_texts(folder: Path, texts: dict[str, str]) -> Path:
    """Write {file name: text} as UTF-8 files into folder; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Nothing a test does may touch ./.investgraph: the default store lives in tmp_path,
    and the working directory is tmp_path too."""
    home = tmp_path / "home"
    monkeypatch.setenv("INVESTGRAPH_HOME", str(home))
    for name in ("INVESTGRAPH_STORE", "NEO4J_URI", "NEO4J_USER", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture(scope="session")
def nlp():
    """The process-wide natasha pipeline (ingest.pipeline caches it), loaded once."""
    from ingest.pipeline import pipeline
    return pipeline()


# --- Neo4j ------------------------------------------------------------------------------

NEO4J_MARK = "InvestGraphTestSuite"  # a node saying: this database belongs to the tests


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


MUST_RUN_IN_CI = {"neo4j": "Neo4j", "browser": "browser"}  # markers of tests that may skip elsewhere


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped Neo4j or browser test is a failed one, whatever skipped it."""
    report = (yield).get_result()
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    for marker, kind in MUST_RUN_IN_CI.items():
        if item.get_closest_marker(marker):
            report.outcome = "failed"
            report.longrepr = f"a {kind} test skipped in CI, where the {kind} tests must run: {report.longrepr}"
            return


def claim_for_tests(store) -> None:
    """Refuse a database that holds someone's graph; mark it as the tests' own otherwise."""
    records, _, _ = store.driver.execute_query(
        f"RETURN EXISTS {{ MATCH (n) WHERE NOT n:{NEO4J_MARK} }} AS used, EXISTS {{ MATCH (:{NEO4J_MARK}) }} AS ours",
        database_=store.database)
    if records[0]["used"] and not records[0]["ours"]:
        pytest.fail(f"{store.url} holds data that the tests did not write; they wipe their database "
                    "before each test, so use a scratch server (`bash scripts/test` starts one)", pytrace=False)
    store.driver.execute_query(f"MERGE (:{NEO4J_MARK})", database_=store.database)


def clear_neo4j(store) -> None:
    """Delete the graph, keep constraints and indexes."""
    store.driver.execute_query(f"MATCH (n) WHERE NOT n:{NEO4J_MARK} DETACH DELETE n", database_=store.database)


@pytest.fixture(scope="session")
def neo4j_url() -> str:
    """The Neo4j the tests may wipe. Skips without one, unless in CI where it fails."""
    from graph.open import open_store
    from graph.store import StoreError
    url = os.environ.get("INVESTGRAPH_NEO4J_URL")
    if not url:
        reason = ("no Neo4j server: INVESTGRAPH_NEO4J_URL is unset (`make test` starts one when "
                  "Java 17 or 21 is installed)")
        if in_ci():
            pytest.fail(f"{reason}; in CI the Neo4j tests must run", pytrace=False)
        pytest.skip(reason)
    try:
        s = open_store(url)
    except StoreError as err:
        pytest.fail(f"INVESTGRAPH_NEO4J_URL is set but Neo4j cannot be used: {err}", pytrace=False)
    try:
        claim_for_tests(s)
    finally:
        s.close()
    return url


@pytest.fixture
def neo4j_store(neo4j_url):
    """The Neo4j store, emptied."""
    from graph.open import open_store
    s = open_store(neo4j_url)
    clear_neo4j(s)
    yield s
    s.close()


@pytest.fixture
def embedded_store(tmp_path):
    """A fresh embedded store in its own SQLite file."""
    from graph.open import open_store
    s = open_store(str(tmp_path / "store" / "graph.db"))
    yield s
    s.close()


STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=STORES)
def store(request):
    """A fresh, empty store: each test using it runs once per store, with the same expectations."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def news_dir(tmp_path):
    """A folder with three small Russian articles."""
    return write_texts(tmp_path / "news", {
        "zalivatsky.txt": ZALIVATSKY,
        "vorobyev.txt": VOROBYEV,
        "kaluga.txt": KALUGA,
    })


class RememberedExtractor:
    """An extractor for the ingest job (`ingest.run.Extractor`: pass it as `extractor=`) that
    extracts each distinct article once and hands out copies afterwards: extraction depends on
    the article alone, the example corpus takes most of a minute to extract, and several stores
    and orders ingest it. A failed extraction is not remembered."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple, object] = {}
        self.extracted = 0  # articles actually extracted

    def map(self, articles, timeout):
        from ingest.run import in_process
        for article in articles:
            key = dataclasses.astuple(article)
            if key not in self.outcomes:
                ((_, outcome),) = in_process([article], timeout)
                self.extracted += 1
                if outcome.extraction is None:
                    yield article, outcome
                    continue
                self.outcomes[key] = outcome
            yield article, copy.deepcopy(self.outcomes[key])


REMEMBERED = RememberedExtractor()  # one per session


def ingest_once(store, paths: list, **kwargs):
    """`ingest.run.ingest_paths`, each distinct article extracted once per session (REMEMBERED)."""
    from ingest.run import ingest_paths
    return ingest_paths(store, paths, extractor=REMEMBERED, **kwargs)


def ingest_examples(store) -> None:
    """The example corpus through the ingest job, as `investgraph ingest examples/news` does."""
    report = ingest_once(store, [EXAMPLES])
    assert not report.errors, report.errors
    assert report.added == 16


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory, nlp) -> Path:
    """The example corpus ingested once into a session store; tests open it read-only."""
    from graph.open import open_store
    path = tmp_path_factory.mktemp("examples") / "graph.db"
    s = open_store(str(path))
    try:
        ingest_examples(s)
    finally:
        s.close()
    return path


@pytest.fixture
def embedded_examples(examples_db):
    from graph.open import open_store
    s = open_store(str(examples_db))
    yield s
    s.close()


@pytest.fixture
def neo4j_examples(neo4j_store, embedded_examples):
    """The example corpus in Neo4j, copied from the session's embedded store (test_neo4j.py
    checks that this equals ingesting it into Neo4j)."""
    from graph.open import copy_store
    copy_store(embedded_examples, neo4j_store)
    return neo4j_store


@pytest.fixture(params=STORES)
def examples_store(request):
    """The example corpus in each store; tests only read it."""
    return request.getfixturevalue(f"{request.param}_examples")


def investgraph_script() -> Path:
    """The console script installed with the package in this interpreter's environment."""
    import shutil
    import sys
    here = Path(sys.executable).parent / ("investgraph.exe" if os.name == "nt" else "investgraph")
    if here.exists():
        return here
    found = shutil.which("investgraph")
    if not found:
        pytest.skip("the investgraph console script is not installed")
    return Path(found)


# --- a hand-made graph with a relation (extraction finds no relations yet) ---------------

PERSON_KEY = "PERSON:руслан заливацкий"
ORG_KEY = "ORG:северный луч"
REL_A1 = "https://news.example.ru/a1"
REL_A2 = "https://news.example.ru/a2"
REL_TEXT_A1 = ("Руслан Заливацкий работает в компании «Северный луч». "
               "Заливацкий руководит «Северным лучом» с 2020 года.")
REL_TEXT_A2 = "Компанию «Северный луч» возглавляет Руслан Заливацкий."


def span(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def sentence_around(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind(". ", 0, offset)
    start = 0 if start < 0 else start + 2
    stop = text.find(". ", offset)
    stop = len(text) if stop < 0 else stop + 1
    return start, stop


def mention(text: str, part: str, nth: int = 0):
    from graph.model import Mention
    start, stop = span(text, part, nth)
    return Mention(start, stop, part, *sentence_around(text, start))


def evidence(article_id: str, text: str, part: str):
    from graph.model import Evidence
    start, stop = sentence_around(text, text.index(part))
    return Evidence(article_id, start, stop, text[start:stop])


def relation_extractions():
    """Two articles stating Заливацкий WORKS_AT «Северный луч»: three evidence sentences, two articles."""
    from graph.model import Article, Entity, Extraction, Relation
    a1 = Article(id=REL_A1, text=REL_TEXT_A1, title="Заливацкий и «Северный луч»", url=REL_A1,
                 date="2024-01-10", source="hand", doc="a1")
    a2 = Article(id=REL_A2, text=REL_TEXT_A2, title="Кто возглавляет «Северный луч»", url=REL_A2,
                 date="2024-02-20", source="hand", doc="a2")
    ex1 = Extraction(a1, entities=[
        Entity("T1", "PERSON", "Руслан Заливацкий", key=PERSON_KEY,
               mentions=[mention(REL_TEXT_A1, "Руслан Заливацкий"), mention(REL_TEXT_A1, "Заливацкий", 1)]),
        Entity("T2", "ORG", "Северный луч", key=ORG_KEY,
               mentions=[mention(REL_TEXT_A1, "Северный луч"), mention(REL_TEXT_A1, "Северным лучом")]),
    ], relations=[Relation("WORKS_AT", "T1", "T2", evidence=[
        evidence(REL_A1, REL_TEXT_A1, "работает"), evidence(REL_A1, REL_TEXT_A1, "руководит")])])
    ex2 = Extraction(a2, entities=[
        Entity("T1", "ORG", "Северный луч", key=ORG_KEY, mentions=[mention(REL_TEXT_A2, "Северный луч")]),
        Entity("T2", "PERSON", "Руслан Заливацкий", key=PERSON_KEY,
               mentions=[mention(REL_TEXT_A2, "Руслан Заливацкий")]),
    ], relations=[Relation("WORKS_AT", "T2", "T1", evidence=[evidence(REL_A2, REL_TEXT_A2, "возглавляет")])])
    return [ex1, ex2]


@pytest.fixture
def relation_store(store):
    report = store.write(relation_extractions())
    assert report.added == [REL_A1, REL_A2]
    return store


# --- a hand-made graph whose relations carry confidences ----------------------------------

SCORED_TEXT = "Иван Петров работает в «Ока Фарма». «Ока Фарма» вложится в парк «Альфа». Парк «Альфа» строят в Калуге."
SCORED_KEYS = {"PERSON": "PERSON:иван петров", "ORG": "ORG:ока фарма", "PROJECT": "PROJECT:альфа", "LOC": "LOC:калуга"}
# (type, source, target, role, confidence, the word of its sentence)
SCORED_RELATIONS = [("WORKS_AT", "PERSON", "ORG", None, None, "работает"),
                    ("INVOLVED_IN", "ORG", "PROJECT", "investor", 0.3, "вложится"),
                    ("LOCATED_IN", "PROJECT", "LOC", None, 0.8, "строят")]


def scored_extraction():
    """One article stating a rule's WORKS_AT (no confidence), an INVOLVED_IN at 0.3 and a
    LOCATED_IN at 0.8."""
    from graph.model import Article, Entity, Extraction, Relation
    aid = "https://news.example.ru/scored"
    text = SCORED_TEXT
    # type: (name, its text in the article, how many times)
    names = {"PERSON": ("Иван Петров", "Иван Петров", 1), "ORG": ("Ока Фарма", "Ока Фарма", 2),
             "PROJECT": ("Альфа", "Альфа", 2), "LOC": ("Калуга", "Калуге", 1)}
    entities = [Entity(t, t, name, key=SCORED_KEYS[t], mentions=[mention(text, part, nth) for nth in range(times)])
                for t, (name, part, times) in names.items()]
    relations = [Relation(type_, source, target, role, [evidence(aid, text, word)], confidence)
                 for type_, source, target, role, confidence, word in SCORED_RELATIONS]
    return Extraction(Article(aid, text, title="Ока Фарма и «Альфа»", url=aid, date="2024-05-01", source="hand",
                              doc="scored"), entities, relations)


@pytest.fixture
def scored_store(store):
    """A store (each of them) holding scored_extraction()."""
    assert store.write([scored_extraction()]).added
    return store


# --- a hand-made dated corpus: what is known changes with the date ---------------------------

DATED = {  # article id -> (date, text)
    "https://news.example.ru/d1": ("2024-01-10", "Иван Петров работает директором «Ока Фарма». "
                                                 "«Ока Фарма» вложится в парк «Альфа». Парк «Альфа» строят в Калуге."),
    "https://news.example.ru/d2": ("2024-03-05", "Резидентом парка «Альфа» станет «Бета Строй». "
                                                 "Сергей Орлов возглавляет «Бета Строй»."),
    "https://news.example.ru/d3": ("2024-06-20", "Оператором парка «Альфа» стала «Ока Фарма». Мария Кузнецова "
                                                 "работает в «Гамма Томск». Парк «Альфа» находится в Калуге."),
}
DATED_KEYS = {"Иван Петров": "PERSON:иван петров", "Ока Фарма": "ORG:ока фарма", "Альфа": "PROJECT:альфа",
              "Калуга": "LOC:калуга", "Бета Строй": "ORG:бета строй", "Сергей Орлов": "PERSON:сергей орлов",
              "Мария Кузнецова": "PERSON:мария кузнецова", "Гамма Томск": "ORG:гамма томск"}
# per article: (name, type, its text in the article, how many times); (type, source, target, role,
# confidence, the word of its sentence)
DATED_ENTITIES = {
    "https://news.example.ru/d1": [("Иван Петров", "PERSON", "Иван Петров", 1), ("Ока Фарма", "ORG", "Ока Фарма", 2),
                                   ("Альфа", "PROJECT", "Альфа", 2), ("Калуга", "LOC", "Калуге", 1)],
    "https://news.example.ru/d2": [("Альфа", "PROJECT", "Альфа", 1), ("Бета Строй", "ORG", "Бета Строй", 2),
                                   ("Сергей Орлов", "PERSON", "Сергей Орлов", 1)],
    "https://news.example.ru/d3": [("Альфа", "PROJECT", "Альфа", 2), ("Ока Фарма", "ORG", "Ока Фарма", 1),
                                   ("Мария Кузнецова", "PERSON", "Мария Кузнецова", 1),
                                   ("Гамма Томск", "ORG", "Гамма Томск", 1), ("Калуга", "LOC", "Калуге", 1)],
}
DATED_RELATIONS = {
    "https://news.example.ru/d1": [("WORKS_AT", "Иван Петров", "Ока Фарма", "директор", None, "работает"),
                                   ("INVOLVED_IN", "Ока Фарма", "Альфа", "investor", 0.9, "вложится"),
                                   ("LOCATED_IN", "Альфа", "Калуга", None, None, "строят")],
    "https://news.example.ru/d2": [("INVOLVED_IN", "Бета Строй", "Альфа", "resident", None, "Резидентом"),
                                   ("WORKS_AT", "Сергей Орлов", "Бета Строй", "генеральный директор", None,
                                    "возглавляет")],
    "https://news.example.ru/d3": [("INVOLVED_IN", "Ока Фарма", "Альфа", "operator", 0.4, "Оператором"),
                                   ("WORKS_AT", "Мария Кузнецова", "Гамма Томск", None, None, "работает"),
                                   ("LOCATED_IN", "Альфа", "Калуга", None, None, "находится")],
}


def dated_extractions():
    """Three dated articles about the park «Альфа»: January (Петров at «Ока Фарма», its investment,
    the park in Калуга), March («Бета Строй» a resident, Орлов its head), June («Ока Фарма» the
    operator, Кузнецова at «Гамма Томск», the park in Калуга again)."""
    from graph.model import Article, Entity, Extraction, Relation
    out = []
    for aid, (day, text) in DATED.items():
        entities = [Entity(name, type_, name, key=DATED_KEYS[name],
                           mentions=[mention(text, part, nth) for nth in range(times)])
                    for name, type_, part, times in DATED_ENTITIES[aid]]
        relations = [Relation(type_, source, target, role, [evidence(aid, text, word)], confidence)
                     for type_, source, target, role, confidence, word in DATED_RELATIONS[aid]]
        out.append(Extraction(Article(aid, text, title=f"Парк «Альфа», {day}", url=aid, date=day, source="hand",
                                      doc=aid.rsplit("/", 1)[1]), entities, relations))
    return out


@pytest.fixture
def dated_store(store):
    """A store (each of them) holding the dated corpus."""
    assert len(store.write(dated_extractions()).added) == 3
    return store


@pytest.fixture
def dated_embedded(embedded_store):
    """The embedded store holding the dated corpus (for what does not depend on the store)."""
    assert len(embedded_store.write(dated_extractions()).added) == 3
    return embedded_store


# the two lines of a JSON export's manifest that say when and from which store it was made
EXPORT_MOMENT = re.compile(r'^  "(created_at|store)": .*$', re.M)


def export_content(data: bytes) -> bytes:
    """A JSON export's bytes less the manifest's time and store URL: two exports of the same graph
    (made at other moments, from other stores) must be equal in everything else, their content
    hash included."""
    return EXPORT_MOMENT.sub(lambda m: f'  "{m.group(1)}": "",', data.decode("utf-8")).encode("utf-8")


@pytest.fixture(autouse=True)
def main_module_kept():
    """Streamlit's AppTest runs a page as `__main__` and leaves it in sys.modules; a process pool
    started later (spawn) would run that page in each of its workers. Every test ends with the
    `__main__` it began with."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
