"""The profiles' entry point: ProfileSettings declared once, profile(dataset, settings) returns
every table the page shows and the command writes, from the same functions."""

import inspect

import pandas as pd
import pytest

from crimekit import profiles as P
from crimekit.errors import ParameterError
from crimekit.profiles import MONTH_CHOICES, ProfileSettings, profile
from test_profiles import tiny


def test_settings_are_declared_once_and_checked():
    s = ProfileSettings()
    assert (s.section, s.mask_names, s.by, s.months, s.unit, s.cell_size, s.method) == \
        ("all", True, "category", 12, "beat", 500, "kmeans")
    with pytest.raises(ParameterError, match="'months' parameter of ProfileSettings"):
        ProfileSettings(months=0)
    with pytest.raises(ParameterError, match="'section'"):
        ProfileSettings(section="people")
    with pytest.raises(ParameterError, match="'cell_size'"):
        s.replace(cell_size=300)
    spec = ProfileSettings.spec("months")
    assert all(spec["low"] <= m <= spec["high"] for m in MONTH_CHOICES)
    assert spec["default"] in MONTH_CHOICES
    # the functions underneath take their defaults from the settings, not their own copies
    default = lambda f, name: inspect.signature(f).parameters[name].default  # noqa: E731
    assert default(P.overrepresentation, "min_count") == s.min_persons
    assert default(P.overrepresentation, "min_ratio") == s.min_ratio
    assert default(P.vulnerable_areas, "alpha") == s.alpha
    assert default(P.backtest_reoffending, "months") == s.months
    assert default(P.PlaceClusters, "method") == s.method


def test_profile_of_tiny_data_is_the_functions_tables():
    ds = tiny()
    res = profile(ds, ProfileSettings())
    v, a = res.victims, res.accused
    assert (v.n, a.n, v.fields) == (5, 4, ("age_band", "sex", "occupation"))
    pd.testing.assert_frame_equal(v.distribution, P.distribution(ds))
    pd.testing.assert_frame_equal(v.overrepresentation_of("sex"),
                                  P.overrepresentation(ds, field="sex"))
    pd.testing.assert_frame_equal(v.areas("sex", "F"), P.vulnerable_areas(ds, "sex", "F"))
    pd.testing.assert_frame_equal(v.repeat["person"], P.repeat_victims(ds))
    pd.testing.assert_frame_equal(a.offenders, P.repeat_offenders(ds))
    assert sorted(v.groups("sex")) == ["F", "M"] and v.default_group("sex") in ("F", "M")
    assert len(v.areas("sex", "nobody")) == 0
    # Victim V1: 2024-01-01, 01-05 (4 days), 02-04 (30 days): both repeats within 30 days
    assert v.share_within_30_days("person") == 1.0
    assert (a.n_groups, a.largest_group) == (1, 2)
    assert res.reoffending.backtest is None and "at most 1" in res.reoffending.error
    assert res.clusters.error and res.clusters.clusters is None
    assert res.counts is None


def test_tables_are_written_in_the_commands_order_with_reasons():
    res = profile(tiny(), ProfileSettings())
    names = [name for name, _ in res.tables()]
    assert names == ["victim_profiles.csv", "accused_profiles.csv",
                     "overrepresented_victims.csv", "repeat_victims.csv",
                     "repeat_offenders.csv", "co_offending.csv", "reoffending_backtest.csv",
                     "journey_to_crime.csv", "head_correlation.csv", "co_occurrence.csv",
                     "heinous_share.csv", "major_heads.csv", "property_values.csv",
                     "place_clusters.csv"]
    assert dict(res.left_out).keys() == {"reoffending_backtest.csv", "place_clusters.csv"}


def test_one_section_computes_only_that_section():
    res = profile(tiny(), ProfileSettings(section="accused", mask_names=False))
    assert res.victims is None and res.links is None and res.accused is not None
    assert list(res.accused.offenders["name"]) == ["Kiran Naik"]
    assert [n for n, _ in res.tables()] == ["accused_profiles.csv", "repeat_offenders.csv",
                                           "co_offending.csv", "journey_to_crime.csv"]


def test_population_table_is_read_and_checked(tmp_path):
    good = tmp_path / "pop.csv"
    good.write_text("beat,group,population\n0725,F,100\n0725,M,90\n")
    pop = P.read_population(good)
    assert list(pop["beat"]) == ["0725", "0725"]
    bad = tmp_path / "bad.csv"
    bad.write_text("beat,people\nB1,5\n")
    with pytest.raises(ValueError, match="beat, group, population"):
        P.read_population(bad)
    res = profile(tiny(), ProfileSettings(section="victims"), population=pop)
    assert res.victims.with_population


def test_command_options_come_from_the_settings():
    from crimekit.cli import build_parser
    args = build_parser().parse_args(["profiles", "--data", "demo", "--out", "x"])
    from crimekit.commands.profiles import settings_of
    assert settings_of(args) == ProfileSettings()
    args = build_parser().parse_args(["profiles", "--data", "demo", "--out", "x", "--unmask",
                                      "--months", "6", "--unit", "cell", "--cell-size", "250"])
    assert settings_of(args) == ProfileSettings(mask_names=False, months=6, unit="cell",
                                                cell_size=250)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["profiles", "--data", "demo", "--out", "x",
                                   "--cell-size", "300"])
