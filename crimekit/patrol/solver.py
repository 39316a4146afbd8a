"""The solver: how many officers to post to each beat in each shift, given the risk.

The model (solved with PuLP's bundled CBC, one small integer program per shift):

- **Benefit.** ``n`` officers in a beat-shift with risk ``r`` (expected incidents) cover
  ``r * (1 - exp(-k * n))`` of it, ``k = effectiveness`` (0.5: one officer covers 39 %, two 63 %,
  three 78 %). Concave: each extra officer adds less. It is linearised exactly with one
  increment per officer, ``y[b, j]`` for the ``j``-th officer with marginal benefit
  ``r * exp(-k (j-1)) * (1 - exp(-k))``; the officers ``x[b] = sum_j y[b, j]`` are integers.
- **Constraints** per shift: all officers available are posted (when the per-beat maxima allow;
  otherwise as many as they allow, and the plan says how many are left over); ``min_per_beat``
  <= x <= ``max_per_beat``; must-cover beats get at least one officer in every shift;
  ``max_change`` limits the officers *moved*: ``sum_b max(0, x[b] - current[b])`` (officers
  posted to a beat beyond its current strength; with the same total as today this is the number
  of officers who change beat, half the L1 distance), linearised with auxiliary ``d[b] >= x[b] -
  current[b], d[b] >= 0``; ``fair_cap = m`` caps every beat at ``floor(m * officers / beats)``,
  ``m`` times the *equal* share of the shift (not a risk-proportional share), an over-policing
  guard.
- **Size.** Increments are only created up to ``max(greedy[b], current[b], minimum[b])`` where
  ``greedy`` is the marginal-greedy allocation without the change limit. An exchange argument
  shows some optimum lies within that bound (moving an officer from a beat above it to a beat
  below its greedy count never lowers the benefit nor raises the change), so the program stays
  small (a few increments per beat) and its optimum is the exact optimum.

Infeasible limits are explained in words before the solver runs (:func:`check_limits`). The
solver works on tables (risk, today's deployment) and keyword limits; the entry point that
builds those from a dataset and :class:`~crimekit.patrol.settings.PlanSettings` is
:func:`crimekit.patrol.plan.plan_patrols`.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from crimekit.errors import InfeasiblePlanError, ParameterError
from crimekit.patrol.deployment import DEFAULT_EFFECTIVENESS, risk_covered, under_patrolled
from crimekit.schema import SHIFTS, shift_order

#: Columns of a plan's table, one row per (beat, shift).
PLAN_COLUMNS = ("beat", "shift", "officers", "current", "change", "risk", "risk_low",
                "risk_high", "covered", "covered_current", "under_patrolled", "evidence")


# --- the limits as the solver got them ------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """The limits one plan was solved for, resolved (officers per shift as a dict).

    officers : dict shift -> officers available in that shift.
    min_per_beat, max_per_beat : officers per beat and shift (``max_per_beat=None``: no limit).
    must_cover : beats that get at least one officer in every shift.
    max_change : at most this many officers moved per shift from the current deployment
        (``None``: no limit).
    fair_cap : no beat gets more than ``fair_cap`` x (officers in the shift / number of beats)
        (``None``: no cap).
    effectiveness : ``k`` in the benefit ``risk * (1 - exp(-k * officers))``.
    """

    officers: dict
    min_per_beat: int = 0
    max_per_beat: int | None = None
    must_cover: tuple = ()
    max_change: int | None = None
    fair_cap: float | None = None
    effectiveness: float = DEFAULT_EFFECTIVENESS

    def describe(self) -> str:
        """One line a commander can read back."""
        parts = [", ".join(f"{s} {n}" for s, n in self.officers.items()) + " officers"
                 if set(self.officers) <= set(SHIFTS) else
                 f"{sum(self.officers.values())} officers all day",
                 f"min {self.min_per_beat} per beat"]
        if self.max_per_beat is not None:
            parts.append(f"max {self.max_per_beat} per beat")
        if self.must_cover:
            parts.append("must cover " + ", ".join(self.must_cover))
        if self.max_change is not None:
            parts.append(f"at most {self.max_change} officers moved per shift")
        if self.fair_cap is not None:
            parts.append(f"no beat above {self.fair_cap:g}x its equal share")
        return "; ".join(parts)


def officers_per_shift(officers, where: str = "plan_patrols", shifts=SHIFTS) -> dict:
    """Normalise officers available: an int (each shift), a sequence in ``shifts`` order
    (morning, evening, night), a dict, or text like "20,25,15". With one all-day "shift" (data
    without times of day) only one number is accepted."""
    if isinstance(officers, str):
        try:
            officers = [int(p) for p in officers.replace(" ", "").split(",")]
        except ValueError:
            raise ParameterError.invalid("officers", where, "a whole number, or three separated "
                                         "by commas (morning,evening,night)", officers) from None
        officers = officers[0] if len(officers) == 1 else officers
    shifts = tuple(shifts)
    if isinstance(officers, dict):
        out = {s: officers[s] for s in shifts if s in officers}
    elif np.ndim(officers) == 0:
        out = {s: officers for s in shifts}
    else:
        if len(officers) != len(shifts):
            rule = ("one number: this data has no times of day, so the plan cannot tell shifts "
                    "apart and posts officers the same way all day" if len(shifts) == 1 else
                    "one number, or one per shift in the order " + ",".join(shifts))
            raise ParameterError.invalid("officers", where, rule, officers)
        out = dict(zip(shifts, officers))
    for shift, n in out.items():
        if isinstance(n, bool) or not float(n).is_integer() or n < 0:
            raise ParameterError.invalid("officers", where,
                                         "whole numbers of officers, 0 or more", officers)
    if not out:
        raise ParameterError.invalid("officers", where, f"given for the shifts {shifts}", officers)
    return {s: int(n) for s, n in out.items()}


# --- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """A solved deployment.

    Attributes
    ----------
    table : DataFrame with :data:`PLAN_COLUMNS`, one row per (beat, shift).
    limits : the :class:`Limits` it was solved for.
    covered : expected incidents in beat-shifts covered by the plan (benefit-weighted).
    total_risk : expected incidents in all beat-shifts.
    notes : plain sentences about what the limits did (e.g. officers left unassigned).
    solve_seconds : wall time building and solving the programs.
    """

    table: pd.DataFrame
    limits: Limits
    covered: float
    total_risk: float
    notes: tuple = field(default_factory=tuple)
    solve_seconds: float = 0.0

    @property
    def share_covered(self) -> float:
        """Fraction of all risk the plan covers."""
        return self.covered / self.total_risk if self.total_risk > 0 else 0.0


def solve_plan(risk: pd.DataFrame, officers, *, min_per_beat: int = 0,
               max_per_beat: int | None = None, must_cover=(),
               current: pd.DataFrame | None = None, max_change: int | None = None,
               fair_cap: float | None = None,
               effectiveness: float = DEFAULT_EFFECTIVENESS) -> Plan:
    """The deployment that covers the most risk within the limits (see the module docstring).

    ``risk``: columns ``beat, shift, risk`` (and optionally ``risk_low, risk_high,
    evidence``), e.g. from :func:`crimekit.patrol.risk.beat_shift_risk`. ``officers``: per
    shift (see :func:`officers_per_shift`). ``current``: ``beat, shift, officers`` (e.g. from
    :func:`crimekit.patrol.deployment.current_deployment`), needed for ``max_change``. Raises
    :class:`~crimekit.errors.InfeasiblePlanError` with the conflicting limits in words.
    """
    shifts = SHIFTS if "shift" not in risk or set(risk["shift"]) <= set(SHIFTS) else \
        tuple(pd.unique(risk["shift"]))  # one all-day posting for data without times
    limits = Limits(officers_per_shift(officers, shifts=shifts), int(min_per_beat),
                            None if max_per_beat is None else int(max_per_beat),
                            tuple(str(b) for b in must_cover),
                            None if max_change is None else int(max_change),
                            None if fair_cap is None else float(fair_cap), float(effectiveness))
    table = _plan_input(risk, current, limits)
    check_limits(table, limits, current is not None)
    started = time.perf_counter()
    parts, notes = [], []
    for shift, n_officers in limits.officers.items():
        rows = table[table["shift"] == shift].reset_index(drop=True)
        lo, hi, target = _bounds(rows, limits, n_officers)
        if target < n_officers:
            notes.append(_leftover_note(shift, n_officers, target, limits, len(rows)))
        rows["officers"] = _solve_shift(rows, lo, hi, target, limits, shift)
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out["change"] = out["officers"] - out["current"]
    out["covered"] = risk_covered(out["risk"], out["officers"], limits.effectiveness)
    out["covered_current"] = risk_covered(out["risk"], out["current"], limits.effectiveness)
    out["under_patrolled"] = under_patrolled(out)
    return Plan(out[list(PLAN_COLUMNS)], limits, float(out["covered"].sum()),
                float(out["risk"].sum()), tuple(notes), time.perf_counter() - started)


def _plan_input(risk, current, limits) -> pd.DataFrame:
    """The risk table for the planned shifts, with ``current`` officers joined (0 if none)."""
    missing = [c for c in ("beat", "shift", "risk") if c not in risk]
    if missing:
        raise ParameterError.invalid("risk", "plan_patrols", "a table with columns beat, shift, "
                                     f"risk (missing {', '.join(missing)})", list(risk.columns))
    table = risk.copy()
    table["beat"] = table["beat"].astype(str)
    table = table[table["shift"].isin(list(limits.officers))]
    if table.duplicated(["beat", "shift"]).any():
        raise ParameterError.invalid("risk", "plan_patrols", "one row per (beat, shift)",
                                     "duplicated rows")
    if not len(table) or (table["risk"] < 0).any() or table["risk"].isna().any():
        raise ParameterError.invalid("risk", "plan_patrols", "non-negative numbers for every "
                                     "beat in the planned shifts", "missing or negative risk")
    for col, default in (("risk_low", np.nan), ("risk_high", np.nan), ("evidence", "")):
        if col not in table:
            table[col] = table["risk"] if col != "evidence" else default
    cur = 0
    if current is not None:
        cur_table = current.assign(beat=current["beat"].astype(str))
        cur = table.merge(cur_table[["beat", "shift", "officers"]], on=["beat", "shift"],
                          how="left")["officers"].fillna(0).round().astype(int).to_numpy()
    table["current"] = cur
    return table.sort_values(["shift", "beat"], key=shift_order).reset_index(drop=True)


def _bounds(rows, limits, n_officers):
    """Per-beat lower and upper limits and the number of officers to post in one shift."""
    n = len(rows)
    must = rows["beat"].isin(limits.must_cover).to_numpy()
    lo = np.maximum(limits.min_per_beat, must.astype(int))
    cap = n_officers if limits.max_per_beat is None else limits.max_per_beat
    if limits.fair_cap is not None:
        cap = min(cap, fair_cap_limit(limits.fair_cap, n_officers, n))
    hi = np.full(n, cap, dtype=int)
    return lo, hi, int(min(n_officers, hi.sum()))


def fair_cap_limit(fair_cap: float, officers: int, n_beats: int) -> int:
    """Most officers one beat may get: ``floor(fair_cap * officers / n_beats)``."""
    return int(math.floor(fair_cap * officers / n_beats + 1e-9))


def check_limits(table: pd.DataFrame, limits: Limits, has_current: bool) -> None:
    """Explain in words, before solving, any limits that cannot all be met."""
    beats = set(table["beat"])
    unknown = [b for b in limits.must_cover if b not in beats]
    if unknown:
        raise ParameterError.invalid("must_cover", "plan_patrols", "beats that exist in the data",
                                     unknown)
    for name, value in (("min_per_beat", limits.min_per_beat),
                        ("max_per_beat", limits.max_per_beat),
                        ("max_change", limits.max_change)):
        if value is not None and value < 0:
            raise ParameterError.invalid(name, "plan_patrols", "a whole number, 0 or more", value)
    if limits.fair_cap is not None and limits.fair_cap <= 0:
        raise ParameterError.invalid("fair_cap", "plan_patrols", "a multiple above 0 (e.g. 3)",
                                     limits.fair_cap)
    if limits.effectiveness <= 0:
        raise ParameterError.invalid("effectiveness", "plan_patrols", "a number above 0",
                                     limits.effectiveness)
    if limits.max_change is not None and not has_current:
        raise ParameterError.invalid("max_change", "plan_patrols", "used with the current "
                                     "deployment (pass current=...)", limits.max_change)
    for shift, n_officers in limits.officers.items():
        rows = table[table["shift"] == shift]
        lo, hi, target = _bounds(rows, limits, n_officers)
        _check_shift(shift, n_officers, lo, hi, target, rows["current"].to_numpy(), limits)


def _check_shift(shift, n_officers, lo, hi, target, cur, limits) -> None:
    n = len(lo)
    must_extra = int(lo.sum() - limits.min_per_beat * n)
    if lo.sum() > n_officers:
        need = int(lo.sum())
        lower_to = (n_officers - must_extra) // n  # the largest minimum these officers allow
        extra = (f" + {must_extra} for must-cover beats" if must_extra else "")
        raise InfeasiblePlanError(
            f"Minimum {limits.min_per_beat} per beat x {n} beats{extra} = {need} officers, "
            f"but only {n_officers} are available {in_shift(shift)}: "
            + (f"lower the minimum to {max(lower_to, 0)} or " if limits.min_per_beat > lower_to
               and lower_to >= 0 else
               "shorten the must-cover list or ")
            + f"add {need - n_officers} officers.")
    if (lo > hi).any():
        limit = int(hi.min())
        why = (f"the fairness cap of {limits.fair_cap:g}x the equal share allows at most "
               f"{limit} per beat {in_shift(shift)} ({n_officers} officers / {n} beats)"
               if limits.max_per_beat is None or limit < limits.max_per_beat
               else f"the maximum is {limit} per beat")
        raise InfeasiblePlanError(
            f"Every beat needs at least {int(lo.max())} officer(s) {in_shift(shift)}, but "
            f"{why}: lower the minimum (or the must-cover list) or raise the "
            f"{'fairness cap' if 'fairness' in why else 'maximum'}.")
    if limits.max_change is not None:
        needed = min_moves(lo, hi, cur, target)
        if needed > limits.max_change:
            raise InfeasiblePlanError(
                f"{in_shift(shift).capitalize()} the limits need at least {needed} officers "
                "moved from the "
                f"current deployment (to reach the minimums and post {target} officers where "
                f"{int(cur.sum())} are today), but the change limit is {limits.max_change}: "
                f"raise the change limit to {needed} or relax the minimum/must-cover beats.")


def in_shift(shift: str) -> str:
    """'in the night shift', or 'all day' for the one posting of data without times."""
    return "all day" if shift not in SHIFTS else f"in the {shift} shift"


def min_moves(lo, hi, cur, target) -> int:
    """Fewest officers added to beats (``sum max(0, x - current)``) over all deployments with
    ``lo <= x <= hi`` and ``sum x = target``."""
    base = np.clip(cur, lo, hi)
    return int(np.maximum(lo - cur, 0).sum() + max(0, target - base.sum()))


def _leftover_note(shift, n_officers, target, limits, n_beats) -> str:
    what = "the maximum per beat" if limits.fair_cap is None or (
        limits.max_per_beat is not None and limits.max_per_beat
        <= fair_cap_limit(limits.fair_cap, n_officers, n_beats)) else "the fairness cap"
    when = "All day" if shift not in SHIFTS else f"{shift.capitalize()} shift"
    return (f"{when}: {what} lets only {target} of the {n_officers} "
            "officers "
            f"be posted ({n_beats} beats); {n_officers - target} are left unassigned. Raise "
            f"{what} to post them all.")


def greedy_allocation(risk, lo, hi, target, effectiveness) -> np.ndarray:
    """Marginal-greedy officers per beat: the ``target - sum(lo)`` largest marginal benefits
    above the minimums. Optimal for one shift without the change limit (separable concave
    benefit under one budget)."""
    risk, lo, hi = np.asarray(risk, float), np.asarray(lo, int), np.asarray(hi, int)
    spare = int(target - lo.sum())
    x = lo.copy()
    if spare <= 0:
        return x
    depth = np.minimum(hi - lo, spare)
    beat = np.repeat(np.arange(len(risk)), depth)
    j = np.arange(depth.sum()) - np.repeat(np.cumsum(depth) - depth, depth) + lo[beat]
    gain = risk[beat] * np.exp(-effectiveness * j)
    pick = np.argsort(-gain, kind="stable")[:spare]
    np.add.at(x, beat[pick], 1)
    return x


def _solve_shift(rows, lo, hi, target, limits, shift) -> np.ndarray:
    """Solve one shift's integer program; returns officers per beat (rows' order)."""
    k = limits.effectiveness
    risk = rows["risk"].to_numpy(float)
    cur = rows["current"].to_numpy(int)
    greedy = greedy_allocation(risk, lo, hi, target, k)
    if limits.max_change is None:
        upper = greedy
    else:
        upper = np.minimum(hi, np.maximum.reduce([greedy, cur, lo]))
    prob = pulp.LpProblem(f"patrol_{shift.replace(' ', '_')}", pulp.LpMaximize)
    x = [prob.add_variable(f"x{b}", int(lo[b]), int(upper[b]), cat="Integer")
         for b in range(len(rows))]
    objective, totals = [], []
    for b in range(len(rows)):
        incs = [prob.add_variable(f"y{b}_{j}", 0, 1) for j in range(int(upper[b]))]
        gains = risk[b] * np.exp(-k * np.arange(len(incs))) * (1 - math.exp(-k))
        objective += [(v, float(g)) for v, g in zip(incs, gains)]
        prob += pulp.LpAffineExpression([(v, 1) for v in incs] + [(x[b], -1)]) == 0
    prob += pulp.LpAffineExpression(objective)
    prob += pulp.lpSum(x) == target
    if limits.max_change is not None:
        moved = [prob.add_variable(f"d{b}", 0) for b in range(len(rows))]
        for b in range(len(rows)):
            prob += moved[b] >= x[b] - int(cur[b])
        prob += pulp.lpSum(moved) <= limits.max_change
    with warnings.catch_warnings():  # PuLP 3.3 flags its bundled CBC for a 4.0 rename
        warnings.simplefilter("ignore", DeprecationWarning)
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[status] != "Optimal":
        raise InfeasiblePlanError(
            f"No deployment of {target} officers {in_shift(shift)} meets all the limits "
            f"together (minimum {limits.min_per_beat}, maximum {limits.max_per_beat}, "
            f"change limit {limits.max_change}): relax the change limit or the minimum.")
    return np.array([int(round(v.value())) for v in x])
