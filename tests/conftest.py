"""Shared fixtures: the synthetic city (generated once per test session) and an AppTest runner."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def city():
    """The default demo city (seed 7): the same one the app shows."""
    from crimekit.synth import generate_city
    return generate_city(7)


@pytest.fixture(scope="session")
def small_city():
    """A smaller, faster city (2 years, 60 beats) for tests that fit models repeatedly."""
    from crimekit.synth import generate_city
    return generate_city(11, years=2.0, scale=0.6, n_beats=60)


@pytest.fixture
def isolated_store(tmp_path, monkeypatch):
    """Point the app and crimekit at an empty store in a temp folder."""
    root = tmp_path / "store"
    monkeypatch.setenv("CRIMEKIT_STORE", str(root))
    return root


@pytest.fixture
def real_samples(isolated_store):
    """The police.uk (month-dated points, LSOAs) and Calgary (monthly counts per community
    with polygons) samples of ../shared/data, imported into an empty store as 'uk' and 'cal'."""
    uk = SHARED_DATA / "uk_police_street_sample.csv"
    cal = SHARED_DATA / "calgary_community_counts_sample.csv"
    if not (uk.exists() and cal.exists()):
        pytest.skip("../shared/data is absent")
    from crimekit.cli import main
    assert main(["ingest", str(uk), "--name", "uk"]) == 0
    assert main(["ingest", str(cal), str(SHARED_DATA / "calgary_communities_sample.geojson"),
                 "--name", "cal"]) == 0
    return isolated_store


def free_port() -> int:
    """A TCP port nobody listens on now, for a test's own app server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    """Return once something listens on ``port``; fail the test after ``seconds``."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the app server did not start within {seconds:g} s")


def run_page(page: str | None = None, *, state: dict | None = None, secrets: dict | None = None,
             timeout: float = 120):
    """Run the app once on ``page`` (e.g. "views/map.py") with session ``state`` (and the
    secrets file's ``secrets``) preset.

    One run per AppTest: Streamlit's AppTest drops the entry script's sidebar elements on
    reruns and after switch_page, so widget values are preset through session state instead of
    clicked, and sidebar content is checked on a plain first run.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page:
        at.switch_page(page)
    at.run()
    return at


def shown_text(at) -> str:
    """All text the run showed (markdown, captions, titles, alerts, metrics), as one string,
    with Markdown's backslash escapes removed as the browser shows them (see ui.md)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return unescaped("\n".join(parts))


def unescaped(markdown: str) -> str:
    """Markdown source as its text reads once rendered: ``\\(`` shows as ``(``."""
    import re
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
