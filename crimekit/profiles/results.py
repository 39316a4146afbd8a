"""What :func:`crimekit.profiles.profile` returns: one frozen result per section, each complete
(every table the page shows and the command writes, with the choices and notes that go with
them), and :class:`ProfileResult` holding them with what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimekit.profiles.base import Coverage
from crimekit.profiles.people.reoffending import ReoffendingBacktest
from crimekit.profiles.people.victims import GAP_BINS
from crimekit.profiles.places.clusters import PlaceClusters
from crimekit.profiles.places.vulnerable import COLUMNS as AREA_COLUMNS
from crimekit.profiles.settings import ProfileSettings


@dataclass(frozen=True)
class VictimProfile:
    """Who is harmed.

    Attributes
    ----------
    n : victims in the data (linked to an incident). ``fields`` : person fields with a known value.
    distribution : ``head, field, value, count, share`` for every field (see ``distribution``).
    overrepresentation : ``head, field, value, count, n, share, baseline_share, ratio, p_value,
        q_value, overrepresented`` for every field (+ ``population_share, ratio_population``
        with a population table).
    vulnerable : {(field, group): the beats where that group is harmed unusually often}.
    repeat : {"person" or "address": repeat victims; None by person when victims carry no ids}.
    intervals : {"person" or "address": days to the next victimisation, per GAP_BINS bin}.
    with_population : whether vulnerable areas are rates per resident (a population was given)
        rather than shares of victims.
    """

    n: int
    fields: tuple
    distribution: pd.DataFrame
    overrepresentation: pd.DataFrame
    vulnerable: dict
    repeat: dict
    intervals: dict
    with_population: bool = False

    def overrepresentation_of(self, field: str) -> pd.DataFrame:
        """The over-representation table of one person field."""
        over = self.overrepresentation
        return over[over["field"] == field].reset_index(drop=True)

    def flagged(self, field: str) -> pd.DataFrame:
        """The over-represented groups of ``field``, most over-represented first."""
        over = self.overrepresentation_of(field)
        return over[over["overrepresented"].astype(bool)]

    def groups(self, field: str) -> list:
        """The groups (values) of ``field`` among the victims; ["unknown"] when none."""
        return list(self.overrepresentation_of(field)["value"].unique()) or ["unknown"]

    def default_group(self, field: str) -> str:
        """The group whose vulnerable areas to show first: the most over-represented one."""
        flagged = self.flagged(field)
        return flagged["value"].iloc[0] if len(flagged) else self.groups(field)[0]

    def areas(self, field: str, group: str) -> pd.DataFrame:
        """The vulnerable areas of ``field == group`` (an empty table for an unknown group)."""
        return self.vulnerable.get((field, group), pd.DataFrame(columns=list(AREA_COLUMNS)))

    def share_within_30_days(self, by: str) -> float:
        """The share of repeat victimisations (by person or address) that came within 30 days."""
        table = self.intervals[by]
        row = next(i for i, (_, high, _) in enumerate(GAP_BINS) if high == 30)
        return float(table["cumulative_share"].iloc[row])


@dataclass(frozen=True)
class AccusedProfile:
    """Who offends.

    Attributes
    ----------
    n, fields, distribution : as for :class:`VictimProfile`, for the accused.
    offenders : repeat offenders (pseudonyms unless names are shown), ranked.
    pairs : co-offending pairs with their group and its size.
    journeys : home-to-crime distance per head (empty when no accused has a home location).
    """

    n: int
    fields: tuple
    distribution: pd.DataFrame
    offenders: pd.DataFrame
    pairs: pd.DataFrame
    journeys: pd.DataFrame

    @property
    def n_groups(self) -> int:
        """Co-offending groups (connected groups of people accused together)."""
        return int(self.pairs["group"].nunique()) if len(self.pairs) else 0

    @property
    def largest_group(self) -> int:
        return int(self.pairs["group_size"].max()) if len(self.pairs) else 0


@dataclass(frozen=True)
class ReoffendingProfile:
    """The re-offending model's backtest and today's scores, or why there are none.

    Attributes
    ----------
    months : the horizon. ``backtest`` : the backtest (None when it could not be run).
    scores : ``offender, probability, band_lower, band_upper`` for everyone in the look-back.
    error : why the model could not be backtested ("" when it was).
    """

    months: int
    backtest: ReoffendingBacktest | None = None
    scores: pd.DataFrame | None = None
    error: str = ""

    def summary(self) -> pd.DataFrame:
        """The backtest's figures as one row (as the command writes them)."""
        bt = self.backtest
        return pd.DataFrame([{
            "as_of": bt.as_of, "months": bt.months, "offenders": bt.n,
            "base_rate": bt.base_rate, "auc": bt.auc, "auc_count_only": bt.auc_count_only,
            "brier": bt.brier, "brier_base_rate": bt.brier_base_rate}])


