"""Bulk upload: templates, row-level validation, idempotence and rollback (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from typer.testing import CliRunner

from wijkreno.errors import InputError
from wijkreno.register import REGISTER_KINDS, load_vocabulary, open_register
from wijkreno.register.upload import (
    EXAMPLE_NOTE,
    REJECTED_COLUMNS,
    UPLOAD_FIELDS,
    import_file,
    write_template,
)

NIS = "99001"
TODAY = dt.date.today()


@pytest.fixture
def dwellings() -> pd.DataFrame:
    return pd.DataFrame({
        "dwelling_id": ["A1", "A2", "A3", "G7/w1", "X9"],
        "adres_id": ["A1", "A2", "A3", None, "X9"],
        "nis_code": [NIS, NIS, NIS, NIS, "99002"],
    })


@pytest.fixture
def reg(register_url):
    """An empty register, SQLite and PostgreSQL (tests/conftest.py)."""
    with open_register(register_url) as r:
        yield r


def _snapshot(reg) -> dict[str, pd.DataFrame]:
    frames = {kind: reg.read(kind) for kind in REGISTER_KINDS}
    frames["audit"] = reg.audit()
    frames["uploads"] = reg.uploads()
    return frames


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], obj=key)


MIXED = (
    "adres_id;maatregel;datum_uitvoering;collectief_project;fossielvrij;premie_eur;opmerking\n"
    "A1;dakisolatie;15/03/2023;Burenpremie Dorpsstraat;nee;1.250,50;\n"         # 2 good
    "G7/w1;hr_glazing;2023-04-01;;ja;;via dwelling_id\n"                         # 3 good
    "A2;zwembad;2023-04-01;;nee;;\n"                                             # 4 measure
    "ZZZ;dakisolatie;2023-04-01;;nee;;\n"                                        # 5 address
    f"A3;Spouwmuurisolatie;{(TODAY + dt.timedelta(days=3)):%d/%m/%Y};;nee;;\n"   # 6 future
    "A3;warmtepompboiler;2023-06-01;;misschien;12,5;\n"                          # 7 boolean
    "A1;dakisolatie;2023-03-15;;nee;;\n"                                         # 8 dup in file
    "X9;dakisolatie;2023-03-15;;nee;;\n"                                         # 9 other town
    "A2;;2020-12-31;;nee;-5;\n"                                                  # 10 three
)


def _write(path, text: str, bom: bool = True):
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_import_good_and_bad_rows(reg, dwellings, tmp_path):
    path = _write(tmp_path / "renovaties.csv", MIXED)
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    assert result.n_rows == 9
    assert (result.n_accepted, result.n_rejected, result.duplicates) == (2, 6, 1)
    assert list(result.rejected.columns) == list(REJECTED_COLUMNS)
    reasons = dict(zip(result.rejected["row"], result.rejected["reason"], strict=True))
    assert sorted(reasons) == [4, 5, 6, 7, 9, 10]
    assert "onbekende maatregel 'zwembad'" in reasons[4]
    assert "adres 'ZZZ' bestaat niet in de tweeling" in reasons[5]
    assert "ligt in de toekomst" in reasons[6]
    assert "geen geldige ja/nee-waarde" in reasons[7]
    assert "ligt in gemeente 99002, niet in 99001" in reasons[9]
    assert reasons[10].count(";") == 2  # missing measure, date before 2021, negative premium
    assert "verplichte waarde ontbreekt" in reasons[10] and "ligt voor 01/01/2021" in reasons[10]
    row10 = result.rejected.set_index("row").loc[10]
    assert row10["column"] == "maatregel, datum_uitvoering, premie_eur"
    assert result.duplicate_rows.to_dict("records") == [
        {"row": 8, "reason": "dubbele rij in het bestand (zelfde als rij 2)"}]

    stored = reg.renovations(NIS)
    assert stored["adres_id"].tolist() == ["A1", None]
    assert stored["dwelling_id"].tolist() == ["A1", "G7/w1"]
    assert stored["measure"].tolist() == ["roof_insulation", "hr_glazing"]
    assert stored["completed_on"].tolist() == [dt.date(2023, 3, 15), dt.date(2023, 4, 1)]
    assert stored["fossil_free"].tolist() == [False, True]
    assert stored.loc[0, "premium_eur"] == 1250.5 and pd.isna(stored.loc[1, "premium_eur"])
    assert stored["collective_project"].tolist() == ["Burenpremie Dorpsstraat", None]
    assert stored["note"].tolist() == [None, "via dwelling_id"]
    assert (stored["upload_id"] == result.upload_id).all()
    assert result.accepted["row"].tolist() == [2, 3]
    assert result.accepted["renovation_id"].tolist() == stored["renovation_id"].tolist()

    upload = reg.uploads(NIS).iloc[0]
    assert (upload["n_rows"], upload["n_accepted"], upload["n_rejected"],
            upload["n_duplicates"]) == (9, 2, 6, 1)
    assert upload["user_name"] == "an" and upload["file_name"] == "renovaties.csv"
    audit = reg.audit(NIS)
    assert audit["table"].tolist() == ["upload", "renovation", "renovation"]
    assert (audit["upload_id"] == result.upload_id).all()


def test_same_file_twice_changes_nothing(reg, dwellings, tmp_path):
    path = _write(tmp_path / "renovaties.csv", MIXED)
    first = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    before = _snapshot(reg)
    again = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="bo")
    assert again.already_imported and again.upload_id == first.upload_id
    assert again.n_accepted == 0 and "al geïmporteerd" in again.message
    _assert_same(before, _snapshot(reg))
    # the refused rows were never stored: they are refused again, with their reasons, so they
    # can still be corrected; the others are in already
    assert again.rejected.to_dict("records") == first.rejected.to_dict("records")
    assert again.n_rejected == 6 and again.duplicates == 3
    assert sorted(again.duplicate_rows["row"]) == sorted(
        [*first.accepted["row"], *first.duplicate_rows["row"]])
    assert again.duplicate_rows["reason"].str.startswith("al ingelezen met dit bestand").all()


def test_rows_already_in_register_are_skipped(reg, dwellings, tmp_path):
    import_file(reg, _write(tmp_path / "a.csv", MIXED), "renovations", nis_code=NIS,
                dwellings=dwellings, user="an")
    # another file, comma-separated without BOM, repeating a stored row in another spelling
    text = ("adres_id,maatregel,datum_uitvoering,fossielvrij\n"
            "A1,roof_insulation,2023-03-15,nee\n"
            "A2,Hoogrendementsbeglazing,01/05/2023,1\n")
    result = import_file(reg, _write(tmp_path / "b.csv", text, bom=False), "renovations",
                         nis_code=NIS, dwellings=dwellings, user="an")
    assert (result.n_rows, result.n_accepted, result.n_rejected, result.duplicates) == (2, 1, 0, 1)
    assert result.duplicate_rows.loc[0, "reason"] == "staat al in het register"
    assert reg.renovations()["measure"].tolist() == ["roof_insulation", "hr_glazing",
                                                     "hr_glazing"]


def test_strict_import_with_bad_rows_leaves_database_unchanged(reg, dwellings, tmp_path):
    import_file(reg, _write(tmp_path / "a.csv", MIXED.splitlines()[0] + "\n"
                            + MIXED.splitlines()[1] + "\n"), "renovations", nis_code=NIS,
                dwellings=dwellings, user="an")
    before = _snapshot(reg)
    with pytest.raises(InputError, match="--strict"):
        import_file(reg, _write(tmp_path / "b.csv", MIXED), "renovations", nis_code=NIS,
                    dwellings=dwellings, user="an", strict=True)
    _assert_same(before, _snapshot(reg))


def test_database_error_rolls_back_the_whole_import(reg, dwellings, tmp_path):
    import_file(reg, _write(tmp_path / "a.csv", MIXED.splitlines()[0] + "\n"
                            + MIXED.splitlines()[1] + "\n"), "renovations", nis_code=NIS,
                dwellings=dwellings, user="an")
    before = _snapshot(reg)

    @event.listens_for(reg.engine, "before_cursor_execute")
    def _fail(conn, cursor, statement, *args):
        # after the upload row and its audit entry were written in the same transaction
        if statement.startswith("INSERT INTO renovation"):
            raise RuntimeError("injected database error")

    with pytest.raises(RuntimeError, match="injected"):
        import_file(reg, _write(tmp_path / "b.csv", MIXED), "renovations", nis_code=NIS,
                    dwellings=dwellings, user="an")
    event.remove(reg.engine, "before_cursor_execute", _fail)
    _assert_same(before, _snapshot(reg))
    # the failed file was not recorded as imported: importing it now works
    result = import_file(reg, tmp_path / "b.csv", "renovations", nis_code=NIS,
                         dwellings=dwellings, user="an")
    assert not result.already_imported and result.n_accepted == 1  # row 2 is already stored


def test_csv_template_has_dutch_headers_and_example_row_is_skipped(reg, dwellings, tmp_path):
    path = write_template("renovations", tmp_path / "sjabloon.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, example = raw.decode("utf-8-sig").splitlines()
    assert header == ("adres_id;straat;huisnummer;bus;postcode;gebouw_id;maatregel;"
                      "datum_uitvoering;collectief_project;fossielvrij;premie_eur;opmerking")
    assert example.endswith(EXAMPLE_NOTE)
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    assert (result.n_rows, result.n_accepted, result.n_rejected) == (0, 0, 0)


@pytest.mark.parametrize("kind", REGISTER_KINDS)
def test_every_template_round_trips_its_example_row(reg, dwellings, tmp_path, kind):
    # the example row, with its remark changed and a real address, imports cleanly
    path = write_template(kind, tmp_path / f"{kind}.csv")
    text = path.read_text("utf-8-sig").replace(EXAMPLE_NOTE, "echt").replace(
        "VOORBEELD-ADRES-1", "A2")
    path.write_text(text, encoding="utf-8")
    result = import_file(reg, path, kind, nis_code=NIS, dwellings=dwellings, user="an")
    assert (result.n_accepted, result.n_rejected) == (1, 0), result.rejected
    assert len(reg.read(kind, NIS)) == 1


def test_xlsx_template_round_trip(reg, dwellings, tmp_path):
    path = write_template("renovations", tmp_path / "sjabloon.xlsx", fmt="xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Gegevens", "Uitleg"]
    ws = wb["Gegevens"]
    headers = [c.value for c in ws[1]]
    assert headers == [f.header for f in UPLOAD_FIELDS["renovations"]]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["C"].width >= 14
    uitleg = [row for row in wb["Uitleg"].iter_rows(values_only=True)]
    codes = set(load_vocabulary().measures)
    labels = {r[1]: r[2] for r in uitleg if len(r) > 2 and r[0] == "maatregel" and r[2] in codes}
    assert labels["warmtepompboiler"] == "heat_pump_boiler"
    assert labels["spouwmuurisolatie"] == "cavity_fill"
    assert set(labels.values()) == codes
    # fill the example row and add one more, the way a spreadsheet would hold them (the
    # address parts, columns 2-6, stay empty: these rows give adres_id)
    values = ["A3", None, None, None, None, None, "spouwmuurisolatie", dt.datetime(2024, 2, 1),
              "Klimaattafel Kerkstraat", "nee", 300.5, "ok"]
    for j, v in enumerate(values, start=1):
        ws.cell(row=2, column=j, value=v)
    for j, v in enumerate(["A1", None, None, None, None, None, "Lucht-water warmtepomp",
                           "01/02/2024", None, 1, "2.000,00", None], start=1):
        ws.cell(row=3, column=j, value=v)
    wb.save(path)
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    assert (result.n_rows, result.n_accepted, result.n_rejected) == (2, 2, 0), result.rejected
    stored = reg.renovations(NIS)
    assert stored["measure"].tolist() == ["cavity_fill", "heat_pump_air_water"]
    assert stored["completed_on"].tolist() == [dt.date(2024, 2, 1)] * 2
    assert stored["premium_eur"].tolist() == [300.5, 2000.0]
    assert stored["fossil_free"].tolist() == [False, True]
    assert stored["collective_project"].tolist() == ["Klimaattafel Kerkstraat", None]


def test_other_kinds_with_decimal_comma_and_without_twin(reg, tmp_path):
    pv = _write(tmp_path / "pv.csv", "project;kwp;datum_ingebruikname;aantal_deelnemers\n"
                "Zonnedak sporthal;36,5;01/09/2024;120\nZonnedak school;1.018,2;2025-03-01;\n"
                "Zonnedak kerk;veel;2025-03-01;\n")
    result = import_file(reg, pv, "participative_pv", nis_code=NIS, dwellings=None, user="an")
    assert (result.n_accepted, result.n_rejected) == (2, 1)
    assert "geen geldig getal: 'veel'" in result.rejected.loc[0, "reason"]
    stored = reg.participative_pv(NIS)
    assert stored["kwp"].tolist() == [36.5, 1018.2]
    assert stored["n_participants"].tolist()[0] == 120 and pd.isna(
        stored["n_participants"].tolist()[1])
    wvc = _write(tmp_path / "wvc.csv", "contract,mijlpaal,datum,inclusief_collectieve_renovatie\n"
                 "Centrum,Ondertekend,20/02/2025,ja\nCentrum,gestemd,20/03/2025,ja\n")
    result = import_file(reg, wvc, "wvc_milestones", nis_code=NIS, dwellings=None, user="an")
    assert (result.n_accepted, result.n_rejected) == (1, 1)
    assert "onbekende mijlpaal 'gestemd'" in result.rejected.loc[0, "reason"]
    assert reg.wvc_milestones(NIS)["milestone"].tolist() == ["signed"]


def test_file_level_errors(reg, dwellings, tmp_path):
    bad_header = _write(tmp_path / "x.csv", "adres_id;maatregel;datum;kleur\nA1;dak;2023-01-01;\n")
    with pytest.raises(InputError, match=r"\['datum', 'kleur'\]"):
        import_file(reg, bad_header, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    with pytest.raises(InputError, match="does not exist"):
        import_file(reg, tmp_path / "nope.csv", "renovations", nis_code=NIS,
                    dwellings=dwellings, user="an")
    with pytest.raises(InputError, match="NIS5"):
        import_file(reg, bad_header, "renovations", nis_code="1", dwellings=dwellings, user="an")
    with pytest.raises(InputError, match="unknown register kind"):
        write_template("renovaties", tmp_path / "t.csv")
    assert reg.uploads().empty


def test_cli_template_import_list_correct(tmp_path, dwellings, register_url):
    from wijkreno.cli.register import app

    twin = tmp_path / "twin"
    twin.mkdir()
    dwellings.to_parquet(twin / "dwellings.parquet")
    url = register_url
    runner = CliRunner()
    res = runner.invoke(app, ["template", "renovations", "-o", str(tmp_path / "t.xlsx"),
                              "--format", "xlsx"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "t.xlsx").exists()
    path = _write(tmp_path / "renovaties.csv", MIXED)
    res = runner.invoke(app, ["import", str(path), "--kind", "renovations", "--nis", NIS,
                              "--twin", str(twin), "--register", url, "--user", "an",
                              "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    rejected = pd.read_csv(tmp_path / "out" / "afgewezen.csv", encoding="utf-8-sig")
    assert rejected["row"].tolist() == [4, 5, 6, 7, 8, 9, 10]
    res = runner.invoke(app, ["correct", "renovations", "1", "--set", "fossil_free=ja",
                              "--register", url, "--user", "bo"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["list", "renovations", "--nis", NIS, "--register", url,
                              "-o", str(tmp_path / "list.csv")])
    assert res.exit_code == 0, res.output
    listed = pd.read_csv(tmp_path / "list.csv", encoding="utf-8-sig")
    assert listed["fossil_free"].tolist() == [True, True]
    res = runner.invoke(app, ["import", str(path), "--kind", "renovations", "--nis", NIS,
                              "--twin", str(twin), "--register", url, "--strict",
                              "-o", str(tmp_path / "out")])
    assert res.exit_code == 0 and "al geïmporteerd" in res.output  # same file: nothing to do
    res = runner.invoke(app, ["import", str(path), "--kind", "renovatie", "--nis", NIS,
                              "--twin", str(twin), "--register", url, "-o", str(tmp_path)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["correct", "renovations", "99", "--set", "fossil_free=ja",
                              "--register", url])
    assert res.exit_code == 2


def test_money_and_text_bounds(reg, dwellings, tmp_path):
    """Issue 14: a premium of €99,999,999,999 and a 3,000-character remark are refused with
    their reason; the bounds come from register_vocabulary.toml."""
    bounds = load_vocabulary().bounds
    path = _write(tmp_path / "grens.csv", (
        "adres_id;maatregel;datum_uitvoering;premie_eur;opmerking\n"
        "A1;dakisolatie;2023-03-15;99.999.999.999;\n"
        f"A2;dakisolatie;2023-03-15;{bounds.premium_eur_max:.0f};\n"
        f"A3;dakisolatie;2023-03-15;;{'x' * (bounds.note_max_chars + 1)}\n"))
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    assert result.n_accepted == 1  # exactly the bound is accepted
    reasons = dict(zip(result.rejected["row"], result.rejected["reason"], strict=True))
    assert "onwaarschijnlijk groot" in reasons[2] and "te lang" in reasons[4]
    with pytest.raises(InputError, match="plausible maximum"):
        reg.add("participative_pv", pd.DataFrame({
            "nis_code": [NIS], "project": ["Zon"], "kwp": [1e9],
            "commissioned_on": [dt.date(2023, 1, 1)]}), user="an")


def test_cli_list_export_neutralises_formulas(reg, tmp_path):
    from wijkreno.cli.register import app

    reg.add("renovations", pd.DataFrame({
        "nis_code": [NIS], "adres_id": ["A1"], "measure": ["roof_insulation"],
        "completed_on": [dt.date(2023, 5, 1)], "note": ["=cmd|' /C calc'!A0"]}), user="an")
    url = reg.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(app, ["list", "renovations", "--register", url,
                                   "-o", str(tmp_path / "lijst.csv")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "lijst.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and "\n=cmd" not in text and ",=cmd" not in text
