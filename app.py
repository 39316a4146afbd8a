"""crimekit's web app: `streamlit run app.py`.

The entry file sets up the page, the sidebar (dataset and global filters, shared by every page)
and the navigation; each page lives in ``pages/`` and stays thin.
"""

import time

import streamlit as st

import ui

st.set_page_config(page_title="crimekit", page_icon="assets/icon.png", layout="wide")

#: Each page once: (file, title, icon). The first is the landing page.
PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/map.py", "Map", ":material/map:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
    ("pages/profiles.py", "Profiles", ":material/groups:"),
    ("pages/patrol.py", "Patrol", ":material/local_police:"),
    ("pages/trends.py", "Trends", ":material/trending_up:"),
    ("pages/hotspots.py", "Hotspots", ":material/local_fire_department:"),
    ("pages/operations.py", "Did it work?", ":material/fact_check:"),
    ("pages/methods.py", "Methods & limits", ":material/menu_book:"),
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
