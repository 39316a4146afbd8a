"""The weekly briefing's one-click download (monthly for data dated only to the month)."""

from __future__ import annotations

import streamlit as st

from crimekit.schema import data_precision
from ui.data import DEMO, dataset, store_version

# --- the weekly briefing and the operation check -------------------------------------------------

_BRIEFINGS: dict = {}  # (dataset, version, district) -> PDF bytes, shared by sessions


def briefing_scope() -> str | None:
    """The district the briefing is for: the one district chosen in the sidebar, else None
    (the whole area)."""
    districts = st.session_state.get("districts") or []
    return districts[0] if len(districts) == 1 else None


def briefing_download(key_suffix: str = "") -> None:
    """One click: the weekly briefing (two A4 pages, PDF) for the sidebar's district or the
    whole area. It is made when clicked (about ten seconds), from the whole dataset (every
    crime head and date), and kept for the next click."""
    name = st.session_state.get("dataset", DEMO)
    version = "" if name == DEMO else store_version(name)
    district = briefing_scope()
    ds = dataset(name)

    def make() -> bytes:  # runs on click, outside the page script: no Streamlit calls here
        from crimekit.briefing import BriefingSettings, build_briefing
        from crimekit.briefing_pdf import pdf_bytes
        cache_key = (name, version, district)
        if cache_key not in _BRIEFINGS:
            if len(_BRIEFINGS) > 8:
                _BRIEFINGS.clear()
            _BRIEFINGS[cache_key] = pdf_bytes(build_briefing(ds, BriefingSettings(
                district=district)))
        return _BRIEFINGS[cache_key]

    where = f"the {district} district" if district else "the whole area"
    monthly = len(ds.incidents) and data_precision(ds.incidents) in ("month", "year")
    period = "month" if monthly else "week"
    st.download_button(f"Download the {period}ly briefing for {where} (PDF, 2 pages)", make,
                       file_name=f"briefing_{(district or 'all').replace(' ', '_')}.pdf",
                       mime="application/pdf", icon=":material/print:",
                       key=f"dl_briefing{key_suffix}", on_click="ignore",
                       help=f"A map of next {period}'s hot spots and the patrol plan, the top places "
                            "with their reasons, what is rising, the plan per shift and how "
                            "accurate each prediction has been, ready to print. Choose one "
                            "district in the sidebar for a station's briefing.")
