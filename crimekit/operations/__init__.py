"""Did it work? The operation check: the change in crime where an operation ran, against the
forecast from before it, against comparable places, and next door.

The layers, top down: :mod:`~crimekit.operations.settings` (:class:`OperationSettings`, what
is asked, declared once); :mod:`~crimekit.operations.check` (the entry point
:func:`check_operation` ``(dataset, settings) -> OperationCheck``, and its sentences);
:mod:`~crimekit.operations.places` (next door, comparable places, hot spots, what a page
offers) and :mod:`~crimekit.operations.effects` (the estimators and their intervals).
"""

from crimekit.operations.check import OperationCheck, check_operation, indexed, summarise
from crimekit.operations.effects import Estimate, against_forecast, did, pre_trend_p
from crimekit.operations.places import (OperationChoices, busiest_beats_before, default_window,
                                        operation_choices, top_cells_before)
from crimekit.operations.settings import UNITS, OperationSettings

__all__ = ["OperationSettings", "OperationCheck", "check_operation", "indexed", "summarise",
           "Estimate", "against_forecast", "did", "pre_trend_p", "OperationChoices",
           "operation_choices", "busiest_beats_before", "default_window", "top_cells_before",
           "UNITS"]
