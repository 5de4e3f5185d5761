"""Ingest throughput: `investgraph ingest` end to end with 1 and 2 workers and on a Dask LocalCluster,
against raw natasha on the same texts.

    python bench/ingest_scale.py [GOLD_DIR ...]    (default: gold/parks-dev and gold/factru-dev, 230 texts)
    BENCH_DOCS=40 python bench/ingest_scale.py     (fewer texts, a quicker run)
    BENCH_ROUNDS=3 python bench/ingest_scale.py    (every configuration 3 times, interleaved; the best of each)
    BENCH_SYNTHETIC=1000 python bench/ingest_scale.py  (1,000 articles of the texts' sentences recombined)

The gold texts are written as .txt files to a temporary folder. Each ingest is the real command
in a fresh process (`investgraph ingest FOLDER --store NEW_DB --workers N`): read, extract,
resolve, write, from process start to exit. Its fixed cost (imports, loading natasha, starting
the workers or the cluster) is measured too, by the same command on a folder of the first
FIRST texts (one per worker: a pool starts its workers as articles arrive); the table shows
articles/s both end to end and net of that cost ((texts - FIRST) / (time - time of FIRST)).

Raw natasha = natasha's whole pipeline as the issue counts it: segment + morph + syntax + NER
(natasha's own models and steps, bench/natasha_stock.py) + normalise (each NER span's normal
form, names split into parts), timed in this process after a warm-up, so it carries no start-up cost at all.

A larger corpus says more than a small one about what analysts ingest (thousands of articles):
the fixed cost weighs less end to end; the net rate does not depend on it. With BENCH_SYNTHETIC=N
the corpus is N articles of ARTICLE_SENTENCES sentences each (the gold texts' mean, 10.6), drawn
from the gold texts' sentences by bench/ingest_memory.py's generator: real sentences, every article
a different text, the same for every configuration.

Asserts nothing; prints a table and the load average (the machine may be shared: compare the
ratios within one run, not across runs; on a busy machine more rounds, interleaved so that each
configuration sees the same load, and the best of each, say more than one). BLAS is held to one thread per process, so that N
workers use N cores.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
os.environ.update(ONE_THREAD)

ARTICLE_SENTENCES = 11  # per synthetic article (BENCH_SYNTHETIC)
FIRST = 2  # texts in the fixed-cost run: one for each of the (at most 2) workers
RUNS = [  # (label, options)
    ("1 worker (in process)", ["--workers", "1"]),
    ("2 workers (process pool)", ["--workers", "2"]),
    ("--dask local, 1 worker", ["--dask", "local", "--workers", "1"]),
    ("--dask local, 2 workers", ["--dask", "local", "--workers", "2"]),
]


def write_corpus(golds: list[Path], folder: Path, limit: int | None) -> int:
    """The gold texts as numbered .txt files; how many."""
    files = [path for gold in golds for path in sorted(gold.glob("*.json"))][:limit]
    for n, path in enumerate(files):
        (folder / f"{n:04d}.txt").write_text(json.loads(path.read_text(encoding="utf-8"))["text"], encoding="utf-8")
    return len(files)


def write_synthetic(golds: list[Path], folder: Path, size: int) -> int:
    """`size` articles of the gold texts' sentences recombined (bench/ingest_memory.article), as
    numbered .txt files; how many."""
    from bench.ingest_memory import article, sentences
    pool = sentences(golds)
    for n in range(size):
        (folder / f"{n:06d}.txt").write_text(article(n, pool, ARTICLE_SENTENCES), encoding="utf-8")
    return size


def investgraph() -> list[str]:
    exe = Path(sys.executable).with_name("investgraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]


def timed_ingest(folder: Path, store: Path, options: list[str]) -> float:
    """Seconds for `investgraph ingest FOLDER` into a new store, from process start to exit."""
    began = time.perf_counter()
    done = subprocess.run([*investgraph(), "ingest", str(folder), "--store", str(store), "--quiet", *options],
                          capture_output=True, text=True, env={**os.environ, **ONE_THREAD})
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"ingest {' '.join(options)} failed:\n{done.stderr}")
    return took


def raw_natasha(texts: list[str]) -> float:
    """Seconds for natasha's pipeline over the texts, warm, in this process."""
    from bench.natasha_stock import StockNatasha
    nlp = StockNatasha()
    nlp.analyse_and_normalise(texts[0])
    began = time.perf_counter()
    for text in texts:
        nlp.analyse_and_normalise(text)
    return time.perf_counter() - began


