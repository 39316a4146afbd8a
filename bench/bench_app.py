"""How fast the app answers a filter change, measured in a real browser.

    python bench/run_all.py --only ingest          # once: a ~1M-incident dataset in the store
    python bench/bench_app.py --store /tmp/crimekit-bench/store --dataset bench

Starts `streamlit run app.py` on that store, opens every page in Debian's headless chromium
(driven by Playwright), waits for the first load, then picks a crime head in the sidebar and
times until the page has finished re-rendering; then clears it and times again. Prints a table
(seconds per page). Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_browser import ARGS, CHROMIUM, app_pages  # noqa: E402  (one list of pages)


#: One head per page, each picked for the first time (all present in the bench dataset).
HEADS = ("Theft", "Hurt", "Vehicle theft", "Burglary", "Public nuisance", "Cheating",
         "Cyber fraud", "Cruelty by husband", "Molestation", "Chain snatching")


class RunLog:
    """The app's own record of each script run ($CRIMEKIT_TIMING_LOG, written by app.py)."""

    def __init__(self, path: Path):
        self.path = path

    def _runs(self) -> list:
        if not self.path.exists():
            return []
        return [(float(t), page, float(sec)) for t, page, sec in
                (line.split("\t") for line in self.path.read_text().splitlines())]

    def settle(self, since: float, quiet_s=1.5, timeout_s=600) -> tuple:
        """Wait until runs that finished after ``since`` have stopped coming for ``quiet_s``;
        return (wall seconds from ``since`` to the last run's end, that run's script seconds,
        how many runs there were)."""
        start = time.time()
        while time.time() - start < timeout_s:
            runs = [r for r in self._runs() if r[0] > since]
            if runs and time.time() - runs[-1][0] >= quiet_s:
                return runs[-1][0] - since, runs[-1][2], len(runs)
            time.sleep(0.05)
        raise TimeoutError("the app kept running")


def wait_idle(page, timeout_s=600, settle_s=0.4) -> float:
    """Seconds until Streamlit's 'running' indicator has been gone for ``settle_s``."""
    start = time.perf_counter()
    idle_since = None
    while time.perf_counter() - start < timeout_s:
        if page.locator('[data-testid="stStatusWidget"]').count():
            idle_since = None
        else:
            idle_since = idle_since or time.perf_counter()
            if time.perf_counter() - idle_since >= settle_s:
                return idle_since - start
        time.sleep(0.05)
    raise TimeoutError("the page kept running")


def pick_crime_head(page, name: str) -> float:
    """Choose crime head ``name`` in the sidebar; return the moment of the choosing click."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type(name)
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for()
    clicked = time.time()
    option.click()
    page.keyboard.press("Escape")
    return clicked


def clear_crime_heads(page) -> float:
    """Remove the chosen crime head; return the moment of the click."""
    wait_idle(page)
    remove = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] '
                          'button[aria-label^="Remove "]').first
    remove.wait_for()
    clicked = time.time()
    remove.click()
    return clicked


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="store folder holding the dataset")
    parser.add_argument("--dataset", default="bench", help="the dataset's name in the store")
    parser.add_argument("--head", default=None,
                        help="one crime head to pick on every page (default: a different, "
                             "never-before-picked head on each page, so no page finds the "
                             "filtered view's results cached by an earlier page)")
    parser.add_argument("--pages", default="",
                        help="comma-separated page titles to time (default: every page)")
    parser.add_argument("--heads", default=",".join(HEADS),
                        help="comma-separated crime heads, one per page in order")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    heads = [h.strip() for h in args.heads.split(",") if h.strip()]
    log_path = Path(tempfile.mkdtemp()) / "runs.tsv"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "CRIMEKIT_STORE": args.store, "CRIMEKIT_TIMING_LOG": str(log_path)})
    log = RunLog(log_path)
    time.sleep(4)
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            if args.pages:  # the entry script must run once, or /slug runs the page bare
                since = time.time()
                page.goto(f"http://127.0.0.1:{port}/?dataset={args.dataset}")
                log.settle(since)
            for index, (path, title) in enumerate(app_pages()):
                if args.pages and title not in args.pages.split(","):
                    continue
                slug = "" if index == 0 else Path(path).stem
                since = time.time()
                page.goto(f"http://127.0.0.1:{port}/{slug}?dataset={args.dataset}")
                first, _, _ = log.settle(since)
                head = args.head or heads[index % len(heads)]
                since = pick_crime_head(page, head)
                pick_wall, pick_script, n_pick = log.settle(since)
                since = clear_crime_heads(page)
                clear_wall, clear_script, n_clear = log.settle(since)
                rows.append((title, first, pick_wall, clear_wall))
                print(f"{title:<12} [{head}] first load {first:6.1f} s | pick a head: {pick_wall:5.2f} s "
                      f"(script {pick_script:.2f} s, {n_pick} run) | clear it: {clear_wall:5.2f} s "
                      f"(script {clear_script:.2f} s, {n_clear} run)", flush=True)
            browser.close()
    finally:
        server.terminate()
    print("\n| page | first load (s) | pick a head (s) | clear it (s) |\n|---|---|---|---|")
    for title, first, pick, clear in rows:
        print(f"| {title} | {first:.1f} | {pick:.2f} | {clear:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
