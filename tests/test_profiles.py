"""Victim and accused profiles: hand-computed tiny cases and known answers on the demo city."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crimekit import profiles as P
from crimekit.errors import ParameterError
from crimekit.schema import Dataset, conform_incidents, conform_persons
from crimekit.synth import HEAD_BY_NAME, OVERREPRESENTED


def tiny() -> Dataset:
    """Four incidents, five victims, four accused; every answer below is countable by hand."""
    inc = conform_incidents(pd.DataFrame({
        "incident_id": ["I1", "I2", "I3", "I4"],
        "occurred_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-05 10:00",
                                       "2024-02-04 10:00", "2024-03-01 22:00"]),
        "category": ["Theft", "Theft", "Hurt", "Hurt"],
        "category_group": ["Property", "Property", "Body", "Body"],
        "lat": [12.0, 12.0, 12.0, 12.0], "lon": [77.0, 77.0, 77.0, 77.0],
        "beat": ["B1", "B1", "B2", "B2"]}))
    persons = conform_persons(pd.DataFrame({
        "incident_id": ["I1", "I2", "I3", "I4", "I4", "I1", "I3", "I3", "I4"],
        "role": ["victim"] * 5 + ["accused"] * 4,
        "person_id": ["V1", "V1", "V1", "V2", "V3", "A1", "A1", "A2", "A1"],
        "name": ["Asha Rao", "Asha Rao", "Asha Rao", "Ravi Kumar", "Imran Khan",
                 "Kiran Naik", "Kiran Naik", "Joseph D'Souza", "Kiran Naik"],
        "age": [30, 30, 30, 70, 20, 25, 25, 40, 25],
        "sex": ["F", "F", "F", "M", "M", "M", "M", "M", "M"],
        "occupation": ["Student", "Student", "Student", "Retired", "", "", "", "", ""],
        "home_lat": [12.01, 12.01, 12.01, np.nan, np.nan, 13.0, 13.0, np.nan, 13.0],
        "home_lon": [77.0, 77.0, 77.0, np.nan, np.nan, 77.0, 77.0, np.nan, 77.0]}))
    return Dataset(name="tiny", incidents=inc, persons=persons)


# --- masking -------------------------------------------------------------------------------------

def test_mask_name_keeps_initials_only():
    assert P.mask_name("Ravi Kumar") == "R*** K****"
    assert P.mask_name("") == "" and P.mask_name(None) == ""


def test_names_and_ids_are_masked_by_default_and_shown_only_on_request():
    ds = tiny()
    off = P.repeat_offenders(ds)
    assert list(off["offender"]) == ["Offender #1"]
    assert list(off["name"]) == ["K**** N***"]
    vic = P.repeat_victims(ds)
    assert list(vic["victim"]) == ["Victim #1"] and list(vic["name"]) == ["A*** R**"]
    pairs = P.co_offending(ds)
    assert set(pairs[["offender_a", "offender_b"]].iloc[0]) == {"Offender #1", "Offender #2"}
    shown = pd.concat([off.astype(str), vic.astype(str), pairs.astype(str)]).to_string()
    for secret in ("A1", "A2", "V1", "Kiran", "Asha", "Joseph"):
        assert secret not in shown
    assert list(P.repeat_offenders(ds, mask_names=False)["name"]) == ["Kiran Naik"]
    assert list(P.repeat_victims(ds, mask_names=False)["victim"]) == ["V1"]


# --- tiny hand-computed cases ---------------------------------------------------------------------

def test_distribution_shares_by_head_and_all():
    d = P.distribution(tiny(), "victim")
    sex = d[d["field"] == "sex"].set_index(["head", "value"])["share"]
    assert sex["Theft", "F"] == 1.0
    assert sex["Hurt", "M"] == pytest.approx(2 / 3)
    assert sex["All", "F"] == pytest.approx(3 / 5)
    occ = d[d["field"] == "occupation"].set_index(["head", "value"])["count"]
    assert occ["All", "unknown"] == 1  # blank occupation counted as unknown
    assert set(d["field"]) == {"age_band", "sex", "occupation"}  # no socio_economic at all


def test_overrepresentation_matches_a_hand_binomial_test():
    o = P.overrepresentation(tiny(), field="sex", min_count=1).set_index(["head", "value"])
    row = o.loc[("Hurt", "M")]
    assert row["share"] == pytest.approx(2 / 3) and row["baseline_share"] == pytest.approx(2 / 5)
    assert row["ratio"] == pytest.approx((2 / 3) / (2 / 5))
    assert row["p_value"] == pytest.approx(stats.binom.sf(1, 3, 0.4))


def test_overrepresentation_against_population():
    pop = pd.DataFrame({"beat": ["B1", "B1", "B2", "B2"], "group": ["F", "M", "F", "M"],
                        "population": [100, 300, 100, 300]})
    o = P.overrepresentation(tiny(), field="sex", population=pop, min_count=1)
    row = o.set_index(["head", "value"]).loc[("Theft", "F")]
    assert row["population_share"] == pytest.approx(0.25)
    assert row["ratio_population"] == pytest.approx(4.0)
    with pytest.raises(ParameterError, match="population"):
        P.overrepresentation(tiny(), population=pop.drop(columns="group"))


def test_vulnerable_areas_share_and_population_rates():
    v = P.vulnerable_areas(tiny(), "sex", "F", min_persons=1).set_index("beat")
    assert v.loc["B1", "share"] == 1.0 and v.loc["B1", "expected"] == pytest.approx(2 * 0.6)
    assert v.loc["B1", "p_value"] == pytest.approx(0.36)  # P(2 of 2 | p = 0.6)
    pop = pd.DataFrame({"beat": ["B1", "B2"], "group": ["F", "F"], "population": [1000, 1000]})
    r = P.vulnerable_areas(tiny(), "sex", "F", min_persons=1, population=pop).set_index("beat")
    assert r.loc["B1", "rate_per_1000"] == 2.0 and r.loc["B2", "rate_per_1000"] == 1.0
    assert r.loc["B1", "expected"] == pytest.approx(1.5)


def test_repeat_victims_and_how_soon():
    ds = tiny()
    rv = P.repeat_victims(ds, mask_names=False)
    assert rv.loc[0, "n_incidents"] == 3
    assert rv.loc[0, "min_days_between"] == 4 and rv.loc[0, "median_days_between"] == 17
    by_address = P.repeat_victims(ds, by="address", mask_names=False)
    assert list(by_address["victim"]) == ["12.01,77.0"]
    gaps = P.revictimisation_intervals(ds).set_index("interval")["count"]
    assert gaps["within a week"] == 1 and gaps["8-30 days"] == 1 and gaps.sum() == 2


def test_repeat_offenders_rank_spread_and_recency():
    off = P.repeat_offenders(tiny(), mask_names=False).iloc[0]
    assert off["offender"] == "A1" and off["n_incidents"] == 3 and off["n_beats"] == 2
    assert off["n_heads"] == 2 and off["main_head"] == "Hurt" and off["days_since_last"] == 0
    assert len(P.repeat_offenders(tiny(), min_incidents=4)) == 0


def test_journey_to_crime_distance_is_great_circle_km():
    j = P.journey_to_crime(tiny())
    assert len(j) == 3  # A2 has no home
    assert j["distance_km"].to_numpy() == pytest.approx(111.195, rel=1e-3)  # one degree north
    assert "person_id" not in j and "name" not in j


def test_co_offending_network_groups():
    pairs = P.co_offending(tiny(), mask_names=False)
    assert len(pairs) == 1
    assert pairs.loc[0, ["offender_a", "offender_b", "n_together", "group", "group_size"]].tolist() \
        == ["A1", "A2", 1, 1, 2]


def test_person_counts_from_count_columns_when_no_person_rows():
    inc = tiny().incidents.assign(victim_count=[1, 0, 2, 1], accused_count=[1, 1, 2, 0])
    ds = Dataset(name="ksp", incidents=inc)
    cov = P.coverage(ds)
    assert cov.victims == 0 and cov.count_columns == ("victim_count", "accused_count")
    pc = P.person_counts(ds).set_index("head")
    assert pc.loc["Hurt", "victims"] == 3 and pc.loc["Theft", "accused"] == 2
    assert pc.loc["Hurt", "source"] == "count columns"


def test_sections_without_persons_return_empty_tables_not_errors():
    ds = Dataset(name="none", incidents=tiny().incidents)
    cov = P.coverage(ds)
    assert (cov.victims, cov.accused, cov.person_ids, cov.homes) == (0, 0, False, False)
    for table in (P.distribution(ds), P.overrepresentation(ds), P.repeat_offenders(ds),
                  P.repeat_victims(ds), P.co_offending(ds), P.journey_summary(ds),
                  P.vulnerable_areas(ds, "sex", "F")):
        assert len(table) == 0 and len(table.columns) > 0


def test_victims_only_data_has_no_accused_sections():
    t = tiny()
    ds = Dataset(name="lapd-like", incidents=t.incidents,
                 persons=t.persons[t.persons["role"] == "victim"])
    cov = P.coverage(ds)
    assert cov.victims == 5 and cov.accused == 0 and not cov.person_ids
    assert len(P.repeat_offenders(ds)) == 0 and len(P.distribution(ds, "victim")) > 0


def test_missing_major_head_falls_back_to_the_crime_head():
    t = tiny()
    ds = t.with_incidents(t.incidents.assign(category_group=""))
    assert set(P.distribution(ds, by="category_group")["head"]) == {"All", "Theft", "Hurt"}


def test_age_band_prefers_the_source_group():
    bands = P.age_band([5, 30, None, 34.5], ["", "", "", "25-44"])
    assert list(bands) == ["0-17", "25-34", "unknown", "25-44"]


def test_bad_parameters_name_themselves():
    with pytest.raises(ParameterError, match="'by' parameter of distribution"):
        P.distribution(tiny(), by="beat")
    with pytest.raises(ParameterError, match="'field'"):
        P.overrepresentation(tiny(), field="caste")


def test_inputs_are_not_mutated():
    ds = tiny()
    before_p, before_i = ds.persons.copy(), ds.incidents.copy()
    P.repeat_offenders(ds), P.co_offending(ds), P.distribution(ds), P.repeat_victims(ds)
    pd.testing.assert_frame_equal(ds.persons, before_p)
    pd.testing.assert_frame_equal(ds.incidents, before_i)


# --- known answers on the demo city ---------------------------------------------------------------

def test_generators_overrepresented_victim_groups_are_detected(city):
    over = pd.concat([P.overrepresentation(city.dataset, field=f)
                      for f in ("sex", "occupation")])
    flagged = set(zip(over.loc[over["overrepresented"], "head"],
                      over.loc[over["overrepresented"], "field"],
                      over.loc[over["overrepresented"], "value"]))
    expected = {(h.name, *OVERREPRESENTED[h.victim_profile]) for h in HEAD_BY_NAME.values()
                if h.victim_profile in OVERREPRESENTED}
    assert len(expected) >= 10
    assert expected <= flagged
    # the named examples, with a clear margin
    ratio = over.set_index(["head", "value"])["ratio"]
    assert ratio["Chain snatching", "F"] > 2 and ratio["Cyber fraud", "Retired"] > 3
    assert ratio["Hurt", "M"] > 1.3
    assert not over.set_index(["head", "value"]).loc[("Hurt", "F"), "overrepresented"]


def test_prolific_offenders_top_the_repeat_offender_list(city):
    off = P.repeat_offenders(city.dataset, mask_names=False)
    truth = city.truth.offenders
    prolific = set(truth.loc[truth["prolific"], "person_id"]) & set(off["offender"])
    assert len(prolific) > 80
    # 3% of offenders are prolific; at least 80% of the top 50 must be
    assert off.head(50)["offender"].isin(prolific).mean() >= 0.8
    found = off.head(2 * len(prolific))["offender"].isin(prolific).sum()
    assert found / len(prolific) >= 0.9


def test_co_offenders_belong_to_the_generators_groups(city):
    pairs = P.co_offending(city.dataset, mask_names=False)
    group = city.truth.offenders.set_index("person_id")["group_id"]
    same = group[pairs["offender_a"]].to_numpy() == group[pairs["offender_b"]].to_numpy()
    assert len(pairs) > 300 and same.all()
    assert (group[pairs["offender_a"]].to_numpy() >= 0).all()


def test_repeat_victims_come_from_the_generators_pool(city):
    rv = P.repeat_victims(city.dataset, mask_names=False)
    assert rv.head(50)["victim"].str.startswith("RV").all()


def test_journey_distances_follow_the_distance_decay_given(city):
    """What is recoverable: the ordering of heads by their decay scale (journey_km), not
    proportional means, because a ring at distance d holds ~d times more homes (distance is
    gamma-shaped, mean ~2x the scale) and the 14 x 11 km city truncates long journeys."""
    j = P.journey_summary(city.dataset).set_index("category")
    scale = pd.Series({h: HEAD_BY_NAME[h].journey_km for h in j.index})
    assert stats.spearmanr(scale, j["median_km"]).statistic > 0.8
    assert stats.spearmanr(scale, j["mean_km"]).statistic > 0.8
    assert j["median_km"].idxmin() == "Cruelty by husband"  # 50 m decay: at home
    assert j.loc["Cyber fraud", "median_km"] > j.loc["Murder", "median_km"] + 2
    short = j.loc[scale[scale <= 1.0].index, "median_km"]
    long = j.loc[scale[scale >= 4.0].index, "median_km"]
    assert short.max() < long.min()


# --- the command line ----------------------------------------------------------------------------

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "ingest"


def test_profiles_command_on_a_counts_only_file(tmp_path, capsys):
    from crimekit.cli import main
    assert main(["profiles", "--data", str(FIXTURES / "ksp_fir.csv"), "--out",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped victim_profiles.csv: the data has no victim rows" in out
    counts = pd.read_csv(tmp_path / "person_counts.csv").set_index("head")
    assert counts.loc["Murder", "accused"] == 2 and counts.loc["Murder", "victims"] == 1


def test_profiles_command_refuses_unknown_data_in_one_sentence(tmp_path, capsys):
    from crimekit.cli import main
    assert main(["profiles", "--data", "no-such-dataset", "--out", str(tmp_path)]) == 2
    assert "no-such-dataset" in capsys.readouterr().err


def test_every_written_table_is_masked_by_default(city):
    from crimekit.commands.profiles import tables
    secrets = set(city.truth.offenders["name"]) | set(city.truth.offenders["person_id"]) \
        | set(city.dataset.persons["name"]) | set(city.dataset.persons["person_id"])
    written = dict(tables(city.dataset))
    assert {"repeat_offenders.csv", "co_offending.csv", "reoffending_by_group.csv",
            "place_clusters.csv", "head_correlation.csv"} <= set(written)
    for name, table in written.items():
        assert not isinstance(table, str), (name, table)
        cells = set(table.astype(str).to_numpy().ravel())
        assert not cells & secrets, name
