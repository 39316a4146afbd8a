"""The crime heads of the synthetic city and its shifting hot spots: how much of each crime,
where (a mix of land-use layers), when (hours, weekdays, season, trend, holidays) and to whom."""

from __future__ import annotations

from dataclasses import dataclass


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