@dataclass(frozen=True)
class CrimeLinks:
    """How crime heads go together over places (``unit``: beats, or cells of ``cell_size`` m).

    Attributes
    ----------
    correlation : ``head_a, head_b, correlation, order_a, order_b, n_units``.
    co_occurrence : pairs of heads in the same place and week more often than chance.
    heinous : heinous share per beat with its Wilson interval (``lower``/``upper``).
    major_heads : major heads per district. ``property_by_head``, ``property_by_place`` :
        property stolen (and recovered) per crime head, and per crime head and district.
    """

    unit: str
    cell_size: int
    correlation: pd.DataFrame
    co_occurrence: pd.DataFrame
    heinous: pd.DataFrame
    major_heads: pd.DataFrame
    property_by_head: pd.DataFrame
    property_by_place: pd.DataFrame

    @property
    def has_property_values(self) -> bool:
        return bool(self.property_by_head["with_value"].sum() > 0)

    @property
    def has_recovered_values(self) -> bool:
        return bool(self.property_by_head["recovered_total"].notna().any())


@dataclass(frozen=True)
class PlaceGroups:
    """Places grouped by the character of their crime (see :class:`PlaceClusters`), or why not.

    Attributes
    ----------
    unit, cell_size, method : what was grouped, and how.
    clusters : the fitted PlaceClusters (None when the places could not be grouped).
    error : why the places could not be grouped ("" when they were).
    """

    unit: str
    cell_size: int
    method: str
    clusters: PlaceClusters | None = None
    error: str = ""

    @property
    def k(self) -> int:
        """The number of groups chosen (highest silhouette)."""
        return self.clusters.k_

    @property
    def silhouette(self) -> float:
        """The mean silhouette of the groups chosen (closer to 1: better separated)."""
        return float(self.clusters.selection_.set_index("k").loc[self.k, "silhouette"])

    @property
    def selection(self) -> pd.DataFrame:
        """``k, silhouette`` for every number of groups tried."""
        return self.clusters.selection_

    @property
    def labels(self) -> pd.DataFrame:
        """``unit, cluster, incidents``: each place's group."""
        return self.clusters.labels_

    @property
    def profiles(self) -> pd.DataFrame:
        """One row per group: size, top heads, peak shift, weekend share, mean features."""
        return self.clusters.profiles_.drop(columns="summary")

    @property
    def summaries(self) -> tuple:
        """(group number, one sentence) per group."""
        return tuple(zip(self.clusters.profiles_["cluster"], self.clusters.profiles_["summary"]))


@dataclass(frozen=True)
class ProfileResult:
    """Everything :func:`crimekit.profiles.profile` computed for ``settings.section``.

    ``coverage`` says what person data there is; ``counts`` is the victims and accused per head
    from count columns (None when the data has none); a section is None when it was not asked
    for, or when the data has nothing for it (no victim rows, no accused rows, no person ids).
    """

    settings: ProfileSettings
    coverage: Coverage
    counts: pd.DataFrame | None = None
    victims: VictimProfile | None = None
    accused: AccusedProfile | None = None
    reoffending: ReoffendingProfile | None = None
    links: CrimeLinks | None = None
    clusters: PlaceGroups | None = None

    def tables(self) -> list:
        """[(file name, table, or the reason it is left out)] for the sections computed, in
        the order the ``profiles`` command writes them."""
        cov, want = self.coverage, self.settings.section
        out = []
        if want in ("all", "victims"):
            out.append(("victim_profiles.csv", self.victims.distribution if self.victims
                        else "the data has no victim rows"))
        if want in ("all", "accused"):
            out.append(("accused_profiles.csv", self.accused.distribution if self.accused
                        else "the data has no accused rows"))
        if self.victims:
            out.append(("overrepresented_victims.csv", self.victims.overrepresentation))
            out.append(("repeat_victims.csv", self.victims.repeat["person"]
                        if self.victims.repeat["person"] is not None
                        else "victim rows carry no person ids"))
        if self.counts is not None:
            out.append(("person_counts.csv", self.counts))
        if self.accused and cov.person_ids:
            out.append(("repeat_offenders.csv", self.accused.offenders))
            out.append(("co_offending.csv", self.accused.pairs))
        elif want in ("all", "accused"):
            out.append(("repeat_offenders.csv", "accused rows carry no person ids"))
        if self.reoffending:
            if self.reoffending.error:
                out.append(("reoffending_backtest.csv", self.reoffending.error))
            else:
                out.append(("reoffending_backtest.csv", self.reoffending.summary()))
                out.append(("reoffending_by_group.csv", self.reoffending.backtest.by_group))
        if want in ("all", "accused"):
            out.append(("journey_to_crime.csv", self.accused.journeys if cov.homes
                        else "accused rows carry no home locations"))
        if self.links:
            out += [("head_correlation.csv", self.links.correlation),
                    ("co_occurrence.csv", self.links.co_occurrence),
                    ("heinous_share.csv", self.links.heinous),
                    ("major_heads.csv", self.links.major_heads),
                    ("property_values.csv", self.links.property_by_place)]
        if self.clusters:
            if self.clusters.error:
                out.append(("place_clusters.csv", self.clusters.error))
            else:
                out.append(("place_clusters.csv", self.clusters.labels))
                out.append(("place_cluster_profiles.csv", self.clusters.clusters.profiles_))
        return out

    @property
    def left_out(self) -> tuple:
        """(file name, why) for every table the data could not support."""
        return tuple((name, t) for name, t in self.tables() if isinstance(t, str))
