"""The people side of the profiles: who is harmed and who offends.

:mod:`~crimekit.profiles.people.groups` (distributions, over-represented groups, counts per
incident), :mod:`~crimekit.profiles.people.victims` (repeat victims),
:mod:`~crimekit.profiles.people.offenders` (repeat offenders, journey to crime, co-offending),
:mod:`~crimekit.profiles.people.reoffending` (the re-offending model and its backtest).
"""
