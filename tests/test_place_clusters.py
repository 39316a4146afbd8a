"""Place clusters: a toy with two obvious kinds of place, and the demo city's land use."""

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.profiles.places.clusters import PlaceClusters, place_features
from crimekit.schema import conform_incidents


def two_kinds(n_places=12, per_place=40, seed=0) -> pd.DataFrame:
    """Half the beats: daytime theft on weekdays; the other half: night-time hurt on weekends."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_places):
        night = i % 2 == 1
        for _ in range(per_place):
            day = pd.Timestamp("2024-01-06" if night else "2024-01-08") \
                + pd.Timedelta(days=7 * int(rng.integers(0, 20)))
            hour = int(rng.choice([22, 23, 1])) if night else int(rng.integers(9, 13))
            cat = ("Hurt" if rng.random() < 0.9 else "Theft") if night else \
                ("Theft" if rng.random() < 0.9 else "Hurt")
            rows.append((f"B{i:02d}", day + pd.Timedelta(hours=hour), cat))
    beat, when, cat = zip(*rows)
    return conform_incidents(pd.DataFrame({"beat": beat, "occurred_at": when, "category": cat}))


def test_place_features_by_hand():
    f = place_features(two_kinds(n_places=2, per_place=40), min_incidents=1)
    assert f.loc["B00", "shift_morning"] == 1.0 and f.loc["B00", "weekend"] == 0.0
    assert f.loc["B01", "shift_night"] == 1.0 and f.loc["B01", "weekend"] == 1.0
    assert f.filter(like="mix_").sum(axis=1).to_numpy() == pytest.approx([1, 1])
    assert place_features(two_kinds(n_places=2, per_place=5), min_incidents=10).empty


@pytest.mark.parametrize("method", ["kmeans", "ward"])
def test_two_kinds_of_place_are_recovered_and_k_is_chosen_by_silhouette(method):
    pc = PlaceClusters(method=method, k_range=(2, 5), min_incidents=10).fit(two_kinds())
    assert pc.k_ == 2
    assert pc.selection_.set_index("k")["silhouette"].idxmax() == 2
    labels = pc.labels_.set_index("unit")["cluster"]
    night = [f"B{i:02d}" for i in range(1, 12, 2)]
    assert labels[night].nunique() == 1 and labels.drop(night).nunique() == 1
    prof = pc.profiles_.set_index("cluster").loc[labels[night[0]]]
    assert prof["peak_shift"] == "night" and prof["top_heads"].startswith("Hurt")
    assert prof["weekend_share"] == 1.0 and "Hurt" in prof["summary"]


def test_a_fixed_k_is_used_and_results_repeat_with_the_seed():
    inc = two_kinds()
    a = PlaceClusters(k=3, seed=1, min_incidents=10).fit(inc)
    b = PlaceClusters(k=3, seed=1, min_incidents=10).fit(inc)
    assert a.k_ == 3 and list(a.selection_["k"]) == [3]
    pd.testing.assert_frame_equal(a.labels_, b.labels_)
    sizes = a.labels_["cluster"].value_counts().sort_index()
    assert sizes.is_monotonic_decreasing  # cluster 1 is the largest


def test_bad_settings_and_too_few_places():
    with pytest.raises(ParameterError, match="'method'"):
        PlaceClusters(method="dbscan").fit(two_kinds())
    with pytest.raises(ParameterError, match="'k'"):
        PlaceClusters(k=1).fit(two_kinds())
    with pytest.raises(UnusableInputError, match="at least 4"):
        PlaceClusters(min_incidents=1000).fit(two_kinds())
    with pytest.raises(NotFittedError):
        PlaceClusters().labels()


def test_city_beats_group_by_land_use(city):
    """The demo city's nightlife, suburban and commercial beats fall in different groups, and
    the nightlife group is the one busiest at night and on weekends."""
    inc = city.dataset.incidents
    pc = PlaceClusters().fit(inc)
    assert 3 <= pc.k_ <= 6 and pc.selection_["silhouette"].max() > 0.25
    f, labels = pc.features_, pc.labels_.set_index("unit")["cluster"]
    nightlife = labels[f["mix_Public nuisance"].idxmax()]
    suburb = labels[f["mix_Burglary"].idxmax()]
    commercial = labels[f["mix_Cheating"].idxmax()]
    assert len({nightlife, suburb, commercial}) == 3
    prof = pc.profiles_.set_index("cluster")
    assert prof["shift_night"].idxmax() == nightlife or prof.loc[nightlife, "peak_shift"] == "night"
    assert prof["weekend_share"].idxmax() == nightlife
    assert "Public nuisance" in prof.loc[nightlife, "top_heads"]
    # the generator's under-patrolled night beats are mostly nightlife beats
    under = labels.reindex(city.truth.under_patrolled_night)
    assert (under == nightlife).mean() >= 0.4