def main() -> None:
    golds = [Path(a) for a in sys.argv[1:]] or [ROOT / "gold" / "parks-dev", ROOT / "gold" / "factru-dev"]
    limit = int(os.environ.get("BENCH_DOCS", "0")) or None
    with tempfile.TemporaryDirectory(prefix="ingest-scale-") as tmp:
        corpus, one = Path(tmp) / "corpus", Path(tmp) / "one"
        corpus.mkdir()
        one.mkdir()
        synthetic = int(os.environ.get("BENCH_SYNTHETIC", "0"))
        count = write_synthetic(golds, corpus, synthetic) if synthetic else write_corpus(golds, corpus, limit)
        for path in sorted(corpus.glob("*.txt"))[:FIRST]:
            (one / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))
        load_before = os.getloadavg()
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
        rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
        best: dict[str, tuple[float, float]] = {}
        raw = float("inf")
        for r in range(rounds):
            raw = min(raw, raw_natasha(texts))
            for n, (label, options) in enumerate(RUNS):
                fixed = timed_ingest(one, Path(tmp) / f"one-{r}-{n}.db", options)
                total = timed_ingest(corpus, Path(tmp) / f"all-{r}-{n}.db", options)
                was = best.get(label, (float("inf"), float("inf")))
                best[label] = (min(was[0], total), min(was[1], fixed))
        rows = [(label, *best[label]) for label, _ in RUNS]
        load_after = os.getloadavg()

    made = f"synthetic articles of {ARTICLE_SENTENCES} sentences" if synthetic else "texts"
    print(f"{count} {made} ({chars:,} characters) from {', '.join(map(str, golds))}; {os.cpu_count()} cores; {rounds} round(s), best of each; "
          f"load average (1/5/15 min) before {'/'.join(f'{x:.2f}' for x in load_before)}, "
          f"after {'/'.join(f'{x:.2f}' for x in load_after)}")
    print(f"{'':28} {'seconds':>8} {'articles/s':>11} {f'first {FIRST}':>8} {'net art/s':>10}")
    print(f"{'raw natasha (warm, + norm.)':28} {raw:8.2f} {count / raw:11.2f} {'-':>8} {count / raw:10.2f}")
    rate = {}
    for label, total, fixed in rows:
        net = (count - FIRST) / max(total - fixed, 1e-9)
        rate[label] = (count / total, net)
        print(f"{label:28} {total:8.2f} {count / total:11.2f} {fixed:8.2f} {net:10.2f}")
    one_w, two_w = rate[RUNS[0][0]], rate[RUNS[1][0]]
    dask_one, dask_two = rate[RUNS[2][0]], rate[RUNS[3][0]]
    print("ratios (end to end / net of the fixed cost):")
    print(f"  1 worker / raw natasha       {one_w[0] / (count / raw):.2f} / {one_w[1] / (count / raw):.2f}"
          "   (target >= 0.7)")
    print(f"  2 workers / 1 worker         {two_w[0] / one_w[0]:.2f} / {two_w[1] / one_w[1]:.2f}   (target >= 1.7)")
    print(f"  dask 2 / 1 worker (in proc)  {dask_two[0] / one_w[0]:.2f} / {dask_two[1] / one_w[1]:.2f}"
          "   (target >= 1.5)")
    print(f"  dask 2 / dask 1              {dask_two[0] / dask_one[0]:.2f} / {dask_two[1] / dask_one[1]:.2f}")


if __name__ == "__main__":
    main()
