"""The app's middle floor: everything the pages use, and nothing they compute.

Pages -> ui -> crimekit. Pages build widgets and layout and call ``ui``; ``ui`` loads and caches
data and results (keyed on small hashable view keys and settings, never on frames), holds the
sidebar and URL state, sign-in, and the small shared pieces of layout. It never reimplements
analysis: every number it returns comes from crimekit.

- :mod:`ui.data`: the demo city, the store, the chosen dataset and its filtered view;
- :mod:`ui.access`: sign-in, checked by every page;
- :mod:`ui.sidebar`: the dataset choice and global filters, mirrored into the URL;
- :mod:`ui.widgets`: escaping, downloads, uploads, plain tables, the limits note;
- :mod:`ui.progress`: progress bars around cached calls;
- :mod:`ui.hotspots`, :mod:`ui.forecasts`, :mod:`ui.patrol`, :mod:`ui.operations`,
  :mod:`ui.profiles`, :mod:`ui.briefing`: the cached calls the pages share.
"""

from ui.data import crime_count, data_precision, DEMO, DEMO_SEED, demo_city, store, stored_names, store_version, load_dataset, dataset, recording, current_filters, view_key, view_of, current_view, grid, all_heads_key  # noqa: F401
from ui.access import configured_users, require_sign_in, check_access, current_user, can  # noqa: F401
from ui.sidebar import sidebar  # noqa: F401
from ui.widgets import LIMITS_NOTE, scrub, message, md, log_run_time, download, STALE_UPLOADS_S, save_uploads, discard_uploads, p_text, plain, limits_note, stop_if_empty  # noqa: F401
from ui.progress import with_progress  # noqa: F401
from ui.hotspots import FAST_MODELS, SHIFTS, percent, CachedSteps, cell_grid, hotspot_cube, hotspot_model, hotspot_risk, hotspot_backtest, hotspot_result, hotspot_classes, area_ranking, crime_type_mix, crime_type_accuracy  # noqa: F401
from ui.forecasts import ALL_SERIES, WEEKDAYS, MONTHS, COUNTRIES, period_name, series_incidents, series_choices, forecast_freqs, counts_for, patterns_for, recent_for, trend_table, forecast_for, alerts_for, alert_verdict  # noqa: F401
from ui.patrol import SIDEBAR_RULE, dataset_key, plan_key, plan_station, patrol_options, patrol_inputs, patrol_risk, patrol_plan, patrol_backtest, patrol_visits, patrol_report, plan_map  # noqa: F401
from ui.operations import check_key, check_choices, operation_check, operation_place_names  # noqa: F401
from ui.profiles import profile_coverage, profile_grid, profile_section, read_population, reoffending_backtest  # noqa: F401
from ui.importing import DATE_ORDERS, FIELDS, available_formats, excel_sheets, expand_uploads, file_preview, import_into_store, import_summary, incident_facts  # noqa: F401
from ui.overview import MIN_PERCENT_BASE, MIN_TEST_TOTAL, PRECISION_SENTENCES, change_label, comparison_words, n_tested, plural, station_words, comparison, rising, comparable_span, comparison_windows  # noqa: F401
from ui.map_counts import cell_counts, beat_counts, outline  # noqa: F401
from ui.briefing import briefing_scope, briefing_download  # noqa: F401
