"""``python -m crimekit hotspots`` writes the contract's two files."""

import pandas as pd
import pytest
import shapely

from crimekit.cli import main


def test_writes_risk_and_cells_per_the_contract(tmp_path, capsys):
    risk_path, cells_path = tmp_path / "out" / "risk.csv", tmp_path / "cells.csv"
    code = main(["hotspots", "--data", "demo", "--start", "2025-11-05", "--end", "2025-12-01",
                 "--model", "kde", "--cell-size", "500", "--category", "Burglary", "Theft",
                 "--out", str(risk_path), "--cells", str(cells_path)])
    assert code == 0
    risk, cells = pd.read_csv(risk_path), pd.read_csv(cells_path)
    assert list(risk.columns) == ["period_start", "cell_id", "score"]
    assert list(cells.columns) == ["cell_id", "geometry"]
    # every weekly period starting in [start, end): Mondays Nov 10, 17, 24
    assert sorted(risk["period_start"].unique()) == ["2025-11-10", "2025-11-17", "2025-11-24"]
    assert len(risk) == 3 * len(cells)
    assert set(risk["cell_id"]) == set(cells["cell_id"])
    assert risk["score"].between(0, 1).all() and risk["score"].nunique() > 10
    polygon = shapely.from_wkt(cells["geometry"].iloc[0])
    assert polygon.geom_type == "Polygon"
    lon, lat = polygon.centroid.x, polygon.centroid.y
    assert 12 < lat < 13.2 and 77 < lon < 78.2   # EPSG:4326, around the demo city
    assert "3 period(s)" in capsys.readouterr().out


def test_reads_a_raw_file_and_daily_periods(tmp_path, small_city):
    inc = small_city.dataset.incidents
    path = tmp_path / "incidents.csv"
    inc[["incident_id", "occurred_at", "category", "lat", "lon"]].to_csv(path, index=False)
    out, cells = tmp_path / "risk.csv", tmp_path / "cells.csv"
    assert main(["hotspots", "--data", str(path), "--start", "2024-12-01", "--end",
                 "2024-12-04", "--freq", "D", "--model", "all-history", "--cell-size", "1000",
                 "--out", str(out), "--cells", str(cells)]) == 0
    risk = pd.read_csv(out)
    assert sorted(risk["period_start"].unique()) == ["2024-12-01", "2024-12-02", "2024-12-03"]


def test_dates_known_only_to_the_month_switch_to_monthly_periods(tmp_path, capsys, small_city,
                                                                isolated_store):
    """A stored dataset whose dates are known only to the month (as a monthly counts file)."""
    from dataclasses import replace

    from crimekit.store import Store
    inc = small_city.dataset.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    Store(isolated_store).save(replace(small_city.dataset, incidents=monthly, name="monthly"))
    out, cells = tmp_path / "risk.csv", tmp_path / "cells.csv"
    assert main(["hotspots", "--data", "monthly", "--start", "2024-09-01", "--end",
                 "2024-12-01", "--model", "all-history", "--cell-size", "1000",
                 "--out", str(out), "--cells", str(cells)]) == 0
    said = capsys.readouterr().out
    assert "scored per month, not per week." in said
    assert sorted(pd.read_csv(out)["period_start"].unique()) == [
        "2024-09-01", "2024-10-01", "2024-11-01"]


@pytest.mark.parametrize("args, words", [
    (["--start", "2010-01-01", "--end", "2010-02-01"], "before 2010-01-01"),
    (["--start", "2025-06-01", "--end", "2025-05-01"], "'end' parameter"),
])
def test_unusable_requests_are_one_sentence(tmp_path, capsys, args, words):
    code = main(["hotspots", "--data", "demo", *args, "--model", "kde",
                 "--out", str(tmp_path / "r.csv"), "--cells", str(tmp_path / "c.csv")])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
    assert not (tmp_path / "r.csv").exists()
