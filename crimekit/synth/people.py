"""People: the offender population (homes, propensities, co-offending groups), the pool of
repeat victims, and the victims and accused of each incident."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.schema import conform_persons
from crimekit.stats import haversine_km
from crimekit.synth.heads import CRIME_HEADS, HEAD_BY_NAME
from crimekit.synth.layout import FINE_CELL_M

# Victim profiles: (share female, age mean, age sd, occupation weights, SES weights low/mid/high)
_OCC = ("Labourer", "Student", "Homemaker", "Shopkeeper", "Office worker", "Driver", "Retired",
        "Unemployed", "Professional")
VICTIM_PROFILES = {
    "general": (0.45, 36, 13, (2, 2, 2, 2, 2, 1, 1, 1, 1), (1, 1.2, 0.6)),
    "owner": (0.25, 38, 11, (1, 0.5, 0.5, 2, 3, 2, 1, 0.2, 2), (0.5, 1.2, 1)),
    "householder": (0.4, 45, 12, (0.5, 0.2, 2, 1, 2, 0.5, 2, 0.2, 2), (0.3, 1, 1.5)),
    "women_mid": (0.95, 48, 10, (0.5, 0.2, 4, 1, 1, 0.1, 1.5, 0.2, 0.5), (0.3, 1.2, 1)),
    "young_men": (0.15, 26, 7, (4, 2, 0.2, 1, 1, 2, 0.1, 2, 0.5), (2, 1, 0.3)),
    "minors": (0.6, 14, 3, (0, 5, 0, 0, 0, 0, 0, 0.2, 0), (1.5, 1, 0.5)),
    "women_young": (1.0, 23, 5, (0.5, 4, 1, 0.5, 2, 0, 0, 0.5, 0.5), (1, 1.2, 0.6)),
    "wives": (1.0, 31, 7, (1, 0, 5, 0.2, 0.5, 0, 0, 0.2, 0.2), (2, 1, 0.4)),
    "elderly": (0.5, 66, 8, (0, 0, 1, 0.5, 0.5, 0, 6, 0, 0.5), (0.5, 1.2, 1)),
}
#: The group each victim profile over-represents, as a check for profiling code.
OVERREPRESENTED = {
    "women_mid": ("sex", "F"), "young_men": ("sex", "M"), "women_young": ("sex", "F"),
    "wives": ("sex", "F"), "elderly": ("occupation", "Retired"), "minors": ("occupation", "Student"),
}
_SES = ("Low", "Middle", "High")
_CASTES = ("General", "OBC", "SC", "ST")
_FIRST = ("Ravi", "Suresh", "Manju", "Anil", "Kiran", "Prakash", "Lakshmi", "Geetha", "Asha",
          "Divya", "Imran", "Salma", "Joseph", "Mary", "Rahul", "Pooja", "Naveen", "Shilpa")
_LAST = ("Kumar", "Gowda", "Rao", "Shetty", "Naik", "Patil", "Khan", "Reddy", "Hegde", "D'Souza")


def _sample_cells(rng, cells, weight, n):
    cell = rng.choice(len(cells), size=n, p=weight / weight.sum())
    jitter = rng.uniform(-0.5, 0.5, (n, 2)) * FINE_CELL_M
    return cells["lat"].to_numpy()[cell], cells["lon"].to_numpy()[cell], jitter


def offender_population(rng, cells, layers, n) -> pd.DataFrame:
    """Offenders with homes (mostly low-income areas), propensities and co-offending groups."""
    home_w = layers["lowincome"] * 3 + layers["residential"]
    lat, lon, jitter = _sample_cells(rng, cells, home_w, n)
    deg = jitter / 111_000.0
    prolific = rng.random(n) < 0.03
    propensity = rng.lognormal(0, 0.6, n) * np.where(prolific, 25.0, 1.0)
    group = np.where(rng.random(n) < 0.35, rng.integers(0, n // 4 + 1, n), -1)
    age = np.clip(rng.gamma(6, 4.5, n) + 12, 15, 70).round()
    return pd.DataFrame({
        "person_id": [f"A{i:05d}" for i in range(n)], "propensity": propensity,
        "prolific": prolific, "group_id": group,
        "home_lat": lat + deg[:, 1], "home_lon": lon + deg[:, 0], "age": age,
        "sex": np.where(rng.random(n) < 0.9, "M", "F"),
        "occupation": rng.choice(["Labourer", "Unemployed", "Driver", "Student", "Shopkeeper",
                                  "Office worker"], n, p=[0.35, 0.25, 0.15, 0.1, 0.1, 0.05]),
        "socio_economic": rng.choice(_SES, n, p=[0.6, 0.33, 0.07]),
        "caste": rng.choice(_CASTES, n, p=[0.3, 0.4, 0.2, 0.1]),
        "nationality": np.where(rng.random(n) < 0.97, "Indian", "Nepali"),
        "name": [f"{a} {b}" for a, b in zip(rng.choice(_FIRST, n), rng.choice(_LAST, n))],
    })


def repeat_victim_pool(rng, cells, layers, n=400) -> pd.DataFrame:
    """People and addresses that are victimised again and again."""
    w = layers["residential"] + layers["market"] + layers["lowincome"]
    lat, lon, _ = _sample_cells(rng, cells, w, n)
    return pd.DataFrame({"person_id": [f"RV{i:04d}" for i in range(n)], "lat": lat, "lon": lon})


def _planar_km(lat1, lon1, lat2, lon2):
    """Distance in km on a local flat approximation (exact enough within a city, and fast)."""
    dy = (lat2 - lat1) * 110.57
    dx = (lon2 - lon1) * 111.32 * np.cos(np.radians(lat1))
    return np.sqrt(dx * dx + dy * dy)


def draw_persons(rng, incidents, offenders, repeat_pool):
    """Victims and accused for each incident; also decides arrests, premises and values."""
    inc = incidents.copy()
    inc["incident_id"] = [f"DC{t.year}-{i:07d}" for i, t in enumerate(inc["occurred_at"], 1)]
    accused = _draw_accused(rng, inc, offenders)
    victims = _draw_victims(rng, inc, repeat_pool)
    solved = inc["incident_id"].isin(accused["incident_id"])
    inc["arrest"] = solved & (rng.random(len(inc)) < 0.7)
    inc["category_group"] = inc["category"].map(lambda c: HEAD_BY_NAME[c].group)
    inc["heinous"] = inc["category"].map(lambda c: HEAD_BY_NAME[c].heinous)
    inc["premises"] = ""
    inc["property_value"] = np.nan
    for head in CRIME_HEADS:
        m = (inc["category"] == head.name).to_numpy()
        inc.loc[m, "premises"] = rng.choice(head.premises, m.sum())
        if head.property_value:
            med, sig = head.property_value
            inc.loc[m, "property_value"] = np.round(med * rng.lognormal(0, sig, m.sum()), -1)
    inc["description"] = inc["category"] + " at " + inc["premises"].str.lower()
    inc["near_repeat"] = inc.pop("near_repeat_of") > 0
    persons = pd.concat([victims, accused], ignore_index=True)
    return persons, inc


def _draw_accused(rng, inc, offenders) -> pd.DataFrame:
    """Pick accused offenders by propensity x distance decay from home (plus group partners).

    Distances are taken from the centre of the ~250 m zone an incident lies in, so the cost
    grows with zones x offenders rather than incidents x offenders (a million-incident city
    stays quick to generate).
    """
    rows = []
    off_lat, off_lon = offenders["home_lat"].to_numpy(), offenders["home_lon"].to_numpy()
    prop = offenders["propensity"].to_numpy()
    groups = offenders.groupby("group_id").indices
    gid = offenders["group_id"].to_numpy()
    lat, lon = inc["lat"].to_numpy(), inc["lon"].to_numpy()
    zone = pd.factorize(pd.Series(np.floor(lat / 0.00225) * 1e5 + np.floor(lon / 0.0023)))[0]
    for head in CRIME_HEADS:
        m = np.flatnonzero(((inc["category"] == head.name).to_numpy())
                           & (rng.random(len(inc)) < head.solve_rate))
        for zones in np.array_split(np.unique(zone[m]), max(1, len(np.unique(zone[m])) // 400)):
            in_zones = m[np.isin(zone[m], zones)]
            z_lat = pd.Series(lat[in_zones]).groupby(zone[in_zones]).mean()
            z_lon = pd.Series(lon[in_zones]).groupby(zone[in_zones]).mean()
            d = _planar_km(z_lat.to_numpy()[:, None], z_lon.to_numpy()[:, None],
                           off_lat[None], off_lon[None])
            cdf = np.cumsum(prop[None] * np.exp(-d / head.journey_km), axis=1)
            row = pd.Series(np.arange(len(z_lat)), index=z_lat.index)[zone[in_zones]].to_numpy()
            u = rng.random(len(in_zones)) * cdf[row, -1]
            for r in np.unique(row):
                mine = row == r
                pick = np.minimum(np.searchsorted(cdf[r], u[mine]), len(prop) - 1)
                rows += list(zip(in_zones[mine].tolist(), pick.tolist()))
    rows = _add_co_offenders(rng, rows, groups, gid)
    if not rows:
        return conform_persons(pd.DataFrame())
    idx, who = map(np.array, zip(*rows))
    off = offenders.iloc[who].reset_index(drop=True)
    out = off[["person_id", "name", "age", "sex", "occupation", "socio_economic", "caste",
               "nationality", "home_lat", "home_lon"]].copy()
    out.insert(0, "role", "accused")
    out.insert(0, "incident_id", inc["incident_id"].to_numpy()[idx])
    return out


def _add_co_offenders(rng, rows, groups, gid) -> list:
    """Half the time, an offender in a co-offending group brings one or two group mates."""
    out = []
    for i, p in rows:
        out.append((i, p))
        if gid[p] >= 0 and rng.random() < 0.5:
            mates = [q for q in groups[gid[p]] if q != p]
            out += [(i, q) for q in rng.permutation(mates)[: rng.integers(1, 3)]]
    return out


def _draw_victims(rng, inc, repeat_pool) -> pd.DataFrame:
    """One victim per incident from the head's profile; some from the repeat-victim pool."""
    frames = []
    n_new = 0
    for head in CRIME_HEADS:
        if not head.victim_profile:
            continue
        m = np.flatnonzero((inc["category"] == head.name).to_numpy())
        female, age_mu, age_sd, occ_w, ses_w = VICTIM_PROFILES[head.victim_profile]
        n = len(m)
        occ_p = np.asarray(occ_w, float) / sum(occ_w)
        ses_p = np.asarray(ses_w, float) / sum(ses_w)
        v = pd.DataFrame({
            "incident_id": inc["incident_id"].to_numpy()[m], "role": "victim",
            "person_id": [f"V{n_new + k:07d}" for k in range(n)],
            "name": [f"{a} {b}" for a, b in zip(rng.choice(_FIRST, n), rng.choice(_LAST, n))],
            "age": np.clip(rng.normal(age_mu, age_sd, n), 5, 90).round(),
            "sex": np.where(rng.random(n) < female, "F", "M"),
            "occupation": rng.choice(_OCC, n, p=occ_p),
            "socio_economic": rng.choice(_SES, n, p=ses_p),
            "caste": rng.choice(_CASTES, n, p=[0.3, 0.4, 0.2, 0.1]),
            "nationality": np.where(rng.random(n) < 0.98, "Indian", "Nepali"),
            "home_lat": inc["lat"].to_numpy()[m] + rng.normal(0, 0.004, n),
            "home_lon": inc["lon"].to_numpy()[m] + rng.normal(0, 0.004, n)})
        n_new += n
        repeat = rng.random(n) < head.repeat_victim_rate
        if repeat.any():
            v.loc[repeat, "person_id"] = _nearest_pool_member(
                repeat_pool, v.loc[repeat, "home_lat"].to_numpy(),
                v.loc[repeat, "home_lon"].to_numpy())
        frames.append(v)
    victims = pd.concat(frames, ignore_index=True)
    # a repeat victim keeps one identity: same name, age, sex and address each time
    first = victims.drop_duplicates("person_id").set_index("person_id")
    same = ["name", "age", "sex", "occupation", "socio_economic", "caste", "nationality",
            "home_lat", "home_lon"]
    victims[same] = first.loc[victims["person_id"], same].to_numpy()
    return victims


def _nearest_pool_member(pool, lat, lon):
    d = haversine_km(lat[:, None], lon[:, None], pool["lat"].to_numpy()[None],
                      pool["lon"].to_numpy()[None])
    return pool["person_id"].to_numpy()[np.argmin(d, axis=1)]
