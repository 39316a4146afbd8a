"""AppTest: the 'Did it work?' page on the demo city, and the briefing download on the Overview."""

import pandas as pd

from conftest import run_page, shown_text


def test_operations_page_shows_the_three_comparisons_in_plain_words():
    at = run_page("views/operations.py")
    assert not at.exception
    assert at.title[0].value == "Did it work?"
    text = shown_text(at)
    assert "The operation's 3 beats recorded" in text
    assert [m.label for m in at.metric] == ["Against the forecast", "Against comparable places",
                                            "Next door"]
    assert all(m.value.endswith(("fewer", "more")) or m.value == "no change" for m in at.metric)
    assert text.count("What this means:") == 3
    assert "Limits." in text
    table = at.dataframe[0].value
    assert list(table.columns) == ["Comparison", "Crimes recorded", "Crimes expected", "Change",
                                   "95% range", "Chance?"]
    assert not table["Chance?"].str.contains("e-|0000").any()  # p-values readable
    assert not any(flag in text for flag in ("--", "python -m"))


def test_operations_page_on_hot_spots_with_chosen_dates():
    at = run_page("views/operations.py", state={
        "op_kind": "Hot spots (the busiest 250 m cells before it)", "op_cells": 5,
        "op_start": pd.Timestamp("2025-06-02").date(), "op_end": pd.Timestamp("2025-08-31").date()})
    assert not at.exception
    text = shown_text(at)
    assert "The operation's 5 hot spots recorded" in text
    assert "13 whole weeks from 02 Jun 2025 to 31 Aug 2025" in text


def test_operations_page_says_why_an_operation_cannot_be_checked():
    at = run_page("views/operations.py", state={
        "op_start": pd.Timestamp("2023-01-09").date(), "op_end": pd.Timestamp("2023-03-05").date()})
    assert not at.exception
    assert "cannot be checked" in at.info[0].value and "whole week" in at.info[0].value


def test_overview_offers_the_weekly_briefing():
    at = run_page("views/overview.py", state={"districts": ["East"]})
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download the weekly briefing for the East district (PDF, 2 pages)" in labels
