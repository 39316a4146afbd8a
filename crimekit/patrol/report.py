"""A printable HTML report of a patrol plan, a few pages at most: headline numbers, officers per
shift, the biggest changes from today (or the beats with the most officers), the beats most
under-patrolled today and the busiest hot spot visits. Every table is short (at most
:data:`MAX_ROWS` rows, with a line saying how many more there are): the full plan per beat and
shift and every hot spot visit are CSV downloads, not printed pages.

All text that comes from data (beat names, crime heads, dataset names) is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from crimekit.patrol.deployment import compare_deployments, headline
from crimekit.schema import SHIFTS

STYLE = """
body { font-family: system-ui, sans-serif; font-size: 11pt; margin: 1.5em; color: #222; }
h1 { font-size: 16pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.4em 0 1em 0; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; }
td.n { text-align: right; } .up { color: #a50f15; font-weight: bold; } .note { color: #555; }
@media print { table { page-break-inside: avoid; } }
"""
#: Most rows any table of the report prints.
MAX_ROWS = 15

LIMITS = ("These figures learn from recorded crime, which reflects where police already look and "
          "what people report, not all crime. Patrolling predicted places records more crime "
          "there, which can feed back into the next plan. Use them to plan places and times, "
          "never to judge individuals.")


def _e(value) -> str:
    return html.escape(str(value))


def _table(df: pd.DataFrame, numeric=()) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(v)}</td>' if c in numeric else f"<td>{_e(v)}</td>"
                         for c, v in zip(df.columns, row)) + "</tr>"
        for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def plan_report_html(result, *, visits: pd.DataFrame | None = None, dataset_name: str = "",
                     title: str = "Patrol deployment plan") -> str:
    """The whole report as one self-contained HTML page (print it from the browser).

    ``result``: a :class:`~crimekit.patrol.plan.PlanResult` from ``plan_patrols`` (or a solved
    :class:`~crimekit.patrol.solver.Plan` alone, without its period); ``visits``: its hot spot
    visits (:func:`crimekit.patrol.dosage.hot_spot_visits`).
    """
    plan = getattr(result, "plan", result)
    cmp = getattr(result, "comparison", None)
    cmp = compare_deployments(plan) if cmp is None else cmp
    period_start = getattr(result, "period_start", None)
    t = plan.table
    parts = [f"<h1>{_e(title)}</h1>",
             f"<p>Dataset: <b>{_e(dataset_name)}</b>"
             + (f" &middot; period from <b>{pd.Timestamp(period_start):%Y-%m-%d}</b>"
                if period_start is not None else "") + "</p>",
             f"<p>Limits: {_e(plan.limits.describe())}.</p>",
             f"<p><b>{_e(getattr(result, 'headline', None) or headline(plan, cmp))}</b></p>"]
    parts += [f'<p class="note">{_e(n)}</p>' for n in plan.notes]
    shown = pd.DataFrame({"deployment": cmp["deployment"], "officers": cmp["officers"],
                          "expected incidents covered": cmp["risk_covered"].round(1),
                          "share covered": (cmp["share_covered"] * 100).round(1).astype(str)
                          + " %"})
    parts += ["<h2>Risk covered by each deployment (same officers per shift)</h2>",
              _table(shown, numeric=("officers", "expected incidents covered", "share covered"))]
    parts += ["<h2>Officers per shift</h2>",
              _table(_shift_summary(t).rename(columns={"officers": "officers planned",
                                                       "current": "officers today"}),
                     numeric=("officers planned", "officers today", "expected incidents"))]
    under = t[t["under_patrolled"]].sort_values("risk", ascending=False)
    if len(under):
        parts += ["<h2>Under-patrolled today relative to risk</h2>",
                  _short(_rounded(under[["beat", "shift", "current", "officers", "risk",
                                         "evidence"]]).rename(columns=_LABELS),
                         numeric=("officers today", "officers planned", "expected incidents"))]
    if t["current"].sum() > 0:
        moved = t[t["change"] != 0].assign(size=t["change"].abs()).sort_values(
            ["size", "beat"], ascending=[False, True])
        parts += ["<h2>Biggest changes from today</h2>",
                  _short(moved[["beat", "shift", "current", "officers", "change"]]
                         .rename(columns=_LABELS),
                         numeric=("officers today", "officers planned", "change"))
                  if len(moved) else "<p>No change from today's deployment.</p>"]
    else:
        per_day = t.groupby("beat", as_index=False)[["officers", "risk"]].sum() \
            .sort_values(["officers", "risk"], ascending=False)
        parts += ["<h2>Beats with the most officers (all shifts)</h2>",
                  _short(_rounded(per_day).rename(columns=_LABELS),
                         numeric=("officers planned", "expected incidents"))]
    if visits is not None and len(visits):
        spots = visits.sort_values(["recorded", "beat"], ascending=[False, True])
        parts += ["<h2>Hot spot visits: the busiest stops</h2>",
                  "<p>10-15 minute stops; vary the order each day.</p>",
                  _short(spots[["beat", "shift", "rank", "recorded", "stops", "lat", "lon"]]
                         .round({"lat": 5, "lon": 5}).rename(columns=_LABELS),
                         numeric=("crimes recorded",))]
    parts.append('<p class="note">The full plan (every beat and shift) and every hot spot '
                 "visit are in the CSV downloads beside this report.</p>")
    parts.append(f'<p class="note">{_e(LIMITS)} Coverage assumes each extra officer in a '
                 f"beat-shift covers a smaller share of its risk (effectiveness "
                 f"{plan.limits.effectiveness:g}).</p>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + _e(title)
            + f"</title><style>{STYLE}</style></head><body>" + "\n".join(parts)
            + "</body></html>")


_LABELS = {"beat": "beat", "shift": "shift", "current": "officers today",
           "officers": "officers planned", "change": "change", "risk": "expected incidents",
           "evidence": "recorded crime behind it", "rank": "rank in beat",
           "recorded": "crimes recorded", "stops": "stop times", "lat": "latitude",
           "lon": "longitude"}


def _short(df: pd.DataFrame, numeric=()) -> str:
    """At most MAX_ROWS rows of ``df``, and a line saying how many more the CSV has."""
    extra = len(df) - MAX_ROWS
    more = (f'<p class="note">... and {extra} more rows in the CSV download.</p>'
            if extra > 0 else "")
    return _table(df.head(MAX_ROWS), numeric=numeric) + more


def _shift_summary(t) -> pd.DataFrame:
    g = t.groupby("shift", sort=False)
    out = pd.DataFrame({"officers": g["officers"].sum(), "current": g["current"].sum(),
                        "expected incidents": g["risk"].sum().round(1)})
    order = [s for s in SHIFTS if s in out.index] + [s for s in out.index if s not in SHIFTS]
    return out.reindex(order).rename_axis("shift").reset_index()  # "all day" without times


def _rounded(df) -> pd.DataFrame:
    return df.assign(**{c: df[c].round(2) for c in ("risk",) if c in df})
