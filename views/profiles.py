"""Profiles: who is harmed, who offends, how crime heads go together, which places are alike.

Groups and places only: people appear as pseudonyms with masked names unless an analyst turns
names on. Layout only: each section is one call, ``ui.profile_section(view, ProfileSettings)``,
whose result (crimekit.profiles) holds every number and choice shown here.
"""

import altair as alt
import pandas as pd
import streamlit as st

import ui
from ui import maps
from crimekit.errors import CrimekitError
from crimekit.profiles import CHOICE_LABELS, MONTH_CHOICES, SECTION_TITLES, ProfileSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

SECTION_OF_TITLE = {title: name for name, title in SECTION_TITLES.items()}
FIELD_LABELS = CHOICE_LABELS["field"]


# --- widgets read their choices, defaults, labels and help from ProfileSettings -------------------

def choice_radio(where, name, key, **kwargs):
    """A radio over the choices of setting ``name``, named as CHOICE_LABELS names them."""
    spec = ProfileSettings.spec(name)
    return where.radio(spec["label"], spec["choices"], index=spec["choices"].index(
        spec["default"]), horizontal=True, key=key, format_func=CHOICE_LABELS[name].get,
        help=spec["help"], **kwargs)


def unit_picker(prefix):
    c1, c2 = st.columns(2)
    unit = choice_radio(c1, "unit", f"{prefix}_unit")
    spec = ProfileSettings.spec("cell_size")
    size = c2.select_slider(spec["label"], spec["choices"], value=spec["default"],
                            key=f"{prefix}_cell", disabled=unit != "cell", help=spec["help"])
    return unit, size


def person_pickers(role, fields):
    """Group-by and field pickers of a people section."""
    c1, c2 = st.columns(2)
    by = choice_radio(c1, "by", f"profiles_{role}_by")
    field = c2.selectbox("Show", fields, format_func=FIELD_LABELS.get,
                         key=f"profiles_{role}_field")
    return by, field


# --- small display helpers ------------------------------------------------------------------------

def share_chart(dist, field, title):
    """Stacked 100 % bars: each head's persons by ``field``."""
    data = dist[dist["field"] == field]
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share"),
        y=alt.Y("head:N", sort="-x", title=None),
        color=alt.Color("value:N", title=FIELD_LABELS.get(field, field)),
        tooltip=["head", "value", "count", alt.Tooltip("share:Q", format=".1%")])


def distribution_block(role, dist, field):
    """The stacked chart of a people section and its download."""
    st.altair_chart(share_chart(dist, field, f"{role.title()}s by {FIELD_LABELS[field].lower()}"),
                    width="stretch")
    ui.download(dist, f"{role}_profiles.csv", f"Download {role} profiles")


def beat_map(key, table, value_col, label):
    """Beats coloured by ``value_col`` of ``table`` (beat column), when beat polygons exist."""
    view = ui.view_of(key)
    if view.beats is None:
        st.caption("No beat polygons in this dataset, so no map; the table lists the beats.")
        return
    shown = view.beats.merge(table[["beat", value_col]], on="beat", how="left")
    shown[value_col] = shown[value_col].fillna(0.0).astype(float)
    layer, legend = maps.beat_layer(shown, value_col)
    st.pydeck_chart(maps.deck([layer], maps.view_for(view.incidents["lat"],
                                                     view.incidents["lon"]), "none"),
                    height=420)
    st.html(legend.to_html())
    st.caption(label)


def population_upload():
    """The optional population table (beat, group, population), or None."""
    upload = st.file_uploader("Population by beat (optional CSV: beat, group, population)",
                              type=["csv"], key="profiles_population")
    if upload is None:
        return None
    try:
        return ui.read_population(upload)
    except CrimekitError as exc:
        st.error(ui.message(str(exc)))
        return None


def counts_only(key, mask, section, what):
    """Counts per head for data with person counts but no person rows."""
    st.info(f"This data has {what} *counts* per incident but no {what} details"
            + (", so only counts can be shown." if what == "victim" else "."))
    counts = ui.profile_section(key, ProfileSettings(section=section, mask_names=mask)).counts
    st.dataframe(counts, hide_index=True, width="stretch")
    if what == "victim":
        ui.download(counts, "person_counts.csv", "Download counts per crime head")


# --- sections -------------------------------------------------------------------------------------

