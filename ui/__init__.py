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
- :mod:`ui.hotspots`, :mod:`ui.forecasts`, :mod:`ui.patrol`, :mod:`ui.profiles`,
  :mod:`ui.briefing`: the cached calls the pages share.
"""

from ui.data import DEMO, DEMO_SEED, demo_city, store, stored_names, store_version, load_dataset, dataset, recording, current_filters, view_key, view_of, current_view, grid, all_heads_key  # noqa: F401
from ui.access import configured_users, require_sign_in, check_access, current_user, can  # noqa: F401
from ui.sidebar import sidebar  # noqa: F401
from ui.widgets import LIMITS_NOTE, scrub, message, md, log_run_time, download, STALE_UPLOADS_S, save_uploads, discard_uploads, alert_verdict, p_text, plain, limits_note, stop_if_empty  # noqa: F401
from ui.progress import with_progress  # noqa: F401
from crimekit.stats import poisson_band  # noqa: F401  (the 80% band some pages quote)
from ui.hotspots import HOTSPOT_DEFAULTS, FAST_MODELS, hotspot_cube, hotspot_model, hotspot_risk, FREQ_WORD, area_ranking, joined_backtests, hotspot_verdict, best_fast_model, hotspot_backtest, crime_type_accuracy  # noqa: F401
from ui.forecasts import FORECAST_DEFAULTS, ALERT_DEFAULTS, series_incidents, holidays_of, trend_table, QUICK_ORIGINS, forecast_backtest, alerts_for  # noqa: F401
from ui.patrol import PLAN_CHOICE, plan_key, patrol_areas, patrol_inputs, patrol_risk, patrol_current, patrol_default_officers, patrol_plan, patrol_backtest  # noqa: F401
from ui.profiles import profile_coverage, profile_grid, profile_section, read_population, reoffending_backtest  # noqa: F401
from ui.briefing import briefing_scope, briefing_download  # noqa: F401
