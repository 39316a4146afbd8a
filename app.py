"""crimekit's web app: `streamlit run app.py`.

The entry file sets up the page, the sidebar (dataset and global filters, shared by every page)
and the navigation; each page lives in ``views/`` and stays thin.

The pages' folder is deliberately not called ``pages/``: Streamlit discovers a ``pages/``
folder on its own and, on a freshly started server, runs a page file directly for a deep link
(``/trends``) before this script has declared the navigation, so the page would open without
the sidebar, its filters or the sign-in gate. With ``views/`` every visit runs this script.
"""

import time

import streamlit as st

import ui

st.set_page_config(page_title="crimekit", page_icon="assets/icon.png", layout="wide")

#: Each page once: (file, title, icon). The first is the landing page.
PAGES = [
    ("views/overview.py", "Overview", ":material/dashboard:"),
    ("views/map.py", "Map", ":material/map:"),
    ("views/data.py", "Data", ":material/upload_file:"),
    ("views/profiles.py", "Profiles", ":material/groups:"),
    ("views/patrol.py", "Patrol", ":material/local_police:"),
    ("views/trends.py", "Trends", ":material/trending_up:"),
    ("views/hotspots.py", "Hotspots", ":material/local_fire_department:"),
    ("views/operations.py", "Did it work?", ":material/fact_check:"),
    ("views/methods.py", "Methods & limits", ":material/menu_book:"),
]

started = time.perf_counter()
navigation = st.navigation([st.Page(path, title=title, icon=icon) for path, title, icon in PAGES])
st.sidebar.title("crimekit")
ui.require_sign_in()
try:
    ui.sidebar()
    navigation.run()
finally:
    ui.log_run_time(navigation.title, started)
