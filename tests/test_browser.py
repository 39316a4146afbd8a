"""The whole app in a real headless browser: every page opens without an uncaught exception.

Uses Debian's chromium (never a downloaded browser), driven by Playwright. Screenshots of each
page are written to test-artifacts/ for people to look at.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SHARED_DATA, free_port, wait_for_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def app_pages() -> list:
    """(file, title) of every page in app.py's PAGES list, read without running the app."""
    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            return [(path, title) for path, title, _icon in ast.literal_eval(node.value)]
    raise AssertionError("app.py has no PAGES list")


UPLOADED = "uploaded_sample"


def _import_sample(store_dir: Path) -> None:
    """Store an analyst-style upload: generic column names, two years, no beat polygons,
    no victims/accused and no patrol logs, so every page meets the missing pieces."""
    from crimekit.ingest import import_into_store
    from crimekit.store import Store
    from crimekit.synth import generate_city

    inc = generate_city(3, years=2.0, scale=0.15, n_beats=40).dataset.incidents
    raw = inc.rename(columns={"occurred_at": "Date of Offence", "category": "Offence Type",
                              "lat": "Latitude", "lon": "Longitude", "beat": "Beat",
                              "district": "Division"})[
        ["Date of Offence", "Offence Type", "Latitude", "Longitude", "Beat", "Division"]]
    path = store_dir.parent / f"{UPLOADED}.csv"
    raw.to_csv(path, index=False, sep=";")
    import_into_store([path], Store(store_dir), name=UPLOADED)


#: The shared real samples (../shared/data, absent in a fresh clone), one dataset each:
#: name -> files. Chicago has its beat polygons, Calgary's counts their community polygons;
#: the others are datasets without beats.
SHARED_SAMPLES = {
    "police_uk": ["uk_police_street_sample.csv"],
    "stlouis": ["stlouis_slmpd_sample.csv"],
    "calgary": ["calgary_community_counts_sample.csv", "calgary_communities_sample.geojson"],
    "ksp": ["ksp_fir_one_station.csv"],
    "chicago": ["chicago_homicides_sample.csv", "chicago_police_beats.geojson"],
    "lapd": ["lapd_sample.csv"],
    "nypd": ["nypd_shootings_sample.csv"],
    "medellin": ["medellin_homicides_sample.csv"],
    "vancouver": ["vancouver_thefts_sample.csv"],
}


def _import_shared(store_dir: Path) -> list:
    """Store each shared real sample that is present; return the names stored."""
    from crimekit.ingest import import_into_store
    from crimekit.store import Store
    stored = []
    for name, files in SHARED_SAMPLES.items():
        paths = [SHARED_DATA / f for f in files]
        if all(p.exists() for p in paths):
            import_into_store(paths, Store(store_dir), name=name)
            stored.append(name)
    return stored


def _shared_names() -> list:
    return [n for n, files in SHARED_SAMPLES.items()
            if all((SHARED_DATA / f).exists() for f in files)]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """Start `streamlit run app.py` on a free local port with a store holding one upload."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y "
                        "chromium) before running the tests.")
        pytest.skip("Debian's chromium is not installed")
    port = free_port()
    store_dir = tmp_path_factory.mktemp("browser") / "store"
    _import_sample(store_dir)
    _import_shared(store_dir)
    env = {**os.environ, "CRIMEKIT_STORE": str(store_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port)
    except BaseException:
        proc.kill()
        raise
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _wait_until_idle(page, timeout_s=180):
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    idle_since = None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if not running:
            idle_since = idle_since or time.time()
            if time.time() - idle_since > 2.0:
                return
        else:
            idle_since = None
        time.sleep(0.3)
    raise AssertionError(f"the page was still running after {timeout_s} s")


def _check_every_page(app_url, query: str, prefix: str, dataset: str | None = None) -> None:
    """Open each page of app.PAGES, screenshot it, and fail on any error shown."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page_errors = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        for index, (path, title) in enumerate(app_pages()):
            slug = "" if index == 0 else Path(path).stem
            page.goto(f"{app_url}/{slug}{query}", wait_until="domcontentloaded")
            _wait_until_idle(page)
            page.screenshot(path=str(ARTIFACTS / f"{prefix}{Path(path).stem}.png"),
                            full_page=True)
            heading = page.locator('[data-testid="stMain"] h1').first.inner_text(timeout=30_000)
            exceptions = page.locator('[data-testid="stException"]').count()
            body = page.locator('[data-testid="stMain"]').inner_text()
            if exceptions or "Traceback" in body or "encountered an error" in body:
                problems.append(f"{title}: an error is shown: {body[:300]!r}")
            if title.split()[0].lower() not in heading.lower():
                problems.append(f"{title}: expected its title, found heading {heading!r}")
            if dataset is not None:
                # the sidebar mirrors its dataset choice into the URL; an unknown name falls
                # back to the demo city, so this says the page showed that dataset
                if f"dataset={dataset}" not in page.url:
                    problems.append(f"{title}: the page shows another dataset ({page.url})")
        browser.close()
    assert not problems, "\n".join(problems)
    real_errors = [e for e in page_errors if "fetch" not in e.lower() and "tile" not in e.lower()]
    assert not real_errors, real_errors


def test_every_page_opens_without_errors(app_url):
    _check_every_page(app_url, "", "page_")


def test_every_page_works_on_an_uploaded_sample(app_url):
    _check_every_page(app_url, f"?dataset={UPLOADED}", "uploaded_", UPLOADED)


@pytest.mark.parametrize("name", _shared_names())
def test_every_page_works_on_each_shared_real_sample(app_url, name):
    """The real public samples (police.uk, St. Louis, Calgary counts, KSP, Chicago, LAPD, NYPD,
    Medellin, Vancouver): every page opens without an error and shows that dataset."""
    _check_every_page(app_url, f"?dataset={name}", f"{name}_", name)


def test_the_weekly_briefing_downloads_in_one_click_and_the_operation_check_reads(app_url):
    """The Overview's briefing button, clicked in the browser, gives a two-page PDF naming the
    dataset and the district; the 'Did it work?' page shows its three comparisons. A tall
    screenshot of that page and the downloaded PDF are kept in test-artifacts/."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 2300},
                                accept_downloads=True)
        page.goto(f"{app_url}/?district=East", wait_until="domcontentloaded")
        _wait_until_idle(page)
        with page.expect_download(timeout=240_000) as download:
            page.get_by_role("button", name="Download the weekly briefing").first.click()
        pdf = ARTIFACTS / "briefing_East.pdf"
        download.value.save_as(pdf)
        page.goto(f"{app_url}/operations", wait_until="domcontentloaded")
        _wait_until_idle(page)
        page.screenshot(path=str(ARTIFACTS / "operations_full.png"))
        body = page.locator('[data-testid="stMain"]').inner_text()
        browser.close()
    reader = PdfReader(pdf)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert len(reader.pages) == 2
    assert "Weekly briefing: East district" in text and "Demo City (synthetic)" in text
    assert "The operation's 3 beats recorded" in body and body.count("What this means") == 3
    assert "Traceback" not in body and "encountered an error" not in body
