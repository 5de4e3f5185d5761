"""How fast the workbench's pages answer, on the example corpus and on a synthetic graph (100k
relationships by default) in the embedded store or in Neo4j. Targets: every page's first answer
(nothing cached, the server warm) p95 < 300 ms for search, an entity, the 2-hop explorer around a
hub and a non-hub, paths and an article; the projects table's first page < 1 s; no page needs
more than 1 s to show everything.

    python bench/app_pages.py                    # both graphs, embedded store
    python bench/app_pages.py --relations 1000000 --skip-examples --keep /tmp/ig
    NEO4J_PASSWORD=... python bench/app_pages.py --relations 1000000 --neo4j neo4j://neo4j@127.0.0.1:7695
    python bench/app_pages.py --keep /tmp/ig     # keep the stores there, and reuse them next time

Per page, with Streamlit's AppTest (the app as `investgraph app` runs it, without the browser):

- first page: the page's first run in a fresh Python process (a server just started), importing
  the app's modules (pandas, networkx, altair…: about a second, once per server).
- cold: the same with those modules imported: the page's own first answer, nothing cached.
- complete: until nothing on the page is still loading (no page loads anything in the
  background any more: the same as cold unless a page says it is loading).
- warm: the page run again in the same session (best of 3).

Then the first answers over many targets (`--samples`, default 20 each: persons, their articles,
projects two or three hops away, names with a letter dropped), in one process whose modules are
imported and whose store is open (a warm server), every cache of the app cleared before each:
p50, p95 and the slowest. Search is the sidebar's: a name, and a misspelt one (similar names).

Targets come from the store (a sample of articles and what they mention), not from the whole
graph. With `--whole`, the analysis functions are also timed over the whole graph (a snapshot:
minutes and gigabytes at a million relationships).

The synthetic graph is written through Store.write in batches of Extractions (graph.model), like
an ingest: people WORK_AT organisations, organisations and people are INVOLVED_IN projects with
roles, projects are LOCATED_IN regions, with a few hubs (one region and one ministry everyone
touches), each relation with an evidence sentence in its own article. With `--neo4j URL` it is
built in (or read from) that Neo4j database instead; its database must hold nothing else.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import analytics  # noqa: E402
from graph.model import INVOLVEMENT_ROLES, PROJECT_KINDS, Article, Entity, Evidence, Extraction, Mention, Relation  # noqa: E402
from graph.open import open_store  # noqa: E402

APP = str(ROOT / "app" / "streamlit_app.py")
LOADING = "loading the whole graph"  # what a page said while a part of it waited for the whole graph
EXPLORER_PER_NODE = 50  # the explorer's relations per node by default (app/views/explorer.py DEFAULT_PER_NODE)


def synthetic(store, relations: int, per_article: int = 10, batch: int = 500, seed: int = 7) -> None:
    rnd = random.Random(seed)
    n_people, n_orgs, n_projects, n_places = relations // 8, relations // 10, relations // 20, 300
    people = [("PERSON", f"Персона{i} Фамилия{i}") for i in range(n_people)]
    orgs = [("ORG", f"ООО «Компания {i}»") for i in range(n_orgs)] + [("ORG", "Минэкономразвития России")]
    projects = [("PROJECT", f"индустриальный парк «Проект {i}»") for i in range(n_projects)]
    places = [("LOC", f"Регион {i}") for i in range(n_places)] + [("LOC", "Россия")]

    def key(e):
        return f"{e[0]}:{e[1].lower()}"

    def rel():
        r = rnd.random()
        if r < 0.35:
            return "WORKS_AT", rnd.choice(people), rnd.choice(orgs), rnd.choice(["директор", "генеральный директор"])
        if r < 0.8:
            return "INVOLVED_IN", rnd.choice(orgs + people[:1000]), rnd.choice(projects), rnd.choice(INVOLVEMENT_ROLES)
        if r < 0.97:
            return "LOCATED_IN", rnd.choice(projects), rnd.choice(places[:-1]), None
        return "LOCATED_IN", rnd.choice(projects), places[-1], None  # the hub

    done, n_article, pending = 0, 0, []
    while done < relations:
        rels = [rel() for _ in range(per_article)]
        text_parts, ents, relations_out = [], {}, []
        for t, a, b, role in rels:
            sentence = f"{a[1]} и {b[1]} связаны."
            start = sum(len(p) + 1 for p in text_parts)
            text_parts.append(sentence)
            for e, off in ((a, start), (b, start + len(a[1]) + 3)):
                ent = ents.setdefault(key(e), Entity(f"T{len(ents)}", e[0], e[1], key=key(e),
                                                     kind=rnd.choice(PROJECT_KINDS) if e[0] == "PROJECT" else None))
                ent.mentions.append(Mention(off, off + len(e[1]), e[1], start, start + len(sentence)))
            aid = f"https://bench.example.ru/{n_article}"
            relations_out.append(Relation(t, ents[key(a)].id, ents[key(b)].id, role,
                                          [Evidence(aid, start, start + len(sentence), sentence)]))
        aid = f"https://bench.example.ru/{n_article}"
        day = f"20{20 + n_article % 6}-{1 + n_article % 12:02d}-{1 + n_article % 28:02d}"
        art = Article(aid, " ".join(text_parts), title=f"Новость {n_article}", url=aid, date=day, source="bench",
                      doc=str(n_article))
        pending.append(Extraction(art, list(ents.values()), relations_out))
        n_article += 1
        done += per_article
        if len(pending) >= batch:
            store.write(pending)
            pending = []
    if pending:
        store.write(pending)


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# --- what the pages are asked about: targets from the store -----------------------------------

def sample_targets(store, k: int, seed: int = 11) -> dict[str, list]:
    """From a sample of articles: persons below the hub threshold, a project two or three hops
    from each (for paths), those persons' articles, the hubs met, and search queries (a person's
    surname as written; a name with a letter dropped)."""
    rnd = random.Random(seed)
    threshold = analytics.hub_threshold(store.stats())
    articles = store.articles()
    rnd.shuffle(articles)
    adj = analytics.StoreAdjacency(store)
    persons, hubs, names = [], set(), []
    for a in articles[:max(50, 4 * k)]:
        content = store.article_content(a["id"])
        for m in content["mentions"]:
            adj.fetch([m["entity"]])
            if adj.degree(m["entity"]) >= threshold:
                hubs.add(m["entity"])
            elif m["type"] == "PERSON" and m["entity"] not in {p for p, _ in persons} and len(persons) < k:
                persons.append((m["entity"], a["id"]))
            names.append(m["name"])
    pairs = []
    for person, _ in persons:
        near = analytics.neighbourhood(adj, [person], hops=1, hub_threshold=threshold)
        within = analytics.neighbourhood(adj, [person], hops=3, hub_threshold=threshold, max_nodes=200)
        far = sorted(n for n, d in within.nodes(data=True) if d["type"] == "PROJECT" and n not in near)
        if far:
            pairs.append((person, far[0]))
    words = [n.split()[-1] for n in names if len(n.split()[-1]) > 5]
    rnd.shuffle(words)
    typos = [w[:len(w) // 2] + w[len(w) // 2 + 1:] for w in words]
    return {"persons": [p for p, _ in persons], "articles": [a for _, a in persons], "pairs": pairs,
            "hubs": sorted(hubs, key=lambda h: -adj.degree(h))[:3], "search": words[:k], "similar": typos[:k]}


def cases(t: dict[str, list]) -> list[tuple[str, str, dict]]:
    """(name, page, query params) of each page as measured once in a fresh process."""
    person = t["persons"][0]
    out = [("projects (first page)", "projects", {}), ("entity", "entity", {"entity": person}),
           ("explorer (2 hops)", "explorer", {"entity": person})]
    if t["hubs"]:
        out.append(("explorer (2 hops, hub)", "explorer", {"entity": t["hubs"][0]}))
    if t["pairs"]:
        a, b = t["pairs"][0]
        out.append(("connections (paths + interlocks)", "connections", {"entity": a, "to": b}))
    return out + [("articles (list)", "articles", {}), ("article", "articles", {"article": t["articles"][0]}),
                  ("ingest", "ingest", {})]


def sampled_cases(t: dict[str, list]) -> list[tuple[str, str, list]]:
    """(name, page, [query params, or a search query]) of each page measured over many targets."""
    return [("search", "search", t["search"]), ("search, similar names", "search", t["similar"]),
            ("entity", "entity", [{"entity": p} for p in t["persons"]]),
            ("explorer 2 hops", "explorer", [{"entity": p} for p in t["persons"]]),
            ("explorer 2 hops, hub", "explorer", [{"entity": h} for h in t["hubs"]]),
            ("paths (connections)", "connections", [{"entity": a, "to": b} for a, b in t["pairs"]]),
            ("article", "articles", [{"article": a} for a in t["articles"]]),
            ("projects, first page", "projects", [{}] * 5),
            ("articles list", "articles", [{}] * 5)]


# --- pages in a fresh process (the --measure and --sample modes) --------------------------------

def loading(at) -> bool:
    return any(LOADING in c.value for c in at.caption)


MODULES = ["pandas", "pyarrow", "altair", "networkx", "st_link_analysis", "app.views.common", "graph.export"]


COMPONENTS: list = []  # the custom components found once per process, as a server does at start-up


def app_test(page: str, params: dict):
    """An AppTest of a page; it reuses the components the first one found (AppTest scans every
    installed package for them on each new instance's first run: over a second here, which a
    server does once at start-up, not per page)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=600)
    if COMPONENTS:
        at._bidi_component_manager = COMPONENTS[0]
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"views/{page}.py")
    return at


