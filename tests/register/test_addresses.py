"""Register import by address (street, number, box, postcode), apartment buildings (VME) and
the templates of the energy-community, charging-point and own-building goals (issue 13)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from wijkreno.errors import InputError
from wijkreno.indicators import (
    collective_projects,
    compute_indicators,
    count_renovations,
    expand_buildings,
    municipality_targets,
)
from wijkreno.register import open_register
from wijkreno.register.upload import EXAMPLE_NOTE, import_file, write_template
from wijkreno.twin.address_search import build_address_index

NIS = "13002"

ROWS = [  # dwelling_id, adres_id, street, number, box, postcode, gebouw
    ("k9a", "k9a", "Kerkstraat", "9", None, "2387", "g1"),
    ("k9b", "k9b", "Kerkstraat", "9", None, "2388", "g2"),
    ("k11", "k11", "Kerkstraat", "11", None, "2387", "g3"),
    *[(f"m{k}", f"m{k}", "Molenstraat", "4", str(k), "2387", "g4") for k in range(1, 13)],
    ("g4/w1", None, None, None, None, None, "g4"),  # an imputed unit without address
    ("d1", "d1", "Dorpsstraat", "1", None, "2387", "g5"),
]


@pytest.fixture
def dwellings() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"dwelling_id": [r[0] for r in ROWS], "adres_id": [r[1] for r in ROWS],
         "street": [r[2] for r in ROWS], "house_number": [r[3] for r in ROWS],
         "box_number": [r[4] for r in ROWS], "postcode": [r[5] for r in ROWS],
         "gebouw_id": [r[6] for r in ROWS], "nis_code": NIS},
        geometry=[Point(150000 + 5 * i, 200000) for i in range(len(ROWS))], crs=31370)


@pytest.fixture
def reg(tmp_path):
    with open_register(f"sqlite:///{tmp_path / 'register.sqlite'}") as r:
        yield r


def _csv(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


RENOVATIONS = (
    "straat;huisnummer;bus;postcode;gebouw_id;maatregel;datum_uitvoering;collectief_project\n"
    "Kerkstraat;11;;;;dakisolatie;2024-03-01;Burenpremie Kerkstraat\n"      # 2 by address
    "kerkstr.;9;;2388;;dakisolatie;2024-03-01;Burenpremie Kerkstraat\n"     # 3 with postcode
    "Kerkstraat;9;;;;dakisolatie;2024-03-01;\n"                             # 4 ambiguous
    "Kerkstraat;500;;;;dakisolatie;2024-03-01;\n"                           # 5 no such number
    "Molenstraat;4;;;;dakisolatie;2024-05-01;\n"                            # 6 the building
    ";;;;g4;hr_glazing;2024-06-01;VME Molenhof\n"                           # 7 building by id
    "Molenstraat;4;3;;;spouwmuurisolatie;2024-06-01;\n"                     # 8 one apartment
    ";;;;g5;vloerisolatie;2024-06-01;Burenpremie Dorp\n"                    # 9 a house by id
    "Molenstraat;4;99;;;dakisolatie;2024-06-01;\n"                          # 10 no such box
)


def test_rows_by_street_number_and_box(reg, dwellings, tmp_path):
    path = _csv(tmp_path / "r.csv", RENOVATIONS)
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings,
                         user="an")
    rejected = result.rejected.set_index("row")
    assert sorted(rejected.index) == [4, 5, 10]
    assert "niet eenduidig" in rejected.loc[4, "reason"] or "meer dan één postcode" in \
        rejected.loc[4, "reason"]
    assert rejected.loc[4, "candidates"] == "Kerkstraat 9, 2387 | Kerkstraat 9, 2388"
    assert "vul de postcode in" in rejected.loc[4, "reason"]
    assert "geen huisnummer 500" in rejected.loc[5, "reason"]
    assert rejected.loc[5, "candidates"] == "Kerkstraat 11 | Kerkstraat 9"
    assert "geen bus 99" in rejected.loc[10, "reason"]
    assert rejected.loc[10, "column"] == "straat, huisnummer, bus"

    stored = reg.renovations(NIS).set_index("renovation_id")
    by_measure = {(r.adres_id, r.gebouw_id, r.measure): r for r in stored.itertuples()}
    assert ("k11", None, "roof_insulation") in by_measure
    assert ("k9b", None, "roof_insulation") in by_measure
    assert ("m3", None, "cavity_fill") in by_measure
    assert ("d1", None, "floor_insulation") in by_measure  # a one-unit building is its address
    # the building without box and the building by gebouw_id: one row each, 13 units
    whole = stored[stored["gebouw_id"].notna()]
    assert sorted(whole["measure"]) == ["hr_glazing", "roof_insulation"]
    assert (whole["n_units"] == 13).all() and whole["adres_id"].isna().all()
    assert whole["dwelling_id"].isna().all()
    projects = dict(zip(whole["measure"], whole["collective_project"], strict=True))
    assert projects == {"roof_insulation": "VME Molenstraat 4, 2387", "hr_glazing": "VME Molenhof"}


def test_building_rows_count_for_every_unit(reg, dwellings, tmp_path):
    import_file(reg, _csv(tmp_path / "r.csv", RENOVATIONS), "renovations", nis_code=NIS,
                dwellings=dwellings, user="an")
    ren = reg.renovations(NIS)
    per_measure = count_renovations(ren, rule="vvsg_measure")
    # collective: k11 + k9b + d1 (one each) + two building rows of 13 units each
    assert per_measure["count"].sum() == 3 + 2 * 13
    per_dwelling = count_renovations(ren, rule="per_dwelling")
    assert per_dwelling["count"].sum() == 3 + 13  # the building's units once
    projects = collective_projects(ren).set_index("collective_project")
    vme = projects.loc["VME Molenhof"]
    assert (vme["n_rows"], vme["n_buildings"], vme["n_addresses"], vme["n_units"]) == (1, 1, 0, 13)
    assert vme["renovation_equivalents"] == 13
    assert projects.loc["Burenpremie Kerkstraat", "n_addresses"] == 2
    # per address models see every unit of the building
    expanded = expand_buildings(ren, dwellings)
    units = expanded[expanded["measure"] == "hr_glazing"]
    assert len(units) == 13 and set(units["dwelling_id"]) == {
        r[0] for r in ROWS if r[6] == "g4"}
    assert (units["n_units"] == 1).all()
    targets = municipality_targets(nis_code=NIS, inhabitants=2900, households=1200,
                                   housing_units=1400)
    table = compute_indicators(reg, targets, nis_code=NIS, as_of=dt.date(2024, 12, 31))
    row = table[(table["goal_id"] == "collective_renovations") & (table["year"] == 2024)]
    assert row["realised_cumulative"].iloc[0] == 29


def test_trajectory_for_a_building_is_refused_with_its_boxes(reg, dwellings, tmp_path):
    path = _csv(tmp_path / "t.csv", "straat;huisnummer;bus;datum_levering\n"
                "Molenstraat;4;;2024-05-01\nMolenstraat;4;2;2024-05-01\n")
    result = import_file(reg, path, "trajectories", nis_code=NIS, dwellings=dwellings,
                         user="an")
    assert result.n_accepted == 1 and result.n_rejected == 1
    bad = result.rejected.iloc[0]
    assert "appartementsgebouw met 12 wooneenheden" in bad["reason"]
    assert bad["candidates"].startswith("Molenstraat 4 bus 1 | Molenstraat 4 bus 2")
    assert reg.trajectories_delivered(NIS)["adres_id"].tolist() == ["m2"]


def test_conflicting_or_missing_address(reg, dwellings, tmp_path):
    path = _csv(tmp_path / "c.csv", "adres_id;straat;huisnummer;maatregel;datum_uitvoering\n"
                "k11;Kerkstraat;11;dakisolatie;2024-03-01\n"       # agree: accepted
                "k11;Dorpsstraat;1;dakisolatie;2024-04-01\n"       # disagree
                ";;;dakisolatie;2024-04-01\n")                     # nothing
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings, user="an")
    reasons = dict(zip(result.rejected["row"], result.rejected["reason"], strict=True))
    assert result.n_accepted == 1 and sorted(reasons) == [3, 4]
    assert "verschillende adressen" in reasons[3]
    assert "adres ontbreekt" in reasons[4]
    # without a twin, street and number cannot be looked up
    other = _csv(tmp_path / "d.csv", "straat;huisnummer;maatregel;datum_uitvoering\n"
                 "Kerkstraat;11;dakisolatie;2024-05-01\n")
    result = import_file(reg, other, "renovations", nis_code=NIS, dwellings=None, user="an")
    assert "enkel met adres_id" in result.rejected.loc[0, "reason"]


def test_import_reuses_the_maps_index(reg, dwellings, tmp_path):
    index = build_address_index(dwellings, {NIS: "Baarle-Hertog"})
    path = _csv(tmp_path / "r.csv", "straat;huisnummer;maatregel;datum_uitvoering\n"
                "Kerkstraat;9;dakisolatie;2024-03-01\n")
    result = import_file(reg, path, "renovations", nis_code=NIS, dwellings=dwellings,
                         user="an", address_index=index)
    assert result.rejected.loc[0, "candidates"] == (
        "Kerkstraat 9, 2387 Baarle-Hertog | Kerkstraat 9, 2388 Baarle-Hertog")


def test_register_add_accepts_a_building_row_and_keeps_its_key(reg):
    rows = pd.DataFrame([{"nis_code": NIS, "gebouw_id": "g4", "n_units": 13,
                          "measure": "roof_insulation", "completed_on": "2024-01-10",
                          "collective_project": "VME"}])
    reg.add("renovations", rows, user="an")
    with pytest.raises(InputError, match="stored twice"):
        reg.add("renovations", rows, user="an")
    with pytest.raises(InputError, match="n_units above 1 needs the gebouw_id"):
        reg.add("renovations", rows.drop(columns="gebouw_id").assign(adres_id="x"), user="an")
    with pytest.raises(InputError, match="gebouw_id are all empty"):
        reg.add("renovations", rows.drop(columns=["gebouw_id", "n_units"]), user="an")


# ---------------------------------------------------------------- the four goals' templates


GOAL_FILES = {
    "energy_communities": (
        "energiegemeenschap;datum_toegang;aantal_toegangen\n"
        "Zonnig Dorp;2024-04-01;4\nZonnig Dorp;2025-02-01;3\nWindkracht;2025-03-01;veel\n"),
    "charging_points": (
        "locatie;aantal_laadpunten;datum_ingebruikname;publiek_toegankelijk\n"
        "Markt;4;2024-11-15;\nStation;6;2025-01-10;ja\nGemeentelijke loods;2;2025-01-10;nee\n"),
    "own_buildings": (
        "jaar;gebouw;co2_kg;primair_energieverbruik_kwh\n"
        "2015;;200000;1000000\n2023;;120000;900000\n2025;Gemeentehuis;30000;300000\n"
        "2025;Sporthal;60000;500000\n2014;;1;1\n"),
}


@pytest.mark.parametrize("kind", list(GOAL_FILES))
def test_goal_templates_round_trip(reg, tmp_path, kind):
    for fmt in ("csv", "xlsx"):
        path = write_template(kind, tmp_path / f"{kind}.{fmt}", fmt=fmt)
        result = import_file(reg, path, kind, nis_code=NIS, dwellings=None, user="an")
        assert (result.n_rows, result.n_rejected) == (0, 0)  # the example row is skipped
    path = write_template(kind, tmp_path / f"{kind}_filled.csv")
    path.write_text(path.read_text("utf-8-sig").replace(EXAMPLE_NOTE, "echt"), "utf-8")
    result = import_file(reg, path, kind, nis_code=NIS, dwellings=None, user="an")
    assert (result.n_accepted, result.n_rejected) == (1, 0), result.rejected


def test_the_four_goals_are_computed_from_the_register(reg, tmp_path):
    results = {kind: import_file(reg, _csv(tmp_path / f"{kind}.csv", text), kind,
                                 nis_code=NIS, dwellings=None, user="an")
               for kind, text in GOAL_FILES.items()}
    assert "geen geldig getal" in results["energy_communities"].rejected.loc[0, "reason"]
    assert "2014 lies outside 2015" in results["own_buildings"].rejected.loc[0, "reason"]
    assert reg.charging_points(NIS)["publicly_accessible"].tolist() == [True, True, False]
    targets = municipality_targets(nis_code=NIS, inhabitants=2900, households=1200,
                                   housing_units=1400, pact="2.1")
    table = compute_indicators(reg, targets, nis_code=NIS, as_of=dt.date(2025, 12, 31))
    now = table[table["year"] == 2025].set_index("goal_id")
    for goal in ("energy_community_access", "charging_points", "own_buildings_co2",
                 "own_buildings_primary_energy"):
        assert now.loc[goal, "computable"], goal
    assert now.loc["energy_community_access", "realised_cumulative"] == 7
    assert now.loc["charging_points", "realised_cumulative"] == 10  # public points only
    # 2025: 90,000 kg against 200,000 in 2015 -> 55 % less; PE 800,000 against 900,000 (2023)
    assert now.loc["own_buildings_co2", "realised_cumulative"] == pytest.approx(0.55)
    assert now.loc["own_buildings_primary_energy", "realised_cumulative"] == pytest.approx(
        1 - 800_000 / 900_000)


def test_locate_address_for_a_correction_form(dwellings):
    from wijkreno.register.upload import locate_address

    assert locate_address("renovations", nis_code=NIS, dwellings=dwellings,
                          street="Molenstraat", house_number="4", box_number="5") == {
        "adres_id": "m5", "dwelling_id": "m5"}
    whole = locate_address("renovations", nis_code=NIS, dwellings=dwellings,
                           street="Molenstraat", house_number="4")
    assert whole == {"adres_id": None, "dwelling_id": None, "gebouw_id": "g4", "n_units": 13}
    with pytest.raises(InputError, match=r"Kandidaten: Kerkstraat 9, 2387 \| Kerkstraat 9"):
        locate_address("trajectories", nis_code=NIS, dwellings=dwellings,
                       street="Kerkstraat", house_number="9")
