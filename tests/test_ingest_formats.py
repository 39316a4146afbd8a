"""Real-world formats, recognised automatically, on files written here (issue 10).

Each test writes a small file in the format as its publisher writes it, imports it into a
store, loads it back and checks the stored values: dates and their precision, crime totals
(the sum of ``count``), areas and located share.
"""

import json
import zipfile

import pandas as pd
import pytest

from crimekit.cli import main
from crimekit.ingest import import_into_store, ingest_files, read_table
from crimekit.store import Store

TODAY = "2025-06-01"
UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
             "LSOA name,Crime type,Last outcome category,Context")


def _uk_rows(month, n=6, force="Durham Constabulary"):
    rows = []
    for i in range(n):
        cid = "" if i % 3 == 0 else f"{month}{i:04d}abcdef"
        kind = "Anti-social behaviour" if cid == "" else ("Burglary" if i % 2 else "Shoplifting")
        rows.append(f"{cid},{month},{force},{force},-1.{570000 + i},54.{770000 + i},"
                    f"On or near Front Street,E0102{i % 2},County Durham 00{i % 2}A,{kind},"
                    f"{'' if cid == '' else 'Under investigation'},")
    return rows


def _stored(tmp_path, paths, **kw):
    store = Store(tmp_path / "store")
    name, _, reports = import_into_store(paths, store, name="t", today=TODAY, **kw)
    return store.load(name), reports


def test_police_uk_one_file_month_precision(tmp_path):
    path = tmp_path / "2024-02-durham-street.csv"
    path.write_bytes(("\r\n".join([UK_HEADER, *_uk_rows("2024-02")]) + "\r\n").encode())
    ds, reports = _stored(tmp_path, [path])
    inc = ds.incidents
    assert reports[0].preset == "police_uk"
    assert len(inc) == 6 and ds.crimes == 6
    assert (inc["occurred_at"] == pd.Timestamp("2024-02-01")).all()
    assert set(inc["precision"].astype(str)) == {"month"} and ds.precision == "month"
    assert set(inc["beat"]) == {"E01020", "E01021"} and ds.meta["area_unit"] == "LSOA"
    assert inc.loc[inc["category"] == "Anti-social behaviour", "incident_id"].str.contains(
        ":").all()  # police.uk leaves ASB ids empty: made ids, reported as expected
    assert reports[0].first == reports[0].last == "2024-02"


def test_police_uk_snake_case_headers(tmp_path):
    path = tmp_path / "uk.csv"
    header = UK_HEADER.lower().replace(" ", "_")
    path.write_text("\n".join([header, *_uk_rows("2023-11")]) + "\n")
    r = read_table(path, today=TODAY)
    assert r.preset == "police_uk" and (r.incidents["occurred_at"] == "2023-11-01").all()
    assert r.incidents["category"].isin(["Anti-social behaviour", "Burglary",
                                         "Shoplifting"]).all()


def test_police_uk_zip_of_monthly_folders_and_a_folder(tmp_path):
    archive = tmp_path / "durham.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for month in ("2024-01", "2024-02", "2024-03"):
            zf.writestr(f"{month}/{month}-durham-street.csv",
                        "\r\n".join([UK_HEADER, *_uk_rows(month)]) + "\r\n")
        zf.writestr("2024-03/2024-03-durham-outcomes.csv", "Crime ID,Month,Outcome type\n")
    ds, reports = _stored(tmp_path, [archive])
    assert len(ds.incidents) == 18 and ds.crimes == 18
    assert sorted(ds.incidents["occurred_at"].dt.strftime("%Y-%m").unique()) == [
        "2024-01", "2024-02", "2024-03"]
    kinds = {r.file: r.kind for r in reports}
    assert kinds["2024-03-durham-outcomes.csv"] == "skipped"  # reported, the others kept
    folder = tmp_path / "months"
    for month in ("2024-04", "2024-05"):
        (folder / month).mkdir(parents=True)
        (folder / month / f"{month}-durham-street.csv").write_text(
            "\n".join([UK_HEADER, *_uk_rows(month)]) + "\n")
    ds2, _ = ingest_files([folder], today=TODAY)
    assert len(ds2.incidents) == 12


