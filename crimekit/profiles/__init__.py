"""Profiles of people and places, as groups, people protected.

People (:mod:`crimekit.profiles.people`): who is harmed and who offends, as distributions by
crime head (age band, sex, occupation, socio-economic status) and over-represented groups with
a one-sided binomial test; repeat victims and how soon they are harmed again; repeat offenders,
journey to crime and co-offending groups; a re-offending model on criminal history only, with
its backtest and error rates per group.

Places (:mod:`crimekit.profiles.places`): vulnerable areas (beats where a group is harmed
unusually often), links between crime heads over places (correlation, co-occurrence, heinous
share, major heads, property), and clusters of places with a similar character of crime.

Entry point: :func:`profile` ``(dataset, ProfileSettings) -> ProfileResult``, used by the
``profiles`` command and the Profiles page alike. Names never leave unmasked unless the
settings say ``mask_names=False``; people are shown as stable pseudonyms ("Offender #3", ranked
by how often they were accused) and masked names ("R*** K****"). Each function below also works
on its own and returns a tidy DataFrame with fixed columns.
"""

from crimekit.profiles.base import (AGE_BANDS, PROFILE_FIELDS, UNKNOWN, Coverage, age_band,
                                    coverage, mask_name, person_incidents, read_population)
from crimekit.profiles.people.groups import distribution, overrepresentation, person_counts
from crimekit.profiles.people.offenders import (co_offending, journey_summary,
                                                journey_to_crime, offender_pseudonyms,
                                                repeat_offenders)
from crimekit.profiles.people.reoffending import (ReoffendingBacktest, ReoffendingModel,
                                                  backtest_reoffending, current_scores)
from crimekit.profiles.people.victims import GAP_BINS, repeat_victims, revictimisation_intervals
from crimekit.profiles.places.clusters import PlaceClusters, place_features
from crimekit.profiles.places.links import (co_occurrence, head_correlation, heinous_share,
                                            major_head_breakdown, property_values, unit_of)
from crimekit.profiles.places.vulnerable import vulnerable_areas
from crimekit.profiles.results import (AccusedProfile, CrimeLinks, PlaceGroups, ProfileResult,
                                       ReoffendingProfile, VictimProfile)
from crimekit.profiles.sections import profile
from crimekit.profiles.settings import (CHOICE_LABELS, MONTH_CHOICES, SECTION_TITLES, SECTIONS,
                                        ProfileSettings)

__all__ = [
    "profile", "ProfileSettings", "ProfileResult", "VictimProfile", "AccusedProfile",
    "ReoffendingProfile", "CrimeLinks", "PlaceGroups", "SECTIONS", "SECTION_TITLES",
    "CHOICE_LABELS", "MONTH_CHOICES",
    "PROFILE_FIELDS", "AGE_BANDS", "UNKNOWN", "GAP_BINS", "Coverage", "coverage", "mask_name",
    "age_band", "person_incidents", "read_population",
    "distribution", "overrepresentation", "person_counts", "repeat_victims",
    "revictimisation_intervals", "offender_pseudonyms", "repeat_offenders", "journey_to_crime",
    "journey_summary", "co_offending", "ReoffendingModel", "ReoffendingBacktest",
    "backtest_reoffending", "current_scores",
    "vulnerable_areas", "unit_of", "head_correlation", "co_occurrence", "heinous_share",
    "major_head_breakdown", "property_values", "PlaceClusters", "place_features",
]
