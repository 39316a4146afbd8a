"""The profiles' settings, declared once: what the Profiles page's widgets offer and the
``profiles`` command's options accept, with their defaults, choices, ranges, labels and help."""

from __future__ import annotations

from crimekit.settings import Settings, dataclass, setting

#: The sections of the profiles, people first, then places.
SECTIONS = ("victims", "accused", "reoffending", "links", "clusters")
#: Each section's title on the page.
SECTION_TITLES = {"victims": "Victims", "accused": "Accused", "reoffending": "Re-offending",
                  "links": "Crime links", "clusters": "Place clusters"}
#: What persons are grouped by: the crime head or the major head.
GROUPINGS = ("category", "category_group")
#: The places of crime links and place clusters: beats or grid cells.
UNITS = ("beat", "cell")
#: How places are clustered: k-means or Ward's hierarchical clustering.
CLUSTER_METHODS = ("kmeans", "ward")
#: The re-offending horizons the Profiles page offers (the setting accepts any in its range).
MONTH_CHOICES = (3, 6, 9, 12, 18, 24)
#: How the page names each choice of a setting (and each person field).
CHOICE_LABELS = {
    "by": {"category": "Crime head", "category_group": "Major head"},
    "unit": {"beat": "Beats", "cell": "Grid cells"},
    "method": {"kmeans": "k-means", "ward": "Hierarchical (Ward)"},
    "field": {"age_band": "Age band", "sex": "Sex", "occupation": "Occupation",
              "socio_economic": "Socio-economic status"},
}


@dataclass(frozen=True)
class ProfileSettings(Settings):
    """How to profile people and places (see :func:`crimekit.profiles.profile`)."""

    section: str = setting(
        "all", choices=("all",) + SECTIONS, label="Section",
        help="Which profile to compute: one section, or all of them (as the command writes).")
    mask_names: bool = setting(
        True, choices=(True, False), label="Mask names",
        help="People appear as pseudonyms ('Offender #3') and masked names ('R*** K****'); "
             "off shows person ids and full names.")
    by: str = setting(
        "category", choices=GROUPINGS, label="Group by",
        help="Profile each crime head, or each major head.")
    min_persons: int = setting(
        10, low=1, high=100_000, label="Minimum group size",
        help="A group is flagged only with at least this many persons, and beats with fewer "
             "victims are left out of the vulnerable areas.")
    min_ratio: float = setting(
        1.25, low=1.0, high=100.0, label="Minimum ratio",
        help="A group is over-represented when its share of a head's persons is at least this "
             "many times its share of all persons.")
    alpha: float = setting(
        0.05, low=0.001, high=0.5, label="False discovery rate",
        help="A group, beat or pair of heads is flagged when its q-value (Benjamini-Hochberg, "
             "across everything tested) is below this.")
    months: int = setting(
        12, low=1, high=60, label="Within (months)",
        help="Re-offending horizon: the chance of another recorded accusation within this "
             "many months.")
    unit: str = setting(
        "beat", choices=UNITS, label="Places",
        help="The places crime links and place clusters compare: beats or grid cells.")
    cell_size: int = setting(
        500, choices=(250, 500, 750, 1000), label="Cell size (metres)",
        help="The side of a grid cell when the places are grid cells.")
    method: str = setting(
        "kmeans", choices=CLUSTER_METHODS, label="Method",
        help="How places are grouped: k-means, or hierarchical clustering (Ward).")
