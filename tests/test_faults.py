"""Faults: `kill -9` of an ingest at random moments, and of the Neo4j server mid-load.

Each test ingests a small corpus cleanly first (timing it), then, for each of a few seeded random
delays within that time, starts `investgraph ingest` afresh, kills it with SIGKILL after the delay,
runs it again to the end, and compares `stats --json` and `export --format json` with the clean
ingest: they must be identical, nothing lost, nothing twice. The Neo4j server test kills the
server's JVM (the pid in scripts/neo4j's pid file) while an ingest writes, starts it again with
scripts/neo4j and the same environment (NEO4J_HOME_DIR, NEO4J_BOLT_PORT, as scripts/test set them),
and re-runs the ingest. Each test runs in well under a minute per store; they are marked `faults`
(and the Neo4j ones `neo4j`) and run with the rest of the suite in CI.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from app.cli import cli
from conftest import ROOT, clear_neo4j, export_content, investgraph_script, write_texts

pytestmark = pytest.mark.faults

KILLS = 5  # kills per test
SEED = 20240613
CORPUS = {  # small articles, so that one ingest takes seconds, written one per transaction
    "zalivatsky.txt": "Руслан Заливацкий возглавил компанию «Северный луч» в Вологде.\n\n"
                      "Позже Заливацкий сказал, что завод откроется в 2025 году.",
    "vorobyev.txt": "В пятницу в Москве прошла встреча с губернатором Андреем Воробьевым.",
    "kaluga.txt": "Компания «Ока Фарма» построит завод в Калуге. Директор Ирина Соколова рассказала о планах.",
    "krechetov.txt": "Игорь Кречетов, директор компании «Тайга Металл», открыл завод в Вологде.",
    "krechetov2.txt": "И. Кречетов заявил, что «Тайга Металл» вложит 2 млрд рублей в индустриальный парк "
                      "«Северный луч».",
    "park.txt": "Индустриальный парк «Северный луч» площадью 120 га открылся в Вологде в 2024 году.",
    "park2.txt": "Площадь парка «Северный луч» составит 70 га, сообщила Ксения Гурьева.",
    "tomsk.txt": "В Томске компания «Сибирский кварц» начала строительство завода. Проект стоит 3 млрд рублей.",
}


def start_ingest(folder: Path, url: str) -> subprocess.Popen:
    """`investgraph ingest FOLDER --store URL`, one article per write, as a child process."""
    return subprocess.Popen([str(investgraph_script()), "ingest", str(folder), "--store", url, "--batch-size", "1",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ingest(folder: Path, url: str) -> float:
    """Ingest to the end; return how long it took."""
    began = time.monotonic()
    proc = start_ingest(folder, url)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    return time.monotonic() - began


def killed_ingest(folder: Path, url: str, delay: float) -> bool:
    """Start an ingest and kill -9 it after `delay` seconds; False if it ended before."""
    proc = start_ingest(folder, url)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return True
    finally:
        proc.stdout.close()


def stored_articles(url: str) -> int:
    from graph.open import open_store
    store = open_store(url)
    try:
        return store.stats()["articles"]
    finally:
        store.close()


def graph_of(url: str, tmp_path: Path) -> tuple[str, bytes]:
    """`investgraph stats --json` and `investgraph export --format json` of the store at `url`."""
    runner = CliRunner()
    stats = runner.invoke(cli, ["stats", "--json", "--store", url])
    assert stats.exit_code == 0, stats.output
    out = tmp_path / "export.json"
    export = runner.invoke(cli, ["export", "--format", "json", "-o", str(out), "--force", "--store", url])
    assert export.exit_code == 0, export.output
    return stats.output, export_content(out.read_bytes())


def delays(took: float) -> list[float]:
    """Seeded kill moments within a clean ingest's time: from the start-up to the last writes."""
    rng = random.Random(SEED)
    return [round(rng.uniform(0.2 * took, took), 2) for _ in range(KILLS)]


