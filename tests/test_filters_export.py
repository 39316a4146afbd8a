"""Global filters and spreadsheet-safe exports."""

import pandas as pd

from crimekit.export import spreadsheet_safe, to_csv_bytes
from crimekit.filters import Filters, apply_filters
from crimekit.schema import Dataset, conform_incidents, conform_persons


def _dataset():
    inc = conform_incidents(pd.DataFrame({
        "incident_id": ["1", "2", "3", "4"],
        "occurred_at": pd.to_datetime(["2024-01-01 00:00", "2024-01-31 23:59",
                                       "2024-02-01 00:00", "2024-01-15 12:00"]),
        "category": ["Theft", "Theft", "Theft", "Hurt"],
        "district": ["N", "S", "N", "N"]}))
    persons = conform_persons(pd.DataFrame({"incident_id": ["1", "3"], "role": ["victim"] * 2}))
    return Dataset("t", inc, persons)


def test_end_date_includes_the_whole_day():
    view = apply_filters(_dataset(), Filters(start="2024-01-01", end="2024-01-31"))
    assert list(view.incidents["incident_id"]) == ["1", "2", "4"]
    assert list(view.persons["incident_id"]) == ["1"]


def test_categories_and_districts():
    view = apply_filters(_dataset(), Filters(categories=("Theft",), districts=("N",)))
    assert list(view.incidents["incident_id"]) == ["1", "3"]
    assert apply_filters(_dataset(), Filters()).incidents.shape[0] == 4


def test_describe_is_plain():
    f = Filters(start="2024-01-01", end="2024-01-31", categories=("Theft",))
    assert f.describe() == "2024-01-01 to 2024-01-31; crime heads: Theft"
    assert Filters().describe() == "all incidents"


def test_exports_cannot_start_formulas():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-cmd", "@SUM(A1)", "Ravi"],
                       "n": [1, -2, 3, 4, 5]})
    safe = spreadsheet_safe(df)
    assert list(safe["name"]) == ["'=HYPERLINK(\"x\")", "'+1", "'-cmd", "'@SUM(A1)", "Ravi"]
    assert list(safe["n"]) == [1, -2, 3, 4, 5]
    assert df["name"].iloc[0].startswith("=")  # input untouched
    assert b"'=HYPERLINK" in to_csv_bytes(df)


def test_view_filter_is_a_named_hashable_view_key():
    from crimekit.filters import Filters, ViewFilter
    v = ViewFilter("city", "v1", "2024-01-01", "2024-03-31", ("Theft",), ("East",))
    assert hash(v) == hash(ViewFilter(*v)) and v.source == ("city", "v1")
    assert v.filters == Filters("2024-01-01", "2024-03-31", ("Theft",), ("East",))
    assert v.all_heads() == v._replace(categories=()) and v.all_heads().districts == ("East",)
    assert v.whole_area().categories == () and v.whole_area().districts == ()
