"""A seeded synthetic city whose truth is known, for the demo and for checking models.

The city is drawn from an explicit model, so every analysis can be compared with the answer:

- **Space.** Land use on a 50 m grid (a commercial centre, a nightlife strip, transit lines, dense
  low-income neighbourhoods, suburbs, an industrial estate) and points of interest (bars, transit
  stations, schools, markets). Each crime head has its own mix of these layers, so hot spots are
  stable and tied to land use.
- **Time.** Expected daily counts per head = base rate x slow trend x yearly season x weekday
  profile x holiday spikes; hours come from a head's own hour-of-day profile.
- **Near repeats.** Burglary and vehicle theft are self-exciting: each event spawns a Poisson
  number of follow-ups close by within days (a Hawkes branching process).
- **People.** A population of offenders who live somewhere and travel to offend with distance
  decay (some prolific, some in co-offending groups); victims drawn from head-specific profiles,
  with a pool of repeat victims.
- **Patrols.** Duty logs from an outdated plan that sends officers where people live, not where
  crime is, and thins the night shift, so risky nightlife beats are under-patrolled at night.

``generate_city(seed=...)`` returns a :class:`SyntheticCity` (the :class:`~crimekit.schema.Dataset`
plus its :class:`CityTruth`). Same seed, same city.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from crimekit.errors import ParameterError
from crimekit.export import write_csv
from crimekit.periods import check_freq, period_start
from crimekit.schema import Dataset, conform_incidents, conform_patrols, conform_persons
from crimekit.spatial import assign_beats

CITY_NAME = "Demo City (synthetic)"
#: Local metric projection (UTM 43N) and where the city's south-west corner lies in it.
CITY_CRS = "EPSG:32643"
_ORIGIN = (780_000.0, 1_390_000.0)  # about 12.57 N, 77.60 E
WIDTH_M, HEIGHT_M = 14_000.0, 11_000.0
FINE_CELL_M = 50.0

DISTRICT_NAMES = ("Central", "North", "South", "East", "West", "Harbour")


# --- crime heads -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CrimeHead:
    """How one crime head is generated: volume, space, time, people."""

    name: str
    group: str
    heinous: bool
    daily_rate: float                 # expected incidents per day at the start, before effects
    layers: dict                      # land-use layer -> weight (spatial mix)
    hour_peaks: tuple                 # ((hour, width_h, weight), ...) circular bumps
    weekday: tuple                    # 7 relative weights, Monday first
    season_peak_month: float          # month (1-12, fractional) of the yearly maximum
    season_amplitude: float           # relative swing of the yearly cycle (0..1)
    trend_per_year: float             # relative change per year (0.05 = +5 %/yr)
    holiday_factor: float = 1.0       # multiplier on the city's holidays
    near_repeat: float = 0.0          # branching ratio of the self-exciting part
    premises: tuple = ("Street",)
    property_value: tuple | None = None  # (median, sigma of log) when property is involved
    solve_rate: float = 0.4           # share of incidents with at least one accused
    journey_km: float = 2.0           # mean journey-to-crime distance (exponential decay)
    victim_profile: str = "general"   # key of VICTIM_PROFILES, or "" for no victim
    repeat_victim_rate: float = 0.05  # share of victims drawn from the repeat-victim pool


_WEEKEND = (0.9, 0.85, 0.85, 0.9, 1.1, 1.35, 1.25)
_WORKWEEK = (1.15, 1.15, 1.1, 1.1, 1.1, 0.8, 0.6)
_FLAT = (1, 1, 1, 1, 1, 1, 1)

CRIME_HEADS = (
    CrimeHead("Theft", "Property", False, 8.0,
              {"market": 3, "transit": 2, "commercial": 2, "residential": 0.5},
              ((12, 3, 1), (18, 2.5, 1)), _FLAT, 11.5, 0.15, 0.02, 1.5,
              premises=("Market", "Bus stand", "Shop", "Street"), property_value=(6000, 1.0),
              solve_rate=0.25, journey_km=2.5, victim_profile="general", repeat_victim_rate=0.1),
    CrimeHead("Vehicle theft", "Property", False, 4.5,
              {"residential": 1.5, "commercial": 1.5, "transit": 1},
              ((23, 3, 1), (3, 2, 0.6)), _FLAT, 5.0, 0.1, 0.03, near_repeat=0.25,
              premises=("Street", "Parking lot", "Residence"), property_value=(45000, 0.6),
              solve_rate=0.2, journey_km=3.0, victim_profile="owner"),
    CrimeHead("Burglary", "Property", False, 3.5,
              {"suburb": 3, "residential": 1.5},
              ((2, 2, 1), (14, 2, 0.35)), (1, 1, 1, 1, 1, 1.05, 1.05), 11.0, 0.25, -0.04,
              near_repeat=0.4, premises=("Residence", "Shop"), property_value=(40000, 1.1),
              solve_rate=0.2, journey_km=2.0, victim_profile="householder",
              repeat_victim_rate=0.15),
    CrimeHead("Chain snatching", "Property", False, 1.3,
              {"residential": 1.5, "suburb": 1.5, "school": 1},
              ((7, 1.5, 1), (19, 1.5, 1)), _FLAT, 10.0, 0.2, 0.0,
              premises=("Street",), property_value=(35000, 0.5),
              solve_rate=0.3, journey_km=4.0, victim_profile="women_mid"),
    CrimeHead("Robbery", "Property", True, 1.0,
              {"nightlife": 2, "transit": 2, "lowincome": 1},
              ((22, 3, 1),), _WEEKEND, 12.0, 0.15, 0.0,
              premises=("Street", "Shop"), property_value=(8000, 1.0),
              solve_rate=0.45, journey_km=1.8, victim_profile="young_men"),
    CrimeHead("Hurt", "Body", False, 6.5,
              {"nightlife": 4, "lowincome": 2, "market": 1},
              ((21, 3, 1), (1, 2, 0.6)), _WEEKEND, 5.0, 0.2, 0.03, 2.0,
              premises=("Street", "Bar", "Residence"), solve_rate=0.7, journey_km=1.2,
              victim_profile="young_men", repeat_victim_rate=0.08),
    CrimeHead("Attempt to murder", "Body", True, 0.35,
              {"nightlife": 2, "lowincome": 3},
              ((22, 3, 1),), _WEEKEND, 5.0, 0.2, 0.0, 1.5,
              premises=("Street", "Residence"), solve_rate=0.8, journey_km=1.0,
              victim_profile="young_men"),
    CrimeHead("Murder", "Body", True, 0.12,
              {"lowincome": 3, "nightlife": 1, "residential": 1},
              ((23, 3, 1),), _WEEKEND, 5.0, 0.2, -0.02,
              premises=("Residence", "Street"), solve_rate=0.9, journey_km=0.8,
              victim_profile="young_men"),
    CrimeHead("Kidnapping", "Body", True, 0.5,
              {"residential": 1, "lowincome": 1.5, "school": 1},
              ((16, 3, 1),), _FLAT, 6.0, 0.1, 0.02,
              premises=("Street", "Residence"), solve_rate=0.6, journey_km=2.0,
              victim_profile="minors"),
    CrimeHead("Molestation", "Women", False, 1.6,
              {"transit": 3, "market": 1.5, "school": 1},
              ((9, 2, 1), (18, 2, 1)), _WORKWEEK, 4.0, 0.15, 0.05,
              premises=("Bus stand", "Street", "Market"), solve_rate=0.5, journey_km=1.5,
              victim_profile="women_young"),
    CrimeHead("Cruelty by husband", "Women", False, 2.0,
              {"residential": 2, "lowincome": 2},
              ((21, 3, 1),), _WEEKEND, 6.0, 0.1, 0.04,
              premises=("Residence",), solve_rate=0.95, journey_km=0.05,
              victim_profile="wives", repeat_victim_rate=0.3),
    CrimeHead("Cheating", "Economic", False, 2.5,
              {"commercial": 3, "market": 1},
              ((13, 3, 1),), _WORKWEEK, 3.0, 0.1, 0.05,
              premises=("Office", "Shop"), property_value=(50000, 1.3),
              solve_rate=0.35, journey_km=4.0, victim_profile="elderly"),
    CrimeHead("Cyber fraud", "Economic", False, 1.5,
              {"residential": 2, "suburb": 2},
              ((15, 4, 1),), _WORKWEEK, 3.0, 0.05, 0.35,
              premises=("Online",), property_value=(30000, 1.4),
              solve_rate=0.05, journey_km=6.0, victim_profile="elderly"),
    CrimeHead("Rioting", "Public order", False, 0.6,
              {"lowincome": 2, "commercial": 1},
              ((17, 3, 1),), _FLAT, 9.0, 0.3, 0.0, 4.0,
              premises=("Street",), solve_rate=0.9, journey_km=1.5, victim_profile=""),
    CrimeHead("Public nuisance", "Public order", False, 4.0,
              {"nightlife": 5, "transit": 1},
              ((23, 2.5, 1),), _WEEKEND, 12.0, 0.15, 0.0, 2.5,
              premises=("Bar", "Street"), solve_rate=0.95, journey_km=1.5, victim_profile=""),
    CrimeHead("Drugs (NDPS)", "Public order", False, 0.9,
              {"nightlife": 2, "lowincome": 2, "school": 0.5},
              ((20, 3, 1),), _FLAT, 6.0, 0.1, 0.08,
              premises=("Street",), solve_rate=1.0, journey_km=1.0, victim_profile=""),
)
HEAD_BY_NAME = {h.name: h for h in CRIME_HEADS}


@dataclass(frozen=True)
class ShiftingSpot:
    """A hot spot that emerges or fades: extra crime at one place for part of the period.

    ``active`` is the (start, end) share of the whole period during which it adds
    ``daily_rate`` incidents a day, split evenly over ``heads``, within ~``radius_m`` metres.
    """

    name: str
    where: tuple        # (x, y) as shares of the city's width and height
    heads: tuple
    daily_rate: float
    active: tuple
    radius_m: float = 120.0


SHIFTING_SPOTS = (
    ShiftingSpot("New nightlife strip", (0.38, 0.62), ("Hurt", "Public nuisance", "Robbery"),
                 1.2, (0.45, 1.0)),
    ShiftingSpot("New bus terminus", (0.7, 0.42), ("Theft", "Molestation", "Chain snatching"),
                 1.0, (0.55, 1.0)),
    ShiftingSpot("Market closed for rebuilding", (0.35, 0.3), ("Theft", "Cheating"), 1.0,
                 (0.0, 0.5)),
    ShiftingSpot("Drug corner, later cleared", (0.68, 0.22), ("Drugs (NDPS)", "Hurt", "Robbery"),
                 0.7, (0.2, 0.7)),
    ShiftingSpot("Construction site", (0.25, 0.55), ("Theft", "Vehicle theft"), 0.6,
                 (0.6, 1.0)),
    ShiftingSpot("Burglary wave in an estate", (0.82, 0.6), ("Burglary",), 0.6, (0.3, 0.6),
                 radius_m=250.0),
)

# Victim profiles: (share female, age mean, age sd, occupation weights, SES weights low/mid/high)
_OCC = ("Labourer", "Student", "Homemaker", "Shopkeeper", "Office worker", "Driver", "Retired",
        "Unemployed", "Professional")
VICTIM_PROFILES = {
    "general": (0.45, 36, 13, (2, 2, 2, 2, 2, 1, 1, 1, 1), (1, 1.2, 0.6)),
    "owner": (0.25, 38, 11, (1, 0.5, 0.5, 2, 3, 2, 1, 0.2, 2), (0.5, 1.2, 1)),
    "householder": (0.4, 45, 12, (0.5, 0.2, 2, 1, 2, 0.5, 2, 0.2, 2), (0.3, 1, 1.5)),
    "women_mid": (0.95, 48, 10, (0.5, 0.2, 4, 1, 1, 0.1, 1.5, 0.2, 0.5), (0.3, 1.2, 1)),
    "young_men": (0.15, 26, 7, (4, 2, 0.2, 1, 1, 2, 0.1, 2, 0.5), (2, 1, 0.3)),
    "minors": (0.6, 14, 3, (0, 5, 0, 0, 0, 0, 0, 0.2, 0), (1.5, 1, 0.5)),
    "women_young": (1.0, 23, 5, (0.5, 4, 1, 0.5, 2, 0, 0, 0.5, 0.5), (1, 1.2, 0.6)),
    "wives": (1.0, 31, 7, (1, 0, 5, 0.2, 0.5, 0, 0, 0.2, 0.2), (2, 1, 0.4)),
    "elderly": (0.5, 66, 8, (0, 0, 1, 0.5, 0.5, 0, 6, 0, 0.5), (0.5, 1.2, 1)),
}
#: The group each victim profile over-represents, as a check for profiling code.
OVERREPRESENTED = {
    "women_mid": ("sex", "F"), "young_men": ("sex", "M"), "women_young": ("sex", "F"),
    "wives": ("sex", "F"), "elderly": ("occupation", "Retired"), "minors": ("occupation", "Student"),
}
_SES = ("Low", "Middle", "High")
_CASTES = ("General", "OBC", "SC", "ST")
_FIRST = ("Ravi", "Suresh", "Manju", "Anil", "Kiran", "Prakash", "Lakshmi", "Geetha", "Asha",
          "Divya", "Imran", "Salma", "Joseph", "Mary", "Rahul", "Pooja", "Naveen", "Shilpa")
_LAST = ("Kumar", "Gowda", "Rao", "Shetty", "Naik", "Patil", "Khan", "Reddy", "Hegde", "D'Souza")


# --- the result --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CityTruth:
    """What the synthetic city was drawn from.

    Attributes
    ----------
    fine_cells : DataFrame, one row per 50 m cell inside the city: ``x``, ``y`` (metres, CITY_CRS),
        ``lat``, ``lon`` of its centre.
    cell_probs : ndarray (n_heads, n_fine_cells): where each head's incidents fall.
    daily : DataFrame indexed by date, one column per head: expected incidents that day
        (background x 1/(1 - branching ratio) for self-exciting heads).
    heads : tuple of CrimeHead used.
    offenders : DataFrame of the offender population (``person_id``, ``propensity``, ``group_id``,
        ``home_lat``, ``home_lon``, ``prolific``).
    repeat_victims : DataFrame of the repeat-victim pool (``person_id``, ``lat``, ``lon``).
    under_patrolled_night : list of beats whose night risk most exceeds their night patrols.
    holidays : DataFrame ``date``, ``holiday``.
    """

    fine_cells: pd.DataFrame
    cell_probs: np.ndarray
    daily: pd.DataFrame
    heads: tuple
    offenders: pd.DataFrame
    repeat_victims: pd.DataFrame
    under_patrolled_night: list
    holidays: pd.DataFrame
    spots: pd.DataFrame = field(default_factory=pd.DataFrame)
    spot_probs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    params: dict = field(default_factory=dict)

    def spot_daily(self, categories=None) -> pd.DataFrame:
        """Expected incidents per day from each shifting spot (one column per spots row)."""
        rows = self.spots if categories is None else self.spots[
            self.spots["head"].isin(list(categories))]
        days = self.daily.index
        return pd.DataFrame({i: np.where((days >= r.start) & (days < r.end), r.daily_rate, 0.0)
                             for i, r in rows.iterrows()}, index=days)

    def total_daily(self) -> pd.Series:
        """Expected incidents per day, all heads and spots together."""
        return self.daily.sum(axis=1) + self.spot_daily().sum(axis=1)

    def head_index(self, categories=None) -> list:
        """Positions in ``heads`` of the named categories (all when None)."""
        names = [h.name for h in self.heads]
        if categories is None:
            return list(range(len(names)))
        return [names.index(c) for c in categories if c in names]

    def expected_counts(self, unit_of_fine_cell, *, freq="W", start=None, end=None,
                        categories=None) -> pd.DataFrame:
        """Expected incidents per (period, unit) for any spatial units.

        ``unit_of_fine_cell`` gives, for each row of ``fine_cells``, the unit it belongs to (a
        grid cell id, a beat, ...; NaN/None for none). Periods are those of crimekit.periods
        (weeks start on Monday), but not shifts: the truth is daily, so it cannot be split into
        8-hour shifts. Returns columns ``period_start, unit, expected``.
        """
        check_freq(freq, "expected_counts", allowed=("D", "W", "2W", "M"))
        idx = self.head_index(categories)
        spot_daily = self.spot_daily(categories)
        daily = pd.concat([self.daily.iloc[:, idx], spot_daily], axis=1)
        if start is not None:
            daily = daily[daily.index >= pd.Timestamp(start)]
        if end is not None:
            daily = daily[daily.index < pd.Timestamp(end)]
        per_period = daily.groupby(period_start(daily.index, freq)).sum()
        units = pd.Series(unit_of_fine_cell).reset_index(drop=True)
        keep = units.notna().to_numpy()
        codes, labels = pd.factorize(units[keep])
        maps_ = [self.cell_probs[h] for h in idx] + [
            self.spot_probs[self.spots.loc[i, "spot"]] for i in spot_daily.columns]
        unit_probs = np.zeros((len(maps_), len(labels)))
        for row, probs in enumerate(maps_):
            unit_probs[row] = np.bincount(codes, weights=probs[keep], minlength=len(labels))
        expected = per_period.to_numpy() @ unit_probs
        out = pd.DataFrame(expected, index=per_period.index, columns=labels)
        out = out.rename_axis(index="period_start", columns="unit").stack()
        return out.rename("expected").reset_index()


@dataclass(frozen=True)
class SyntheticCity:
    """A generated city: its canonical dataset and the truth it was drawn from."""

    dataset: Dataset
    truth: CityTruth


# --- generation --------------------------------------------------------------------------------

def generate_city(seed: int = 7, *, start="2023-01-01", years: float = 3.0,
                  scale: float = 1.0, n_beats: int = 110, n_offenders: int | None = None,
                  patrol_days: int = 365) -> SyntheticCity:
    """Generate the synthetic city.

    Parameters
    ----------
    seed : the random seed; the same seed (and settings) gives the same city.
    start, years : the period covered by incidents.
    scale : multiplies every crime rate (``scale=20`` gives about a million incidents).
    n_beats : number of beat polygons (60-150 is realistic).
    n_offenders : size of the offender population (default grows with ``scale``).
    patrol_days : how many days of beat duty logs to write, ending with the data.
    """
    _check_params(years, scale, n_beats)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start).normalize()
    end = start + pd.DateOffset(days=int(round(365.25 * years)))
    boundary = _city_boundary(rng)
    cells = _fine_cells(boundary)
    pois = _points_of_interest(rng, boundary)
    layers = _land_use_layers(cells, pois)
    probs = _head_cell_probs(layers)
    beats = _beats(rng, boundary, layers, n_beats)
    holidays = city_holidays(start.year, end.year)
    daily = _daily_expected(start, end, holidays) * scale
    spots, spot_probs = _shifting_spots(cells, start, end, scale)
    incidents = pd.concat([_draw_incidents(rng, cells, probs, daily),
                           _draw_spot_incidents(rng, cells, spots, spot_probs, daily.index)],
                          ignore_index=True).sort_values("occurred_at", kind="stable",
                                                         ignore_index=True)
    to_wgs = Transformer.from_crs(CITY_CRS, "EPSG:4326", always_xy=True)
    incidents["lon"], incidents["lat"] = to_wgs.transform(incidents.pop("x"), incidents.pop("y"))
    cells["lon"], cells["lat"] = to_wgs.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
    beats_wgs = beats.to_crs("EPSG:4326")
    incidents = _assign_beats(incidents, beats_wgs)
    incidents = incidents[incidents["beat"] != ""].reset_index(drop=True)  # follow-ups off the map
    n_off = n_offenders or int(3000 * max(scale, 0.2) ** 0.7)
    offenders = _offender_population(rng, cells, layers, n_off)
    repeat_pool = _repeat_victim_pool(rng, cells, layers)
    persons, incidents = _draw_persons(rng, incidents, offenders, repeat_pool)
    patrols, under_night = _duty_logs(rng, beats_wgs, incidents, layers, cells, end, patrol_days)
    pois_wgs = pois.copy()
    pois_wgs["lon"], pois_wgs["lat"] = to_wgs.transform(pois["x"].to_numpy(), pois["y"].to_numpy())
    truth = CityTruth(
        fine_cells=cells[["x", "y", "lat", "lon"]], cell_probs=probs,
        daily=daily * np.array([1 / (1 - h.near_repeat) for h in CRIME_HEADS]),
        heads=CRIME_HEADS, offenders=offenders, repeat_victims=repeat_pool,
        under_patrolled_night=under_night, holidays=holidays, spots=spots,
        spot_probs=spot_probs, params={"seed": seed, "start": str(start.date()), "end": str(end.date()),
                "scale": scale})
    dataset = Dataset(
        name="demo", incidents=conform_incidents(incidents), persons=conform_persons(persons),
        beats=beats_wgs, patrols=conform_patrols(patrols),
        pois=pois_wgs[["kind", "name", "lat", "lon"]], holidays=holidays,
        meta={"source": CITY_NAME, "seed": seed, "crs": CITY_CRS})
    return SyntheticCity(dataset, truth)


def _check_params(years, scale, n_beats):
    if not 0 < years <= 30:
        raise ParameterError.invalid("years", "generate_city", "a number in (0, 30]", years)
    if not 0 < scale <= 100:
        raise ParameterError.invalid("scale", "generate_city", "a number in (0, 100]", scale)
    if not 10 <= n_beats <= 1000:
        raise ParameterError.invalid("n_beats", "generate_city", "an integer in [10, 1000]",
                                     n_beats)


def _city_boundary(rng) -> shapely.Polygon:
    """An irregular, roughly elliptical city limit in metres."""
    angles = np.linspace(0, 2 * np.pi, 73)[:-1]
    wobble = 1 + 0.06 * np.sin(3 * angles + rng.uniform(0, 6)) + 0.04 * np.sin(5 * angles)
    x = WIDTH_M / 2 + 0.48 * WIDTH_M * np.cos(angles) * wobble
    y = HEIGHT_M / 2 + 0.48 * HEIGHT_M * np.sin(angles) * wobble
    return shapely.Polygon(np.column_stack([x + _ORIGIN[0], y + _ORIGIN[1]]))


def _fine_cells(boundary) -> pd.DataFrame:
    """Centres of the 50 m cells that lie inside the city."""
    xs = np.arange(FINE_CELL_M / 2, WIDTH_M, FINE_CELL_M) + _ORIGIN[0]
    ys = np.arange(FINE_CELL_M / 2, HEIGHT_M, FINE_CELL_M) + _ORIGIN[1]
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(boundary, gx.ravel(), gy.ravel())
    return pd.DataFrame({"x": gx.ravel()[inside], "y": gy.ravel()[inside]})


def _local(frac_x, frac_y):
    return _ORIGIN[0] + frac_x * WIDTH_M, _ORIGIN[1] + frac_y * HEIGHT_M


_CENTRE = _local(0.5, 0.5)
_NIGHTLIFE = _local(0.6, 0.58)
_LOWINCOME = (_local(0.3, 0.35), _local(0.7, 0.25), _local(0.22, 0.7))
_INDUSTRY = _local(0.85, 0.75)


def _points_of_interest(rng, boundary) -> pd.DataFrame:
    """Bars, transit stations, schools and markets placed by land use."""
    rows = []
    def add(kind, xy, name):
        if shapely.contains_xy(boundary, *xy):
            rows.append((kind, name, *xy))
    for i, t in enumerate(np.linspace(0.08, 0.92, 13)):  # an east-west and a north-south line
        add("transit", _local(t, 0.5 + 0.08 * np.sin(4 * t)), f"Station EW{i + 1}")
        add("transit", _local(0.5 + 0.06 * np.cos(5 * t), t), f"Station NS{i + 1}")
    for i in range(35):
        r = rng.exponential(350)
        a = rng.uniform(0, 2 * np.pi)
        add("bar", (_NIGHTLIFE[0] + r * np.cos(a), _NIGHTLIFE[1] + r * np.sin(a)), f"Bar {i + 1}")
    for i in range(10):
        add("bar", _local(*rng.uniform(0.15, 0.85, 2)), f"Bar {36 + i}")
    for i, xy in enumerate([_CENTRE, _local(0.35, 0.3), _local(0.72, 0.3), _local(0.25, 0.65),
                            _local(0.65, 0.75), _local(0.45, 0.85), _local(0.8, 0.5)]):
        add("market", xy, f"Market {i + 1}")
    for i in range(30):
        add("school", _local(*rng.uniform(0.1, 0.9, 2)), f"School {i + 1}")
    return pd.DataFrame(rows, columns=["kind", "name", "x", "y"])


def _bump(cells, centre, sigma):
    d2 = (cells["x"].to_numpy() - centre[0]) ** 2 + (cells["y"].to_numpy() - centre[1]) ** 2
    return np.exp(-d2 / (2 * sigma ** 2))


def _land_use_layers(cells, pois) -> dict:
    """Each land-use layer as a non-negative weight per fine cell, normalised to sum 1."""
    layers = {
        "commercial": _bump(cells, _CENTRE, 1300),
        "nightlife": _bump(cells, _NIGHTLIFE, 450),
        "lowincome": sum(_bump(cells, c, 600) for c in _LOWINCOME),
        "residential": 0.3 + _bump(cells, _CENTRE, 3500) - 0.5 * _bump(cells, _CENTRE, 800)
        - 0.5 * _bump(cells, _INDUSTRY, 1000),
        "suburb": np.clip(np.hypot((cells["x"] - _CENTRE[0]) / WIDTH_M,
                                   (cells["y"] - _CENTRE[1]) / HEIGHT_M).to_numpy() - 0.2, 0, None),
    }
    for kind, sigma in (("transit", 120), ("bar", 80), ("market", 150), ("school", 120)):
        pts = pois[pois["kind"] == kind]
        layers[kind] = sum(_bump(cells, (px, py), sigma) for px, py in zip(pts["x"], pts["y"]))
    layers["nightlife"] = layers["nightlife"] + 0.5 * layers.pop("bar") / layers["nightlife"].max()
    return {k: np.clip(v, 0, None) / np.clip(v, 0, None).sum() for k, v in layers.items()}


def _head_cell_probs(layers) -> np.ndarray:
    """Where each head falls: its weighted mix of land-use layers plus a little everywhere."""
    n = len(next(iter(layers.values())))
    probs = np.empty((len(CRIME_HEADS), n))
    for i, head in enumerate(CRIME_HEADS):
        mix = sum(w * layers[k] for k, w in head.layers.items()) / sum(head.layers.values())
        p = 0.9 * mix + 0.1 / n
        probs[i] = p / p.sum()
    return probs


def _beats(rng, boundary, layers, n_beats) -> gpd.GeoDataFrame:
    """Beat polygons: a Voronoi tessellation, smaller where people and business are dense."""
    weight = layers["residential"] + 2 * layers["commercial"] + layers["lowincome"]
    xs = np.arange(FINE_CELL_M / 2, WIDTH_M, FINE_CELL_M) + _ORIGIN[0]
    ys = np.arange(FINE_CELL_M / 2, HEIGHT_M, FINE_CELL_M) + _ORIGIN[1]
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(boundary, gx.ravel(), gy.ravel())
    cx, cy = gx.ravel()[inside], gy.ravel()[inside]
    seeds = _spread_seeds(rng, cx, cy, weight, n_beats)
    cellsets = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=boundary)
    polys = [shapely.intersection(p, boundary) for p in shapely.get_parts(cellsets)]
    gdf = gpd.GeoDataFrame(geometry=polys, crs=CITY_CRS)
    gdf = gdf[~gdf.geometry.is_empty].reset_index(drop=True)
    return _name_beats(gdf)


def _spread_seeds(rng, cx, cy, weight, n):
    """Sample seed points by weight, then push them apart with a few Lloyd-like steps."""
    p = np.sqrt(weight) / np.sqrt(weight).sum()
    pick = rng.choice(len(cx), size=n, replace=False, p=p)
    seeds = np.column_stack([cx[pick], cy[pick]])
    sample = rng.choice(len(cx), size=min(len(cx), 20000), replace=False, p=p)
    pts = np.column_stack([cx[sample], cy[sample]])
    for _ in range(6):
        nearest = np.argmin(((pts[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
        for k in range(n):
            mine = pts[nearest == k]
            if len(mine):
                seeds[k] = mine.mean(axis=0)
    return seeds


def _name_beats(gdf) -> gpd.GeoDataFrame:
    """Group beats into districts by position and name them like 'C-04' (district letter)."""
    cent = np.column_stack([gdf.centroid.x, gdf.centroid.y])
    rel = (cent - np.array(_CENTRE)) / np.array([WIDTH_M, HEIGHT_M])
    angle = np.degrees(np.arctan2(rel[:, 1], rel[:, 0])) % 360
    district = np.where(np.hypot(*rel.T) < 0.14, "Central",
               np.where(angle < 60, "East", np.where(angle < 140, "North",
               np.where(angle < 200, "West", np.where(angle < 290, "South", "Harbour")))))
    gdf["district"] = district
    order = np.lexsort((-cent[:, 1], cent[:, 0], district))
    gdf = gdf.iloc[order].reset_index(drop=True)
    gdf["beat"] = gdf.groupby("district").cumcount().add(1).map("{:02d}".format)
    gdf["beat"] = gdf["district"].str[0] + "-" + gdf["beat"]
    return gdf[["beat", "district", "geometry"]]


def city_holidays(first_year: int, last_year: int) -> pd.DataFrame:
    """The demo city's own public holidays and festivals (fixed and moving dates)."""
    rows = []
    for year in range(first_year, last_year + 1):
        rows += [(f"{year}-01-01", "New Year"), (f"{year}-01-26", "Republic Day"),
                 (f"{year}-05-01", "Labour Day"), (f"{year}-08-15", "Independence Day"),
                 (f"{year}-10-02", "Gandhi Jayanti"), (f"{year}-12-25", "Christmas"),
                 (f"{year}-12-31", "New Year's Eve")]
        lights = pd.Timestamp(f"{year}-10-18") + pd.Timedelta(days=(year * 11) % 24)
        colours = pd.Timestamp(f"{year}-03-01") + pd.Timedelta(days=(year * 7) % 25)
        harvest = pd.Timestamp(f"{year}-01-14")
        rows += [(str(lights.date()), "Festival of Lights"),
                 (str((lights + pd.Timedelta(days=1)).date()), "Festival of Lights"),
                 (str(colours.date()), "Festival of Colours"), (str(harvest.date()), "Harvest")]
    out = pd.DataFrame(rows, columns=["date", "holiday"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date").reset_index(drop=True)


def _daily_expected(start, end, holidays) -> pd.DataFrame:
    """Expected background incidents per day and head (before near-repeat follow-ups)."""
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    years = ((days - start).days / 365.25).to_numpy()
    doy = days.day_of_year.to_numpy()
    dow = days.day_of_week.to_numpy()
    is_holiday = days.isin(holidays["date"])
    out = {}
    for head in CRIME_HEADS:
        peak_doy = (head.season_peak_month - 1) * 30.44 + 15
        season = 1 + head.season_amplitude * np.cos(2 * np.pi * (doy - peak_doy) / 365.25)
        week = np.asarray(head.weekday, float) / np.mean(head.weekday)
        trend = (1 + head.trend_per_year) ** years
        holiday = np.where(is_holiday, head.holiday_factor, 1.0)
        out[head.name] = head.daily_rate * trend * season * week[dow] * holiday
    return pd.DataFrame(out, index=days)


def _shifting_spots(cells, start, end, scale):
    """The shifting spots as rows (spot, name, head, start, end, daily_rate) and their maps."""
    span = end - start
    rows, maps_ = [], []
    for i, spot in enumerate(SHIFTING_SPOTS):
        centre = _local(*spot.where)
        kernel = _bump(cells, centre, spot.radius_m)
        maps_.append(kernel / kernel.sum())
        first, last = (start + span * f for f in spot.active)
        rows += [(i, spot.name, head, first.normalize(), last.normalize(),
                  scale * spot.daily_rate / len(spot.heads)) for head in spot.heads]
    table = pd.DataFrame(rows, columns=["spot", "name", "head", "start", "end", "daily_rate"])
    return table, np.array(maps_)


def _draw_spot_incidents(rng, cells, spots, spot_probs, days) -> pd.DataFrame:
    """Incidents from the shifting spots: Poisson per active day, places from each spot's map."""
    frames = []
    for row in spots.itertuples():
        active = days[(days >= row.start) & (days < row.end)]
        counts = rng.poisson(row.daily_rate, len(active))
        day = np.repeat(active.to_numpy(), counts)
        cell = rng.choice(len(cells), size=len(day), p=spot_probs[row.spot])
        hour = rng.choice(24, size=len(day), p=_hour_profile(HEAD_BY_NAME[row.head]))
        frames.append(pd.DataFrame({
            "occurred_at": pd.DatetimeIndex(day) + pd.to_timedelta(
                hour * 60 + rng.integers(0, 60, len(day)), unit="min"),
            "x": cells["x"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M,
            "y": cells["y"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M,
            "category": row.head, "near_repeat_of": -1}))
    return pd.concat(frames, ignore_index=True)


def _hour_profile(head) -> np.ndarray:
    hours = np.arange(24)
    prof = np.full(24, 0.08)
    for hour, width, weight in head.hour_peaks:
        d = np.minimum(np.abs(hours - hour), 24 - np.abs(hours - hour))
        prof += weight * np.exp(-d ** 2 / (2 * width ** 2))
    return prof / prof.sum()


def _draw_incidents(rng, cells, probs, daily, scale_check=None) -> pd.DataFrame:
    """Draw incidents: Poisson counts per day and head, places from the head's map, hours from
    its profile, then near-repeat follow-ups for self-exciting heads."""
    frames = []
    for i, head in enumerate(CRIME_HEADS):
        counts = rng.poisson(daily[head.name].to_numpy())
        day = np.repeat(daily.index.to_numpy(), counts)
        cell = rng.choice(len(cells), size=len(day), p=probs[i])
        x = cells["x"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M
        y = cells["y"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M
        hour = rng.choice(24, size=len(day), p=_hour_profile(head))
        t = pd.DatetimeIndex(day) + pd.to_timedelta(hour * 60 + rng.integers(0, 60, len(day)),
                                                    unit="min")
        ev = pd.DataFrame({"occurred_at": t, "x": x, "y": y, "category": head.name,
                           "near_repeat_of": -1})
        if head.near_repeat > 0:
            ev = _add_near_repeats(rng, ev, head, daily.index[-1] + pd.Timedelta(days=1))
        frames.append(ev)
    out = pd.concat(frames, ignore_index=True).sort_values("occurred_at", kind="stable")
    return out.reset_index(drop=True)


def _add_near_repeats(rng, events, head, end) -> pd.DataFrame:
    """Hawkes branching: each event spawns Poisson(n) follow-ups ~5 days later within ~150 m."""
    generations = [events]
    parents = events
    while len(parents):
        k = rng.poisson(head.near_repeat, len(parents))
        idx = np.repeat(np.arange(len(parents)), k)
        if not len(idx):
            break
        delay = pd.to_timedelta(rng.exponential(5.0, len(idx)) * 24 * 60, unit="min")
        child = pd.DataFrame({
            "occurred_at": parents["occurred_at"].to_numpy()[idx] + delay,
            "x": parents["x"].to_numpy()[idx] + rng.normal(0, 150, len(idx)),
            "y": parents["y"].to_numpy()[idx] + rng.normal(0, 150, len(idx)),
            "category": head.name, "near_repeat_of": 1})
        hours = rng.choice(24, size=len(child), p=_hour_profile(head))
        child["occurred_at"] = (child["occurred_at"].dt.normalize()
                                + pd.to_timedelta(hours * 60 + rng.integers(0, 60, len(child)),
                                                  unit="min"))
        child = child[child["occurred_at"] < end]
        generations.append(child)
        parents = child
    return pd.concat(generations, ignore_index=True)


def _assign_beats(incidents, beats_wgs) -> pd.DataFrame:
    """Beat and district of each incident by point in polygon."""
    out = incidents.copy()
    where = assign_beats(out["lat"], out["lon"], beats_wgs)
    out["beat"], out["district"] = where["beat"].to_numpy(), where["district"].to_numpy()
    return out


def _sample_cells(rng, cells, weight, n):
    cell = rng.choice(len(cells), size=n, p=weight / weight.sum())
    jitter = rng.uniform(-0.5, 0.5, (n, 2)) * FINE_CELL_M
    return cells["lat"].to_numpy()[cell], cells["lon"].to_numpy()[cell], jitter


def _offender_population(rng, cells, layers, n) -> pd.DataFrame:
    """Offenders with homes (mostly low-income areas), propensities and co-offending groups."""
    home_w = layers["lowincome"] * 3 + layers["residential"]
    lat, lon, jitter = _sample_cells(rng, cells, home_w, n)
    deg = jitter / 111_000.0
    prolific = rng.random(n) < 0.03
    propensity = rng.lognormal(0, 0.6, n) * np.where(prolific, 25.0, 1.0)
    group = np.where(rng.random(n) < 0.35, rng.integers(0, n // 4 + 1, n), -1)
    age = np.clip(rng.gamma(6, 4.5, n) + 12, 15, 70).round()
    return pd.DataFrame({
        "person_id": [f"A{i:05d}" for i in range(n)], "propensity": propensity,
        "prolific": prolific, "group_id": group,
        "home_lat": lat + deg[:, 1], "home_lon": lon + deg[:, 0], "age": age,
        "sex": np.where(rng.random(n) < 0.9, "M", "F"),
        "occupation": rng.choice(["Labourer", "Unemployed", "Driver", "Student", "Shopkeeper",
                                  "Office worker"], n, p=[0.35, 0.25, 0.15, 0.1, 0.1, 0.05]),
        "socio_economic": rng.choice(_SES, n, p=[0.6, 0.33, 0.07]),
        "caste": rng.choice(_CASTES, n, p=[0.3, 0.4, 0.2, 0.1]),
        "nationality": np.where(rng.random(n) < 0.97, "Indian", "Nepali"),
        "name": [f"{a} {b}" for a, b in zip(rng.choice(_FIRST, n), rng.choice(_LAST, n))],
    })


def _repeat_victim_pool(rng, cells, layers, n=400) -> pd.DataFrame:
    """People and addresses that are victimised again and again."""
    w = layers["residential"] + layers["market"] + layers["lowincome"]
    lat, lon, _ = _sample_cells(rng, cells, w, n)
    return pd.DataFrame({"person_id": [f"RV{i:04d}" for i in range(n)], "lat": lat, "lon": lon})


def _haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def _planar_km(lat1, lon1, lat2, lon2):
    """Distance in km on a local flat approximation (exact enough within a city, and fast)."""
    dy = (lat2 - lat1) * 110.57
    dx = (lon2 - lon1) * 111.32 * np.cos(np.radians(lat1))
    return np.sqrt(dx * dx + dy * dy)


def _draw_persons(rng, incidents, offenders, repeat_pool):
    """Victims and accused for each incident; also decides arrests, premises and values."""
    inc = incidents.copy()
    inc["incident_id"] = [f"DC{t.year}-{i:07d}" for i, t in enumerate(inc["occurred_at"], 1)]
    accused = _draw_accused(rng, inc, offenders)
    victims = _draw_victims(rng, inc, repeat_pool)
    solved = inc["incident_id"].isin(accused["incident_id"])
    inc["arrest"] = solved & (rng.random(len(inc)) < 0.7)
    inc["category_group"] = inc["category"].map(lambda c: HEAD_BY_NAME[c].group)
    inc["heinous"] = inc["category"].map(lambda c: HEAD_BY_NAME[c].heinous)
    inc["premises"] = ""
    inc["property_value"] = np.nan
    for head in CRIME_HEADS:
        m = (inc["category"] == head.name).to_numpy()
        inc.loc[m, "premises"] = rng.choice(head.premises, m.sum())
        if head.property_value:
            med, sig = head.property_value
            inc.loc[m, "property_value"] = np.round(med * rng.lognormal(0, sig, m.sum()), -1)
    inc["description"] = inc["category"] + " at " + inc["premises"].str.lower()
    inc["near_repeat"] = inc.pop("near_repeat_of") > 0
    persons = pd.concat([victims, accused], ignore_index=True)
    return persons, inc


def _draw_accused(rng, inc, offenders) -> pd.DataFrame:
    """Pick accused offenders by propensity x distance decay from home (plus group partners).

    Distances are taken from the centre of the ~250 m zone an incident lies in, so the cost
    grows with zones x offenders rather than incidents x offenders (a million-incident city
    stays quick to generate).
    """
    rows = []
    off_lat, off_lon = offenders["home_lat"].to_numpy(), offenders["home_lon"].to_numpy()
    prop = offenders["propensity"].to_numpy()
    groups = offenders.groupby("group_id").indices
    gid = offenders["group_id"].to_numpy()
    lat, lon = inc["lat"].to_numpy(), inc["lon"].to_numpy()
    zone = pd.factorize(pd.Series(np.floor(lat / 0.00225) * 1e5 + np.floor(lon / 0.0023)))[0]
    for head in CRIME_HEADS:
        m = np.flatnonzero(((inc["category"] == head.name).to_numpy())
                           & (rng.random(len(inc)) < head.solve_rate))
        for zones in np.array_split(np.unique(zone[m]), max(1, len(np.unique(zone[m])) // 400)):
            in_zones = m[np.isin(zone[m], zones)]
            z_lat = pd.Series(lat[in_zones]).groupby(zone[in_zones]).mean()
            z_lon = pd.Series(lon[in_zones]).groupby(zone[in_zones]).mean()
            d = _planar_km(z_lat.to_numpy()[:, None], z_lon.to_numpy()[:, None],
                           off_lat[None], off_lon[None])
            cdf = np.cumsum(prop[None] * np.exp(-d / head.journey_km), axis=1)
            row = pd.Series(np.arange(len(z_lat)), index=z_lat.index)[zone[in_zones]].to_numpy()
            u = rng.random(len(in_zones)) * cdf[row, -1]
            for r in np.unique(row):
                mine = row == r
                pick = np.minimum(np.searchsorted(cdf[r], u[mine]), len(prop) - 1)
                rows += list(zip(in_zones[mine].tolist(), pick.tolist()))
    rows = _add_co_offenders(rng, rows, groups, gid)
    if not rows:
        return conform_persons(pd.DataFrame())
    idx, who = map(np.array, zip(*rows))
    off = offenders.iloc[who].reset_index(drop=True)
    out = off[["person_id", "name", "age", "sex", "occupation", "socio_economic", "caste",
               "nationality", "home_lat", "home_lon"]].copy()
    out.insert(0, "role", "accused")
    out.insert(0, "incident_id", inc["incident_id"].to_numpy()[idx])
    return out


def _add_co_offenders(rng, rows, groups, gid) -> list:
    """Half the time, an offender in a co-offending group brings one or two group mates."""
    out = []
    for i, p in rows:
        out.append((i, p))
        if gid[p] >= 0 and rng.random() < 0.5:
            mates = [q for q in groups[gid[p]] if q != p]
            out += [(i, q) for q in rng.permutation(mates)[: rng.integers(1, 3)]]
    return out


def _draw_victims(rng, inc, repeat_pool) -> pd.DataFrame:
    """One victim per incident from the head's profile; some from the repeat-victim pool."""
    frames = []
    n_new = 0
    for head in CRIME_HEADS:
        if not head.victim_profile:
            continue
        m = np.flatnonzero((inc["category"] == head.name).to_numpy())
        female, age_mu, age_sd, occ_w, ses_w = VICTIM_PROFILES[head.victim_profile]
        n = len(m)
        occ_p = np.asarray(occ_w, float) / sum(occ_w)
        ses_p = np.asarray(ses_w, float) / sum(ses_w)
        v = pd.DataFrame({
            "incident_id": inc["incident_id"].to_numpy()[m], "role": "victim",
            "person_id": [f"V{n_new + k:07d}" for k in range(n)],
            "name": [f"{a} {b}" for a, b in zip(rng.choice(_FIRST, n), rng.choice(_LAST, n))],
            "age": np.clip(rng.normal(age_mu, age_sd, n), 5, 90).round(),
            "sex": np.where(rng.random(n) < female, "F", "M"),
            "occupation": rng.choice(_OCC, n, p=occ_p),
            "socio_economic": rng.choice(_SES, n, p=ses_p),
            "caste": rng.choice(_CASTES, n, p=[0.3, 0.4, 0.2, 0.1]),
            "nationality": np.where(rng.random(n) < 0.98, "Indian", "Nepali"),
            "home_lat": inc["lat"].to_numpy()[m] + rng.normal(0, 0.004, n),
            "home_lon": inc["lon"].to_numpy()[m] + rng.normal(0, 0.004, n)})
        n_new += n
        repeat = rng.random(n) < head.repeat_victim_rate
        if repeat.any():
            v.loc[repeat, "person_id"] = _nearest_pool_member(
                repeat_pool, v.loc[repeat, "home_lat"].to_numpy(),
                v.loc[repeat, "home_lon"].to_numpy())
        frames.append(v)
    victims = pd.concat(frames, ignore_index=True)
    # a repeat victim keeps one identity: same name, age, sex and address each time
    first = victims.drop_duplicates("person_id").set_index("person_id")
    same = ["name", "age", "sex", "occupation", "socio_economic", "caste", "nationality",
            "home_lat", "home_lon"]
    victims[same] = first.loc[victims["person_id"], same].to_numpy()
    return victims


def _nearest_pool_member(pool, lat, lon):
    d = _haversine_km(lat[:, None], lon[:, None], pool["lat"].to_numpy()[None],
                      pool["lon"].to_numpy()[None])
    return pool["person_id"].to_numpy()[np.argmin(d, axis=1)]


def _duty_logs(rng, beats, incidents, layers, cells, end, days):
    """Beat duty logs from an outdated plan: officers follow residents, not crime, and the
    night shift is thin. Returns (logs, the beats most under-patrolled at night)."""
    cell_beat = assign_beats(cells["lat"], cells["lon"], beats)["beat"]
    residents = pd.Series(layers["residential"]).groupby(cell_beat.to_numpy()).sum()
    residents = residents.reindex(beats["beat"]).fillna(0) + 1e-4
    per_shift = {"morning": 3.0, "evening": 2.6, "night": 1.4}  # average officers per beat
    plan = {s: np.maximum(1, np.round(per_shift[s] * len(beats) * residents / residents.sum()))
            for s in per_shift}
    dates = pd.date_range(end - pd.Timedelta(days=days), end - pd.Timedelta(days=1), freq="D")
    frames = []
    for shift, officers in plan.items():
        base = np.tile(officers.to_numpy(), len(dates))
        present = rng.binomial(base.astype(int), 0.92)
        frames.append(pd.DataFrame({"beat": np.tile(beats["beat"].to_numpy(), len(dates)),
                                    "date": np.repeat(dates, len(beats)), "shift": shift,
                                    "officers": present}))
    logs = pd.concat(frames, ignore_index=True).sort_values(["date", "beat", "shift"])
    night = incidents[pd.Series(incidents["occurred_at"]).dt.hour.isin([22, 23, 0, 1, 2, 3, 4, 5])]
    risk = night["beat"].value_counts().reindex(beats["beat"]).fillna(0)
    ratio = (risk / risk.sum()) / (plan["night"] / plan["night"].sum())
    under = ratio[risk > risk.quantile(0.75)].sort_values(ascending=False).head(10)
    return logs.reset_index(drop=True), list(under.index)


# --- writing the city to files -----------------------------------------------------------------

def write_city(city: SyntheticCity, out_dir) -> list:
    """Write the city's files (the canonical formats ``crimekit ingest`` reads) and its truth.

    Returns the paths written: incidents.csv, persons.csv, beats.geojson, patrols.csv,
    pois.csv, holidays.csv, truth_beat_week.csv, truth.json.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ds, truth = city.dataset, city.truth
    paths = []
    def save(df, name):
        path = out / name
        write_csv(df, path)
        paths.append(path)
    save(ds.incidents.drop(columns=["near_repeat"], errors="ignore"), "incidents.csv")
    save(ds.persons, "persons.csv")
    ds.beats.to_file(out / "beats.geojson", driver="GeoJSON")
    paths.append(out / "beats.geojson")
    save(ds.patrols.assign(date=ds.patrols["date"].dt.date), "patrols.csv")
    save(ds.pois, "pois.csv")
    save(ds.holidays.assign(date=ds.holidays["date"].dt.date), "holidays.csv")
    save(beat_truth(city, freq="W"), "truth_beat_week.csv")
    (out / "truth.json").write_text(json.dumps(truth_summary(city), indent=2))
    paths.append(out / "truth.json")
    return paths


def fine_cell_beats(city: SyntheticCity) -> pd.Series:
    """The beat each of the truth's fine cells lies in (None outside every beat)."""
    cells = city.truth.fine_cells
    beats = assign_beats(cells["lat"], cells["lon"], city.dataset.beats)["beat"]
    return beats.replace("", None)


def beat_truth(city: SyntheticCity, freq="W", categories=None) -> pd.DataFrame:
    """Expected incidents per (period, beat): columns ``period_start, beat, expected``."""
    out = city.truth.expected_counts(fine_cell_beats(city), freq=freq, categories=categories)
    return out.rename(columns={"unit": "beat"})


def truth_summary(city: SyntheticCity) -> dict:
    """The generator's known answers, as plain JSON-able facts."""
    t = city.truth
    persons = city.dataset.persons
    counts = persons[persons["role"] == "accused"]["person_id"].value_counts()
    prolific = set(t.offenders.loc[t.offenders["prolific"], "person_id"])
    return {
        "params": t.params,
        "heads": {h.name: {"group": h.group, "heinous": h.heinous,
                           "season_peak_month": h.season_peak_month,
                           "trend_per_year": h.trend_per_year,
                           "near_repeat_branching": h.near_repeat,
                           "journey_km": h.journey_km,
                           "overrepresented_victims": OVERREPRESENTED.get(h.victim_profile)}
                  for h in t.heads},
        "overall_season_peak_month": overall_peak_month(t),
        "prolific_offenders_recorded": sorted(p for p in counts.index if p in prolific),
        "under_patrolled_night_beats": t.under_patrolled_night,
        "holidays": [str(d.date()) for d in t.holidays["date"]],
    }


def overall_peak_month(truth: CityTruth) -> int:
    """The calendar month with the most expected incidents per day, all heads together."""
    total = truth.daily.sum(axis=1)
    detrended = total / total.rolling(365, center=True, min_periods=180).mean()
    return int(detrended.groupby(detrended.index.month).mean().idxmax())
