"""Profiles: who is harmed, who offends, how crime heads go together, which places are alike.

Groups and places only: people appear as pseudonyms with masked names unless an analyst turns
names on. Every number comes from crimekit.profiles / reoffending / links / place_clusters.
"""

import altair as alt
import pandas as pd
import streamlit as st

import ui
from crimekit import profiles
from crimekit.profiles.places import links
from ui import maps
from crimekit.errors import CrimekitError
from crimekit.profiles import PlaceClusters

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

SECTIONS = ("Victims", "Accused", "Re-offending", "Crime links", "Place clusters")
BY = {"Crime head": "category", "Major head": "category_group"}
FIELD_LABELS = {"age_band": "Age band", "sex": "Sex", "occupation": "Occupation",
                "socio_economic": "Socio-economic status"}
CELL_SIZES = [250, 500, 750, 1000]


# --- cached calls (keyed on the small view key, never on frames) ----------------------------------

@st.cache_data(show_spinner=False, max_entries=16)
def coverage(key):
    return profiles.coverage(ui.view_of(key))


@st.cache_data(show_spinner=False, max_entries=16)
def distribution(key, role, by):
    return profiles.distribution(ui.view_of(key), role, by=by)


@st.cache_data(show_spinner=False, max_entries=16)
def overrepresentation(key, field, by, population):
    return profiles.overrepresentation(ui.view_of(key), field=field, by=by, population=population)


@st.cache_data(show_spinner=False, max_entries=16)
def vulnerable(key, field, value, population):
    return profiles.vulnerable_areas(ui.view_of(key), field, value, population=population)


@st.cache_data(show_spinner=False, max_entries=16)
def repeat_victims(key, by, mask):
    view = ui.view_of(key)
    return (profiles.repeat_victims(view, by=by, mask_names=mask),
            profiles.revictimisation_intervals(view, by=by))


@st.cache_data(show_spinner=False, max_entries=16)
def accused_tables(key, mask):
    view = ui.view_of(key)
    return (profiles.repeat_offenders(view, mask_names=mask),
            profiles.co_offending(view, mask_names=mask), profiles.journey_summary(view))


@st.cache_data(show_spinner="Linking crime heads...", max_entries=8)
def link_tables(key, unit, cell_size):
    view = ui.view_of(key)
    grid = ui.grid(key[:2], float(cell_size)) if unit == "cell" else None
    inc = view.incidents
    return (links.head_correlation(inc, unit=unit, grid=grid),
            links.co_occurrence(inc, unit=unit, grid=grid), links.heinous_share(inc),
            links.major_head_breakdown(inc, by="district"),
            links.property_values(inc, by=("category",)),
            links.property_values(inc, by=("district", "category")))


@st.cache_data(show_spinner="Grouping places...", max_entries=8)
def place_clusters(key, unit, cell_size, method):
    view = ui.view_of(key)
    grid = ui.grid(key[:2], float(cell_size)) if unit == "cell" else None
    try:
        pc = PlaceClusters(method=method).fit(view.incidents, unit=unit, grid=grid)
    except CrimekitError as exc:
        return None, str(exc)
    return pc, None


# --- small display helpers ------------------------------------------------------------------------

def share_chart(dist, field, title):
    """Stacked 100 % bars: each head's persons by ``field``."""
    data = dist[dist["field"] == field]
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share"),
        y=alt.Y("head:N", sort="-x", title=None),
        color=alt.Color("value:N", title=FIELD_LABELS.get(field, field)),
        tooltip=["head", "value", "count", alt.Tooltip("share:Q", format=".1%")])


def distribution_block(key, role, fields):
    """Group-by and field pickers, the stacked chart, the table and its download."""
    c1, c2 = st.columns(2)
    by = c1.radio("Group by", list(BY), horizontal=True, key=f"profiles_{role}_by")
    field = c2.selectbox("Show", fields, format_func=FIELD_LABELS.get,
                         key=f"profiles_{role}_field")
    dist = distribution(key, role, BY[by])
    st.altair_chart(share_chart(dist, field, f"{role.title()}s by {FIELD_LABELS[field].lower()}"),
                    width="stretch")
    ui.download(dist, f"{role}_profiles.csv", f"Download {role} profiles")
    return BY[by], field


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


def read_population(upload):
    """The optional population table (beat, group, population), or None."""
    if upload is None:
        return None
    try:
        pop = pd.read_csv(upload)
    except (ValueError, UnicodeDecodeError) as exc:
        st.error(ui.message(f"The population file cannot be read: {exc}"))
        return None
    if not {"beat", "group", "population"} <= set(pop.columns):
        st.error("The population file needs the columns beat, group, population "
                 "(group = a value of the field shown, e.g. F or Retired).")
        return None
    return pop.assign(beat=pop["beat"].astype(str), group=pop["group"].astype(str))