def test_calgary_counts_with_polygons_by_name(tmp_path):
    counts = tmp_path / "community_crime.csv"
    counts.write_text("Community,Category,Crime Count,Year,Month\n"
                      "BELTLINE,Theft FROM Vehicle,12,2023,1\n"
                      "Beltline ,Theft\u00a0FROM Vehicle,3,2023,2\n"
                      "FOREST LAWN,Assault (Non-domestic),5,2023,1\n"
                      "NOWHERE,Assault (Non-domestic),2,2023,1\n")
    polys = tmp_path / "communities.geojson"
    feats = [{"type": "Feature", "properties": {"name": n, "sector": s, "comm_code": c},
              "geometry": {"type": "Polygon", "coordinates": [[[x, 51.0], [x + .02, 51.0],
                                                               [x + .02, 51.02], [x, 51.02],
                                                               [x, 51.0]]]}}
             for n, s, c, x in (("BELTLINE", "CENTRE", "BLN", -114.08),
                                ("FOREST LAWN", "EAST", "FLN", -113.96))]
    polys.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    ds, reports = _stored(tmp_path, [counts, polys])
    inc = ds.incidents.sort_values(["occurred_at", "beat"]).reset_index(drop=True)
    assert ds.crimes == 22 and len(inc) == 4
    assert ds.precision == "month" and (inc["occurred_at"].dt.day == 1).all()
    assert inc["beat"].tolist() == ["BELTLINE", "FOREST LAWN", "NOWHERE", "BELTLINE"]
    assert set(inc["category"]) == {"Theft FROM Vehicle", "Assault (Non-domestic)"}
    assert inc.loc[inc["beat"] == "BELTLINE", "district"].eq("CENTRE").all()
    problem = reports[0].problems
    missing = problem[problem["problem"].str.contains("not among the polygons")]
    assert "'NOWHERE' (1 rows)" in missing["problem"].iloc[0]
    assert ds.meta["located"] == pytest.approx(20 / 22)


def test_st_louis_months_with_different_headers(tmp_path):
    new = ("Complaint,CodedMonth,DateOccur,FlagCrime,FlagUnfounded,FlagAdministrative,Count,"
           "FlagCleanup,Crime,District,Description,ILEADSAddress,ILEADSStreet,Neighborhood,"
           "LocationName,LocationComment,CADAddress,CADStreet,XCoord,YCoord\n")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "October2015.CSV").write_bytes((new + (
        "15-001,2015-10,10/05/2015 21:45,Y, , ,1, ,10000,5,HOMICIDE,4660,COTTAGE,56, , , , ,"
        "893134.6,1017424\n"
        "15-001,2015-10,10/05/2015 21:45,Y, , ,1, ,10000,5,HOMICIDE,4660,COTTAGE,56, , , , ,"
        "893134.6,1017424\n"
        "14-900,2015-10,12/29/2014 08:00, , , ,-1, ,21000,3,RAPE -- FORCIBLE,12,CAF\xc9 ST,19,"
        " , , , ,0,0\n")).encode("cp1252"))
    old = "Complaint,CodedMonth,DateOccur,Count,Crime,District,Description,XCoord,YCoord\n"
    (tmp_path / "m" / "January2009.csv").write_text(
        old + "09-001,2009-01,1/2/2009 3:00,1,31111,1,ROBBERY,886797.3,1004444\n")
    ds, reports = _stored(tmp_path, [tmp_path / "m"])
    inc = ds.incidents.sort_values("occurred_at").reset_index(drop=True)
    assert {r.preset for r in reports} == {"stlouis"}
    assert len(inc) == 4 and ds.crimes == 2  # 1 + 2 counted, 1 reversal
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2009-01-02 03:00"),
                                           pd.Timestamp("2014-12-29 08:00"),
                                           pd.Timestamp("2015-10-05 21:45"),
                                           pd.Timestamp("2015-10-05 21:45")]
    assert inc["count"].tolist() == [1, -1, 1, 1]
    assert inc["lat"].notna().sum() == 3 and inc["lat"].dropna().between(38.55, 38.75).all()
    assert inc.loc[1, "address"] == "12 CAFÉ ST"  # Windows-1252 bytes read right