def victims_section(key, cov, mask):
    if not cov.victims:
        if "victim_count" in cov.count_columns:
            counts_only(key, mask, "victims", "victim")
        else:
            st.info("This data has no victim records, so victims cannot be profiled. Import a "
                    "victims table (or a format with victim fields) on the Data page.")
        return
    st.caption(f"{cov.victims:,} victims in the current view.")
    by, field = person_pickers("victim", cov.victim_fields)
    chart = st.container()

    st.subheader("Over-represented groups")
    population = population_upload()
    settings = ProfileSettings(section="victims", mask_names=mask, by=by)
    res = ui.profile_section(key, settings, population).victims
    with chart:
        distribution_block("victim", res.distribution, field)
    flagged = res.flagged(field)
    st.caption(f"A group is flagged when its share of a head's victims is at least "
               f"{settings.min_ratio:g} times its share of all victims and the excess is "
               f"unlikely to be chance (binomial test, false discovery rate "
               f"{settings.alpha * 100:g} %).")
    if len(flagged):
        st.dataframe(flagged.drop(columns=["field", "overrepresented"]), hide_index=True,
                     width="stretch")
    else:
        st.info(f"No {FIELD_LABELS[field].lower()} group is clearly over-represented.")
    ui.download(res.overrepresentation_of(field), "overrepresentation.csv",
                "Download over-representation table")

    st.subheader("Vulnerable areas")
    groups = res.groups(field)
    value = st.selectbox("Group", groups, index=groups.index(res.default_group(field)),
                         key="profiles_group_value")
    areas = res.areas(field, value)
    st.markdown(f"**{int(areas['significant'].sum())}** beats where "
                f"{FIELD_LABELS[field].lower()} = {ui.md(value)} is harmed unusually often"
                + (" relative to its residents." if res.with_population
                   else " relative to its share of victims city-wide."))
    beat_map(key, areas, "ratio", "Ratio of observed to expected victims in the group "
             "(1 = as city-wide).")
    st.dataframe(areas.head(30), hide_index=True, width="stretch")
    ui.download(areas, "vulnerable_areas.csv", "Download vulnerable areas")

    st.subheader("Repeat victims")
    how = st.radio("Same", ["person", "address"], horizontal=True, key="profiles_repeat_by")
    if how == "person" and not cov.victim_ids:
        st.info("Victim records carry no person ids; choose 'address' to match by home.")
        return
    table, gaps = res.repeat[how], res.intervals[how]
    if not len(table):
        st.info("No victim appears more than once in the current view.")
        return
    st.markdown(f"**{len(table):,}** {how}s were victimised more than once; "
                f"**{res.share_within_30_days(how):.0%}** of repeats came within 30 days.")
    st.altair_chart(alt.Chart(gaps, title="Time to the next victimisation").mark_bar().encode(
        x=alt.X("interval:N", sort=None, title=None), y=alt.Y("count:Q"),
        tooltip=["interval", "count", alt.Tooltip("share:Q", format=".1%")]), width="stretch")
    st.dataframe(table.head(50), hide_index=True, width="stretch")
    ui.download(table, "repeat_victims.csv", "Download repeat victims")


def accused_section(key, cov, mask):
    if not cov.accused:
        if "accused_count" in cov.count_columns:
            counts_only(key, mask, "accused", "accused")
        else:
            st.info("This data has no accused records, so offenders cannot be profiled. "
                    "Import an accused table on the Data page.")
        return
    st.caption(f"{cov.accused:,} accused in the current view.")
    by, field = person_pickers("accused", cov.accused_fields)
    res = ui.profile_section(key, ProfileSettings(section="accused", mask_names=mask,
                                                  by=by)).accused
    distribution_block("accused", res.distribution, field)

    st.subheader("Repeat offenders")
    if not cov.person_ids:
        st.info("Accused records carry no person ids, so repeat offenders cannot be found.")
    else:
        st.markdown(f"**{len(res.offenders):,}** people were accused more than once "
                    "(ranked by count, then recency).")
        st.dataframe(res.offenders.head(50), hide_index=True, width="stretch")
        ui.download(res.offenders, "repeat_offenders.csv", "Download repeat offenders")

    st.subheader("Journey to crime")
    journeys = res.journeys
    if not len(journeys):
        st.info("Accused records carry no home locations, so journeys cannot be measured.")
    else:
        base = alt.Chart(journeys, title="Home-to-crime distance (km): median and middle half")
        st.altair_chart(base.mark_rule().encode(
            y=alt.Y("category:N", sort=alt.SortField("median_km"), title=None),
            x=alt.X("p25_km:Q", title="km"), x2="p75_km:Q")
            + base.mark_point(filled=True).encode(
            y=alt.Y("category:N", sort=alt.SortField("median_km")), x="median_km:Q",
            tooltip=["category", "n", alt.Tooltip("median_km:Q", format=".2f"),
                     alt.Tooltip("p25_km:Q", format=".2f"), alt.Tooltip("p75_km:Q", format=".2f"),
                     alt.Tooltip("share_within_1km:Q", format=".0%")]), width="stretch")
        ui.download(journeys, "journey_to_crime.csv", "Download journey distances")

    st.subheader("Co-offending groups")
    if not len(res.pairs):
        st.info("No two people were accused together in the current view.")
    else:
        st.markdown(f"**{res.n_groups:,}** groups of people accused together; the "
                    f"largest has **{res.largest_group}** members.")
        st.dataframe(res.pairs.head(50), hide_index=True, width="stretch")
        ui.download(res.pairs, "co_offending.csv", "Download co-offending pairs")


