"""The filtered view every page and command works on: dates, crime heads, districts, beats."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import pandas as pd

from crimekit.schema import Dataset


@dataclass(frozen=True)
class Filters:
    """Which incidents to look at. ``None`` or an empty tuple means no restriction.

    ``end`` is inclusive of the whole day: ``Filters(start="2024-01-01", end="2024-01-31")``
    keeps all of January.
    """

    start: object = None
    end: object = None
    categories: tuple = ()
    districts: tuple = ()
    beats: tuple = ()

    def describe(self) -> str:
        """A short plain-language summary, for captions and report headers."""
        parts = []
        if self.start is not None or self.end is not None:
            parts.append(f"{_day(self.start) or 'start'} to {_day(self.end) or 'end'}")
        for label, values in (("crime heads", self.categories), ("districts", self.districts),
                              ("beats", self.beats)):
            if values:
                parts.append(f"{label}: {', '.join(map(str, values))}")
        return "; ".join(parts) or "all incidents"


def _day(value):
    return None if value is None else f"{pd.Timestamp(value):%Y-%m-%d}"


def incident_mask(incidents: pd.DataFrame, filters: Filters) -> pd.Series:
    """Boolean mask of the incidents that pass ``filters``."""
    keep = pd.Series(True, index=incidents.index)
    when = incidents["occurred_at"]
    if filters.start is not None:
        keep &= when >= pd.Timestamp(filters.start).normalize()
    if filters.end is not None:
        keep &= when < pd.Timestamp(filters.end).normalize() + pd.Timedelta(days=1)
    for column, values in (("category", filters.categories), ("district", filters.districts),
                           ("beat", filters.beats)):
        if values:
            keep &= incidents[column].isin(list(values))
    return keep


def apply_filters(dataset: Dataset, filters: Filters) -> Dataset:
    """A copy of ``dataset`` with only the incidents that pass, and the persons of those.

    Beats, patrols and points of interest are kept whole: they describe the city, not the view.
    """
    incidents = dataset.incidents[incident_mask(dataset.incidents, filters)].reset_index(drop=True)
    persons = dataset.persons
    if len(persons):
        persons = persons[persons["incident_id"].isin(incidents["incident_id"])]
        persons = persons.reset_index(drop=True)
    return replace(dataset, incidents=incidents, persons=persons)


class ViewFilter(NamedTuple):
    """What one page run looks at, as a small hashable key: the dataset (its stored version, so
    a re-import refreshes every cache keyed on it) and the sidebar's filters. Cached calls take
    this, never the (large) data; ``ui.view_of(view)`` gives the filtered dataset back."""

    dataset: str
    version: str = ""
    start: object = None
    end: object = None
    categories: tuple = ()
    districts: tuple = ()

    @property
    def filters(self) -> Filters:
        return Filters(start=self.start, end=self.end, categories=tuple(self.categories),
                       districts=tuple(self.districts))

    @property
    def source(self) -> tuple:
        """(dataset, version): the whole dataset, whatever the filters."""
        return (self.dataset, self.version)

    def all_heads(self) -> "ViewFilter":
        """The same view with every crime head: results keyed on it are shared by every
        choice of crime heads in the sidebar."""
        return self._replace(categories=())

    def whole_area(self) -> "ViewFilter":
        """The same view over every crime head and district (the whole city)."""
        return self._replace(categories=(), districts=())
