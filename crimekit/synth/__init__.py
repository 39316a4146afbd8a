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

The modules, in the order the city is drawn: :mod:`~crimekit.synth.heads` (what each crime head
is like, and the shifting hot spots), :mod:`~crimekit.synth.layout` (limit, fine cells, land use,
points of interest, beats), :mod:`~crimekit.synth.crimes` (holidays, expected daily counts, the
incidents), :mod:`~crimekit.synth.people` (offenders, victims, accused),
:mod:`~crimekit.synth.patrols` (duty logs), :mod:`~crimekit.synth.truth` (the truth and the
city), :mod:`~crimekit.synth.city` (:func:`generate_city`, :func:`write_city`).
"""

from crimekit.synth.city import CITY_NAME, generate_city, write_city
from crimekit.synth.crimes import city_holidays
from crimekit.synth.heads import (CRIME_HEADS, HEAD_BY_NAME, SHIFTING_SPOTS, CrimeHead,
                                  ShiftingSpot)
from crimekit.synth.layout import (CITY_CRS, DISTRICT_NAMES, FINE_CELL_M, HEIGHT_M, WIDTH_M)
from crimekit.synth.people import OVERREPRESENTED, VICTIM_PROFILES
from crimekit.synth.truth import (CityTruth, SyntheticCity, beat_truth, fine_cell_beats,
                                  overall_peak_month, truth_summary)

__all__ = ["CITY_NAME", "CITY_CRS", "DISTRICT_NAMES", "FINE_CELL_M", "HEIGHT_M", "WIDTH_M",
           "CRIME_HEADS", "HEAD_BY_NAME", "SHIFTING_SPOTS", "CrimeHead", "ShiftingSpot",
           "VICTIM_PROFILES", "OVERREPRESENTED", "CityTruth", "SyntheticCity", "generate_city",
           "write_city", "city_holidays", "beat_truth", "fine_cell_beats", "truth_summary",
           "overall_peak_month"]
