"""Data: upload files, review the column mapping, read the validation report, manage datasets."""

import streamlit as st

import ui

st.title("Data")
view = ui.current_view()
st.write(f"{len(view.incidents):,} incidents loaded.")
