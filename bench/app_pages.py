"""How fast the workbench's pages answer, on the example corpus and on a synthetic graph of about
100k relationships in the embedded store. Targets: < 1 s per page on the examples, < 3 s on 100k.

    python bench/app_pages.py                    # both graphs
    python bench/app_pages.py --relations 20000  # a smaller synthetic graph
    python bench/app_pages.py --skip-examples
    python bench/app_pages.py --keep /tmp/ig     # keep the stores there, and reuse them next time

Per page, with Streamlit's AppTest (the app as `investgraph app` runs it, without the browser):

- first page: the page's first run in a fresh Python process (a server just started), importing
  the app's modules (pandas, networkx, altair…: about a second, once per server).
- cold: the same with those modules imported: the page's own first answer, nothing cached. Pages
  answer from the store; what needs the whole graph starts it loading in the background and
  says so.
- complete: from the same start until the page shows everything (the whole graph loaded, the
  page rerun), for pages that had something still loading; else the cold time.
- warm: the page run again in the same session, the whole graph and its indexes cached (best of 3).

Streamlit's own start-up (which a server does once, before any page) is done before the clock
starts; importing the app's modules (pandas, networkx, …) is part of the cold first page.

Then the analysis functions alone, over the whole graph and over the store (StoreAdjacency).

The synthetic graph is written through Store.write in batches of Extractions (graph.model), like
an ingest: people WORK_AT organisations, organisations and people are INVOLVED_IN projects with
roles, projects are LOCATED_IN regions, with a few hubs (one region and one ministry everyone
touches), each relation with an evidence sentence in its own article.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import analytics  # noqa: E402
from graph.model import INVOLVEMENT_ROLES, PROJECT_KINDS, Article, Entity, Evidence, Extraction, Mention, Relation  # noqa: E402
from graph.open import open_store  # noqa: E402

APP = str(ROOT / "app" / "streamlit_app.py")
LOADING = "loading the whole graph"  # app.views.common.LOADING: a part of the page is still loading


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


# --- what the pages are asked about ------------------------------------------------------------

def targets(store, g) -> dict[str, str]:
    """The entities and article the pages are opened on: the best-connected person below the hub
    threshold, a project two or more hops from them, and that person's first article."""
    threshold = analytics.hub_threshold(store.stats())
    ds = analytics.degrees(g)
    person = max((n for n, d in g.nodes(data=True) if d["type"] == "PERSON" and ds[n] < threshold),
                 key=lambda n: (ds[n], n))
    org = max((n for n, d in g.nodes(data=True) if d["type"] == "ORG" and ds[n] < threshold), key=lambda n: (ds[n], n))
    near = analytics.neighbourhood(g, [person], hops=1, hub_threshold=threshold)
    within = analytics.neighbourhood(g, [person], hops=3, hub_threshold=threshold)  # paths of 2-3 hops
    project = max((n for n, d in g.nodes(data=True) if d["type"] == "PROJECT" and n not in near),
                  key=lambda n: (n in within, ds[n] < threshold, ds[n], n))
    article = g.nodes[person]["mentions"][0]["article"]
    return {"person": person, "org": org, "project": project, "article": article}


def cases(t: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(name, page, query params) of each page as measured."""
    return [("projects", "projects", {}), ("entity", "entity", {"entity": t["person"]}),
            ("explorer (2 hops)", "explorer", {"entity": t["person"]}),
            ("connections (paths + interlocks)", "connections", {"entity": t["person"], "to": t["project"]}),
            ("articles (list)", "articles", {}), ("article", "articles", {"article": t["article"]}),
            ("export", "export", {}), ("ingest", "ingest", {})]


# --- one page in a fresh process (the --measure mode) ------------------------------------------

def loading(at) -> bool:
    return any(LOADING in c.value for c in at.caption)


MODULES = ["pandas", "pyarrow", "altair", "networkx", "st_link_analysis", "app.views.common", "graph.export"]


def measure(url: str, page: str, params: dict, preload: bool) -> dict[str, float]:
    """Run in a fresh process: the page's cold first run, until complete, and warm. `preload`:
    import the app's modules first (the page is not the first the server shows)."""
    import importlib
    import logging

    from streamlit.testing.v1 import AppTest
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["INVESTGRAPH_STORE"] = url
    AppTest.from_string("import streamlit").run()  # Streamlit's own start-up, as a server does it once
    for module in MODULES if preload else []:
        importlib.import_module(module)

    at = AppTest.from_file(APP, default_timeout=600)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"views/{page}.py")

    def run() -> None:
        at.run()
        if at.exception:
            raise SystemExit(f"{page} {params}: {at.exception[0].value}")

    t0 = time.perf_counter()
    run()
    out = {"cold": time.perf_counter() - t0, "pending": loading(at)}
    while loading(at):  # the page reruns itself every second until the whole graph is there
        time.sleep(1.0)
        run()
    out["complete"] = time.perf_counter() - t0
    for thread in threading.enumerate():  # a whole graph loading in the background: let it finish
        if thread.name == "investgraph-whole-graph":
            thread.join()
    run()  # the page as it is once the whole graph is in (its indexes built)
    out["warm"] = timed(run, repeat=3)[0]  # the same session again, everything cached
    return out


