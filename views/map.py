"""Map: where incidents happen, as a heat map, grid cells or beats (aggregated on the server)."""

import pandas as pd
import streamlit as st

import ui
from ui import maps
from crimekit.hotspots import HotspotSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

LAYERS = ("Grid cells", "Heat map", "Beats")

st.title("Map")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
unit = view.meta.get("area_unit", "beat")
units = "beats" if unit == "beat" else f"{unit} areas"
located = int(view.incidents["lat"].notna().sum())
beats = ui.beat_counts(key)
by_area_only = not located and beats is not None and beats["count"].abs().sum() > 0
if not located and not by_area_only:
    st.warning("None of these incidents has coordinates or a named area with a polygon, so "
               "nothing can be mapped. On the Data page, map the latitude/longitude (or X/Y) "
               "columns, or import the area polygons with the file.")
    st.stop()

left, mid, right = st.columns([2, 2, 1])
if by_area_only:
    layer_choice = "Beats"
    left.caption(f"This data places crimes by {unit} only (no coordinates): the map shows "
                 f"crimes per {unit}.")
else:
    layer_choice = left.radio("Show", LAYERS, horizontal=True, key="map_layer",
                              format_func=lambda x: units.capitalize() if x == "Beats" else x,
                              help="Every layer is counted on the server; the browser never "
                                   "receives individual incidents.")
size = HotspotSettings.spec("cell_size")
cell_size = mid.select_slider(size["label"], HotspotSettings.CELL_SIZES, value=size["default"],
                              key="map_cell_size", disabled=by_area_only, help=size["help"])
basemap = right.selectbox("Basemap", list(maps.BASEMAPS), key="map_basemap",
                          help="Carto basemaps need no API key but need internet; "
                               "'none' draws only the data.")
show_pois = st.toggle("Show points of interest", value=False, key="map_pois",
                      disabled=not len(view.pois))

cells = None if by_area_only else ui.cell_counts(key, float(cell_size))
layers = [] if by_area_only else [maps.outline_layer(ui.outline(key.source))]
legend = None
if layer_choice == "Beats" and beats is None:
    st.info(f"This dataset has no polygons of its {units}; showing grid cells instead. Import a "
            "GeoJSON or zipped shapefile of them on the Data page.")
    layer_choice = "Grid cells"
if layer_choice == "Grid cells":
    layer, legend = maps.cell_layer(cells)
    layers.append(layer)
elif layer_choice == "Heat map":
    layers.append(maps.heatmap_layer(cells))
    legend = maps.Legend("Heat map", ((maps.PALETTE[0], "fewer"), (maps.PALETTE[-1], "more")))
else:
    layer, legend = maps.beat_layer(beats)
    layers.append(layer)
if beats is not None and layer_choice != "Beats":
    layers.append(maps.beat_layer(beats, filled=False)[0])
if show_pois and len(view.pois):
    layers.append(maps.points_layer(view.pois, layer_id="pois"))

if located:
    centre = (view.incidents["lat"], view.incidents["lon"])
else:
    minx, miny, maxx, maxy = beats.total_bounds
    centre = (pd.Series([miny, maxy]), pd.Series([minx, maxx]))
st.pydeck_chart(maps.deck(layers, maps.view_for(*centre), basemap), height=560)
if legend is not None:
    st.html(legend.to_html())
crimes = ui.crime_count(view.incidents)
where = (f"{located:,} rows with coordinates" if located else
         f"placed by their {unit}")
st.caption(f"{crimes:,} crimes ({where}) - {ui.md(ui.current_filters().describe())}."
           + ("" if cells is None else f" Cells of {cell_size} m; "
              f"{(cells['count'] > 0).sum():,} of {len(cells):,} cells have crimes."))

c1, c2 = st.columns(2)
if cells is not None:
    with c1:
        st.subheader("Busiest cells")
        top_cells = cells[cells["count"] > 0].nlargest(20, "count")[["cell_id", "lat", "lon",
                                                                   "count"]]
        st.dataframe(top_cells.rename(columns={"cell_id": "Cell", "lat": "Latitude",
                                               "lon": "Longitude", "count": "Crimes"}),
                     hide_index=True, width="stretch")
        ui.download(cells.drop(columns="geometry").assign(wkt=cells.geometry.to_wkt()),
                    "cell_counts.csv", "Download counts per cell")
with c2:
    if beats is not None:
        st.subheader(f"Busiest {units}")
        table = beats.drop(columns="geometry").sort_values("count", ascending=False)
        shown = table[["beat", "district", "count"]].rename(columns={
            "beat": unit.capitalize(), "district": "District", "count": "Crimes"})
        st.dataframe(shown.head(20), hide_index=True, width="stretch")
        ui.download(table, "beat_counts.csv", f"Download counts per {unit}")
