"""AppTest: the Data page imports an upload, reports its problems and manages the store."""

from conftest import run_page, shown_text, unescaped

GOOD_AND_BAD = (
    "incident_id,date,offence,latitude,longitude\n"
    "1,2024-03-01 10:00,Theft,12.60,77.60\n"
    "2,2024-03-02 11:00,Burglary,12.61,77.61\n"
    "3,not a date,Theft,12.62,77.62\n"
    "4,2024-03-04 12:00,Hurt,0,0\n"
    "5,2024-03-05 13:00,Theft,12.63,77.63\n").encode()


def test_data_page_shows_the_current_dataset(isolated_store, city):
    at = run_page("views/data.py")
    assert not at.exception
    text = shown_text(at)
    assert "Current dataset: Demo City (synthetic)" in text
    assert f"Incidents {len(city.dataset.incidents):,}" in text
    assert "No datasets are stored yet" in text


def test_upload_is_mapped_validated_and_stored(isolated_store):
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("my city.csv", GOOD_AND_BAD, "text/csv")).run()
    assert not at.exception
    assert "**my city.csv**: incidents (generic format)" in shown_text(at)
    editor = at.data_editor
    assert editor, "the column mapping is shown for review, not folded away"
    assert not at.expander, "nothing about the upload is hidden in a collapsed box"
    at.text_input(key="import_name").set_value("mycity")
    at.button(key="import_button").click().run()
    assert not at.exception
    text = shown_text(at)
    assert "Imported 4 incidents as dataset 'mycity'" in text
    assert "Rows read 5" in text and "Rows kept 4" in text
    problems = at.dataframe[-2].value if len(at.dataframe) > 1 else at.dataframe[0].value
    joined = " ".join(map(str, problems.to_numpy().ravel()))
    assert "date" in joined and "0,0" in joined
    at2 = run_page("views/data.py", state={"dataset": "mycity"})
    assert any("Validation report: my city.csv (4 of 5 rows kept)" in unescaped(e.label)
               for e in at2.expander)
    from crimekit.store import Store
    stored = Store().load("mycity")
    assert len(stored.incidents) == 4
    assert stored.incidents["lat"].isna().sum() == 1


def test_same_file_twice_is_refused(isolated_store, tmp_path):
    from crimekit.ingest import import_into_store
    from crimekit.store import Store
    path = tmp_path / "my city.csv"
    path.write_bytes(GOOD_AND_BAD)
    import_into_store([path], Store(), name="first")
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("again.csv", GOOD_AND_BAD, "text/csv")).run()
    at.button(key="import_button").click().run()
    text = shown_text(at)
    assert "already imported as dataset 'first'" in text
    assert Store().names() == ["first"]


def test_wrong_file_type_gets_a_plain_message(isolated_store):
    at = run_page("views/data.py")
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    at.file_uploader(key="uploads").set_value(("photo.csv", png, "text/csv")).run()
    assert not at.exception
    errors = unescaped(" ".join(e.value for e in at.error))
    assert "photo.csv" in errors
    assert "Traceback" not in shown_text(at)


def test_commander_cannot_upload_or_delete(isolated_store):
    from crimekit.access import User
    at = run_page("views/data.py", state={"user": User("ravi", "commander")})
    assert "Only analysts can import data" in shown_text(at)
    assert not at.get("file_uploader")


UK = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
      "Crime type,Last outcome category,Context\r\n"
      ",{m},Durham Constabulary,Durham Constabulary,-1.57,54.77,On or near A,E01020654,"
      "County Durham 001D,Anti-social behaviour,,\r\n"
      "ab{m},{m},Durham Constabulary,Durham Constabulary,-1.58,54.78,On or near B,E01020655,"
      "County Durham 001E,Burglary,Under investigation,\r\n")


def test_zip_of_monthly_files_imports_as_one_dataset_with_crimes_and_precision(isolated_store):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for m in ("2022-03", "2022-04"):
            zf.writestr(f"{m}/{m}-durham-street.csv", UK.format(m=m))
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("durham.zip", buf.getvalue(),
                                               "application/zip")).run()
    assert not at.exception
    text = shown_text(at)
    assert "**2022-03-durham-street.csv**: incidents (police_uk format)" in text
    assert "**2022-04-durham-street.csv**: incidents (police_uk format)" in text
    at.text_input(key="import_name").set_value("durham")
    at.button(key="import_button").click().run()
    assert not at.exception
    text = shown_text(at)
    assert "Imported 4 incidents as dataset 'durham' (2022-03 to 2022-04, times known to the " \
           "month)" in text
    assert "Crimes 2" in text and "Located 100%" in text
    assert "Dates from 2022-03 to 2022-03, known to the month." in text


def test_import_choices_are_boxes_in_the_page_words(isolated_store):
    """The fixes a report advises are offered on the page (no command-line flags)."""
    csv = b"date,place\n01/02/2024,street\n03/04/2024,home\n"
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("agg_assaults.csv", csv, "text/csv")).run()
    assert not at.exception
    at.selectbox(key="import_date_order").set_value("Day first (31/12/2024)")
    at.text_input(key="import_label").set_value("Aggravated assault")
    at.text_input(key="import_name").set_value("agg")
    at.button(key="import_button").click().run()
    assert not at.exception
    text = shown_text(at)
    assert "--" not in text, "no command-line flag is named on the page"
    from crimekit.store import Store
    inc = Store().load("agg").incidents.sort_values("occurred_at")
    import pandas as pd
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]
    assert set(inc["category"]) == {"Aggravated assault"}
