"""Hardening: what users see when things go wrong, and what exports and tooltips let through."""

import json
import tomllib

import pandas as pd

from conftest import ROOT, run_page, shown_text
from ui import maps


def test_shipped_config_hides_tracebacks_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert 0 < config["server"]["maxUploadSize"] <= 500


def test_corrupt_dataset_gives_a_recovery_message(isolated_store, tmp_path, small_city):
    from crimekit.store import Store
    store = Store()
    store.save(small_city.dataset.with_incidents(small_city.dataset.incidents.head(500)))
    (isolated_store / "demo" / "incidents.parquet").write_bytes(b"not parquet at all")
    at = run_page(state={"dataset": "demo"})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "cannot be read" in errors and "datasets --delete demo" in errors
    assert "Traceback" not in shown_text(at)


def test_tooltips_escape_user_text():
    import geopandas as gpd
    import shapely
    beats = gpd.GeoDataFrame({"beat": ["<img src=x onerror=alert(1)>"], "district": ["<b>D</b>"],
                              "count": [3]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    layer, _ = maps.beat_layer(beats)
    payload = json.dumps(layer.data)
    assert "<img" not in payload and "&lt;img src=x" in payload
    assert "&lt;b&gt;D&lt;/b&gt;" in payload


def test_legend_escapes_its_labels():
    legend = maps.Legend("<script>", (((1, 2, 3), "<b>x</b>"),))
    html = legend.to_html()
    assert "<script>" not in html and "&lt;b&gt;x" in html


def test_map_aggregates_on_the_server():
    # a deck built from a million incidents carries one shape per cell, not per incident
    import numpy as np
    from crimekit.spatial import count_by_cell, make_grid
    rng = np.random.default_rng(0)
    n = 1_000_000
    inc = pd.DataFrame({"lat": rng.normal(12.6, 0.02, n), "lon": rng.normal(77.6, 0.02, n)})
    grid = make_grid(inc["lat"].to_numpy()[:5000], inc["lon"].to_numpy()[:5000], cell_size=500)
    cells = count_by_cell(inc, grid)
    layer, _ = maps.cell_layer(cells)
    assert len(layer.data) <= len(grid.cells) < 20_000
    assert cells["count"].sum() > 0.9 * n


def test_category_layer_colours_each_group_once_and_escapes():
    import geopandas as gpd
    import shapely
    gdf = gpd.GeoDataFrame({"beat": ["A", "B", "C"], "group": ["<x>", "y", "<x>"]},
                           geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
                           crs="EPSG:4326")
    layer, legend = maps.category_layer(gdf, "group")
    fills = [tuple(r["fill"]) for r in layer.data]
    assert fills[0] == fills[2] != fills[1]
    assert [label for _, label in legend.entries] == ["<x>", "y"]
    assert "&lt;x&gt;" in legend.to_html() and "&lt;x&gt;" in json.dumps(layer.data)