def checked_run(at, what: str) -> None:
    at.run()
    if at.exception:
        raise SystemExit(f"{what}: {at.exception[0].value}")


def start_up(url: str, preload: bool) -> None:
    import importlib
    import logging

    from streamlit.testing.v1 import AppTest
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["INVESTGRAPH_STORE"] = url
    first = AppTest.from_string("import streamlit")
    first.run()  # Streamlit's own start-up, as a server does it once
    COMPONENTS.append(first._bidi_component_manager)
    for module in MODULES if preload else []:
        importlib.import_module(module)


def measure(url: str, page: str, params: dict, preload: bool) -> dict[str, float]:
    """Run in a fresh process: the page's cold first run, until complete, and warm. `preload`:
    import the app's modules first (the page is not the first the server shows)."""
    start_up(url, preload)
    at = app_test(page, params)
    t0 = time.perf_counter()
    checked_run(at, f"{page} {params}")
    out = {"cold": time.perf_counter() - t0, "pending": loading(at)}
    while loading(at):  # a page that says it is still loading reruns itself every second
        time.sleep(1.0)
        checked_run(at, f"{page} {params}")
    out["complete"] = time.perf_counter() - t0
    out["warm"] = timed(lambda: checked_run(at, f"{page} {params}"), repeat=3)[0]
    return out