# --- sections -------------------------------------------------------------------------------------

def victims_section(key, cov, mask):
    if not cov.victims:
        if "victim_count" in cov.count_columns:
            st.info("This data has victim *counts* per incident but no victim details, so "
                    "only counts can be shown.")
            counts = profiles.person_counts(ui.view_of(key))
            st.dataframe(counts, hide_index=True, width="stretch")
            ui.download(counts, "person_counts.csv", "Download counts per crime head")
        else:
            st.info("This data has no victim records, so victims cannot be profiled. Import a "
                    "victims table (or a format with victim fields) on the Data page.")
        return
    st.caption(f"{cov.victims:,} victims in the current view.")
    by, field = distribution_block(key, "victim", cov.victim_fields)

    st.subheader("Over-represented groups")
    upload = st.file_uploader("Population by beat (optional CSV: beat, group, population)",
                              type=["csv"], key="profiles_population")
    population = read_population(upload)
    over = overrepresentation(key, field, by, population)
    flagged = over[over["overrepresented"]]
    st.caption("A group is flagged when its share of a head's victims is at least 1.25 times "
               "its share of all victims and the excess is unlikely to be chance "
               "(binomial test, false discovery rate 5 %).")
    if len(flagged):
        st.dataframe(flagged.drop(columns=["field", "overrepresented"]), hide_index=True,
                     width="stretch")
    else:
        st.info(f"No {FIELD_LABELS[field].lower()} group is clearly over-represented.")
    ui.download(over, "overrepresentation.csv", "Download over-representation table")

    st.subheader("Vulnerable areas")
    values = [v for v in over["value"].unique()] or ["unknown"]
    default = flagged["value"].iloc[0] if len(flagged) else values[0]
    value = st.selectbox("Group", values, index=values.index(default),
                         key="profiles_group_value")
    areas = vulnerable(key, field, value, population)
    sig = areas[areas["significant"]]
    st.markdown(f"**{len(sig)}** beats where {FIELD_LABELS[field].lower()} = {ui.md(value)} is "
                "harmed unusually often" + (" relative to its residents." if population is not None
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
    table, gaps = repeat_victims(key, how, mask)
    if not len(table):
        st.info("No victim appears more than once in the current view.")
        return
    st.markdown(f"**{len(table):,}** {how}s were victimised more than once; "
                f"**{gaps['cumulative_share'].iloc[1]:.0%}** of repeats came within 30 days.")
    st.altair_chart(alt.Chart(gaps, title="Time to the next victimisation").mark_bar().encode(
        x=alt.X("interval:N", sort=None, title=None), y=alt.Y("count:Q"),
        tooltip=["interval", "count", alt.Tooltip("share:Q", format=".1%")]), width="stretch")
    st.dataframe(table.head(50), hide_index=True, width="stretch")
    ui.download(table, "repeat_victims.csv", "Download repeat victims")


def accused_section(key, cov, mask):
    if not cov.accused:
        if "accused_count" in cov.count_columns:
            st.info("This data has accused *counts* per incident but no accused details.")
            st.dataframe(profiles.person_counts(ui.view_of(key)), hide_index=True,
                         width="stretch")
        else:
            st.info("This data has no accused records, so offenders cannot be profiled. "
                    "Import an accused table on the Data page.")
        return
    st.caption(f"{cov.accused:,} accused in the current view.")
    distribution_block(key, "accused", cov.accused_fields)
    offenders, pairs, journeys = accused_tables(key, mask)

    st.subheader("Repeat offenders")
    if not cov.person_ids:
        st.info("Accused records carry no person ids, so repeat offenders cannot be found.")
    else:
        st.markdown(f"**{len(offenders):,}** people were accused more than once "
                    "(ranked by count, then recency).")
        st.dataframe(offenders.head(50), hide_index=True, width="stretch")
        ui.download(offenders, "repeat_offenders.csv", "Download repeat offenders")

    st.subheader("Journey to crime")
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
    if not len(pairs):
        st.info("No two people were accused together in the current view.")
    else:
        st.markdown(f"**{pairs['group'].nunique():,}** groups of people accused together; the "
                    f"largest has **{int(pairs['group_size'].max())}** members.")
        st.dataframe(pairs.head(50), hide_index=True, width="stretch")
        ui.download(pairs, "co_offending.csv", "Download co-offending pairs")


def reoffending_section(key, cov, mask):
    if not cov.person_ids:
        st.info("Re-offending needs accused records with person ids, which this data lacks.")
        return
    months = st.select_slider("Within (months)", [3, 6, 9, 12, 18, 24], value=12,
                              key="profiles_months")
    bt, scores, error = ui.reoffending_backtest(key, months, mask)
    if error:
        st.info(ui.message(f"The re-offending model cannot be backtested on this view: "
                           f"{error}"))
        return
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


def unit_picker(prefix):
    c1, c2 = st.columns(2)
    unit = c1.radio("Places", ["beat", "cell"], horizontal=True, key=f"{prefix}_unit",
                    format_func={"beat": "Beats", "cell": "Grid cells"}.get)
    size = c2.select_slider("Cell size (metres)", CELL_SIZES, value=500, key=f"{prefix}_cell",
                            disabled=unit != "cell")
    return unit, size


def links_section(key):
    view = ui.view_of(key)
    if view.beats is None and not view.incidents["beat"].astype(bool).any():
        st.caption("No beats in this data: use grid cells.")
    unit, size = unit_picker("profiles_links")
    corr, co, heinous, major, prop_head, prop_place = link_tables(key, unit, size)
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
    if prop_head["with_value"].sum() == 0:
        st.info("This data records no property values.")
    else:
        if prop_head["recovered_total"].isna().all():
            st.caption("No recovered values in this data; only stolen values are shown.")
        st.dataframe(prop_head, hide_index=True, width="stretch")
        ui.download(prop_place, "property_values.csv", "Download property values by place")


def clusters_section(key):
    unit, size = unit_picker("profiles_clusters")
    method = st.radio("Method", ["kmeans", "ward"], horizontal=True, key="profiles_method",
                      format_func={"kmeans": "k-means", "ward": "Hierarchical (Ward)"}.get)
    pc, error = place_clusters(key, unit, size, method)
    if error:
        st.info(ui.message(error))
        return
    best = pc.selection_.set_index("k").loc[pc.k_, "silhouette"]
    st.markdown(f"**{pc.k_} groups** of {len(pc.labels_):,} places, chosen because that number "
                f"gave the highest silhouette ({best:.2f}; closer to 1 = better separated).")
    st.altair_chart(alt.Chart(pc.selection_, title="Silhouette by number of groups").mark_line(
        point=True).encode(x="k:O", y="silhouette:Q",
                           tooltip=["k", alt.Tooltip("silhouette:Q", format=".3f")]),
                    width="stretch")
    for row in pc.profiles_.itertuples():
        st.markdown(f"- **Group {row.cluster}**: {ui.md(row.summary)}")
    view = ui.view_of(key)
    labels = pc.labels_
    shapes = None
    if unit == "beat" and view.beats is not None:
        shapes = view.beats.merge(labels.rename(columns={"unit": "beat"}), on="beat")
    elif unit == "cell":
        shapes = ui.grid(key[:2], float(size)).cells.merge(
            labels.rename(columns={"unit": "cell_id"}), on="cell_id")
    if shapes is not None and len(shapes):
        shapes = shapes.assign(group="Group " + shapes["cluster"].astype(str))
        layer, legend = maps.category_layer(shapes, "group")
        st.pydeck_chart(maps.deck([layer], maps.view_for(view.incidents["lat"],
                                                         view.incidents["lon"]), "none"),
                        height=420)
        st.html(legend.to_html())
    table = pc.profiles_.drop(columns="summary")
    ui.download(table, "place_cluster_profiles.csv", "Download group profiles")
    ui.download(labels, "place_clusters.csv", "Download each place's group")


# --- layout ---------------------------------------------------------------------------------------

st.title("Profiles")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
cov = coverage(key)

left, right = st.columns([3, 1])
section = left.radio("Section", SECTIONS, horizontal=True, key="profiles_section")
unmask = right.toggle("Show names", value=False, key="profiles_unmask",
                      disabled=not ui.can("unmask"))
right.caption("Off by default: people are shown as pseudonyms and masked names, because these "
              "tables are about patterns, not individuals. Analysts may turn names on to follow "
              "up a case; commanders cannot.")
mask = not (unmask and ui.can("unmask"))
st.caption(f"{len(view.incidents):,} incidents - {ui.md(ui.current_filters().describe())}.")

if section == "Victims":
    victims_section(key, cov, mask)
elif section == "Accused":
    accused_section(key, cov, mask)
elif section == "Re-offending":
    reoffending_section(key, cov, mask)
elif section == "Crime links":
    links_section(key)
else:
    clusters_section(key)
ui.limits_note()
