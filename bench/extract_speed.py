"""Extraction speed: InvestGraph's extract() against the raw natasha pipeline on the same texts.

    python bench/extract_speed.py [GOLD_DIR ...]      (default: ../shared/data/factru-dev)
    BENCH_DOCS=40 BENCH_ROUNDS=2 python bench/extract_speed.py   (a quicker run)

Raw natasha = segment + morph + syntax + NER, natasha as its wheel ships it
(bench/natasha_stock.py). Both are timed after a warm-up, over the same documents, each
document by one and then the other, in each of 3 rounds; printed are the best of each and the
median of the per-round ratios (extract / raw), and the first round's ratio on its own:
extract remembers what its grammars' predicates and natasha's normalisers say of each word and
span, so a text read again is faster than a new one
(a corpus of thousands of articles repeats most of its words; 108 texts do not).
Run it with one BLAS thread (OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1) on a quiet machine:
natasha's numpy work otherwise competes with whatever else runs on the two cores.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.natasha_stock import StockNatasha  # noqa: E402
from graph.model import Article  # noqa: E402
from ingest.extract import extract  # noqa: E402


def texts(folders: list[Path]) -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for f in folders for p in sorted(f.glob("*.json"))]


def timed(fn, text: str) -> tuple[float, float]:
    """Wall and CPU time (all threads of this process) to run fn over one document."""
    t, c = time.perf_counter(), time.process_time()
    fn(text)
    return time.perf_counter() - t, time.process_time() - c


Times = tuple[float, float]  # wall, CPU


def rounds_of(rounds: int, raw_fn, ours_fn, docs: list[str]) -> list[tuple[Times, Times]]:
    """Each round runs raw natasha and then extract on each document in turn, summing each side:
    both see the same moments of the machine, so the ratio within a round holds on a VM whose
    speed drifts from second to second, where timing one whole pass and then the other did not."""
    results = []
    for _ in range(rounds):
        raw, ours = [0.0, 0.0], [0.0, 0.0]
        for text in docs:
            for total, (wall, cpu) in ((raw, timed(raw_fn, text)), (ours, timed(ours_fn, text))):
                total[0] += wall
                total[1] += cpu
        results.append(((raw[0], raw[1]), (ours[0], ours[1])))
    return results


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared" / "data" / "factru-dev"]
    docs = texts(folders)[: int(os.environ.get("BENCH_DOCS", "0")) or None]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    raw_natasha = StockNatasha()
    raw_natasha.analyse(docs[0])
    extract(Article(id="warm", text=docs[0]))  # load models and build grammars
    results = rounds_of(rounds, raw_natasha.analyse, lambda t: extract(Article(id="x", text=t)), docs)
    chars = sum(map(len, docs))
    raw, raw_cpu = min(r[0][0] for r in results), min(r[0][1] for r in results)
    ours, ours_cpu = min(r[1][0] for r in results), min(r[1][1] for r in results)
    wall_ratios = sorted(o[0] / r[0] for r, o in results)
    cpu_ratios = sorted(o[1] / r[1] for r, o in results)
    print(f"{len(docs)} documents, {chars} characters, {rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    print(f"raw natasha (segment+morph+syntax+NER): best {raw:.2f} s wall, {raw_cpu:.2f} s CPU  ({chars / raw:,.0f} chars/s)")
    print(f"investgraph extract:                    best {ours:.2f} s wall, {ours_cpu:.2f} s CPU  ({chars / ours:,.0f} chars/s)")
    print(f"ratio extract / raw, best of each: {ours / raw:.2f}x wall, {ours_cpu / raw_cpu:.2f}x CPU")
    print(f"ratio within each round (median): {statistics.median(wall_ratios):.2f}x wall, "
          f"{statistics.median(cpu_ratios):.2f}x CPU  (rounds: {', '.join(f'{x:.2f}' for x in wall_ratios)} wall)"
          "  (target <= 1.6x)")
    first_raw, first_ours = results[0]
    print(f"first round alone: {first_ours[0] / first_raw[0]:.2f}x wall (the words of these texts new to "
          f"extract's caches and to natasha's; later rounds see them again)")

if __name__ == "__main__":
    main()
