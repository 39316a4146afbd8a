"""Print a :class:`crimekit.briefing.Briefing` on two A4 pages with matplotlib (no browser, no
basemap tiles, no network): page 1 the map and the top places, page 2 what is rising, the plan
per shift, the accuracy of each prediction and the limits. Text that does not fit is cut with a
line saying so, so the briefing never runs onto a third page.

Fonts are embedded as TrueType (``pdf.fonttype`` 42), so the PDF's text can be searched and
copied.
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - a file renderer, never a window
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

A4 = (8.27, 11.69)  # inches
MARGIN = 0.55
INK, GREY, RED, BLUES = "#222222", "#666666", "#c0392b", "Blues"
RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "font.family": "DejaVu Sans"}


class _Sheet:
    """One A4 page with a cursor moving down from the top margin (inches)."""

    def __init__(self, fig, number: int, footer: str):
        self.fig, self.y = fig, MARGIN
        self.bottom = A4[1] - MARGIN - 0.3
        fig.text(_fx(MARGIN), _fy(A4[1] - MARGIN + 0.1), f"{footer} - page {number} of 2",
                 fontsize=7, color=GREY, va="top")

    def room(self) -> float:
        return self.bottom - self.y

    def text(self, s, size=9.0, weight="normal", color=INK, x=MARGIN, width=None, gap=0.05,
             wrap=True) -> bool:
        """Draw wrapped text; False (and nothing drawn) when it does not fit."""
        width = (A4[0] - MARGIN - x) if width is None else width
        lines = _wrap(s, width, size) if wrap else [s]
        height = len(lines) * _line(size)
        if height > self.room():
            return False
        self.fig.text(_fx(x), _fy(self.y), "\n".join(lines), fontsize=size, weight=weight,
                      color=color, va="top", ha="left", linespacing=1.25)
        self.y += height + gap
        return True

    def heading(self, s) -> bool:
        self.y += 0.08
        return self.text(s, size=11.5, weight="bold", gap=0.06)

    def table(self, columns, rows, size=8.0) -> int:
        """Columns: (label, width in inches, "left"/"right"). Returns the rows drawn."""
        line = _line(size)
        if self.room() < 3 * line:
            return 0
        self._row([c[0] for c in columns], columns, size, "bold")
        self.fig.add_artist(plt.Line2D([_fx(MARGIN), _fx(A4[0] - MARGIN)],
                                       [_fy(self.y - 0.02)] * 2, color=GREY, lw=0.6))
        self.y += 0.04
        drawn = 0
        for i, row in enumerate(rows):
            cells = [_wrap(str(v), w - 0.08, size) for v, (_, w, _) in zip(row, columns)]
            height = max(len(c) for c in cells) * line + 0.05
            rest = len(rows) - i - 1
            if height + (line if rest else 0) > self.room():
                break
            self._row(["\n".join(c) for c in cells], columns, size, "normal")
            self.y += height - line
            drawn += 1
        if drawn < len(rows):
            self.text(f"... and {len(rows) - drawn} more (see the app or the CSV downloads)",
                      size=7.5, color=GREY)
        return drawn

    def _row(self, values, columns, size, weight):
        x = MARGIN
        for value, (_, width, align) in zip(values, columns):
            right = align == "right"
            self.fig.text(_fx(x + width - 0.08 if right else x), _fy(self.y), value,
                          fontsize=size, weight=weight, color=INK, va="top",
                          ha="right" if right else "left", linespacing=1.25)
            x += width
        self.y += _line(size)


def _fx(x):
    return x / A4[0]


def _fy(y):
    return 1 - y / A4[1]


def _line(size) -> float:
    return size * 1.25 / 72


def _wrap(text, width_in, size) -> list:
    """Lines of ``text`` that fit ``width_in`` inches at ``size`` points (DejaVu Sans averages
    about 0.55 em a character)."""
    chars = max(8, int(width_in * 72 / (size * 0.56)))
    out = []
    for para in str(text).split("\n"):
        out += textwrap.wrap(para, chars, break_long_words=True) or [""]
    return out


# --- the map ---------------------------------------------------------------------------------

def _map(fig, brief, top_in, height_in):
    """The scope's beats shaded by planned officers per day, the hot spots in red with their
    rank, the area's outline and a 1 km scale bar."""
    ax = fig.add_axes([_fx(MARGIN), _fy(top_in + height_in), _fx(A4[0] - 2 * MARGIN),
                       height_in / A4[1]])
    ax.set_axis_off()
    cells, beats, points = brief.cells, brief.beats, brief.points
    layers = [g for g in (cells, beats) if g is not None and len(g)]
    if points is not None and len(points):
        import geopandas as gpd
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(points["lon"], points["lat"]),
                                  crs="EPSG:4326")
        layers.append(points)
    if not layers:
        ax.text(0.5, 0.5, "No map: no incident has coordinates.", ha="center", va="center",
                fontsize=9, color=GREY)
        return
    crs = layers[0].estimate_utm_crs()
    handles = []
    planned = beats is not None and "officers" in beats
    if beats is not None and len(beats):
        beats = beats.to_crs(crs)
        if planned:
            edges, labels = _officer_bins(beats["officers"])
            cmap = plt.get_cmap(BLUES, len(labels) + 1)
            colours = [cmap(_bin_of(v, edges) + 1) for v in beats["officers"]]
            handles += [Patch(facecolor=cmap(k + 1), edgecolor="#8a8a8a", label=lab)
                        for k, lab in enumerate(labels)]
        else:
            colours = "#f2f2f2"
        beats.plot(ax=ax, color=colours, edgecolor="#8a8a8a", linewidth=0.4)
        if len(beats) <= 40:
            for name, pt in zip(beats["beat"], beats.representative_point()):
                ax.annotate(str(name), (pt.x, pt.y), fontsize=5, color=GREY, ha="center",
                            va="center")
    if brief.area is not None:
        brief.area.to_crs(crs).boundary.plot(ax=ax, color=INK, linewidth=0.8)
    if points is not None and len(points):
        points.to_crs(crs).plot(ax=ax, color="#555555", markersize=1.5, alpha=0.5)
        handles.append(plt.Line2D([], [], marker="o", ls="", color="#555555", markersize=3,
                                  label="recent crimes"))
    if cells is not None and len(cells):
        spots = cells.to_crs(crs)
        spots.plot(ax=ax, color=RED, edgecolor="#7b1d12", linewidth=0.6)
        for rank, pt in zip(spots["rank"], spots.geometry.centroid):
            ax.annotate(str(rank), (pt.x, pt.y), fontsize=6.5, weight="bold", color="white",
                        ha="center", va="center")
        handles.append(Patch(facecolor=RED, edgecolor="#7b1d12", label="hot spot (rank)"))
    ax.set_aspect("equal")
    _scale_bar(ax)
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, frameon=True, framealpha=0.9,
              title="officers per day" if planned else None, title_fontsize=6.5)


