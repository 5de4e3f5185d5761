"""How the graph explorer's network (st-link-analysis, Cytoscape.js) behaves in real headless
Chromium as the view grows to about 2,000 elements (nodes + edges): per node cap and layout,
how long until the network is laid out, the longest the browser's main thread is blocked
(long tasks), the frame rate while zooming, and how long a click on a node takes to come back
as the page's "Selected: …" line.

    python bench/explorer_browser.py                         # a synthetic 20k-relation graph
    python bench/explorer_browser.py --caps 200,500,1000 --layouts auto,fcose,grid
    python bench/explorer_browser.py --store sqlite:///path/graph.db --seed 'LOC:регион 5'

It starts `investgraph app` on a free port (stopped at the end), drives /usr/bin/chromium
(CHROMIUM) with Playwright, and saves a screenshot of each view in test-artifacts/.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from graph import analytics  # noqa: E402
from graph.open import open_store  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
LAYOUT_LABELS = {"auto": "auto", "fcose": "force-directed (fcose)", "draft": "force-directed, draft (fcose)",
                 "cose": "force-directed (cose)", "grid": "grid", "concentric": "concentric"}

# In the component's iframe: the Cytoscape instance, layout ends and long tasks counted from now on.
PROBE = """() => {
  const cy = document.getElementById("cy")?._cyreg?.cy;
  if (!cy) return false;
  if (!window.__probe) {
    window.__probe = {stops: 0, longtasks: []};
    cy.on("layoutstop", () => { window.__probe.stops += 1; });
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__probe.longtasks.push([e.startTime, e.duration]);
    }).observe({type: "longtask", buffered: false});
  }
  return true;
}"""
STATE = """() => { const cy = document.getElementById("cy")._cyreg.cy;
  return {nodes: cy.nodes().length, edges: cy.edges().length, stops: window.__probe.stops, now: performance.now()}; }"""
LONGEST_SINCE = """(t) => { const ts = window.__probe.longtasks.filter(([s, d]) => s + d >= t);
  return {longest: Math.max(0, ...ts.map(([s, d]) => d)), blocked: ts.reduce((a, [s, d]) => a + d - 50, 0)}; }"""
ZOOM_FPS = """() => new Promise(done => {
  const cy = document.getElementById("cy")._cyreg.cy;
  let frames = 0; const t0 = performance.now();
  const tick = () => { frames += 1; if (performance.now() - t0 < 1000) requestAnimationFrame(tick);
                       else done(frames * 1000 / (performance.now() - t0)); };
  requestAnimationFrame(tick);
  cy.animate({zoom: cy.zoom() * 1.6, pan: cy.pan()}, {duration: 900});
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    script = Path(sys.executable).parent / "investgraph"
    proc = subprocess.Popen([str(script), "app", "--port", str(port)], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            env={**os.environ, "INVESTGRAPH_STORE": store_url}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    stop_app(proc)
    raise SystemExit(f"the app did not start: {log.read_text()}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pick_seed(store) -> str:
    """A place below the hub threshold with the most neighbours: its 3-hop view is large and dense."""
    g = store.snapshot()
    threshold = analytics.hub_threshold(store.stats())
    ds = analytics.degrees(g)
    return max((n for n, d in g.nodes(data=True) if d["type"] == "LOC" and ds[n] < threshold),
               key=lambda n: (ds[n], n))


def idle(page) -> None:
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=120_000)


def counts(page) -> tuple[int, int]:
    text = page.locator("[data-testid='stCaptionContainer']").filter(has_text=" nodes · ").first.inner_text()
    nodes, _, _, edges, *_ = text.split()  # "N nodes · M edges …"
    return int(nodes), int(edges)


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(str(value))
    box.press("Enter")


def choose(page, label: str, option: str) -> None:
    box = page.get_by_label(label)  # Streamlit's select box: type to filter, Enter picks the first
    if box.input_value() != option:
        box.click()
        box.fill(option)
        box.press("Enter")


def network_frame(page, replacing=None):
    """The network component's frame once Cytoscape runs in it (a new one, if `replacing`)."""
    iframe = page.locator("iframe[title*='st_link_analysis']").first
    deadline = time.time() + 120
    while time.time() < deadline:
        handle = iframe.element_handle()
        frame = handle.content_frame() if handle else None
        if frame is not None and frame != replacing and not frame.is_detached():
            try:
                if frame.evaluate(PROBE):
                    return frame
            except Exception:  # noqa: BLE001 - a frame going away under us: look again
                pass
        time.sleep(0.2)
    raise SystemExit("the network component did not start")


def settle(page, frame, view: tuple[int, int], after: int, what: str) -> None:
    """Wait until the page and the network show the view (nodes, edges), laid out since `after`."""
    deadline = time.time() + 300
    while time.time() < deadline:
        state = frame.evaluate(STATE)
        if (state["nodes"], state["edges"]) == view and state["stops"] > after and counts(page) == view:
            return
        time.sleep(0.05)
    raise SystemExit(f"{what}: the network did not settle: {frame.evaluate(STATE)}, page: {counts(page)}, "
                     f"expected {view}")


def expected_view(store_url: str, seed: str, hops: int, cap: int) -> tuple[int, int]:
    """The nodes and edges the explorer shows for these settings (its defaults otherwise)."""
    store = open_store(store_url)
    try:
        sub = analytics.neighbourhood(analytics.StoreAdjacency(store), [seed], hops=hops,
                                      hub_threshold=analytics.hub_threshold(store.stats()), max_nodes=cap)
        return sub.number_of_nodes(), sub.number_of_edges()
    finally:
        store.close()


def measure_view(page, frame, view: tuple[int, int], cap: int, layout: str, shots: Path) -> dict:
    """Pick the layout, then time a new node cap until the network shows the `view` (nodes, edges)
    laid out; then zoom and click."""
    before = frame.evaluate(STATE)
    if page.get_by_label("Layout").input_value() != LAYOUT_LABELS[layout]:
        choose(page, "Layout", LAYOUT_LABELS[layout])
        idle(page)
        settle(page, frame, counts(page), before["stops"], f"{layout}")
        before = frame.evaluate(STATE)
    t0 = time.perf_counter()
    set_number(page, "Show at most (nodes)", cap)
    nodes, edges = view
    settle(page, frame, view, before["stops"], f"cap {cap}, {layout}")
    laid_out = time.perf_counter() - t0
    blocked = frame.evaluate(LONGEST_SINCE, before["now"])
    fps = frame.evaluate(ZOOM_FPS)
    page.screenshot(path=str(shots / f"explorer-{cap}-{layout}.png"))
    # a click on a node: the component tells the app, which reruns and names the selection
    name = frame.evaluate("""() => { const cy = document.getElementById("cy")._cyreg.cy;
        const n = cy.nodes().last(); n.emit("tap"); return n.data("name"); }""")
    t1 = time.perf_counter()
    page.get_by_text("Selected: ").filter(has_text=name).first.wait_for(timeout=120_000)
    clicked = time.perf_counter() - t1
    return {"cap": cap, "layout": layout, "nodes": nodes, "edges": edges, "laid_out": laid_out,
            "longest_task": blocked["longest"] / 1000, "blocked": blocked["blocked"] / 1000, "zoom_fps": fps,
            "click": clicked}


def run(store_url: str, seed: str, caps: list[int], layouts: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="investgraph-explorer-") as tmp:
        proc, url = start_app(store_url, Path(tmp) / "app.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.set_default_timeout(120_000)
                page.on("response", lambda r: r.status >= 400 and print(f"  (browser: {r.status} {r.url})"))
                page.on("requestfailed", lambda r: print(f"  (browser: {r.failure} {r.url})"))
                page.goto(f"{url}/explorer?entity={quote(seed, safe='')}")
                page.get_by_role("heading", name="Graph explorer").wait_for()
                first = network_frame(page)
                hops = page.get_by_role("slider", name="Hops")  # 3 hops: a large view
                hops.focus()
                hops.press("End")
                idle(page)
                frame = network_frame(page, replacing=first)  # the hops are in the component's key
                rows = []
                for layout in layouts:
                    # back to a small view (not one measured) in another layout, so that picking this
                    # one lays it out again, and a slow layout of a large view is not what is measured
                    small_cap = max(10, caps[0] // 2)
                    set_number(page, "Show at most (nodes)", small_cap)
                    settle(page, frame, expected_view(store_url, seed, 3, small_cap), -1, "back to a small view")
                    other = frame.evaluate(STATE)["stops"]
                    choose(page, "Layout", LAYOUT_LABELS["concentric" if layout == "grid" else "grid"])
                    settle(page, frame, expected_view(store_url, seed, 3, small_cap), other, "another layout")
                    for cap in caps:
                        view = expected_view(store_url, seed, 3, cap)
                        row = measure_view(page, frame, view, cap, layout, ARTIFACTS)
                        rows.append(row)
                        print(f"{row['layout']:8} {row['cap']:5} {row['nodes']:6} {row['edges']:6} "
                              f"{row['nodes'] + row['edges']:7} {row['laid_out']:8.2f} {row['longest_task']:8.2f} "
                              f"{row['blocked']:8.2f} {row['zoom_fps']:6.0f} {row['click']:7.2f}", flush=True)
                browser.close()
        finally:
            stop_app(proc)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="a store URL (default: a synthetic graph, built once into --keep)")
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "investgraph-bench")
    ap.add_argument("--relations", type=int, default=20_000)
    ap.add_argument("--seed", help="the entity to explore from (default: the best-connected place below the hubs)")
    ap.add_argument("--caps", default="100,250,500,1000,1500,2000")
    ap.add_argument("--layouts", default="auto,cose,fcose,grid")
    args = ap.parse_args()
    url = args.store
    if not url:
        from app_pages import synthetic
        args.keep.mkdir(parents=True, exist_ok=True)
        url = str(args.keep / f"synthetic-{args.relations}.db")
        store = open_store(url)
        if not store.stats()["articles"]:
            synthetic(store, args.relations)
        store.close()
    store = open_store(url)
    seed = args.seed or pick_seed(store)
    store.close()
    print(f"store {url}, seed {seed}\n")
    print(f"{'layout':8} {'cap':>5} {'nodes':>6} {'edges':>6} {'elems':>7} {'laid out':>8} {'longest':>8} "
          f"{'blocked':>8} {'fps':>6} {'click':>7}   (seconds, frames/s while zooming)")
    run(url, seed, [int(c) for c in args.caps.split(",")], args.layouts.split(","))


if __name__ == "__main__":
    main()
