"""`python -m crimekit ingest` and `datasets` through crimekit.cli.main."""

from pathlib import Path

import pytest

from crimekit.cli import main

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_ingest_prints_report_and_summary(tmp_path, capsys):
    code = main(["ingest", str(FIX / "lapd.csv"), "--name", "la", "--store", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "lapd.csv: incidents (lapd format): read 3 rows, kept 3." in out
    assert "coordinates are 0,0" in out and "Rows 4." in out and "What to do:" in out
    assert out.strip().endswith(
        "Imported 3 incidents, 2 persons as dataset 'la' (2020-02-21 to 2023-05-27, times known "
        "to the hour); 67% of crimes located.")
    assert (tmp_path / "la" / "manifest.json").exists()


def test_same_file_twice_exit_2(tmp_path, capsys):
    args = ["ingest", str(FIX / "generic.csv"), "--store", str(tmp_path)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args + ["--name", "again"]) == 2
    err = capsys.readouterr().err
    assert "already imported as dataset 'generic'" in err and "Traceback" not in err


def test_unusable_input_exit_2_one_sentence(tmp_path, capsys):
    (tmp_path / "pic.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    assert main(["ingest", str(tmp_path / "pic.csv"), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: pic.csv: is a PNG image") and err.count("\n") == 0
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir()) or \
        [p.name for p in (tmp_path / "s").iterdir()] == [".lock"]


def test_map_format_and_crs_options(tmp_path, capsys):
    code = main(["ingest", str(FIX / "generic.csv"), "--store", str(tmp_path),
                 "--map", "Sector=district", "--map", "Precinct=ignore"])
    assert code == 0
    code = main(["ingest", str(FIX / "vancouver.csv"), "--store", str(tmp_path),
                 "--format", "vancouver", "--crs", "EPSG:32610"])
    assert code == 0
    assert "in EPSG:32610 (WGS 84 / UTM zone 10N; chosen from given)" in capsys.readouterr().out
    assert main(["ingest", str(FIX / "chicago.csv"), "--store", str(tmp_path),
                 "--map", "Nope=category"]) == 2
    assert "none of the files has" in capsys.readouterr().err
    assert main(["ingest", str(FIX / "chicago.csv"), "--store", str(tmp_path),
                 "--map", "bad"]) == 2


def test_help_has_example(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--map" in out and "python -m crimekit ingest" in out


def test_datasets_list_and_delete(tmp_path, capsys):
    main(["ingest", str(FIX / "incidents.csv"), str(FIX / "beats.geojson"), "--name", "city",
          "--store", str(tmp_path)])
    capsys.readouterr()
    assert main(["datasets", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "city" in out and "2024-01-01" in out
    assert main(["datasets", "--delete", "city", "--store", str(tmp_path)]) == 0
    assert main(["datasets", "--delete", "city", "--store", str(tmp_path)]) == 2
    assert "No dataset named 'city'" in capsys.readouterr().err
    assert main(["datasets", "--store", str(tmp_path)]) == 0
    assert "No datasets" in capsys.readouterr().out
