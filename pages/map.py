"""Map: where incidents happen, as a heat map, grid cells or beats (aggregated on the server)."""

import streamlit as st

import ui
from crimekit import maps
from crimekit.spatial import count_by_beat, count_by_cell, study_area

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

LAYERS = ("Grid cells", "Heat map", "Beats")


@st.cache_data(show_spinner="Counting incidents per cell...", max_entries=16)
def cell_counts(key, cell_size):
    """Incidents of the filtered view per grid cell (cells of the whole dataset's area)."""
    return count_by_cell(ui.view_of(key).incidents, ui.grid(key[:2], cell_size))


@st.cache_data(show_spinner=False, max_entries=16)
def beat_counts(key):
    """Incidents of the filtered view per beat (None when the dataset has no beat polygons)."""
    view = ui.view_of(key)
    return None if view.beats is None else count_by_beat(view.incidents, view.beats)


@st.cache_data(show_spinner=False, max_entries=4)
def outline(dataset_key):
    """The study area's outline in WGS84, always drawn so the map reads offline."""
    ds = ui.dataset(dataset_key[0])
    area = study_area(ds.incidents["lat"], ds.incidents["lon"], ds.beats, crs="EPSG:4326") \
        if ds.beats is not None else None
    if area is None:
        g = ui.grid(dataset_key, 500.0)
        area = g.cells.union_all()
    return area


st.title("Map")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
located = view.incidents["lat"].notna().sum()
if not located:
    st.warning("None of these incidents has coordinates, so nothing can be mapped. Map the "
               "latitude/longitude (or X/Y) columns on the Data page.")
    st.stop()

left, mid, right = st.columns([2, 2, 1])
layer_choice = left.radio("Show", LAYERS, horizontal=True, key="map_layer",
                          help="Every layer is counted on the server; the browser never receives "
                               "individual incidents.")
cell_size = mid.select_slider("Cell size (metres)", [100, 150, 200, 250, 300, 400, 500, 750, 1000],
                              value=250, key="map_cell_size")
basemap = right.selectbox("Basemap", list(maps.BASEMAPS), key="map_basemap",
                          help="Carto basemaps need no API key but need internet; "
                               "'none' draws only the data.")
show_pois = st.toggle("Show points of interest", value=False, key="map_pois",
                      disabled=not len(view.pois))

cells = cell_counts(key, float(cell_size))
beats = beat_counts(key)
layers = [maps.outline_layer(outline(key[:2]))]
legend = None
if layer_choice == "Beats" and beats is None:
    st.info("This dataset has no beat polygons; showing grid cells instead. Upload a GeoJSON or "
            "shapefile of beats on the Data page.")
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

st.pydeck_chart(maps.deck(layers, maps.view_for(view.incidents["lat"], view.incidents["lon"]),
                          basemap), height=560)
if legend is not None:
    st.html(legend.to_html())
st.caption(f"{len(view.incidents):,} incidents ({located:,} with coordinates) - "
           f"{ui.md(ui.current_filters().describe())}. Cells of {cell_size} m; "
           f"{(cells['count'] > 0).sum():,} of {len(cells):,} cells have incidents.")

c1, c2 = st.columns(2)
with c1:
    st.subheader("Busiest cells")
    top_cells = cells[cells["count"] > 0].nlargest(20, "count")[["cell_id", "lat", "lon", "count"]]
    st.dataframe(top_cells, hide_index=True, width="stretch")
    ui.download(cells.drop(columns="geometry").assign(wkt=cells.geometry.to_wkt()),
                "cell_counts.csv", "Download counts per cell")
with c2:
    if beats is not None:
        st.subheader("Busiest beats")
        table = beats.drop(columns="geometry").sort_values("count", ascending=False)
        st.dataframe(table.head(20), hide_index=True, width="stretch")
        ui.download(table, "beat_counts.csv", "Download counts per beat")
