"""The places side of the profiles: where a group is harmed, how crime heads go together in
places, and which places are alike.

:mod:`~crimekit.profiles.places.vulnerable` (vulnerable areas),
:mod:`~crimekit.profiles.places.links` (links between crime heads over places),
:mod:`~crimekit.profiles.places.clusters` (place clusters).
"""