def test_single_offence_file_label_from_name_and_cli(tmp_path, capsys):
    path = tmp_path / "agg_assaults_2016.csv"
    path.write_text("date,loc_cat,longitude,latitude,district\n"
                    "2016-01-03 22:10:00,STREET,-96.80,32.78,NORTHEAST\n"
                    "2016-01-04 02:30:00,RESIDENCE,-96.81,32.79,CENTRAL\n")
    assert main(["ingest", str(path), "--store", str(tmp_path / "s"), "--name", "a",
                 "--label", "Aggravated assault"]) == 0
    out = capsys.readouterr().out
    assert "every row imported as 'Aggravated assault' (the label given)" in out
    ds = Store(tmp_path / "s").load("a")
    assert set(ds.incidents["category"]) == {"Aggravated assault"}
    assert set(ds.incidents["district"]) == {"NORTHEAST", "CENTRAL"}
    assert read_table(path, today=TODAY).incidents["category"].iloc[0] == "Agg assaults"


def test_ksp_fir_time_only_columns_dated_by_fir_date(tmp_path):
    header = ("District_Name,UnitName,FIRNo,RI,Year,Month,Offence_From_Date,Offence_To_Date,"
              "FIR_Reg_DateTime,FIR_Date,FIR Type,CrimeGroup_Name,CrimeHead_Name,Latitude,"
              "Longitude,Beat_Name\n")
    rows = ["Yadgir,Narayanapura PS,0001/2016,1,2016,1,00:30:00,00:31:00,13:00:00,12/01/2016,"
            "Non Heinous,THEFT,Theft,0,0,BEAT1",
            "Yadgir,Narayanapura PS,0002/2016,1,2016,1,04:29:00,04:30:00,05:00:00,14/01/2016,"
            "Non Heinous,THEFT,Theft,0,0,BEAT1",
            # Excel swapped this row's day and month: the file's Month column says March
            "Yadgir,Narayanapura PS,0003/2016,1,2016,3,09:00:00,16:00:00,18:00:00,03/04/2016,"
            "Heinous,MURDER,Murder,16.4,76.5,BEAT2",
            "Yadgir,Narayanapura PS,0004/2016,1,2016,3,10:00:00,11:00:00,12:00:00,25/03/2016,"
            "Non Heinous,THEFT,Theft,0,0,BEAT2",
            "Yadgir,Narayanapura PS,0005/2016,1,2016,4,10:00:00,11:00:00,12:00:00,13/04/2016,"
            "Non Heinous,THEFT,Theft,0,0,BEAT2"]
    path = tmp_path / "fir.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    ds, reports = _stored(tmp_path, [path])
    inc = ds.incidents.sort_values("occurred_at").reset_index(drop=True)
    today = pd.Timestamp.now().normalize()
    assert (inc["occurred_at"].dt.normalize() != today).all()
    assert inc["occurred_at"].tolist() == [pd.Timestamp(d) for d in (
        "2016-01-12", "2016-01-14", "2016-03-04", "2016-03-25", "2016-04-13")]
    assert set(inc["precision"].astype(str)) == {"day"}
    probs = reports[0].problems
    assert probs["problem"].str.contains("holds only a time of day").any()
    swapped = probs[probs["problem"].str.contains("day and month swapped")]
    assert swapped["rows"].iloc[0] == 1 and swapped["examples"].iloc[0] == [4]


def test_time_only_column_without_a_date_is_refused_not_today(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text("occurred_at,category\n00:30:00,THEFT\n2024-01-05 10:00,THEFT\n")
    r = read_table(path, today=TODAY)
    assert len(r.incidents) == 1
    assert r.incidents["occurred_at"].iloc[0] == pd.Timestamp("2024-01-05 10:00")
    p = r.report.problems
    assert p["problem"].str.contains("only a time of day and no date").any()


def test_year_month_columns_give_month_precision(tmp_path):
    path = tmp_path / "monthly.csv"
    path.write_text("year,month,offence,crimes\n2022,1,Burglary,4\n2022,FEB,Burglary,6\n")
    r = read_table(path, today=TODAY)
    inc = r.incidents
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2022-01-01"),
                                           pd.Timestamp("2022-02-01")]
    assert set(inc["precision"].astype(str)) == {"month"} and inc["count"].sum() == 10
