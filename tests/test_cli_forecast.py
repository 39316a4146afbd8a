"""``python -m crimekit forecast`` and ``alerts``: the DESIGN.md contract, end to end."""

import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from crimekit import cli


@pytest.fixture
def small_data(small_city, monkeypatch):
    """Make --data resolve to the small city without regenerating it for each command."""
    import crimekit.commands.alerts as alerts_cmd
    import crimekit.commands.forecast as forecast_cmd
    for mod in (forecast_cmd, alerts_cmd):
        monkeypatch.setattr(mod, "open_dataset", lambda spec: small_city.dataset)
    return small_city


def test_forecast_contract_end_to_end(tmp_path):
    out = tmp_path / "forecast.csv"
    run = subprocess.run(
        [sys.executable, "-m", "crimekit", "forecast", "--data", "demo", "--freq", "W",
         "--train-end", "2025-07-09", "--horizon", "4", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""                      # Prophet and cmdstanpy stay quiet
    assert "cmdstanpy" not in run.stdout and "Chain" not in run.stdout
    table = pd.read_csv(out)
    assert list(table.columns) == ["series", "ds", "yhat", "yhat_lower", "yhat_upper"]
    assert list(table["ds"]) == ["2025-07-07", "2025-07-14", "2025-07-21", "2025-07-28"]
    assert set(table["series"]) == {"all"}
    assert (table["yhat_lower"] <= table["yhat"]).all()
    assert (table["yhat"] <= table["yhat_upper"]).all()
    assert table["yhat"].between(250, 420).all()  # about 330 incidents a week in mid-2025


def test_forecast_by_district_with_backtest(small_data, tmp_path, capsys):
    out, metrics = tmp_path / "f.csv", tmp_path / "m.csv"
    code = cli.main(["forecast", "--data", "x", "--freq", "M", "--by", "district",
                     "--horizon", "3", "--out", str(out), "--backtest",
                     "--backtest-out", str(metrics), "--country", "IN"])
    assert code == 0
    table = pd.read_csv(out)
    assert table.groupby("series").size().eq(3).all() and table["series"].nunique() == 6
    # the small city ends on 30 Dec 2024, so December is the first month to forecast
    assert set(table["ds"]) == {"2024-12-01", "2025-01-01", "2025-02-01"}
    shown = capsys.readouterr().out
    assert "Backtest" in shown and "coverage" in shown and "mase" in shown
    m = pd.read_csv(metrics)
    assert {"series", "mae", "mase", "coverage", "relative_mae"} <= set(m.columns)
    assert m["coverage"].between(0, 1).all() and len(m) == 6


def test_forecast_refuses_a_train_end_before_the_data(small_data, tmp_path, capsys):
    code = cli.main(["forecast", "--data", "x", "--train-end", "2001-01-01", "--horizon", "2",
                     "--out", str(tmp_path / "f.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No incidents occurred before --train-end 2001-01-01")
    assert "Traceback" not in err


def test_alerts_command_lists_flagged_series(small_data, tmp_path, capsys):
    out = tmp_path / "alerts.csv"
    code = cli.main(["alerts", "--data", "x", "--by", "category", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert len(table) == 16 and {"observed", "expected", "p_value", "flagged"} <= set(table)
    assert "of 16 category series above forecast in 2024-12-02..2024-12-29" in \
        capsys.readouterr().out


def test_train_end_after_the_data_forecasts_from_there(small_data, tmp_path):
    # the small city ends on Mon 30 Dec 2024; its last complete week starts 23 Dec
    out = tmp_path / "f.csv"
    code = cli.main(["forecast", "--data", "x", "--train-end", "2025-01-15", "--horizon", "2",
                     "--out", str(out)])
    assert code == 0
    assert list(pd.read_csv(out)["ds"]) == ["2025-01-13", "2025-01-20"]


def test_a_bad_date_is_one_sentence(small_data, tmp_path, capsys):
    code = cli.main(["forecast", "--data", "x", "--train-end", "next tuesday",
                     "--out", str(tmp_path / "f.csv")])
    assert code == 2
    assert "The '--train-end' parameter of forecast must be a date like 2025-07-07. Got " \
        "'next tuesday'." in capsys.readouterr().err


def test_forecast_by_area_and_category_panel(small_data, tmp_path, capsys):
    out, details = tmp_path / "f.csv", tmp_path / "d.csv"
    code = cli.main(["forecast", "--data", "x", "--freq", "M", "--by", "area,category",
                     "--horizon", "3", "--out", str(out), "--details", str(details)])
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["series", "ds", "yhat", "yhat_lower", "yhat_upper"]
    beats = set(small_data.dataset.incidents["beat"])
    area, head = table["series"].iloc[0].split(" | ")
    assert area in beats and head in set(small_data.dataset.incidents["category"])
    shown = capsys.readouterr().out
    assert "by the combination of" in shown and "prophet" not in shown.split("Forecast:")[1]
    d = pd.read_csv(details)
    assert {"weights", "span_note", "relative_error", "yhat theta"} <= set(d.columns)


def test_month_dated_data_is_forecast_by_month_only(small_data, tmp_path, capsys,
                                                    monkeypatch):
    import crimekit.commands.forecast as forecast_cmd
    monthly = small_data.dataset.incidents.copy()
    monthly["occurred_at"] = monthly["occurred_at"].dt.to_period("M").dt.to_timestamp()
    monthly["precision"] = "month"
    monkeypatch.setattr(forecast_cmd, "open_dataset",
                        lambda spec: small_data.dataset.with_incidents(monthly))
    code = cli.main(["forecast", "--data", "x", "--freq", "W", "--out",
                     str(tmp_path / "f.csv")])
    assert code == 2
    assert "dated to the month only, so they can be forecast by month only (--freq M)" in \
        capsys.readouterr().err
    assert cli.main(["forecast", "--data", "x", "--freq", "M", "--horizon", "2", "--out",
                     str(tmp_path / "f.csv")]) == 0
