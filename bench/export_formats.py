"""How long `investgraph export` takes in each format, and how much memory, on a synthetic graph of
N relationships in the embedded store (the graph bench/app_pages.py builds: people WORK_AT
organisations, organisations and people are INVOLVED_IN projects, projects are LOCATED_IN regions,
one evidence sentence per relation in articles of ten).

    python bench/export_formats.py --relations 100000            # every format
    python bench/export_formats.py --relations 100000 --formats json,cypher,neo4j-admin
    python bench/export_formats.py --keep /tmp/igbench            # keep the store and reuse it

Each format runs in a fresh Python process, as `investgraph export` would: open the store, read
the whole snapshot (Store.snapshot()), make the manifest (counts and the content hash), write the
file. The child reports the time of each step and its peak resident memory (ru_maxrss) after the
read, after the manifest (whose content hash serialises the whole snapshot) and at the end: a
writer that adds nothing of its own leaves the last two equal. Outputs go to a temporary folder and are deleted (their size is reported).
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


def child(fmt: str, store_path: str, out: str) -> dict:
    """One export, timed step by step, in this (fresh) process."""
    from graph.export import export
    from graph.snapshot import manifest
    from graph.open import open_store
    started = time.perf_counter()
    store = open_store(store_path)
    g = store.snapshot()
    read = time.perf_counter()
    read_peak = peak_mb()
    about = manifest(g, {}, store.url)
    made = time.perf_counter()
    manifest_peak = peak_mb()
    written = export(g, fmt, Path(out), manifest=about)
    done = time.perf_counter()
    store.close()
    return {"format": fmt, "read_s": read - started, "manifest_s": made - read, "write_s": done - made,
            "bytes": size_of(written), "read_peak_mb": read_peak, "manifest_peak_mb": manifest_peak,
            "peak_mb": peak_mb(),
            "nodes": g.number_of_nodes(), "relations": g.number_of_edges()}


def measure(fmt: str, store_path: Path, folder: Path) -> dict:
    out = folder / f"out-{fmt}{SUFFIX.get(fmt, '.' + fmt)}"
    done = subprocess.run([sys.executable, __file__, "--child", fmt, str(store_path), str(out)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"format": fmt, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    subprocess.run(["rm", "-rf", str(out), f"{out}.manifest.json"], check=False)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    lines = ["| format | read snapshot | manifest | write | output | peak RSS: after read | after manifest | "
             "at the end |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['format']} | failed: {r['error']} ||||||| ")
            continue
        lines.append(f"| {r['format']} | {r['read_s']:.1f} s | {r['manifest_s']:.1f} s | **{r['write_s']:.1f} s** | "
                     f"{r['bytes'] / 1e6:.1f} MB | {r['read_peak_mb']:.0f} MB | {r['manifest_peak_mb']:.0f} MB | "
                     f"{r['peak_mb']:.0f} MB |")
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:5])))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=100_000)
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, default all")
    ap.add_argument("--keep", type=Path, help="a folder to keep the store in and reuse it from")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="investgraph-export-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["INVESTGRAPH_HOME"] = str(folder)
        store_path = folder / f"synthetic-{args.relations}.db"
        build(store_path, args.relations)
        rows = []
        for fmt in args.formats.split(","):
            rows.append(measure(fmt, store_path, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
        first = next((r for r in rows if "nodes" in r), {})
        print(f"\n{first.get('relations', '?')} relationships, {first.get('nodes', '?')} entities "
              f"(synthetic {args.relations})\n")
        print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
