"""AppTest: the Map page on the demo city."""

from conftest import run_page, shown_text


def test_app_opens_on_the_overview_with_sidebar_then_map(city):
    at = run_page()  # the landing page
    assert not at.exception
    assert at.title[0].value == "Overview"
    sidebar_labels = [w.label for w in at.sidebar.selectbox] + \
        [w.label for w in at.sidebar.multiselect] + [w.label for w in at.sidebar.date_input]
    assert {"Dataset", "Crime heads", "Districts", "Date range"} <= set(sidebar_labels)
    assert at.selectbox(key="dataset").value == "Demo City (synthetic)"
    at = run_page("views/map.py")
    assert not at.exception
    assert at.title[0].value == "Map"
    text = shown_text(at)
    assert f"{len(city.dataset.incidents):,} crimes" in text  # one crime per demo row
    assert "Busiest beats" in text
    assert at.get("deck_gl_json_chart")


def test_map_follows_the_crime_head_filter():
    at = run_page("views/map.py", state={"categories": ["Burglary"], "map_layer": "Beats"})
    assert not at.exception
    text = shown_text(at)
    assert "crime heads: Burglary" in text
    count = int(text.split(" crimes (")[0].split()[-1].replace(",", ""))
    assert 4000 < count < 9000


def test_map_offers_downloads():
    at = run_page("views/map.py")
    labels = [b.label for b in at.get("download_button")]
    assert "Download counts per beat" in labels and "Download counts per cell" in labels
