"""Every page opens on the real-world formats of issue 10 and says what their data allows.

Small files in each format are written here (a user's fresh clone has no ../shared), imported
into an isolated store and opened on each page with AppTest.
"""

import json

import pytest

from conftest import run_page, shown_text
from crimekit.ingest import import_into_store
from crimekit.store import Store

PAGES = ("overview", "map", "trends", "hotspots", "patrol", "profiles", "data", "methods")
UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
             "LSOA name,Crime type,Last outcome category,Context")
KINDS = ("Anti-social behaviour", "Burglary", "Shoplifting", "Violence and sexual offences")


def _police_uk(folder):
    rows = [UK_HEADER]
    for m in range(1, 25):
        month = f"{2022 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}"
        for i in range(12 + m % 5):
            cid = "" if i % 4 == 0 else f"{month}-{i:03d}"
            rows.append(f"{cid},{month},Durham Constabulary,Durham Constabulary,"
                        f"-1.{570000 + 37 * i:06d},54.{770000 + 29 * i:06d},On or near Street {i % 6},"
                        f"E0102{i % 3},County Durham 00{i % 3}A,{KINDS[i % 4]},,")
    path = folder / "durham-street.csv"
    path.write_text("\n".join(rows) + "\n")
    return [path]


def _calgary(folder):
    names = ("BELTLINE", "FOREST LAWN", "BOWNESS")
    lines = ["Community,Category,Crime Count,Year,Month"]
    for y in (2021, 2022, 2023):
        for m in range(1, 13):
            for k, name in enumerate(names):
                for cat in ("Theft FROM Vehicle", "Assault (Non-domestic)"):
                    lines.append(f"{name},{cat},{(y + m + 3 * k) % 9 + 1},{y},{m}")
    counts = folder / "community_crime.csv"
    counts.write_text("\n".join(lines) + "\n")
    feats = [{"type": "Feature", "properties": {"name": n, "sector": "CENTRE"},
              "geometry": {"type": "Polygon", "coordinates": [[
                  [-114.1 + .03 * k, 51.0], [-114.08 + .03 * k, 51.0],
                  [-114.08 + .03 * k, 51.02], [-114.1 + .03 * k, 51.02],
                  [-114.1 + .03 * k, 51.0]]]}} for k, n in enumerate(names)]
    polys = folder / "communities.geojson"
    polys.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return [counts, polys]


def _stlouis(folder):
    header = "Complaint,CodedMonth,DateOccur,Count,Crime,District,Description,Neighborhood," \
             "XCoord,YCoord"
    rows = [header]
    for d in range(200):
        day, month = d % 28 + 1, d // 28 % 12 + 1
        rows.append(f"15-{d:05d},2015-10,{month}/{day}/2015 {d % 24}:15,1,31111,{d % 6 + 1},"
                    f"ROBBERY,{d % 20},{890000 + 97 * (d % 40)},{1010000 + 131 * (d % 37)}")
    rows += ["14-00001,2015-10,1/3/2015 1:00,-1,31111,2,ROBBERY,4,0,0"]
    path = folder / "October2015.CSV"
    path.write_text("\n".join(rows) + "\n")
    return [path]


FORMATS = {"police_uk": _police_uk, "calgary": _calgary, "stlouis": _stlouis}


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    store = Store(root / "store")
    for name, write in FORMATS.items():
        folder = root / name
        folder.mkdir()
        import_into_store(write(folder), store, name=name)
    return root / "store"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_each_format(real_store, monkeypatch, name, page):
    monkeypatch.setenv("CRIMEKIT_STORE", str(real_store))
    at = run_page(f"views/{page}.py", state={"dataset": name}, timeout=300)
    assert not at.exception, [e.value for e in at.exception]


def test_month_precision_is_said_and_monthly_on_trends(real_store, monkeypatch):
    monkeypatch.setenv("CRIMEKIT_STORE", str(real_store))
    at = run_page("views/trends.py", state={"dataset": "police_uk"}, timeout=300)
    assert not at.exception
    text = shown_text(at)
    assert "known only to the month" in text or "precise to the month" in text
    assert "No hour x weekday chart" in text


def test_area_only_counts_map_as_a_choropleth_of_crimes(real_store, monkeypatch):
    monkeypatch.setenv("CRIMEKIT_STORE", str(real_store))
    at = run_page("views/map.py", state={"dataset": "calgary"}, timeout=300)
    assert not at.exception
    text = shown_text(at)
    assert "places crimes by community only" in text
    total = sum((y + m + 3 * k) % 9 + 1 for y in (2021, 2022, 2023) for m in range(1, 13)
                for k in range(3)) * 2
    assert f"{total:,} crimes" in text
    assert at.get("deck_gl_json_chart")


def test_area_only_counts_rank_the_areas_on_hotspots(real_store, monkeypatch):
    monkeypatch.setenv("CRIMEKIT_STORE", str(real_store))
    at = run_page("views/hotspots.py", state={"dataset": "calgary"}, timeout=300)
    assert not at.exception
    text = shown_text(at)
    assert "its community areas are ranked instead of grid cells, for the month" in text
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["Community", "District", "Expected crimes"]
    assert set(table["Community"]) == {"BELTLINE", "FOREST LAWN", "BOWNESS"}


def test_month_dated_data_offers_a_monthly_briefing(real_store, monkeypatch):
    """The briefing of month-dated data is monthly (its PDF says so), and so is its button."""
    monkeypatch.setenv("CRIMEKIT_STORE", str(real_store))
    at = run_page("views/overview.py", state={"dataset": "calgary"}, timeout=300)
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download the monthly briefing for the whole area (PDF, 2 pages)" in labels
    assert not any("weekly briefing" in label for label in labels)
