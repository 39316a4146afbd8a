"""The printable patrol report prints on a few pages, not dozens (printed by Debian's chromium,
as a commander's browser would)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_plan_report_prints_on_a_few_a4_pages(city):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    from crimekit.briefing import dataset_title
    from crimekit.patrol import (PlanSettings, hot_spot_visits, inputs_for, plan_patrols,
                                 plan_report_html)

    ds = city.dataset
    settings = PlanSettings(min_per_beat=1)  # today's officers from the duty logs
    inputs = inputs_for(ds, settings)
    result = plan_patrols(ds, settings, inputs=inputs)
    html = plan_report_html(result, visits=hot_spot_visits(inputs.dataset, result.table),
                            dataset_name=dataset_title(ds))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        page.set_content(html)
        pdf = page.pdf(format="A4")
        browser.close()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 4, len(reader.pages)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Demo City (synthetic)" in text and "CSV download" in text