def kill_loop(folder: Path, url: str, clear: Callable[[], None], tmp_path: Path) -> None:
    """A clean ingest, then KILLS times: an emptied store, an ingest killed at a random moment,
    a re-run, and the same stats and export as the clean ingest."""
    clear()
    took = ingest(folder, url)
    clean = graph_of(url, tmp_path)
    left = []  # articles a killed ingest left stored
    for delay in delays(took):
        clear()
        if killed_ingest(folder, url, delay):
            left.append(stored_articles(url))
        ingest(folder, url)
        assert graph_of(url, tmp_path) == clean, f"after a kill -9 at {delay}s and a re-run"
    assert left, f"no kill hit a running ingest (a clean one took {took:.1f}s; delays {delays(took)})"


def test_kill_9_of_an_embedded_ingest_then_a_rerun_gives_the_clean_graph(tmp_path, nlp):
    folder = write_texts(tmp_path / "news", CORPUS)
    db = tmp_path / "store" / "graph.db"

    def clear() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    kill_loop(folder, str(db), clear, tmp_path)


@pytest.mark.neo4j
def test_kill_9_of_a_neo4j_ingest_then_a_rerun_gives_the_clean_graph(neo4j_store, tmp_path, nlp):
    folder = write_texts(tmp_path / "news", CORPUS)
    kill_loop(folder, neo4j_store.url, lambda: clear_neo4j(neo4j_store), tmp_path)


# --- the Neo4j server killed mid-load ---------------------------------------------------------------

NEO4J_SCRIPT = ROOT / "scripts" / "neo4j"


def server_pid(url: str) -> int:
    """The pid of the scripts/neo4j server the tests use, after checking that it serves `url`'s port
    (the environment's NEO4J_HOME_DIR and NEO4J_BOLT_PORT name it); skips when it does not."""
    status = subprocess.run([str(NEO4J_SCRIPT), "status"], capture_output=True, text=True)
    port = urlsplit(url).port or 7687
    if status.returncode != 0 or f":{port}" not in status.stdout:
        pytest.skip(f"the Neo4j server at {url} is not the scripts/neo4j server of this environment "
                    f"({status.stdout.strip()}): set NEO4J_HOME_DIR and NEO4J_BOLT_PORT as when it was started")
    home = Path(os.environ.get("NEO4J_HOME_DIR") or ROOT / ".neo4j")
    return int((home / "run" / "neo4j.pid").read_text())


def start_server() -> None:
    started = subprocess.run([str(NEO4J_SCRIPT), "start"], capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stdout + started.stderr


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def running(pid: int) -> bool:
    """The process exists and is not a zombie (a container's PID 1 may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pid: int, port: int, timeout: float = 60) -> None:
    """Until the killed server's process is gone (or a zombie) and its Bolt port closed: a JVM's
    threads outlive its main one for a while, holding the port."""
    deadline = time.monotonic() + timeout
    while (running(pid) or listening(port)) and time.monotonic() < deadline:
        time.sleep(0.1)


def emptied(url: str) -> None:
    """Empty the test database of the Neo4j server at `url`."""
    from graph.open import open_store
    store = open_store(url)
    try:
        clear_neo4j(store)
    finally:
        store.close()


@pytest.mark.neo4j
def test_kill_9_of_the_neo4j_server_mid_load_then_a_restart_and_rerun_gives_the_clean_graph(
        neo4j_url, tmp_path, nlp):
    folder = write_texts(tmp_path / "news", CORPUS)
    pid = server_pid(neo4j_url)
    emptied(neo4j_url)
    took = ingest(folder, neo4j_url)
    clean = graph_of(neo4j_url, tmp_path)
    emptied(neo4j_url)
    proc = start_ingest(folder, neo4j_url)
    mid_load = False
    try:
        time.sleep(random.Random(SEED).uniform(0.4 * took, 0.8 * took))
        mid_load = proc.poll() is None
        os.kill(pid, signal.SIGKILL)
    finally:
        wait_until_gone(pid, urlsplit(neo4j_url).port or 7687)
        start_server()  # whatever happened: the suite goes on with a server
        proc.communicate(timeout=120)  # failed for want of the server, or done after it came back
    assert mid_load, f"the ingest had ended before the server was killed (a clean one took {took:.1f}s)"
    ingest(folder, neo4j_url)
    assert graph_of(neo4j_url, tmp_path) == clean
