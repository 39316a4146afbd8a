"""The weekly briefing: two A4 pages that name the dataset and the places, on the demo city, on
data without beats, duty logs or times, and on the shared real samples."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import SHARED_DATA
from crimekit.briefing import BriefingSettings, build_briefing, scoped
from crimekit.overview import rising_heads
from crimekit.stats import holm
from crimekit.briefing_pdf import pdf_bytes
from crimekit.cli import main
from crimekit.errors import ParameterError
from crimekit.schema import conform_incidents


def pdf_text(data) -> tuple:
    """(number of pages, all text with whitespace collapsed)."""
    reader = PdfReader(io.BytesIO(data) if isinstance(data, bytes) else data)
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


@pytest.fixture(scope="module")
def east(city):
    return build_briefing(city.dataset, BriefingSettings(district="East"))


def test_the_command_prints_two_a4_pages_naming_the_dataset_and_places(city, tmp_path,
                                                                         monkeypatch, capsys):
    from crimekit.cli import build_parser
    build_parser()  # commands that bind open_dataset on import keep the real one
    monkeypatch.setattr("crimekit.sources.open_dataset", lambda spec: city.dataset)
    out, png = tmp_path / "briefing.pdf", tmp_path / "page1.png"
    code = main(["briefing", "--data", "demo", "--district", "East", "--out", str(out),
                 "--png", str(png)])
    printed = capsys.readouterr().out
    assert code == 0
    pages, text = pdf_text(str(out))
    assert pages == 2
    box = PdfReader(str(out)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert "Demo City (synthetic)" in text and "demo -" not in text
    assert "Weekly briefing: East district (10 beats), week from Mon 5 Jan 2026" in text
    for heading in ("Top places", "What is rising", "The plan per shift",
                    "How accurate these predictions have been", "Limits"):
        assert heading in text
    places = [line.split(". ", 1)[1].split(",")[0] for line in printed.splitlines()
              if line[:2] in {f"{i}." for i in range(1, 6)}]
    assert len(places) == 5
    for place in places:  # "near Bar 12 (street)": the place part of each name
        assert place in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_content_of_a_district_briefing(city, east):
    ds = city.dataset
    east_beats = set(ds.beats.loc[ds.beats["district"] == "East", "beat"])
    assert east.scope == "East district (10 beats)" and east.dataset == "Demo City (synthetic)"
    assert len(east.places) == 8
    assert east.places["beat"].isin(east_beats).all() and (east.places["district"] == "East").all()
    assert east.places["reason"].str.contains("in the last 4 weeks").all()
    assert set(east.beats["beat"]) == east_beats  # the map shows the station's beats only
    today = ds.patrols[ds.patrols["beat"].isin(east_beats)]
    assert east.plan["shift"].tolist() == ["morning", "evening", "night"]
    assert east.plan["changes"].str.match(r"^([+-]\d+ E-\d\d(, |$| and))").all()
    assert (east.plan["officers"] < today["officers"].sum()).all()  # East's officers, not all
    assert [a.split(":")[0] for a in east.accuracy] == ["Hot spots", "Crime forecast",
                                                        "Patrol plan"]
    assert east.busiest["name"].str.startswith("beat E-").all()


def test_whole_area_briefing_fits_two_pages(city):
    brief = build_briefing(city.dataset)
    pages, text = pdf_text(pdf_bytes(brief))
    assert pages == 2 and "the whole area (110 beats)" in text


def test_an_unknown_district_is_refused(city):
    with pytest.raises(ParameterError, match="a district of this data"):
        scoped(city.dataset, "Atlantis")


def _uploaded(city, monthly=False):
    """The demo city as an analyst's upload: no polygons, no duty logs, no points of
    interest, optionally dated to the month only."""
    inc = city.dataset.incidents
    inc = inc[inc["occurred_at"] >= "2024-07-01"]
    if monthly:
        inc = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    return replace(city.dataset, name="upload", incidents=conform_incidents(inc), beats=None,
                   patrols=city.dataset.patrols.iloc[:0], pois=city.dataset.pois.iloc[:0],
                   meta={})


@pytest.mark.slow
def test_monthly_data_without_beats_or_duty_logs(city):
    brief = build_briefing(_uploaded(city, monthly=True))
    assert brief.dataset == "upload" and brief.period == "January 2026"
    assert "No plan per shift" in brief.plan_note and not len(brief.plan)
    assert not brief.places["reason"].str.contains(r"\d\d:\d\d|Mon|Fri|Sat").any()
    assert brief.places["reason"].str.contains("December 2025").all()
    assert "December 2025 against November 2025" in brief.rising_note
    pages, text = pdf_text(pdf_bytes(brief))
    assert pages == 2 and "upload" in text


def test_data_without_duty_logs_plans_without_changes(city):
    brief = build_briefing(_uploaded(city), BriefingSettings(district="North"))
    assert "two per beat (no duty logs)" in brief.plan_note
    assert "not backtested" in brief.accuracy[-1]
    assert not brief.plan["changes"].str.contains(r"^[+-]").any()


def _incidents(rows):
    return conform_incidents(pd.DataFrame(rows, columns=["occurred_at", "category"]))


def test_rising_heads_not_comparable_when_the_data_is_too_short():
    days = pd.date_range("2025-01-01", "2025-02-10", freq="6h")
    table, note, overall = rising_heads(_incidents([(d, "Theft") for d in days]))
    assert not len(table) and note.startswith("Not comparable: the data starts on 01 Jan 2025")
    assert overall == ""


def test_rising_heads_corrects_for_testing_many_heads():
    rng = np.random.default_rng(0)
    end = pd.Timestamp("2025-03-31")
    rows = []
    for head in range(20):  # 20 heads each up from 3 to 7: p = 0.17 each, none beyond chance
        rows += [(end - pd.Timedelta(days=int(d)), f"Head {head}") for d in
                 rng.integers(0, 28, 7)]
        rows += [(end - pd.Timedelta(days=int(d)), f"Head {head}") for d in
                 rng.integers(28, 56, 3)]
    rows += [(end - pd.Timedelta(days=int(d)), "Burglary") for d in rng.integers(0, 28, 40)]
    rows += [(end - pd.Timedelta(days=int(d)), "Burglary") for d in rng.integers(28, 56, 10)]
    rows += [(pd.Timestamp("2024-01-01"), "Theft")]  # the data covers both windows
    table, note, overall = rising_heads(_incidents(rows))
    assert table["head"].tolist() == ["Burglary"]
    # 10 before is too few for a percentage: the rise is given in crimes
    assert table.iloc[0]["change"] == "+30 crimes" and "21 heads tested" in table.iloc[0]["chance"]
    assert "corrected for testing 21 heads at once" in note
    assert overall.startswith("All crime, the last 28 days against the 28 before: 180 against 70")


def test_holm():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert len(holm([])) == 0


REAL = [("uk_police_street_sample.csv", "one month"), ("chicago_homicides_sample.csv", ""),
        ("calgary_community_counts_sample.csv", "")]


@pytest.mark.slow
@pytest.mark.parametrize("name, _why", REAL)
def test_real_samples_still_print_two_pages(name, _why):
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip("the shared real samples are not here")
    from crimekit.ingest import ingest_files
    dataset, _ = ingest_files([path])
    pages, text = pdf_text(pdf_bytes(build_briefing(dataset)))
    assert pages == 2 and path.stem in text