def first_answer(url: str, page: str, target) -> float:
    """One first answer, every cache of the app cleared but the open store and its counts (a warm
    server)."""
    import streamlit as st

    from app.views import common
    st.cache_resource.clear()
    st.cache_data.clear()
    s = common.store_at(url)  # the server's store stays open, and its counts of this revision of the graph
    common._stats(url, s.revision())  # (read once per revision for every page and session: STATS times them)
    if page == "search":  # the sidebar's search, on a page that shows nothing else
        at = app_test("entity", {})
        checked_run(at, "entity")
        t0 = time.perf_counter()
        at.sidebar.text_input(key="query").input(target)
        checked_run(at, f"search {target}")
        elapsed = time.perf_counter() - t0
        if not any(b.label for b in at.sidebar.button if b.key and b.key.startswith("hit-")):
            raise SystemExit(f"search {target}: nothing found")
        return elapsed
    at = app_test(page, target)
    t0 = time.perf_counter()
    checked_run(at, f"{page} {target}")
    if loading(at):
        raise SystemExit(f"{page} {target}: still loading after its first answer")
    return time.perf_counter() - t0


def sample(url: str, page: str, targets: list) -> list[float]:
    """Run in a fresh process with the app's modules imported: the first answer for each target,
    after one untimed run (the server warm)."""
    start_up(url, preload=True)
    first_answer(url, page, targets[0])
    return [first_answer(url, page, t) for t in targets]


