"""How fast the workbench's pages are: each page's data functions, and a full AppTest run of
each page (warm: the snapshot cached), on the example corpus and on a synthetic graph of about
100k relationships in the embedded store. Targets: < 1 s per page on the examples, < 3 s on 100k.

    python bench/app_pages.py                   # both graphs
    python bench/app_pages.py --relations 20000 # a smaller synthetic graph
    python bench/app_pages.py --skip-examples

The synthetic graph is written through Store.write in batches of Extractions (graph.model), like
an ingest: people WORK_AT organisations, organisations and people are INVOLVED_IN projects with
roles, projects are LOCATED_IN regions, with a few hubs (one region and one ministry everyone
touches), each relation with an evidence sentence in its own article.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import analytics  # noqa: E402
from graph.model import INVOLVEMENT_ROLES, PROJECT_KINDS, Article, Entity, Evidence, Extraction, Mention, Relation  # noqa: E402
from graph.store import open_store  # noqa: E402

PAGES = ["projects", "entity", "explorer", "connections", "articles", "export"]


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


def data_functions(store, g) -> dict[str, float]:
    """What each page computes, over the already loaded snapshot."""
    ds = analytics.degrees(g)
    person = max((n for n, d in g.nodes(data=True) if d["type"] == "PERSON"), key=lambda n: ds[n])
    org = max((n for n, d in g.nodes(data=True) if d["type"] == "ORG"), key=lambda n: ds[n] if ds[n] < 200 else 0)
    project = max((n for n, d in g.nodes(data=True) if d["type"] == "PROJECT"), key=lambda n: ds[n])
    threshold = analytics.hub_threshold(g)
    hubs = analytics.hubs(g, threshold)
    name = g.nodes[person]["name"]
    out = {
        "search": timed(lambda: store.search(name.split()[-1], limit=30))[0],
        "search fuzzy": timed(lambda: analytics.fuzzy_hits(g, name[:-1] + "ц", index=analytics.name_index(g)))[0],
        "projects_table": timed(lambda: analytics.projects_table(g))[0],
        "entity card": timed(lambda: (store.entity(project), analytics.relations_of(g, project)))[0],
        "neighbourhood 2 hops": timed(lambda: analytics.neighbourhood(g, [person], hops=2, hidden=hubs))[0],
        "paths ≤4": timed(lambda: analytics.paths(g, person, project, max_hops=4, avoid=hubs))[0],
        "interlocks": timed(lambda: analytics.interlocks(g, org, avoid=hubs))[0],
        "article index": timed(lambda: analytics.article_index(g))[0],
        "name index": timed(lambda: analytics.name_index(g))[0],
    }
    return out, person


def apptest_pages(url: str, entity: str) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest
    os.environ["INVESTGRAPH_STORE"] = url
    app = str(ROOT / "app" / "streamlit_app.py")
    at = AppTest.from_file(app, default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    out = {"first run (loads the snapshot)": first}
    for page in PAGES:
        at = AppTest.from_file(app, default_timeout=600)
        at.query_params["entity"] = entity
        at.run()
        at.switch_page(f"views/{page}.py")
        t = time.perf_counter()
        at.run()
        out[f"page {page}"] = time.perf_counter() - t
        if at.exception:
            out[f"page {page}"] = float("nan")
            print(f"  {page}: {at.exception[0].value}", file=sys.stderr)
    return out


def report(title: str, store, target: float) -> None:
    s = store.stats()
    print(f"\n## {title}: {s['articles']} articles, {s['entities_total']} entities, {s['relations_total']} relations")
    t, g = timed(store.snapshot)
    print(f"{'snapshot()':32} {t:7.3f} s")
    funcs, person = data_functions(store, g)
    for name, t in funcs.items():
        print(f"{name:32} {t:7.3f} s {'ok' if t < target else 'SLOW'}")
    for name, t in apptest_pages(store.url, person).items():
        print(f"{name:32} {t:7.3f} s {'ok' if t < target or name.startswith('first') else 'SLOW'}")


def main() -> None:
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--skip-examples", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="investgraph-bench-") as tmp:
        os.environ["INVESTGRAPH_HOME"] = tmp
        if not args.skip_examples:
            store = open_store(str(Path(tmp) / "examples.db"))
            from ingest.run import ingest_paths
            ingest_paths(store, [ROOT / "examples" / "news"])
            report("example corpus", store, 1.0)
            store.close()
        store = open_store(str(Path(tmp) / "synthetic.db"))
        t = time.perf_counter()
        synthetic(store, args.relations)
        print(f"\n(synthetic graph written in {time.perf_counter() - t:.1f} s)")
        report(f"synthetic {args.relations} relations", store, 3.0)
        store.close()


if __name__ == "__main__":
    main()
