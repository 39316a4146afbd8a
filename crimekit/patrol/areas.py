"""Patrol areas: what a plan deploys officers across, with or without beat polygons.

:func:`build_patrol_areas` chooses, in this order (``how="auto"``):

1. ``"beats"``: the dataset's own area polygons (``Dataset.beats``: beats, communities...).
   A crime belongs to the area it names, else to the polygon its point falls in.
2. ``"named"``: the areas the incidents name in ``beat`` (beats, LSOAs, neighbourhoods), when at
   least :data:`NAMED_SHARE` of the crimes name one. No outlines: a map shows each area at the
   middle of its crimes.
3. ``"districts"``: the districts (stations, precincts) the incidents name, same rule.
4. ``"grid"``: compact areas of similar workload drawn from grid cells over the crimes' points
   (:func:`balanced_areas`): recursive coordinate bisection of the cells weighted by their
   crimes of the last two years, then every area made contiguous.

A **station** scope (one district, or several) keeps only those districts' areas; when the
districts themselves are the areas, one station is divided into grid areas instead. Every crime
in scope belongs to exactly one area (or none, and the plan says how many have none).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from crimekit.patrol.balanced_areas import balanced_areas
from crimekit.errors import ParameterError, UnusableInputError
from crimekit.schema import crime_weights
from crimekit.wording import plural

KINDS = ("beats", "named", "districts", "grid")
#: Share of the crimes that must name an area (or district) for those names to be planned over.
NAMED_SHARE = 0.8
#: Grid areas: about this many crimes of the last two years each, MIN_AREAS to MAX_AREAS areas.
CRIMES_PER_AREA = 50
MIN_AREAS, MAX_AREAS = 4, 30
#: Grid areas are drawn from about this many cells each (so cells are much smaller than areas).
CELLS_PER_AREA = 40
LOOKBACK_DAYS = 730
GRID_UNIT = "patrol area"


@dataclass(frozen=True)
class PatrolAreas:
    """The areas a plan covers.

    Attributes
    ----------
    kind : one of :data:`KINDS`.
    unit : what one area is called ("beat", "community", "LSOA", "district", "patrol area").
    table : one row per area in scope: ``area``, ``district``, ``crimes`` (workload: crimes of the
        last two years of the data), ``lat``, ``lon`` (middle of its crimes or polygon).
    polygons : GeoDataFrame (EPSG:4326) with ``beat`` (the area), ``district``, ``geometry``,
        or None when the areas have no outlines (``named``, ``districts``).
    stations : the districts in scope (a station and its neighbours...), () for the whole
        dataset.
    cell_area : grid areas only: the area of each grid cell id.
    grid : grid areas only: the :class:`crimekit.spatial.Grid` the cells come from.
    reason : grid areas only: why they were drawn (the start of :meth:`describe`'s sentence).
    """

    kind: str
    unit: str
    table: pd.DataFrame
    polygons: object = None
    stations: tuple = ()
    cell_area: pd.Series | None = None
    grid: object = None
    reason: str = ""

    @property
    def names(self) -> list:
        """The areas in scope, sorted."""
        return sorted(self.table["area"])

    def assign(self, incidents: pd.DataFrame) -> np.ndarray:
        """The area (in scope) of each incident, "" when it has none."""
        names = set(self.table["area"])
        if self.kind == "grid":
            area = np.full(len(incidents), "", dtype=object)
            ok = incidents["lat"].notna().to_numpy() & incidents["lon"].notna().to_numpy()
            if self.stations:
                ok &= incidents["district"].astype(str).isin(self.stations).to_numpy()
            if ok.any():
                cells = self.grid.cell_of(incidents["lat"].to_numpy()[ok],
                                          incidents["lon"].to_numpy()[ok])
                area[ok] = _text(pd.Series(cells).map(self.cell_area)).to_numpy()
        else:
            col = "district" if self.kind == "districts" else "beat"
            area = incidents[col].astype(str).to_numpy(dtype=object).copy()
            if self.kind == "beats":
                area = _fill_by_polygon(incidents, area, self.polygons, names)
        return np.where(pd.Series(area).isin(names).to_numpy(), area, "").astype(object)

    def describe(self) -> str:
        """One sentence for a page or the command line."""
        n = len(self.table)
        units = f"{n:,} {plural(self.unit, n)}"
        where = station_words(self.stations, " of ")
        later = " Upload beat polygons on the Data page to plan over your own beats."
        if self.kind == "beats":
            return f"Planned over the {units}{where} in the dataset's polygons."
        if self.kind == "named":
            return (f"This data has no {self.unit} polygons, so the plan covers the {units}"
                    f"{where} its incidents name, mapped at the middle of their crimes. Upload "
                    f"their polygons on the Data page to map their outlines.")
        if self.kind == "districts":
            return (f"This data has no beats, so the plan covers the {units}{where} its "
                    "incidents name (mapped at the middle of their crimes)." + later)
        size = self.table["crimes"].mean() if n else 0
        why = f"{self.reason}, so" if self.reason else "As chosen,"
        return (f"{why} the plan covers {units}{where} of similar "
                f"workload (about {size:,.0f} crimes each over the last two years) drawn from "
                "the map." + later)


def available_kinds(dataset) -> list:
    """The kinds of patrol area this dataset can give, best first."""
    inc = dataset.incidents
    kinds = []
    if dataset.beats is not None and len(dataset.beats):
        kinds.append("beats")
    if _named_share(inc, "beat") >= NAMED_SHARE and _n_named(inc, "beat") >= 2:
        kinds.append("named")
    if _named_share(inc, "district") >= NAMED_SHARE and _n_named(inc, "district") >= 2:
        kinds.append("districts")
    if inc["lat"].notna().sum() >= 3:
        kinds.append("grid")
    return kinds


def stations(dataset) -> list:
    """The districts (stations) a plan can be scoped to: those the incidents name."""
    return sorted(d for d in dataset.incidents["district"].astype(str).unique() if d)


def station_words(stations, before: str = "") -> str:
    """'station East' / 'stations East and North' (after ``before``), "" for the whole city."""
    stations = tuple(stations)
    if not stations:
        return ""
    names = stations[0] if len(stations) == 1 else \
        ", ".join(stations[:-1]) + " and " + stations[-1]
    return f"{before}station{'s' if len(stations) > 1 else ''} {names}"


def build_patrol_areas(dataset, how: str = "auto", *, station=(),
                       n_areas: int | None = None) -> PatrolAreas:
    """The patrol areas of ``dataset`` (see the module docstring), for the whole dataset or
    a ``station`` scope (a district name, or several).

    ``how``: "auto" or one of :data:`KINDS`. ``n_areas``: how many grid areas to draw (default
    about one per :data:`CRIMES_PER_AREA` crimes of the last two years, at most
    :data:`MAX_AREAS`). Raises UnusableInputError when the data gives nothing to deploy across.
    """
    if how != "auto" and how not in KINDS:
        raise ParameterError.invalid("how", "build_patrol_areas", f"'auto' or one of {KINDS}",
                                     how)
    kinds = available_kinds(dataset)
    if not kinds:
        raise UnusableInputError("These incidents have no beat polygons, no beat or district "
                                 "names and no coordinates, so there is nothing to deploy "
                                 "across: map a beat, area or district column, or coordinates, "
                                 "on the Data page.")
    kind = kinds[0] if how == "auto" else how
    if kind not in kinds:
        raise UnusableInputError(f"This data cannot give {kind} patrol areas; it can give "
                                 f"{', '.join(kinds)}.")
    scope = (str(station),) if isinstance(station, str) else tuple(map(str, station or ()))
    scope = tuple(sorted(set(scope)))
    unknown = [s for s in scope if s not in stations(dataset)]
    if unknown:
        raise ParameterError.invalid("station", "build_patrol_areas",
                                     "a district the incidents name", unknown[0])
    reason = "This data names no beats or areas" if kinds == ["grid"] else ""
    if kind == "districts" and len(scope) == 1:
        if "grid" not in kinds:
            raise UnusableInputError(f"Station {scope[0]} has no beats and its incidents no "
                                     "coordinates, so it cannot be divided into patrol "
                                     "areas: plan for the whole city instead.")
        kind, reason = "grid", f"Station {scope[0]} has no beats in this data"
    inc = dataset.incidents
    recent = _recent(inc)
    if kind == "grid":
        return replace(_grid_areas(dataset, recent, scope, n_areas), reason=reason)
    unit = "district" if kind == "districts" else dataset.meta.get("area_unit") or "beat"
    if kind == "beats":
        polygons = _polygons_with_districts(dataset.beats, inc)
        names = polygons["beat"].tolist()
        area = _fill_by_polygon(recent, recent["beat"].astype(str).to_numpy(dtype=object),
                                polygons, set(names))
    else:
        polygons = None
        col = "district" if kind == "districts" else "beat"
        names = sorted(n for n in inc[col].astype(str).unique() if n)
        area = recent[col].astype(str).to_numpy(dtype=object)
    table = _area_table(recent, area, names, polygons, inc, kind)
    if scope:
        table = table[table["district"].isin(scope)].reset_index(drop=True)
        if polygons is not None:
            polygons = polygons[polygons["beat"].isin(table["area"])].reset_index(drop=True)
        if not len(table):
            raise UnusableInputError(f"No {unit} of this data lies in "
                                     f"{station_words(scope)}.")
    return PatrolAreas(kind, unit, table, polygons, scope)


# --- helpers: named areas and polygons ------------------------------------------------------------

def _text(values: pd.Series) -> pd.Series:
    """Text values with missing ones as ""."""
    values = values.astype(object)
    return values.where(values.notna(), "")


def _named_share(inc, col) -> float:
    w = np.abs(crime_weights(inc))
    total = w.sum()
    named = inc[col].astype(str).str.strip().ne("").to_numpy()
    return float(w[named].sum() / total) if total > 0 else 0.0


def _n_named(inc, col) -> int:
    return int(inc[col].astype(str).replace("", np.nan).nunique())


def _recent(inc) -> pd.DataFrame:
    """The crimes of the last two years of the data: the workload areas are weighed by."""
    last = inc["occurred_at"].max()
    if pd.isna(last):
        return inc
    return inc[inc["occurred_at"] >= last - pd.Timedelta(days=LOOKBACK_DAYS)]


def _fill_by_polygon(incidents, area, polygons, names) -> np.ndarray:
    """Areas for rows whose name is not a polygon's: the polygon their point falls in."""
    area = np.asarray(area, dtype=object).copy()
    todo = ~pd.Series(area).isin(names).to_numpy()
    todo &= incidents["lat"].notna().to_numpy() & incidents["lon"].notna().to_numpy()
    if todo.any():
        from crimekit.spatial import assign_beats
        rows = incidents[todo]
        area[todo] = assign_beats(rows["lat"], rows["lon"], polygons)["beat"].to_numpy()
    return area


def _polygons_with_districts(beats, inc) -> gpd.GeoDataFrame:
    """The polygons with ``beat`` as text and a district named as the incidents name it: the
    polygon's own when the incidents use the same names, else its crimes' most common."""
    out = beats[["beat", "district", "geometry"]].copy() if "district" in beats else \
        beats[["beat", "geometry"]].assign(district="")
    out["beat"] = out["beat"].astype(str)
    out["district"] = out["district"].fillna("").astype(str)
    if out["beat"].duplicated().any():  # a beat drawn in several pieces: one shape per beat
        out = out.dissolve(by="beat", aggfunc="first", as_index=False)
    named = set(inc["district"].astype(str)) - {""}
    if named and not set(out["district"]) <= named | {""}:
        mode = _district_of(inc, inc["beat"].astype(str).to_numpy())
        out["district"] = _text(out["beat"].map(mode))
    return out.to_crs("EPSG:4326").reset_index(drop=True)


def _district_of(inc, area) -> pd.Series:
    """The district where most of each area's crimes were recorded."""
    df = pd.DataFrame({"area": area, "district": inc["district"].astype(str).to_numpy(),
                       "w": np.abs(crime_weights(inc))})
    df = df[(df["area"] != "") & (df["district"] != "")]
    if not len(df):
        return pd.Series(dtype=object)
    sums = df.groupby(["area", "district"])["w"].sum().reset_index()
    sums = sums.sort_values(["area", "w", "district"], ascending=[True, False, True])
    return sums.drop_duplicates("area").set_index("area")["district"]


def _area_table(recent, area, names, polygons, inc, kind) -> pd.DataFrame:
    """area, district, crimes, lat, lon for every area name."""
    w = np.clip(crime_weights(recent), 0, None)
    df = pd.DataFrame({"area": area, "w": w, "lat": recent["lat"].to_numpy(),
                       "lon": recent["lon"].to_numpy()})
    crimes = df.groupby("area")["w"].sum()
    table = pd.DataFrame({"area": list(names)})
    table["crimes"] = table["area"].map(crimes).fillna(0.0)
    if kind == "districts":
        table["district"] = table["area"]
    elif polygons is not None:
        table["district"] = _text(table["area"].map(
            polygons.set_index("beat")["district"]))
    else:
        all_area = inc["beat"].astype(str).to_numpy()
        table["district"] = _text(table["area"].map(_district_of(inc, all_area)))
    if polygons is not None:
        middle = polygons.set_index("beat").geometry.representative_point()
        table["lat"] = table["area"].map(middle.y)
        table["lon"] = table["area"].map(middle.x)
    else:
        located = df[df["lat"].notna() & df["lon"].notna() & (df["w"] > 0)]
        centre = located.groupby("area")[["lat", "lon"]].median()
        table = table.join(centre, on="area")
    return table[["area", "district", "crimes", "lat", "lon"]]


# --- grid areas of similar workload ---------------------------------------------------------------

def default_n_areas(crimes: float) -> int:
    """About one area per CRIMES_PER_AREA crimes of the last two years, MIN_AREAS to
    MAX_AREAS (a station is never one or two areas)."""
    return int(np.clip(round(crimes / CRIMES_PER_AREA), MIN_AREAS, MAX_AREAS))


def _grid_areas(dataset, recent, scope, n_areas) -> PatrolAreas:
    from crimekit.spatial import make_grid
    inc = dataset.incidents
    if scope:
        inc = inc[inc["district"].astype(str).isin(scope)]
        recent = recent[recent["district"].astype(str).isin(scope)]
    located = inc[inc["lat"].notna() & inc["lon"].notna()]
    if len(located) < 3:
        raise UnusableInputError("Fewer than three of these crimes have coordinates, so no "
                                 "patrol areas can be drawn: plan for the whole city instead.")
    w_recent = np.clip(crime_weights(recent), 0, None)
    k = default_n_areas(w_recent.sum()) if n_areas is None else int(n_areas)
    if k < 1:
        raise ParameterError.invalid("n_areas", "build_patrol_areas", "a whole number >= 1",
                                     n_areas)
    probe = make_grid(located["lat"], located["lon"], cell_size=1000.0)
    size = float(np.clip(np.sqrt(probe.area_km2 * 1e6 / (k * CELLS_PER_AREA)), 50, 2000))
    ok = recent["lat"].notna().to_numpy() & recent["lon"].notna().to_numpy()
    while True:  # finer cells while one cell holds over a quarter of an area's workload
        grid = make_grid(located["lat"], located["lon"], cell_size=round(size, -1))
        cells = grid.cells
        cell_of = grid.cell_of(recent["lat"].to_numpy()[ok], recent["lon"].to_numpy()[ok])
        per_cell = pd.Series(w_recent[ok]).groupby(cell_of).sum()
        weight = cells["cell_id"].map(per_cell).fillna(0.0).to_numpy()
        if size <= 100 or weight.max(initial=0) <= weight.sum() / k / 4:
            break
        size /= 2
    labels = balanced_areas(cells["col"].to_numpy(), cells["row"].to_numpy(), weight,
                            min(k, len(cells)))
    polys = gpd.GeoDataFrame({"label": labels}, geometry=cells.to_crs(grid.crs).geometry.values,
                             crs=grid.crs).dissolve(by="label")
    middle = polys.geometry.representative_point()
    order = sorted(polys.index, key=lambda lab: (-round(middle[lab].y, -3), middle[lab].x))
    name = {lab: f"Area {i + 1:02d}" for i, lab in enumerate(order)}
    polys = polys.to_crs("EPSG:4326")
    area_of_recent = pd.Series(cell_of).map(
        pd.Series([name[lab] for lab in labels], index=cells["cell_id"].to_numpy()))
    district = _district_of(recent[ok], _text(area_of_recent).to_numpy())
    polygons = gpd.GeoDataFrame({"beat": [name[lab] for lab in polys.index]},
                                geometry=polys.geometry.values, crs="EPSG:4326")
    polygons["district"] = (scope[0] if len(scope) == 1 else
                            _text(polygons["beat"].map(district)))
    polygons = polygons[["beat", "district", "geometry"]]
    polygons = polygons.sort_values("beat").reset_index(drop=True)
    crimes = pd.Series(weight).groupby(labels).sum()
    centre = polygons.set_index("beat").geometry.representative_point()
    table = pd.DataFrame({"area": polygons["beat"], "district": polygons["district"]})
    table["crimes"] = [float(crimes[lab]) for lab in sorted(name, key=name.get)]
    table["lat"], table["lon"] = table["area"].map(centre.y), table["area"].map(centre.x)
    cell_area = pd.Series([name[lab] for lab in labels], index=cells["cell_id"].to_numpy())
    return PatrolAreas("grid", GRID_UNIT, table, polygons, scope, cell_area, grid)