def in_fresh_process(args: list[str], name: str) -> dict | list:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode:
        raise SystemExit(f"{name}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pages(store, t: dict[str, list]) -> None:
    print(f"\n{'page':34} {'first page':>10} {'cold':>7} {'complete':>9} {'warm':>7}")
    for name, page, params in cases(t):
        first = in_fresh_process(["--measure", store.url, page, json.dumps(params)], name)
        r = in_fresh_process(["--measure", store.url, page, json.dumps(params), "--preload"], name)
        complete = f"{r['complete']:8.2f}s" if r["pending"] else f"{'=':>9}"
        print(f"{name:34} {first['cold']:9.2f}s {r['cold']:6.2f}s {complete} {r['warm']:6.2f}s", flush=True)


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def first_answers(store, t: dict[str, list], only: list[str]) -> None:
    print(f"\n{'first answer (nothing cached)':34} {'n':>3} {'p50':>7} {'p95':>7} {'max':>7}  target")
    for name, page, targets in sampled_cases(t):
        if only and name not in only:
            continue
        if not targets:
            print(f"{name:34} no target in the sample")
            continue
        times = in_fresh_process(["--sample", store.url, page, json.dumps(targets)], name)
        target, p95 = (1.0, percentile(times, 0.95)) if "list" in name or "projects" in name else \
            (0.3, percentile(times, 0.95))
        print(f"{name:34} {len(times):3} {percentile(times, 0.5):6.3f}s {p95:6.3f}s {max(times):6.3f}s  "
              f"< {target:.1f}s {'ok' if p95 < target and max(times) < 1.0 else 'SLOW'}", flush=True)


# --- the analysis alone -----------------------------------------------------------------------------

def data_functions(store, t: dict[str, list], whole_graph: bool) -> None:
    person, hub = t["persons"][0], (t["hubs"] or [t["persons"][0]])[0]
    a, b = t["pairs"][0] if t["pairs"] else (person, person)
    threshold = analytics.hub_threshold(store.stats())

    def over_store():
        return analytics.StoreAdjacency(store)

    def as_explorer():  # what the explorer reads: a hub's heaviest relations, hubs told by a capped count
        return analytics.StoreAdjacency(store, per_node=EXPLORER_PER_NODE, degree_cap=threshold)

    rows = {
        "stats (once per revision of the graph)": store.stats,
        "revision (every run)": store.revision,
        "search": lambda: store.search(t["search"][0], limit=30),
        "similar names": lambda: store.similar(t["similar"][0], limit=30),
        "projects page (store)": lambda: store.projects_page(0, 100),
        "entity card (store)": lambda: store.entity(person),
        "relations_of + evidence (store)": lambda: store.evidence(
            [r["key"] for r in analytics.relations_of(over_store(), person)], limit=3),
        "article content (store)": lambda: store.article_content(t["articles"][0]),
        "neighbourhood 2 hops (store)": lambda: analytics.neighbourhood(as_explorer(), [person], 2,
                                                                      hub_threshold=threshold),
        "neighbourhood 2 hops, hub (store)": lambda: analytics.neighbourhood(as_explorer(), [hub], 2,
                                                                           hub_threshold=threshold),
        "neighbourhood 2 hops, hub, every relation": lambda: analytics.neighbourhood(over_store(), [hub], 2,
                                                                                   hub_threshold=threshold),
        "paths ≤4 (store)": lambda: analytics.paths(over_store(), a, b, 4, hub_threshold=threshold),
        "interlocks (store)": lambda: analytics.interlocks(over_store(), person, hub_threshold=threshold),
    }
    if whole_graph:
        took, g = timed(store.snapshot)
        print(f"\n(snapshot() {took:.2f} s)")
        whole = analytics.Adjacency(g)
        rows |= {"neighbourhood 2 hops (whole graph)": lambda: analytics.neighbourhood(
                     whole, [person], 2, hub_threshold=threshold),
                 "paths ≤4 (whole graph)": lambda: analytics.paths(whole, a, b, 4, hub_threshold=threshold),
                 "projects, whole table (store)": lambda: store.projects()}
    print()
    for label, fn in rows.items():
        print(f"{label:36} {timed(fn)[0]:6.3f}s")


def report(title: str, store, samples: int, whole_graph: bool, only: list[str] | None = None) -> None:
    s = store.stats()
    print(f"\n## {title}: {s['articles']} articles, {s['entities_total']} entities, {s['relations_total']} relations",
          flush=True)
    took, t = timed(lambda: sample_targets(store, samples))
    print(f"(targets from the store in {took:.1f} s: {len(t['persons'])} persons, {len(t['pairs'])} paths, "
          f"hubs {t['hubs']})")
    if only:
        first_answers(store, t, only)
        return
    pages(store, t)
    first_answers(store, t, [])
    data_functions(store, t, whole_graph)


def build(store, relations: int) -> None:
    if not store.stats()["articles"]:
        t = time.perf_counter()
        synthetic(store, relations)
        print(f"\n(synthetic graph written in {time.perf_counter() - t:.1f} s)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--measure", "--sample"):
        url, page, what = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        out = measure(url, page, what, "--preload" in sys.argv) if sys.argv[1] == "--measure" else \
            sample(url, page, what)
        print(json.dumps(out))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--skip-examples", action="store_true")
    ap.add_argument("--keep", type=Path, help="a folder to keep the stores in and reuse them from")
    ap.add_argument("--neo4j", help="a Neo4j URL holding (or to hold) the synthetic graph, instead of a SQLite file")
    ap.add_argument("--samples", type=int, default=20, help="targets per page for the first answers")
    ap.add_argument("--whole", action="store_true", help="also time the analysis over the whole graph")
    ap.add_argument("--only", help="only these first answers, by name, separated by ';'")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="investgraph-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["INVESTGRAPH_HOME"] = str(folder)
        if not args.skip_examples:
            store = open_store(str(folder / "examples.db"))
            if not store.stats()["articles"]:
                from ingest.run import ingest_paths
                ingest_paths(store, [ROOT / "examples" / "news"])
            report("example corpus", store, args.samples, args.whole, only=None)
            store.close()
        store = open_store(args.neo4j or str(folder / f"synthetic-{args.relations}.db"))
        build(store, args.relations)
        only = [n.strip() for n in args.only.split(";")] if args.only else None
        report(f"synthetic {args.relations} relations ({store.url})", store, args.samples, args.whole, only)
        store.close()


if __name__ == "__main__":
    main()
