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
- :mod:`ui.maps`: pydeck layers and legends;
- :mod:`ui.overview`, :mod:`ui.map_counts`, :mod:`ui.hotspots`, :mod:`ui.forecasts`,
  :mod:`ui.patrol`, :mod:`ui.operations`, :mod:`ui.profiles`, :mod:`ui.importing`,
  :mod:`ui.briefing`: the cached calls the pages share.

Pages call ``ui.name``; each name is imported from its module on first use (PEP 562), so a
page, a test or a benchmark pays only for the modules it touches.
"""

from crimekit.lazy_names import names_on_first_use

#: Where each name the pages use lives.
_HOMES = {"crime_count": "data", "data_precision": "data", "DEMO": "data", "DEMO_SEED": "data",
          "demo_city": "data", "store": "data", "stored_names": "data", "store_version": "data",
          "load_dataset": "data", "dataset": "data", "recording": "data",
          "current_filters": "data", "view_key": "data", "view_of": "data",
          "current_view": "data", "grid": "data", "all_heads_key": "data",
          "configured_users": "access", "require_sign_in": "access", "check_access": "access",
          "current_user": "access", "can": "access", "sidebar": "sidebar",
          "LIMITS_NOTE": "widgets", "scrub": "widgets", "message": "widgets", "md": "widgets",
          "log_run_time": "widgets", "download": "widgets", "STALE_UPLOADS_S": "widgets",
          "save_uploads": "widgets", "discard_uploads": "widgets", "p_text": "widgets",
          "plain": "widgets", "limits_note": "widgets", "stop_if_empty": "widgets",
          "with_progress": "progress", "FAST_MODELS": "hotspots", "SHIFTS": "hotspots",
          "percent": "hotspots", "CachedSteps": "hotspots", "cell_grid": "hotspots",
          "hotspot_cube": "hotspots", "hotspot_model": "hotspots", "hotspot_risk": "hotspots",
          "hotspot_backtest": "hotspots", "hotspot_result": "hotspots",
          "hotspot_classes": "hotspots", "area_ranking": "hotspots", "crime_type_mix": "hotspots",
          "crime_type_accuracy": "hotspots", "ALL_SERIES": "forecasts", "WEEKDAYS": "forecasts",
          "MONTHS": "forecasts", "COUNTRIES": "forecasts", "period_name": "forecasts",
          "series_incidents": "forecasts", "series_choices": "forecasts",
          "forecast_freqs": "forecasts", "counts_for": "forecasts", "patterns_for": "forecasts",
          "recent_for": "forecasts", "trend_table": "forecasts", "forecast_for": "forecasts",
          "alerts_for": "forecasts", "alert_verdict": "forecasts", "SIDEBAR_RULE": "patrol",
          "dataset_key": "patrol", "plan_key": "patrol", "plan_station": "patrol",
          "patrol_options": "patrol", "patrol_inputs": "patrol", "patrol_risk": "patrol",
          "patrol_plan": "patrol", "patrol_backtest": "patrol", "patrol_visits": "patrol",
          "patrol_report": "patrol", "plan_map": "patrol", "check_key": "operations",
          "check_choices": "operations", "operation_check": "operations",
          "operation_place_names": "operations", "profile_coverage": "profiles",
          "profile_grid": "profiles", "profile_section": "profiles",
          "read_population": "profiles", "reoffending_backtest": "profiles",
          "DATE_ORDERS": "importing", "FIELDS": "importing", "available_formats": "importing",
          "excel_sheets": "importing", "expand_uploads": "importing", "file_preview": "importing",
          "import_into_store": "importing", "import_summary": "importing",
          "incident_facts": "importing", "MIN_PERCENT_BASE": "overview",
          "MIN_TEST_TOTAL": "overview", "PRECISION_SENTENCES": "overview",
          "change_label": "overview", "comparison_words": "overview", "n_tested": "overview",
          "plural": "overview", "station_words": "overview", "comparison": "overview",
          "rising": "overview", "comparable_span": "overview", "comparison_windows": "overview",
          "cell_counts": "map_counts", "beat_counts": "map_counts", "outline": "map_counts",
          "briefing_scope": "briefing", "briefing_download": "briefing"}
__all__ = list(_HOMES)

__getattr__ = names_on_first_use(__name__, _HOMES, globals())