def reoffending_section(key, cov, mask):
    if not cov.person_ids:
        st.info("Re-offending needs accused records with person ids, which this data lacks.")
        return
    spec = ProfileSettings.spec("months")
    months = st.select_slider(spec["label"], MONTH_CHOICES, value=spec["default"],
                              key="profiles_months", help=spec["help"])
    res = ui.profile_section(key, ProfileSettings(section="reoffending", months=months,
                                                  mask_names=mask)).reoffending
    if res.error:
        st.info(ui.message(f"The re-offending model cannot be backtested on this view: "
                           f"{res.error}"))
        return
    bt, scores = res.backtest, res.scores
    st.caption("Inputs are criminal history only: counts, recency, crime heads and spread over "
               "beats. Caste, religion, nationality, sex and age are never inputs; they are used "
               "below only to check the error rates of each group.")
    m = st.columns(4)
    m[0].metric("Backtest AUC", f"{bt.auc:.2f}", help="0.5 = chance, 1 = perfect ranking")
    m[1].metric("AUC of past count alone", f"{bt.auc_count_only:.2f}")
    m[2].metric("Brier score", f"{bt.brier:.3f}",
                delta=f"{bt.brier - bt.brier_base_rate:+.3f} vs base rate",
                delta_color="inverse")
    m[3].metric("Re-offended in backtest", f"{bt.base_rate:.0%}", help=f"{bt.n:,} offenders")
    st.caption(f"Backtest: fitted on records before {bt.as_of:%Y-%m-%d}, scored offenders known "
               f"then, compared with who was accused again in the next {months} months.")
    cal = bt.calibration
    diag = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(
        strokeDash=[4, 4], color="grey").encode(x="x:Q", y="y:Q")
    st.altair_chart(diag + alt.Chart(cal, title="Calibration: predicted vs observed").mark_line(
        point=True).encode(x=alt.X("mean_predicted:Q", title="predicted"),
                           y=alt.Y("observed:Q", title="observed"),
                           tooltip=["bin", "n", alt.Tooltip("mean_predicted:Q", format=".2f"),
                                    alt.Tooltip("observed:Q", format=".2f")]), width="stretch")
    st.subheader("Error rates by group")
    st.caption(f"Flagged = probability at least {bt.threshold:.2f} (the training base rate). "
               "Compare false positive and false negative rates across groups: large gaps mean "
               "the model errs more for some people than others.")
    st.dataframe(bt.by_group, hide_index=True, width="stretch")
    ui.download(bt.by_group, "reoffending_by_group.csv", "Download error rates by group")
    st.subheader("Current scores")
    st.caption("Each band is the rate of re-offending the backtest observed for offenders with "
               "similar scores (95 % interval).")
    st.dataframe(scores.head(50), hide_index=True, width="stretch")
    ui.download(scores, "reoffending_scores.csv", "Download current scores")


