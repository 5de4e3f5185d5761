"""Peak memory of `investgraph ingest` against the size of the corpus: it must not grow with it
(target: 50k articles within 1.2x of 1k).

    python bench/ingest_memory.py                         # 1,000 and 10,000 articles, --workers 2
    python bench/ingest_memory.py 1000 10000 50000        # the sizes to run
    python bench/ingest_memory.py --workers 1 1000 5000   # one process
    python bench/ingest_memory.py --keep /tmp/corpora ... # keep the corpora (and reuse them)

The corpus is synthetic and deterministic: short articles (SENTENCES sentences each) recombined
from the real sentences of the texts in ../shared/data/parks-dev and ../shared/data/factru-dev
(or --sources), article n drawing its sentences with a generator seeded by n, written as .txt
files, 1,000 to a folder. So article n is the same text in every corpus, and a larger corpus
holds the smaller ones. Each size is ingested by the real command in a fresh process into a new
embedded store (`investgraph ingest FOLDER --store NEW_DB --workers N --quiet`), and the peak
resident memory (VmHWM) and CPU time of the command and of each of its child processes (the
workers, and the pool's resource tracker) are read from /proc while it runs. Printed per size: the
command's own peak, the largest child's, their sum (the whole ingest), the ratios to the smallest
size, the time and the CPU seconds of the command (the reader and writer) and of its children.
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SOURCES = [SHARED / "parks-dev", SHARED / "factru-dev"]
SENTENCES = 3  # per article: short articles, so that the large corpora ingest within the hour
PER_FOLDER = 1000
SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+(?=[А-ЯЁA-Z«\"0-9])")
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SAMPLE_SECONDS = 0.5


def sentences(sources: list[Path]) -> list[str]:
    """The sentences of every text in the source folders (gold JSON files), in a stable order."""
    out: list[str] = []
    for folder in sources:
        for path in sorted(folder.glob("*.json")):
            text = json.loads(path.read_text(encoding="utf-8")).get("text", "")
            out += [s.strip() for s in SENTENCE_END.split(text.replace("\n", " ")) if 30 <= len(s.strip()) <= 400]
    return out


def article(n: int, pool: list[str], sentences: int = SENTENCES) -> str:
    """Article n: a title line and `sentences` sentences drawn with a generator seeded by n."""
    rnd = random.Random(n)
    body = " ".join(rnd.choice(pool) for _ in range(sentences))
    return f"Новость {n}\n{body}\n"


def write_corpus(folder: Path, size: int, pool: list[str]) -> Path:
    """Articles 0..size-1 as .txt files under folder, PER_FOLDER to a subfolder (kept if complete)."""
    done = folder / ".complete"
    if done.exists():
        return folder
    for n in range(size):
        sub = folder / f"{n // PER_FOLDER:04d}"
        if n % PER_FOLDER == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{n:06d}.txt").write_text(article(n, pool), encoding="utf-8")
    done.touch()
    return folder


def children(pid: int) -> list[int]:
    """All descendants of a process, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def peak_kib(pid: int) -> int | None:
    """A process's peak resident memory so far (VmHWM), None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """A process's CPU time so far (user + system), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def investgraph() -> list[str]:
    exe = Path(sys.executable).with_name("investgraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]


def ingest(folder: Path, store: Path, workers: int) -> dict:
    """Run the ingest; its peak memory (own and per worker, MiB) and time."""
    command = investgraph() + ["ingest", str(folder), "--store", str(store), "--workers", str(workers), "--quiet"]
    began = time.perf_counter()
    proc = subprocess.Popen(command, env={**os.environ, **ONE_THREAD}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}  # the last CPU time seen per process (sampled: a little under the total)
    while proc.poll() is None:
        for pid in [proc.pid] + children(proc.pid):
            if (kib := peak_kib(pid)) is not None:
                peaks[pid] = max(peaks.get(pid, 0), kib)
            if (seconds := cpu_seconds(pid)) is not None:
                cpu[pid] = seconds
        time.sleep(SAMPLE_SECONDS)
    took = time.perf_counter() - began
    summary = proc.stderr.read().strip().splitlines()
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed ({proc.returncode}): {' / '.join(summary[-3:])}")
    own = peaks.pop(proc.pid, 0) / 1024
    workers_mib = sorted((kib / 1024 for kib in peaks.values()), reverse=True)
    return {"own": own, "worker": workers_mib[0] if workers_mib else 0.0, "workers": len(workers_mib),
            "total": own + sum(workers_mib), "seconds": took, "summary": summary[-1] if summary else "",
            "own_cpu": cpu.pop(proc.pid, 0.0), "workers_cpu": sum(cpu.values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="a folder to keep the corpora in (and reuse them from)")
    ap.add_argument("--sources", type=Path, nargs="*", default=SOURCES, help="folders of gold JSON texts")
    args = ap.parse_args()
    pool = sentences(args.sources)
    print(f"{len(pool):,} sentences from {', '.join(str(s) for s in args.sources)}; {SENTENCES} per article; "
          f"--workers {args.workers}", flush=True)
    with tempfile.TemporaryDirectory(prefix="investgraph-memory-") as tmp:
        where = args.keep or Path(tmp)
        first = None
        for size in args.sizes:
            corpus = write_corpus(where / f"corpus-{size}", size, pool)
            r = ingest(corpus, Path(tmp) / f"store-{size}" / "graph.db", args.workers)
            first = first or r
            print(f"{size:>7,} articles: ingest {r['own']:,.0f} MiB ({r['own'] / first['own']:.2f}x), largest worker "
                  f"{r['worker']:,.0f} MiB ({r['worker'] / max(first['worker'], 1):.2f}x) of {r['workers']} children, "
                  f"all {r['total']:,.0f} MiB ({r['total'] / first['total']:.2f}x); {r['seconds']:,.0f} s "
                  f"({size / r['seconds']:.1f} articles/s; CPU: ingest {r['own_cpu']:,.0f} s, workers "
                  f"{r['workers_cpu']:,.0f} s), load {os.getloadavg()[0]:.1f}; {r['summary']}", flush=True)


if __name__ == "__main__":
    main()
