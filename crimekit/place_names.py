"""Places, not cells: name each hot spot (grid cell) and beat by what the data knows about it.

A commander cannot send a patrol to "cell 18342". For each place this module finds:

- **where**: the most common block, street or address of its incidents (the ``address``
  column, as the source writes it; Chicago's ``001XX W MADISON ST`` reads "100 block of W
  MADISON ST"), else the nearest named point of interest ("near Station EW6"), else its part
  of the beat ("north-east part of beat E-02"); then the beat and district (or the data's own
  area unit: LSOA, community, neighbourhood);
- **why**: a plain reason from the recorded crime: "23 thefts in the last 4 weeks, mostly
  Fri-Sat 20:00-02:00; 3 burglaries nearby". Times are named only when the data has times
  (hours for hour-precise data, weekdays for day-precise data, neither for monthly counts),
  and only when the crimes really cluster in them.

Crimes are counted with :func:`crimekit.schema.crime_count` (the ``count`` column), never rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from crimekit.errors import ParameterError
from crimekit.schema import crime_weights, data_precision
from crimekit.wording import crimes_of, peak_times, readable_address  # noqa: F401 (public here)

#: Recent window of a reason, in weeks.
RECENT_WEEKS = 4
#: Weeks of history the usual times of a place are read from.
PROFILE_WEEKS = 52
#: A point of interest names a place when it lies within this many metres of it.
NEARBY_M = 300.0
#: Columns every naming function adds.
PLACE_COLUMNS = ("name", "place", "beat", "district", "reason")

_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south",
            "south-east")


# --- naming -------------------------------------------------------------------------------------

def name_cells(incidents: pd.DataFrame, grid, cells: pd.DataFrame, *, end=None, pois=None,
               beats=None, area_unit: str = "beat",
               recent_weeks: int = RECENT_WEEKS) -> pd.DataFrame:
    """A copy of ``cells`` (a table with ``cell_id``, e.g. the top hot spots) with the columns
    ``name`` ("near Station EW6 (bar), beat E-02, East"), ``place`` (the first part), ``beat``,
    ``district`` and ``reason``.

    ``incidents`` is the history the names and reasons come from (only crimes before ``end``
    count; default: the day after the last incident); ``grid`` the :class:`~crimekit.spatial.
    Grid` the cell ids belong to; ``pois`` named points of interest (``name, kind, lat, lon``);
    ``beats`` polygons, to place a cell in its beat by its centre.
    """
    if "cell_id" not in cells:
        raise ParameterError.invalid("cells", "name_cells", "a table with a cell_id column",
                                     list(cells.columns))
    inc, end = _history(incidents, end)
    inc = inc.assign(_unit=grid.cell_of(inc["lat"], inc["lon"]))
    wanted = pd.Index([c for c in pd.unique(cells["cell_id"].to_numpy()) if c >= 0])
    centres = grid.cells.set_index("cell_id").reindex(wanted)
    rings = _rings(grid, wanted)
    near = inc[inc["_unit"].isin(wanted) | inc["_unit"].isin(
        set().union(*rings.values()) if rings else set())]
    precision = data_precision(incidents)
    since, span = recent_window(end, recent_weeks, precision)
    facts = _facts(near[near["_unit"].isin(wanted)], "_unit", end, since, precision)
    beat_of, district_of = _cell_areas(near, wanted, centres, beats)
    poi_names = _nearest_pois(pois, centres, grid.crs)
    parts = _beat_parts(inc, wanted, centres, beat_of, beats, grid.crs, _unit_word(area_unit))
    recent = near[near["occurred_at"] >= since]
    rows = {}
    for cid in wanted:
        f = facts.get(cid, {})
        where = f.get("address") or poi_names.get(cid) or parts.get(cid) or \
            f"cell {cid}"
        if f.get("premises") and not f.get("address"):
            where += f" ({f['premises'].lower()})"
        nearby = recent[recent["_unit"].isin(rings.get(cid, ()))]
        reason = _reason(f, span, nearby)
        rows[cid] = (where, beat_of.get(cid, ""), district_of.get(cid, ""), reason)
    return _attach(cells, "cell_id", rows, area_unit)


def name_beats(incidents: pd.DataFrame, areas: pd.DataFrame, *, end=None, pois=None,
               area_unit: str = "beat", recent_weeks: int = RECENT_WEEKS,
               grid=None) -> pd.DataFrame:
    """A copy of ``areas`` (a table with ``beat``: beats, or the data's areas) with the columns
    ``name`` ("beat E-02, East: near Station EW6"), ``place`` (its busiest block, street or
    point of interest), ``beat``, ``district`` and ``reason`` ("41 crimes in the last 4 weeks,
    14 of them thefts, mostly Fri-Sun 18:00-00:00").

    The busiest spot is the most common address of the beat's crimes, else the point of
    interest (within :data:`NEARBY_M`) of the most crimes; ``grid`` is not needed.
    """
    if "beat" not in areas:
        raise ParameterError.invalid("areas", "name_beats", "a table with a beat column",
                                     list(areas.columns))
    inc, end = _history(incidents, end)
    inc = inc.assign(_unit=inc["beat"].astype(str))
    wanted = pd.Index(pd.unique(areas["beat"].astype(str).to_numpy()))
    inc = inc[inc["_unit"].isin(wanted)]
    precision = data_precision(incidents)
    since, span = recent_window(end, recent_weeks, precision)
    facts = _facts(inc, "_unit", end, since, precision)
    spots = _busiest_pois(inc[inc["occurred_at"] >= end - pd.Timedelta(weeks=PROFILE_WEEKS)],
                          pois)
    district = _mode(inc, "_unit", "district")
    if "district" in areas:
        given = areas.assign(_b=areas["beat"].astype(str)).set_index("_b")["district"]
        district = {**district, **{b: str(d) for b, d in given.items() if str(d)}}
    rows = {}
    for beat in wanted:
        f = facts.get(beat, {})
        place = f.get("address") or spots.get(beat) or ""
        reason = _reason(f, span, None)
        rows[beat] = (place, beat, district.get(beat, ""), reason)
    out = _attach(areas.assign(beat=areas["beat"].astype(str)), "beat", rows, area_unit,
                  beats_first=True)
    return out


def _attach(table, key, rows, area_unit, beats_first=False) -> pd.DataFrame:
    out = table.copy()
    values = [rows.get(k, ("", "", "", "")) for k in out[key]]
    out["place"] = [v[0] for v in values]
    out["beat"] = [v[1] for v in values]
    out["district"] = [v[2] for v in values]
    out["reason"] = [v[3] for v in values]
    unit = _unit_word(area_unit)
    names = []
    for place, beat, district in zip(out["place"], out["beat"], out["district"]):
        area = f"{unit} {beat}" if beat else ""
        if beats_first:
            head = ", ".join(p for p in (area, district) if p)
            near = place.lower().startswith(("near ", "on or near "))
            names.append(f"{head}: {place}" if near else
                         f"{head}: around {place}" if place else head)
        else:
            names.append(", ".join(p for p in (place, "" if area and area in place else area,
                                               district) if p))
    out["name"] = names
    return out


def _unit_word(area_unit) -> str:
    return "beat" if area_unit in ("", None) else str(area_unit)


def _history(incidents, end):
    """Dated incidents before ``end`` (default: the day after the last one), and ``end``."""
    inc = incidents[incidents["occurred_at"].notna()]
    if end is None:
        last = inc["occurred_at"].max()
        end = (pd.Timestamp(last).normalize() + pd.Timedelta(days=1)) if len(inc) else \
            pd.Timestamp.now().normalize()
    end = pd.Timestamp(end)
    return inc[inc["occurred_at"] < end], end


def recent_window(end, weeks: int = RECENT_WEEKS, precision: str = "hour"):
    """(start, words) of the recent window before ``end``: the last ``weeks`` weeks ("the
    last 4 weeks"), or for data dated to the month the last whole month ("February 2025") and
    for data dated to the year the last year ("2024")."""
    end = pd.Timestamp(end)
    last = end - pd.Timedelta(days=1)
    if precision == "month":
        start = last.normalize().replace(day=1)
        return start, f"{start:%B %Y}"
    if precision == "year":
        start = last.normalize().replace(month=1, day=1)
        return start, f"{start:%Y}"
    return end - pd.Timedelta(weeks=weeks), (f"the last {weeks} weeks" if weeks != 1
                                             else "the last week")


def _facts(inc, key, end, recent_start, precision) -> dict:
    """Per place: its top address and premises, recent crimes by head, heinous ones, its
    year's total and top head, and its usual times."""
    out = {}
    if not len(inc):
        return out
    w = crime_weights(inc)
    inc = inc.assign(_w=w)
    year_start = end - pd.Timedelta(weeks=PROFILE_WEEKS)
    address = _mode(inc, key, "address", transform=readable_address, min_share=0.0)
    premises = _mode(inc, key, "premises", min_share=0.4)
    cols = [key, "occurred_at", "category", "_w"] + (["heinous"] if "heinous" in inc else [])
    slim = inc.loc[inc["occurred_at"] >= min(year_start, recent_start), cols]
    for unit in pd.unique(inc[key]):
        out[unit] = _empty_facts(address.get(unit, ""), premises.get(unit, ""))
    for unit, part in slim.groupby(key, sort=False):
        recent = part[part["occurred_at"] >= recent_start]
        year = part[part["occurred_at"] >= year_start]
        by_head = recent.groupby("category")["_w"].sum().clip(lower=0)
        by_head = by_head[by_head > 0].sort_values(ascending=False, kind="stable")
        heinous = recent[recent["heinous"].astype(bool)] if "heinous" in recent else recent[:0]
        heinous = heinous.groupby("category")["_w"].sum()
        year_heads = year.groupby("category")["_w"].sum().sort_values(ascending=False)
        out[unit] = {"address": address.get(unit, ""), "premises": premises.get(unit, ""),
                     "recent": by_head, "heinous": heinous[heinous > 0],
                     "year": max(float(year["_w"].sum()), 0.0),
                     "year_head": year_heads.index[0] if len(year_heads) else "",
                     "times": peak_times(year["occurred_at"], year["_w"], precision)}
    return out


def _empty_facts(address, premises) -> dict:
    return {"address": address, "premises": premises, "recent": pd.Series(dtype=float),
            "heinous": pd.Series(dtype=float), "year": 0.0, "year_head": "", "times": ""}


def _mode(inc, key, column, transform=None, min_share=0.0) -> dict:
    """The most common non-empty value of ``column`` per place (by crimes), when it holds at
    least ``min_share`` of the place's crimes that have a value."""
    if column not in inc or not len(inc):
        return {}
    values = inc[column].astype(str).str.strip()
    ok = (values != "") & (values.str.lower() != "nan")
    if not ok.any():
        return {}
    w = pd.Series(np.clip(crime_weights(inc), 0, None), index=inc.index)[ok]
    values = values[ok]
    if transform is not None:
        values = values.map(transform)
    sums = w.groupby([inc.loc[ok, key], values]).sum()
    sums = sums[sums > 0]
    if not len(sums):
        return {}
    frame = sums.rename("w").reset_index()
    frame.columns = ["unit", "value", "w"]
    frame = frame.sort_values(["unit", "w", "value"], ascending=[True, False, True])
    total = frame.groupby("unit")["w"].transform("sum")
    top = frame.assign(share=frame["w"] / total).drop_duplicates("unit")
    top = top[top["share"] >= min_share]
    return dict(zip(top["unit"], top["value"]))


def _reason(f: dict, span: str, nearby) -> str:
    """"23 crimes in the last 4 weeks, 14 of them thefts, including 1 robbery, mostly Fri-Sat
    20:00-02:00; 3 burglaries nearby"."""
    recent = f.get("recent", pd.Series(dtype=float))
    total = float(recent.sum()) if len(recent) else 0.0
    if total > 0:
        head, n_head = recent.index[0], float(recent.iloc[0])
        if n_head >= total:
            text = f"{crimes_of(total, head)} in {span}"
        else:
            text = (f"{int(round(total))} crime{'s' if total != 1 else ''} in {span}, "
                    f"{_of_them(n_head, head)}")
        heinous = f.get("heinous", pd.Series(dtype=float))
        heinous = heinous[heinous.index != head]  # the top head is named already
        if len(heinous):
            text += ", including " + " and ".join(
                crimes_of(n, c) for c, n in heinous.sort_values(ascending=False).head(2).items())
    else:
        year = f.get("year", 0.0)
        text = f"no crime in {span}"
        if year > 0:
            text += (f"; {int(round(year))} in the last year"
                     + (f", mostly {crimes_of(2, f['year_head']).split(' ', 1)[1]}"
                        if f.get("year_head") else ""))
    if f.get("times"):
        text += f", mostly {f['times']}"
    if nearby is not None and len(nearby):
        heads = pd.Series(crime_weights(nearby), index=nearby.index).groupby(
            nearby["category"]).sum().sort_values(ascending=False, kind="stable")
        heads = heads[heads > 0]
        if len(heads):
            text += f"; {crimes_of(heads.iloc[0], heads.index[0])} nearby"
    return text


def _of_them(n, head) -> str:
    words = crimes_of(n, head).split(" ", 1)
    return f"{words[0]} of them {words[1]}"


def _rings(grid, wanted) -> dict:
    """The kept cells around each wanted cell (king moves)."""
    kept = set(grid.cells["cell_id"].tolist())
    out = {}
    for cid in wanted:
        if cid < 0:
            continue
        row, col = divmod(int(cid), grid.n_cols)
        out[cid] = {r * grid.n_cols + c for r in range(row - 1, row + 2)
                    for c in range(col - 1, col + 2)
                    if (r, c) != (row, col) and 0 <= c < grid.n_cols
                    and r * grid.n_cols + c in kept}
    return out


def _cell_areas(inc, wanted, centres, beats):
    """Beat and district of each cell: by its centre in the polygons, else its crimes' most
    common beat and district."""
    beat_of = _mode(inc[inc["_unit"].isin(wanted)], "_unit", "beat")
    district_of = _mode(inc[inc["_unit"].isin(wanted)], "_unit", "district")
    if beats is not None and len(beats):
        from crimekit.spatial import assign_beats
        ok = centres["lat"].notna()
        placed = assign_beats(centres.loc[ok, "lat"], centres.loc[ok, "lon"], beats)
        for cid, b, d in zip(centres.index[ok], placed["beat"], placed["district"]):
            if b:
                beat_of[cid] = b
                district_of[cid] = d or district_of.get(cid, "")
    return beat_of, district_of


def _project(lat, lon, crs):
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        np.asarray(lon, float), np.asarray(lat, float))


def _named_pois(pois):
    if pois is None or not len(pois) or "lat" not in pois:
        return None
    p = pois[pois["lat"].notna() & pois["lon"].notna()].copy()
    names = p["name"].astype(str).str.strip() if "name" in p else pd.Series("", index=p.index)
    kinds = p["kind"].astype(str).str.strip() if "kind" in p else pd.Series("", index=p.index)
    p["label"] = np.where(names.ne("") & names.str.lower().ne("nan"), names, "a " + kinds)
    return p[p["label"].str.strip().ne("a")]


def _nearest_pois(pois, centres, crs) -> dict:
    """"near <name>" for each cell whose centre has a point of interest within NEARBY_M."""
    p = _named_pois(pois)
    ok = centres["lat"].notna()
    if p is None or not len(p) or not ok.any():
        return {}
    px, py = _project(p["lat"], p["lon"], crs)
    cx, cy = _project(centres.loc[ok, "lat"], centres.loc[ok, "lon"], crs)
    d = np.hypot(cx[:, None] - px[None, :], cy[:, None] - py[None, :])
    best = d.argmin(axis=1)
    labels = p["label"].to_numpy()
    return {cid: f"near {labels[j]}" for cid, j, dist in
            zip(centres.index[ok], best, d[np.arange(len(best)), best]) if dist <= NEARBY_M}


def _busiest_pois(inc, pois) -> dict:
    """Per beat, "near <name>" for the point of interest with the most of its crimes within
    NEARBY_M (beats whose crimes lie near none get nothing)."""
    p = _named_pois(pois)
    located = inc[inc["lat"].notna() & inc["lon"].notna()]
    if p is None or not len(p) or not len(located):
        return {}
    from crimekit.spatial import local_crs
    crs = local_crs(located["lat"], located["lon"])
    px, py = _project(p["lat"], p["lon"], crs)
    x, y = _project(located["lat"], located["lon"], crs)
    out = {}
    w_all = np.clip(crime_weights(located), 0, None)
    units = located["_unit"].to_numpy()
    for unit in pd.unique(units):
        m = units == unit
        d = np.hypot(x[m][:, None] - px[None, :], y[m][:, None] - py[None, :])
        near = d.argmin(axis=1)
        close = d[np.arange(len(near)), near] <= NEARBY_M
        if not close.any():
            continue
        sums = np.bincount(near[close], weights=w_all[m][close], minlength=len(p))
        if sums.max() > 0:
            out[unit] = f"near {p['label'].iloc[int(sums.argmax())]}"
    return out


def _beat_parts(inc, wanted, centres, beat_of, beats, crs, unit="beat") -> dict:
    """"north-east part of beat E-02": where a cell lies in its beat (centre of the beat's
    polygon, else of its crimes)."""
    out = {}
    if beats is not None and len(beats):
        poly = beats.assign(beat=beats["beat"].astype(str)).to_crs(crs)
        mids = {b: (g.x, g.y) for b, g in zip(poly["beat"], poly.geometry.centroid)}
    else:
        located = inc[inc["lat"].notna() & (inc["beat"].astype(str) != "")]
        if not len(located):
            return out
        x, y = _project(located["lat"], located["lon"], crs)
        frame = pd.DataFrame({"beat": located["beat"].astype(str).to_numpy(), "x": x, "y": y})
        med = frame.groupby("beat")[["x", "y"]].median()
        mids = {b: (r.x, r.y) for b, r in med.iterrows()}
    for cid in wanted:
        beat = beat_of.get(cid, "")
        if not beat or beat not in mids or pd.isna(centres.loc[cid, "x"]):
            continue
        dx, dy = centres.loc[cid, "x"] - mids[beat][0], centres.loc[cid, "y"] - mids[beat][1]
        if np.hypot(dx, dy) < 150:
            out[cid] = f"centre of {unit} {beat}"
        else:
            sector = int(np.round(np.degrees(np.arctan2(dy, dx)) / 45.0)) % 8
            out[cid] = f"{_COMPASS[sector]} part of {unit} {beat}"
    return out
