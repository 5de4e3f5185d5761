"""How long `investgraph export` takes in each format, and how much memory, on a synthetic graph of
N relationships in the embedded store (the graph bench/app_pages.py builds: people WORK_AT
organisations, organisations and people are INVOLVED_IN projects, projects are LOCATED_IN regions,
one evidence sentence per relation in articles of ten).

    python bench/export_formats.py --relations 100000            # every format
    python bench/export_formats.py --relations 100000 --formats json,cypher,neo4j-admin
    python bench/export_formats.py --keep /tmp/igbench            # keep the store and reuse it
    python bench/export_formats.py --in-memory                    # the old way: Store.snapshot() first
    python bench/export_formats.py --select '{"around": ["Регион 1"], "hops": 2}' --formats json

Each format runs in a fresh Python process, as `investgraph export` would, through the CLI's own
path (graph.snapshot_stream.snapshot_parts, graph.export.export_parts): open the store, make the
manifest (a pass over the store a page at a time: counts, article ids, the content hash), then
write the file as it reads the store. The child reports the time of each step and its peak
resident memory (ru_maxrss) after the manifest and at the end. With --in-memory it reads the
whole snapshot (Store.snapshot()) first and writes from it, as exports did before streaming.
Outputs go to a temporary folder and are deleted (their size is reported).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FORMATS = ("json", "csv", "graphml", "gexf", "neo4j-admin", "cypher", "ftm", "html", "png", "svg")
SUFFIX = {"csv": "", "neo4j-admin": "", "ftm": ".ftm.json"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def size_of(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
    return total


def child(fmt: str, store_path: str, out: str, in_memory: bool = False, selection: str = "{}") -> dict:
    """One export, timed step by step, in this (fresh) process; `selection`: the Selection as JSON."""
    from graph.export import export_parts
    from graph.formats import size_problem
    from graph.formats.base import graph_parts
    from graph.open import open_store
    from graph.snapshot import Selection, manifest, resolve, select
    from graph.snapshot_stream import snapshot_parts
    started = time.perf_counter()
    store = open_store(store_path)
    given = Selection(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(selection).items()})
    whole = store.stats() if given.is_whole() else None
    if whole and (problem := size_problem(fmt, whole["entities_total"], whole["relations_total"])):
        return {"format": fmt, "refused": problem, "wall_s": time.perf_counter() - started, "peak_mb": peak_mb()}
    with store.reading():  # one read, as the CLI's export (graph.snapshot_stream.exporting)
        if in_memory:  # as before: the whole graph read, a selection cut from it
            g = select(store.snapshot(), resolve(given, store))
            parts = graph_parts(g, manifest(g, given.as_given(), store.url))
        else:
            parts = snapshot_parts(store, given)
        made = time.perf_counter()
        manifest_peak = peak_mb()
        written = export_parts(parts, fmt, Path(out))
        done = time.perf_counter()
    store.close()
    counts = (parts.manifest or {})["counts"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"format": fmt, "manifest_s": made - started, "write_s": done - made, "bytes": size_of(written),
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "manifest_peak_mb": manifest_peak, "peak_mb": peak_mb(),
            "nodes": counts["entities_total"], "relations": counts["relations_total"]}


def measure(fmt: str, store_path: Path, folder: Path, in_memory: bool = False, select: str = "{}") -> dict:
    """One export in a fresh process: its report, with the wall time and the machine's load average
    (1 min, sampled every 5 s while it ran: the machine is shared, wall times depend on it)."""
    out = folder / f"out-{fmt}{SUFFIX.get(fmt, '.' + fmt)}"
    started, loads = time.perf_counter(), [os.getloadavg()[0]]
    with subprocess.Popen([sys.executable, __file__, "--child", fmt, str(store_path), str(out), select]
                          + (["--in-memory"] if in_memory else []),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=5)
                break
            except subprocess.TimeoutExpired:
                loads.append(os.getloadavg()[0])
    wall = {"wall_s": time.perf_counter() - started, "load_mean": sum(loads) / len(loads), "load_max": max(loads)}
    if proc.returncode != 0:
        return {"format": fmt, "error": (stderr.strip().splitlines() or ["?"])[-1], **wall}
    subprocess.run(["rm", "-rf", str(out), f"{out}.manifest.json"], check=False)
    return {**wall, **json.loads(stdout.strip().splitlines()[-1])}


def build(store_path: Path, relations: int) -> None:
    from app_pages import synthetic

    from graph.open import open_store
    store = open_store(str(store_path))
    try:
        if not store.stats()["articles"]:
            started = time.perf_counter()
            synthetic(store, relations)
            print(f"(synthetic graph of {relations} relationships written in {time.perf_counter() - started:.0f} s)")
    finally:
        store.close()


def table(rows: list[dict]) -> list[str]:
    lines = ["| format | manifest (read + hash) | write | wall, whole run | CPU, whole run | output | "
             "peak RSS: after manifest | at the end | load average (mean, max) |", "|---" * 9 + "|"]
    for r in rows:
        load = f"{r['load_mean']:.1f}, {r['load_max']:.1f}" if "load_mean" in r else "—"
        if "refused" in r:
            lines.append(f"| {r['format']} | refused in {r['wall_s']:.1f} s, peak {r['peak_mb']:.0f} MB: "
                         f"{r['refused']} |||||||  {load} |")
            continue
        if "error" in r:
            lines.append(f"| {r['format']} | failed: {r['error']} |||||||  {load} |")
            continue
        lines.append(f"| {r['format']} | {r['manifest_s']:.0f} s | {r['write_s']:.0f} s | {r.get('wall_s', 0):.0f} s | "
                     f"{r['cpu_s']:.0f} s | {r['bytes'] / 1e6:,.0f} MB | {r['manifest_peak_mb']:.0f} MB | "
                     f"**{r['peak_mb']:.0f} MB** | {load} |")
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:5], in_memory="--in-memory" in sys.argv[6:], selection=sys.argv[5])))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--build":
        build(Path(sys.argv[2]), int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, default all")
    ap.add_argument("--keep", type=Path, help="a folder to keep the store in and reuse it from")
    ap.add_argument("--in-memory", action="store_true", help="read the whole snapshot first (as before streaming)")
    ap.add_argument("--select", default="{}", help='a selection as JSON, e.g. \'{"around": ["NAME"], "hops": 2}\'')
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="investgraph-export-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["INVESTGRAPH_HOME"] = str(folder)
        store_path = folder / f"synthetic-{args.relations}.db"
        # in a process of its own: Linux keeps a process's peak RSS across exec, so the children,
        # started from a parent that had built a 1M graph, reported its 1.4 GB as their own peak
        subprocess.run([sys.executable, __file__, "--build", str(store_path), str(args.relations)], check=True)
        rows = []
        for fmt in args.formats.split(","):
            rows.append(measure(fmt, store_path, Path(tmp), args.in_memory, args.select))
            print(json.dumps(rows[-1]), flush=True)
        first = next((r for r in rows if "nodes" in r), {})
        print(f"\n{first.get('relations', '?')} relationships, {first.get('nodes', '?')} entities "
              f"(synthetic {args.relations})\n")
        print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
