"""crimekit.forecast.alerts: the Poisson test by hand, an injected spike is flagged, an
untouched city raises few alerts."""

import numpy as np
import pandas as pd
import pytest

from crimekit.forecast import ALERT_COLUMNS, AlertSettings, check_alerts
from crimekit.forecast.alerts import poisson_exceedance
from crimekit.errors import ParameterError


def test_poisson_exceedance_by_hand():
    p = poisson_exceedance([0, 1, 3], [2.0, 1.0, 1.0])
    assert p[0] == pytest.approx(1.0)                        # P(X >= 0)
    assert p[1] == pytest.approx(1 - np.exp(-1))             # P(X >= 1 | 1)
    assert p[2] == pytest.approx(1 - np.exp(-1) * (1 + 1 + 0.5))  # P(X >= 3 | 1)


def _district(city, name="Central"):
    inc = city.dataset.incidents
    return inc[inc["district"] == name]


def _spike(inc, beat, per_week, weeks, last_monday, seed=0):
    """Copies of random incidents of ``beat``, moved into its last ``weeks`` complete weeks."""
    rng = np.random.default_rng(seed)
    pool = inc[inc["beat"] == beat]
    rows = []
    for w in range(weeks):
        monday = pd.Timestamp(last_monday) - pd.Timedelta(weeks=w)
        extra = pool.sample(per_week, random_state=int(rng.integers(1 << 30))).copy()
        extra["occurred_at"] = monday + pd.to_timedelta(rng.uniform(0, 7 * 24, per_week),
                                                        unit="h")
        extra["incident_id"] = [f"spike-{w}-{i}" for i in range(per_week)]
        rows.append(extra)
    return pd.concat([inc, *rows], ignore_index=True)


def test_injected_spike_is_flagged_and_untouched_beats_are_not(small_city):
    inc = _district(small_city)
    beats = inc["beat"].value_counts()
    target = beats.index[len(beats) // 2]          # a middling beat
    weekly = beats[target] / 104                    # about its incidents per week
    # last complete week of the 2-year city is the one starting Mon 23 Dec 2024
    spiked = _spike(inc, target, per_week=max(4, int(round(1.5 * weekly))), weeks=4,
                    last_monday="2024-12-23")
    before = spiked.copy()
    out = check_alerts(small_city.dataset.with_incidents(spiked),
                       AlertSettings(by="beat", recent=4)).table
    pd.testing.assert_frame_equal(spiked, before)
    assert tuple(out.columns) == ALERT_COLUMNS
    # q-values account for every beat checked (Benjamini-Hochberg), and flags follow them
    from scipy import stats
    assert np.allclose(out["q_value"], stats.false_discovery_control(out["p_value"]))
    assert (out["flagged"] == ((out["q_value"] < 0.01) & (out["excess"] >= 3))).all()
    row = out.set_index("series").loc[target]
    assert row["flagged"] and row["ratio"] > 1.8 and row["p_value"] < 1e-4
    assert out["window_start"].iloc[0] == pd.Timestamp("2024-12-02")
    assert out.iloc[0]["series"] == target          # the most unusual first
    assert out["flagged"].sum() <= 2                # the others stay quiet


@pytest.mark.slow
def test_untouched_city_raises_few_false_alerts(small_city):
    out = check_alerts(small_city.dataset, AlertSettings(by="beat", recent=4), n_jobs=2).table
    assert len(out) == small_city.dataset.incidents["beat"].nunique()
    # nothing was injected; at alpha 0.01 about 0.6 of 60 beats would be flagged by chance
    assert out["flagged"].sum() <= 3
    assert (out["p_value"] < 0.05).sum() <= 9


def test_alert_parameters_are_checked():
    with pytest.raises(ParameterError, match="'recent' parameter of AlertSettings"):
        AlertSettings(recent=0)
    with pytest.raises(ParameterError, match="'alpha' parameter of AlertSettings"):
        AlertSettings(alpha=2)