def in_fresh_process(url: str, name: str, page: str, params: dict, preload: bool) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--measure", url, page, json.dumps(params)]
                          + (["--preload"] if preload else []),
                          capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode:
        raise SystemExit(f"{name}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pages(store, g, target: float) -> None:
    print(f"\n{'page':34} {'first page':>10} {'cold':>7} {'complete':>9} {'warm':>7}")
    for name, page, params in cases(targets(store, g)):
        first = in_fresh_process(store.url, name, page, params, preload=False)
        r = in_fresh_process(store.url, name, page, params, preload=True)
        ok = "ok" if r["cold"] < target and r["warm"] < target else "SLOW"
        complete = f"{r['complete']:8.2f}s" if r["pending"] else f"{'=':>9}"
        print(f"{name:34} {first['cold']:9.2f}s {r['cold']:6.2f}s {complete} {r['warm']:6.2f}s  {ok}", flush=True)


# --- the analysis alone -----------------------------------------------------------------------------

def data_functions(store, g) -> None:
    t = targets(store, g)
    person, org, project = t["person"], t["org"], t["project"]
    threshold = analytics.hub_threshold(store.stats())
    name = g.nodes[person]["name"]
    whole = analytics.Adjacency(g)

    def over_store():
        return analytics.StoreAdjacency(store)

    rows = {
        "search": lambda: store.search(name.split()[-1], limit=30),
        "search fuzzy (name index built)": lambda: analytics.fuzzy_hits(g, name[:-1] + "ц",
                                                                        index=analytics.name_index(g)),
        "projects (store)": lambda: store.projects(),
        "projects table (store)": lambda: analytics.project_rows(store.projects()),
        "article_index": lambda: analytics.article_index(g),
        "entity card (store)": lambda: store.entity(person),
        "relations_of (store)": lambda: analytics.relations_of(over_store(), person),
        "neighbourhood 2 hops (whole graph)": lambda: analytics.neighbourhood(whole, [person], 2,
                                                                            hub_threshold=threshold),
        "neighbourhood 2 hops (store)": lambda: analytics.neighbourhood(over_store(), [person], 2,
                                                                      hub_threshold=threshold),
        "paths ≤4 (whole graph)": lambda: analytics.paths(whole, person, project, 4, hub_threshold=threshold),
        "paths ≤4 (store)": lambda: analytics.paths(over_store(), person, project, 4, hub_threshold=threshold),
        "interlocks (whole graph)": lambda: analytics.interlocks(whole, org, hub_threshold=threshold),
        "interlocks (store)": lambda: analytics.interlocks(over_store(), org, hub_threshold=threshold),
    }
    print()
    for label, fn in rows.items():
        print(f"{label:36} {timed(fn)[0]:6.3f}s")


def report(title: str, store, target: float) -> None:
    s = store.stats()
    print(f"\n## {title}: {s['articles']} articles, {s['entities_total']} entities, {s['relations_total']} relations",
          flush=True)
    t, g = timed(store.snapshot)
    print(f"(snapshot() {t:.2f} s)")
    pages(store, g, target)
    data_functions(store, g)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        url, page, params = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        print(json.dumps(measure(url, page, params, preload="--preload" in sys.argv)))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--skip-examples", action="store_true")
    ap.add_argument("--keep", type=Path, help="a folder to keep the stores in and reuse them from")
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
            report("example corpus", store, 1.0)
            store.close()
        store = open_store(str(folder / f"synthetic-{args.relations}.db"))
        if not store.stats()["articles"]:
            t = time.perf_counter()
            synthetic(store, args.relations)
            print(f"\n(synthetic graph written in {time.perf_counter() - t:.1f} s)")
        report(f"synthetic {args.relations} relations", store, 3.0)
        store.close()


if __name__ == "__main__":
    main()
