"""The profiles' one entry point: :func:`profile` takes a dataset (usually the filtered view)
and a :class:`ProfileSettings` and returns a :class:`ProfileResult`. The Profiles page asks for
one section at a time (``settings.section``), the ``profiles`` command for all of them; both
get the same tables from the same calls."""

from __future__ import annotations

import pandas as pd

from crimekit.errors import CrimekitError
from crimekit.profiles.base import coverage, person_incidents, shared_joins
from crimekit.profiles.people.groups import distribution, overrepresentation, person_counts
from crimekit.profiles.people.offenders import co_offending, journey_summary, repeat_offenders
from crimekit.profiles.people.reoffending import backtest_reoffending, current_scores
from crimekit.profiles.people.victims import repeats_and_intervals
from crimekit.profiles.places.clusters import PlaceClusters
from crimekit.profiles.places.links import (co_occurrence, head_correlation, heinous_share,
                                            major_head_breakdown, property_values)
from crimekit.profiles.places.vulnerable import areas_by_group
from crimekit.profiles.results import (AccusedProfile, CrimeLinks, PlaceGroups, ProfileResult,
                                       ReoffendingProfile, VictimProfile)
from crimekit.profiles.settings import ProfileSettings
from crimekit.spatial import grid_for


def profile(dataset, settings: ProfileSettings = ProfileSettings(), *,
            population: pd.DataFrame | None = None, grid=None) -> ProfileResult:
    """Profile people and places in ``dataset`` for ``settings.section`` ("all": every one).

    ``population`` (columns ``beat, group, population``, see
    :func:`~crimekit.profiles.base.read_population`) turns vulnerable areas into rates per
    resident. ``grid`` gives the cells when ``settings.unit == "cell"`` (default: cells of
    ``settings.cell_size`` over the dataset). Sections the data cannot support are None, and
    :meth:`ProfileResult.tables` says why.
    """
    with shared_joins():
        return ProfileResult(**_sections(dataset, settings, population, grid))


def _sections(dataset, settings, population, grid) -> dict:
    want = settings.section
    cov = coverage(dataset)
    people = want in ("all", "victims", "accused")
    result = dict(settings=settings, coverage=cov)
    if people and cov.count_columns:
        result["counts"] = person_counts(dataset)
    if want in ("all", "victims") and cov.victims:
        result["victims"] = victim_profile(dataset, settings, cov, population)
    if want in ("all", "accused") and cov.accused:
        result["accused"] = accused_profile(dataset, settings, cov)
    if want in ("all", "reoffending") and cov.person_ids:
        result["reoffending"] = reoffending_profile(dataset, settings)
    if want in ("all", "links", "clusters") and settings.unit == "cell" and grid is None:
        grid = grid_for(dataset.incidents, cell_size=float(settings.cell_size),
                        beats=dataset.beats)
    if want in ("all", "links"):
        result["links"] = crime_links(dataset, settings, grid)
    if want in ("all", "clusters"):
        result["clusters"] = place_groups(dataset, settings, grid)
    return result


def victim_profile(dataset, settings, cov, population=None) -> VictimProfile:
    """Distributions, over-represented groups and their vulnerable areas (every field and
    group, so a page can switch between them), and repeat victims by person and address."""
    s = settings
    over = pd.concat([overrepresentation(dataset, field=f, by=s.by, population=population,
                                         min_count=s.min_persons, alpha=s.alpha,
                                         min_ratio=s.min_ratio)
                      for f in cov.victim_fields], ignore_index=True)
    joined = person_incidents(dataset, "victim")
    vulnerable = {}
    for f in cov.victim_fields:
        groups = over.loc[over["field"] == f, "value"].unique()
        for g, table in areas_by_group(joined, f, groups, population=population,
                                       min_persons=s.min_persons, alpha=s.alpha).items():
            vulnerable[(f, g)] = table
    repeat, intervals = {}, {}
    for by in ("person", "address"):
        repeat[by], intervals[by] = repeats_and_intervals(dataset, by=by,
                                                          mask_names=s.mask_names)
    if not cov.victim_ids:
        repeat["person"] = None
    return VictimProfile(n=cov.victims, fields=cov.victim_fields,
                         distribution=distribution(dataset, "victim", by=s.by),
                         overrepresentation=over, vulnerable=vulnerable, repeat=repeat,
                         intervals=intervals, with_population=population is not None)


def accused_profile(dataset, settings, cov) -> AccusedProfile:
    """Distributions, repeat offenders, co-offending pairs and journeys to crime."""
    s = settings
    return AccusedProfile(
        n=cov.accused, fields=cov.accused_fields,
        distribution=distribution(dataset, "accused", by=s.by),
        offenders=repeat_offenders(dataset, mask_names=s.mask_names),
        pairs=co_offending(dataset, mask_names=s.mask_names), journeys=journey_summary(dataset))


def reoffending_profile(dataset, settings) -> ReoffendingProfile:
    """The re-offending backtest over ``settings.months`` and today's scores, or why not."""
    try:
        bt = backtest_reoffending(dataset, months=settings.months)
    except CrimekitError as exc:
        return ReoffendingProfile(settings.months, error=str(exc))
    return ReoffendingProfile(settings.months, bt,
                              current_scores(dataset, bt, mask_names=settings.mask_names))


def crime_links(dataset, settings, grid=None) -> CrimeLinks:
    """How heads go together over the places of ``settings.unit``."""
    inc, unit = dataset.incidents, settings.unit
    grid = grid if unit == "cell" else None
    return CrimeLinks(
        unit=unit, cell_size=settings.cell_size,
        correlation=head_correlation(inc, unit=unit, grid=grid),
        co_occurrence=co_occurrence(inc, unit=unit, grid=grid, alpha=settings.alpha),
        heinous=heinous_share(inc), major_heads=major_head_breakdown(inc, by="district"),
        property_by_head=property_values(inc, by=("category",)),
        property_by_place=property_values(inc, by=("category", "district")))


def place_groups(dataset, settings, grid=None) -> PlaceGroups:
    """Places grouped by their crime's mix and timing (the number of groups by silhouette)."""
    unit = settings.unit
    where = dict(unit=unit, cell_size=settings.cell_size, method=settings.method)
    try:
        pc = PlaceClusters(method=settings.method).fit(
            dataset.incidents, unit=unit, grid=grid if unit == "cell" else None)
    except CrimekitError as exc:
        return PlaceGroups(**where, error=str(exc))
    return PlaceGroups(**where, clusters=pc)
