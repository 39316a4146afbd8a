"""Deep links on a freshly started server, in a real browser (issue 11, items 0 and 1).

A fresh Streamlit server used to run a file under pages/ on its own for the first visits to
its address, before app.py had declared the navigation; the pages now live in views/ (which
Streamlit does not discover), so every visit runs app.py, and each page still checks sign-in
itself in case it is run alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, free_port, wait_for_port
from crimekit.access import hash_password, secrets_entry

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _first_visit(secrets: Path, page: str, tmp_path) -> dict:
    """Start a new server with ``secrets`` and open ``/page`` as its very first visit; what
    the main area shows (headings, file uploaders, text)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium.")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         f"--secrets.files={secrets}"],
        cwd=ROOT, env={**os.environ, "CRIMEKIT_STORE": str(tmp_path / "store")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_page()
            tab.goto(f"http://127.0.0.1:{port}/{page}", wait_until="domcontentloaded")
            tab.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
            time.sleep(3)  # let the run finish drawing whatever it would draw
            shown = {"headings": tab.locator('[data-testid="stMain"] h1').all_inner_texts(),
                     "uploaders": tab.locator('[data-testid="stFileUploader"]').count(),
                     "text": tab.locator('[data-testid="stMain"]').inner_text(),
                     "sidebar": tab.locator('[data-testid="stSidebar"]').inner_text()}
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return shown


def test_first_visit_to_a_page_address_asks_to_sign_in(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(secrets_entry("asha", hash_password("pw", iterations=1000), "analyst"))
    shown = _first_visit(secrets, "data", tmp_path)
    assert shown["headings"] == ["Sign in"] and shown["uploaders"] == 0, shown


def test_first_visit_with_a_broken_secrets_file_shows_why_and_nothing_else(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[users.asha]\npassword_hash = "unterminated\n')
    shown = _first_visit(secrets, "profiles", tmp_path)
    assert shown["headings"] == ["crimekit cannot start"] and shown["uploaders"] == 0, shown
    assert "not valid TOML" in shown["text"] and str(tmp_path) not in shown["text"]


def test_first_visit_to_a_page_address_runs_the_whole_app(tmp_path):
    """A deep link on a fresh server gets the page with its sidebar, filters and titles (it
    used to get the page file alone, navigation named after files and no filters)."""
    secrets = tmp_path / "none.toml"
    secrets.write_text("")
    shown = _first_visit(secrets, "trends", tmp_path)
    assert shown["headings"] == ["Trends"], shown
    assert "Date range" in shown["sidebar"] and "Methods & limits" in shown["sidebar"]