def links_section(key):
    view = ui.view_of(key)
    if view.beats is None and not view.incidents["beat"].astype(bool).any():
        st.caption("No beats in this data: use grid cells.")
    unit, size = unit_picker("profiles_links")
    res = ui.profile_section(key, ProfileSettings(section="links", unit=unit,
                                                  cell_size=size)).links
    corr, co, heinous, major = res.correlation, res.co_occurrence, res.heinous, res.major_heads
    st.subheader("Do crime heads go together?")
    if not len(corr):
        st.info("Too few places or crime heads to correlate.")
    else:
        st.altair_chart(alt.Chart(corr, title="Correlation of counts across places "
                                  "(clustered order)").mark_rect().encode(
            x=alt.X("head_b:N", sort=alt.SortField("order_b"), title=None),
            y=alt.Y("head_a:N", sort=alt.SortField("order_a"), title=None),
            color=alt.Color("correlation:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1],
                                                             reverse=True)),
            tooltip=["head_a", "head_b", alt.Tooltip("correlation:Q", format=".2f"),
                     "n_units"]), width="stretch")
        ui.download(corr, "head_correlation.csv", "Download correlations")
    st.subheader("Same place, same week")
    if len(co):
        st.caption("Lift = how many times more often two heads are recorded in the same place "
                   "and week than if they were independent.")
        st.dataframe(co.head(20), hide_index=True, width="stretch")
        ui.download(co, "co_occurrence.csv", "Download co-occurrence")
    else:
        st.info("No two crime heads share a place and week often enough to compare.")
    st.subheader("Heinous crime per beat")
    if len(heinous):
        beat_map(key, heinous, "share", "Share of heinous incidents per beat.")
        st.dataframe(heinous.head(30), hide_index=True, width="stretch")
        ui.download(heinous, "heinous_share.csv", "Download heinous share per beat")
    else:
        st.info("No beats in this data.")
    st.subheader("Major heads by district")
    st.altair_chart(alt.Chart(major).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%")),
        y=alt.Y("district:N", title=None), color="category_group:N",
        tooltip=["district", "category_group", "count",
                 alt.Tooltip("share:Q", format=".1%")]), width="stretch")
    ui.download(major, "major_heads.csv", "Download major heads by district")
    st.subheader("Property stolen")
    if not res.has_property_values:
        st.info("This data records no property values.")
    else:
        if not res.has_recovered_values:
            st.caption("No recovered values in this data; only stolen values are shown.")
        st.dataframe(res.property_by_head, hide_index=True, width="stretch")
        ui.download(res.property_by_place, "property_values.csv",
                    "Download property values by place")


def clusters_section(key):
    unit, size = unit_picker("profiles_clusters")
    method = choice_radio(st, "method", "profiles_method")
    settings = ProfileSettings(section="clusters", unit=unit, cell_size=size, method=method)
    res = ui.profile_section(key, settings).clusters
    if res.error:
        st.info(ui.message(res.error))
        return
    st.markdown(f"**{res.k} groups** of {len(res.labels):,} places, chosen because that number "
                f"gave the highest silhouette ({res.silhouette:.2f}; closer to 1 = better "
                "separated).")
    st.altair_chart(alt.Chart(res.selection, title="Silhouette by number of groups").mark_line(
        point=True).encode(x="k:O", y="silhouette:Q",
                           tooltip=["k", alt.Tooltip("silhouette:Q", format=".3f")]),
                    width="stretch")
    for cluster, summary in res.summaries:
        st.markdown(f"- **Group {cluster}**: {ui.md(summary)}")
    view = ui.view_of(key)
    labels = res.labels
    shapes = None
    if unit == "beat" and view.beats is not None:
        shapes = view.beats.merge(labels.rename(columns={"unit": "beat"}), on="beat")
    elif unit == "cell":
        shapes = ui.profile_grid(key, settings).cells.merge(
            labels.rename(columns={"unit": "cell_id"}), on="cell_id")
    if shapes is not None and len(shapes):
        shapes = shapes.assign(group="Group " + shapes["cluster"].astype(str))
        layer, legend = maps.category_layer(shapes, "group")
        st.pydeck_chart(maps.deck([layer], maps.view_for(view.incidents["lat"],
                                                         view.incidents["lon"]), "none"),
                        height=420)
        st.html(legend.to_html())
    ui.download(res.profiles, "place_cluster_profiles.csv", "Download group profiles")
    ui.download(labels, "place_clusters.csv", "Download each place's group")


# --- layout ---------------------------------------------------------------------------------------

st.title("Profiles")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
cov = ui.profile_coverage(key)

left, right = st.columns([3, 1])
title = left.radio("Section", list(SECTION_TITLES.values()), horizontal=True,
                   key="profiles_section")
section = SECTION_OF_TITLE[title]
unmask = right.toggle("Show names", value=False, key="profiles_unmask",
                      disabled=not ui.can("unmask"))
right.caption("Off by default: people are shown as pseudonyms and masked names, because these "
              "tables are about patterns, not individuals. Analysts may turn names on to follow "
              "up a case; commanders cannot.")
mask = not (unmask and ui.can("unmask"))
st.caption(f"{len(view.incidents):,} incidents - {ui.md(ui.current_filters().describe())}.")

if section == "victims":
    victims_section(key, cov, mask)
elif section == "accused":
    accused_section(key, cov, mask)
elif section == "reoffending":
    reoffending_section(key, cov, mask)
elif section == "links":
    links_section(key)
else:
    clusters_section(key)
ui.limits_note()
