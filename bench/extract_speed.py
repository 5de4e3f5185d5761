"""Extraction speed: InvestGraph's extract() against the raw natasha pipeline on the same texts.

    python bench/extract_speed.py [GOLD_DIR ...]      (default: ../shared/data/factru-dev)
    BENCH_DOCS=40 BENCH_ROUNDS=2 python bench/extract_speed.py   (a quicker run)

Raw natasha = segment + morph + syntax + NER (what ingest.pipeline runs). Both are timed
after a warm-up, over the same documents, best of 3 rounds; the ratio is extract / raw.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.model import Article  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ingest.pipeline import pipeline  # noqa: E402


def texts(folders: list[Path]) -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for f in folders for p in sorted(f.glob("*.json"))]


def best_of(rounds: int, fn, docs: list[str]) -> tuple[float, float]:
    """Best wall time and best CPU time (all threads of this process) over the rounds: on a
    busy machine the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        for text in docs:
            fn(text)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared" / "data" / "factru-dev"]
    docs = texts(folders)[: int(os.environ.get("BENCH_DOCS", "0")) or None]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    nlp = pipeline()
    extract(Article(id="warm", text=docs[0]))  # load models and build grammars
    raw, raw_cpu = best_of(rounds, nlp.analyse, docs)
    ours, ours_cpu = best_of(rounds, lambda t: extract(Article(id="x", text=t)), docs)
    chars = sum(map(len, docs))
    print(f"{len(docs)} documents, {chars} characters; load average {os.getloadavg()[0]:.1f}")
    print(f"raw natasha (segment+morph+syntax+NER): {raw:.2f} s wall, {raw_cpu:.2f} s CPU  ({chars / raw:,.0f} chars/s)")
    print(f"investgraph extract:                    {ours:.2f} s wall, {ours_cpu:.2f} s CPU  ({chars / ours:,.0f} chars/s)")
    print(f"ratio extract / raw: {ours / raw:.2f}x wall, {ours_cpu / raw_cpu:.2f}x CPU  (target <= 1.5x)")


if __name__ == "__main__":
    main()