def _officer_bins(values):
    """Clean, non-overlapping integer classes ("0-2", "3-5", ...) for officers per day."""
    top = int(max(values.max(), 0))
    step = max(1, math.ceil((top + 1) / 5))
    edges = list(range(0, top + 1, step))
    labels = [f"{lo}" if step == 1 else f"{lo}-{lo + step - 1}" for lo in edges]
    return edges, labels


def _bin_of(value, edges) -> int:
    return max(i for i, e in enumerate(edges) if value >= e)


def _scale_bar(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    y0 -= 0.07 * (y1 - y0)  # room below the area for the bar
    ax.set_ylim(y0, y1)
    span = x1 - x0
    length = 10 ** math.floor(math.log10(max(span / 5, 1)))
    if span / length > 10:
        length *= 2
    x, y = x1 - length - span * 0.02, y0 + (y1 - y0) * 0.015
    ax.plot([x, x + length], [y, y], color=INK, lw=2)
    ax.text(x + length / 2, y + (y1 - y0) * 0.015, f"{length / 1000:g} km" if length >= 1000
            else f"{length:g} m", ha="center", va="bottom", fontsize=7, color=INK)


# --- the pages -------------------------------------------------------------------------------

def _page_one(fig, brief):
    s = _Sheet(fig, 1, brief.dataset)
    s.text(brief.title, size=15, weight="bold", gap=0.02)
    last = f"{brief.data_end:%B %Y}" if brief.freq == "M" else f"{brief.data_end:%d %b %Y}"
    s.text(f"{brief.dataset} - data to {last}", size=8.5, color=GREY)
    for line in brief.headline:
        s.text(line, size=9.5)
    map_h = 4.4
    _map(fig, brief, s.y + 0.05, map_h)
    s.y += map_h + 0.1
    s.text("Map: " + "; ".join(part for part, shown in (
        ("hot spots for the coming period in red, numbered as below", brief.cells is not None),
        ("beats shaded by the officers the plan posts there per day",
         brief.beats is not None and "officers" in brief.beats),
        ("grey dots: crimes of the last weeks", brief.points is not None)) if shown) + ".",
        size=7.5, color=GREY)
    s.heading("Top places")
    p = brief.places
    if not len(p):
        s.text(" ".join(brief.notes) or "No hot spot could be predicted.", size=9)
        return
    rows = [[r["rank"], r["name"], _expected(r), r["reason"]] for _, r in p.iterrows()]
    s.table([("#", 0.3, "left"), ("Place", 2.45, "left"), ("Expected", 0.85, "left"),
             ("Why", A4[0] - 2 * MARGIN - 3.6, "left")], rows)
    s.text("Expected: crimes expected in the cell in the coming period, with an 80% range.",
           size=7.5, color=GREY)


def _expected(r) -> str:
    return f"{r['expected']:.1f} ({r['expected_low']:.0f}-{r['expected_high']:.0f})"


def _page_two(fig, brief):
    s = _Sheet(fig, 2, brief.dataset)
    s.heading("What is rising")
    s.text(brief.rising_note, size=8.5)
    if len(brief.rising):
        s.table([("Crime head", 1.8, "left"), ("Now", 0.55, "right"), ("Before", 0.65, "right"),
                 ("Change", 1.1, "left"), ("Chance?", A4[0] - 2 * MARGIN - 4.1, "left")],
                [list(r) for r in brief.rising.head(6).itertuples(index=False)])
    busiest = brief.busiest
    if busiest is not None and len(busiest):
        expected = busiest["what"].iloc[0] == "expected"
        unit = brief.area_unit
        s.heading(f"Busiest {unit}s in the coming period" if expected else
                  f"Busiest {unit}s recently")
        rows = [[r["name"], f"{r['value']:.1f}" if expected else f"{r['value']:.0f}",
                 r["reason"]] for _, r in busiest.iterrows()]
        s.table([(unit.capitalize() if unit.islower() else unit, 2.3, "left"),
                 ("Expected" if expected else "Crimes", 0.7, "right"),
                 ("Why", A4[0] - 2 * MARGIN - 3.0, "left")], rows)
    s.heading("The plan per shift")
    s.text(brief.plan_note, size=8.5)
    if len(brief.plan):
        changes = "Changes from today" if "today" not in brief.plan_note or \
            "duty logs" in brief.plan_note else "Changes"
        rows = [[r["shift"], r["officers"], f"{r['covered']:.0%}", r["changes"]]
                for _, r in brief.plan.iterrows()]
        s.table([("Shift", 0.8, "left"), ("Officers", 0.8, "right"),
                 ("Expected crime covered", 1.7, "right"),
                 (changes, A4[0] - 2 * MARGIN - 3.3, "left")],
                rows)
    s.heading("How accurate these predictions have been")
    for line in brief.accuracy or ["Not backtested on this data."]:
        s.text(f"- {line}", size=8.5)
    if brief.notes:
        s.heading("Notes")
        for note in brief.notes[:4]:
            s.text(f"- {note}", size=8.5)
    s.heading("Limits")
    s.text(brief.limits, size=8.5)


def _figures(brief):
    figs = []
    for draw in (_page_one, _page_two):
        fig = plt.figure(figsize=A4)
        draw(fig, brief)
        figs.append(fig)
    return figs


def write_pdf(brief, target) -> None:
    """Print ``brief`` to ``target`` (a path or a binary file object) as a two-page A4 PDF."""
    with matplotlib.rc_context(RC):
        figs = _figures(brief)
        try:
            with PdfPages(target, metadata={"Title": brief.title, "Subject": brief.dataset,
                                            "Creator": "crimekit"}) as pdf:
                for fig in figs:
                    pdf.savefig(fig)
        finally:
            for fig in figs:
                plt.close(fig)


def pdf_bytes(brief) -> bytes:
    """The PDF as bytes (for a download button)."""
    buffer = io.BytesIO()
    write_pdf(brief, buffer)
    return buffer.getvalue()


def write_png(brief, target, page: int = 1, dpi: int = 110) -> None:
    """One page of the briefing as a PNG image (e.g. for the README)."""
    with matplotlib.rc_context(RC):
        figs = _figures(brief)
        try:
            figs[page - 1].savefig(target, dpi=dpi, facecolor="white")
        finally:
            for fig in figs:
                plt.close(fig)
