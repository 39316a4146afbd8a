"""A printable HTML report of a patrol plan: headline numbers, the plan per beat and shift, what
changes from today, and the hot spot visits per beat (one block per beat, page breaks between).

All text that comes from data (beat names, crime heads, dataset names) is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from crimekit.patrol import Plan, compare_deployments, headline
from crimekit.schema import SHIFTS

STYLE = """
body { font-family: system-ui, sans-serif; font-size: 11pt; margin: 1.5em; color: #222; }
h1 { font-size: 16pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.4em 0 1em 0; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; }
td.n { text-align: right; } .up { color: #a50f15; font-weight: bold; } .note { color: #555; }
.beat { page-break-inside: avoid; margin-bottom: 1em; }
@media print { .beat { page-break-after: always; } }
"""

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


def plan_report_html(plan: Plan, *, dosage: pd.DataFrame | None = None, dataset_name: str = "",
                     period_start=None, title: str = "Patrol deployment plan") -> str:
    """The whole report as one self-contained HTML page (print it from the browser)."""
    cmp = compare_deployments(plan)
    t = plan.table
    parts = [f"<h1>{_e(title)}</h1>",
             f"<p>Dataset: <b>{_e(dataset_name)}</b>"
             + (f" &middot; period from <b>{pd.Timestamp(period_start):%Y-%m-%d}</b>"
                if period_start is not None else "") + "</p>",
             f"<p>Limits: {_e(plan.settings.describe())}.</p>",
             f"<p><b>{_e(headline(plan, cmp))}</b></p>"]
    parts += [f'<p class="note">{_e(n)}</p>' for n in plan.notes]
    shown = cmp.assign(risk_covered=cmp["risk_covered"].round(1),
                       share_covered=(cmp["share_covered"] * 100).round(1).astype(str) + " %")
    parts += ["<h2>Risk covered by each deployment (same officers per shift)</h2>",
              _table(shown, numeric=("officers", "risk_covered", "share_covered"))]
    parts += ["<h2>Officers per shift</h2>",
              _table(_shift_summary(t), numeric=("officers", "current", "expected incidents"))]
    under = t[t["under_patrolled"]].sort_values("risk", ascending=False)
    if len(under):
        parts += ["<h2>Under-patrolled today relative to risk</h2>",
                  _table(_rounded(under[["beat", "shift", "current", "officers", "risk",
                                         "evidence"]]), numeric=("current", "officers", "risk"))]
    parts += ["<h2>Plan per beat</h2>"]
    for beat, rows in t.groupby("beat", sort=True):
        parts.append(_beat_block(beat, rows, dosage))
    parts.append(f'<p class="note">{_e(LIMITS)} Coverage assumes each extra officer in a '
                 f"beat-shift covers a smaller share of its risk (effectiveness "
                 f"{plan.settings.effectiveness:g}).</p>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + _e(title)
            + f"</title><style>{STYLE}</style></head><body>" + "\n".join(parts)
            + "</body></html>")


def _shift_summary(t) -> pd.DataFrame:
    g = t.groupby("shift", sort=False)
    out = pd.DataFrame({"officers": g["officers"].sum(), "current": g["current"].sum(),
                        "expected incidents": g["risk"].sum().round(1)})
    order = [s for s in SHIFTS if s in out.index] + [s for s in out.index if s not in SHIFTS]
    return out.reindex(order).rename_axis("shift").reset_index()  # "all day" without times


def _rounded(df) -> pd.DataFrame:
    return df.assign(**{c: df[c].round(2) for c in ("risk",) if c in df})


def _beat_block(beat, rows, dosage) -> str:
    """One printable block: the beat's officers per shift and its hot spot stops."""
    lines = [f'<div class="beat"><h3>Beat {_e(beat)}</h3><table><tr><th>shift</th>'
             "<th>officers</th><th>today</th><th>expected incidents (80% band)</th>"
             "<th>recorded crime behind it</th></tr>"]
    for r in rows.itertuples(index=False):
        cls = ' class="up"' if r.officers > r.current else ""
        lines.append(f"<tr><td>{_e(r.shift)}</td><td class='n'><span{cls}>{r.officers}</span>"
                     f"</td><td class='n'>{r.current}</td><td class='n'>{r.risk:.2f} "
                     f"({r.risk_lower:.2f}-{r.risk_upper:.2f})</td><td>{_e(r.evidence)}</td></tr>")
    lines.append("</table>")
    if dosage is not None and len(dosage):
        spots = dosage[dosage["beat"] == beat]
        if len(spots):
            lines.append("<p>Hot spot visits (10-15 minute stops; vary the order each day):</p>")
            lines.append(_table(spots[["shift", "rank", "lat", "lon", "recorded", "stops"]]
                                .round({"lat": 5, "lon": 5}), numeric=("rank", "recorded")))
    lines.append("</div>")
    return "\n".join(lines)
