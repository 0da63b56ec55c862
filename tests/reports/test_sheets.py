"""Klimaattafel sheets: one A4 page per dwelling, Dutch text, imputed values marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from wijkreno.errors import InputError
from wijkreno.reports import measure_name_nl, render_address_sheets
from wijkreno.reports.sheets import sheet_records

MEASURES = ("roof_insulation", "cavity_fill", "floor_insulation", "hr_glazing",
            "ventilation_d", "heat_pump_air_water", "pv", "solar_water_heater")


def _frames(n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ids = [f"a{k}" for k in range(n)]
    dwellings = pd.DataFrame({
        "dwelling_id": ids, "adres_id": ids, "street": "Teststraat",
        "house_number": [str(k + 1) for k in range(n)], "box_number": None,
        "postcode": "2590", "typology": "terraced", "typology_source": "derived",
        "construction_year": 1962,
        "construction_year_source": ["imputed"] + ["observed"] * (n - 1),
        "heated_floor_area_m2": 120.0, "heated_floor_area_m2_source": "derived",
        "heating_system": "gas_boiler", "heating_system_source": "imputed",
    }, index=pd.Index([10 * k + 7 for k in range(n)]))  # non-default index
    steps = []
    # the first dwelling has the longest trajectory (8 steps): the page must still be one
    for k, m in enumerate(MEASURES):
        score = 380.0 - 40 * (k + 1)
        steps.append({"dwelling_id": "a0", "step": k + 1, "measure": m,
                      "investment_eur": 5000.0 + k, "premium_eur": 1000.0,
                      "net_cost_eur": 4000.0 + k, "cumulative_net_cost_eur": 4000.0 * (k + 1),
                      "saving_eur": 300.0, "epc_score_kwh_per_m2": score,
                      "epc_label": "A" if score <= 100 else "C" if score < 300 else "E",
                      "co2_flemish_kg_co2": 9000.0 - 500 * (k + 1),
                      "cumulative_saving_co2_flemish_kg_co2": 500.0 * (k + 1),
                      "co2_com_kg_co2": 8000.0 - 400 * (k + 1),
                      "cumulative_saving_co2_com_kg_co2": 400.0 * (k + 1)})
    steps = pd.DataFrame(steps)
    summary = pd.DataFrame({
        "dwelling_id": ids, "valid": True, "invalid_reason": "", "basis": "standardised",
        "target": "label_A_2050", "target_label": "A", "target_score_kwh_per_m2": 100.0,
        "target_year": 2050.0, "current_epc_score_kwh_per_m2": 380.0,
        "current_epc_label": "E", "current_energy_cost_eur": 3210.0,
        "reached": [True] + [False] * (n - 1), "final_epc_score_kwh_per_m2": 60.0,
        "final_epc_label": ["A"] + ["E"] * (n - 1), "investment_eur": 40000.0,
        "premium_eur": 8000.0, "net_cost_eur": 32000.0, "saving_eur": 2400.0,
        "explanation": [""] + ["doel label A (≤ 100 kWh/m²) niet haalbaar: beste haalbare "
                               "score 180 kWh/m² (label B), nog 80 kWh/m² te veel; muur: "
                               "beschermd erfgoed, geen buitenisolatie " * 3] * (n - 1),
    })
    return dwellings, steps, summary


def test_one_page_per_dwelling_with_dutch_text(tmp_path):
    dwellings, steps, summary = _frames(3)
    out = render_address_sheets(dwellings, steps, summary, tmp_path, bundle_name="Teststraat")
    reader = PdfReader(out["pdf"])
    assert len(reader.pages) == len(dwellings) + 1  # the street's cover page first
    assert "Samen renoveren" in reader.pages[0].extract_text()
    first = reader.pages[1].extract_text()
    assert "Teststraat 1" in first
    assert "1962 (geschat)" in first
    assert "dakisolatie" in first and "lucht-water warmtepomp" in first  # Dutch measures
    assert "Doel gehaald" in first
    assert "Renovatietraject naar label A" in first
    second = reader.pages[2].extract_text()
    assert "Teststraat 2" in second
    assert "Doel niet gehaald" in second and "beschermd erfgoed" in second
    assert "(geschat)" not in second.split("Bouwjaar")[1].splitlines()[0]
    html = out["html"].read_text(encoding="utf-8")
    assert "<link" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_imputed_values_are_marked(tmp_path):
    dwellings, steps, summary = _frames(2)
    rec = sheet_records(dwellings, steps, summary)
    assert rec[0]["construction_year"] == "1962 (geschat)"
    assert rec[1]["construction_year"] == "1962"
    assert rec[0]["heating"].endswith("(geschat)")
    assert "bouwjaar" in rec[0]["estimated"] and "bouwjaar" not in rec[1]["estimated"]
    # current CO2 = state after step 1 + its cumulative saving = 8500 + 500
    assert rec[0]["co2_flemish"] == "9\u2009000"
    assert rec[1]["co2_flemish"] == "–"  # no steps and no simulated CO2: unknown, not 0
    assert [r["measure"] for r in rec[0]["steps"]][:2] == ["dakisolatie", "spouwmuurisolatie"]


def test_street_bundle_of_demo(tmp_path):
    from tests.demo_summary import build_demo_twin  # noqa: F401 - skip path documented below

    # the full demo needs the trajectory planner; a street of six dwellings keeps it fast
    twin, _ = build_demo_twin(tmp_path)
    from wijkreno.renovate.trajectories import plan_trajectories

    d = twin.dwellings
    street = d["street"].value_counts().index[-1]
    sel = d[d["street"] == street].head(6)
    steps, summary = plan_trajectories(sel)
    out = render_address_sheets(sel, steps, summary, tmp_path / "out", bundle_name=street)
    cover = 1 if len(sel) > 1 else 0
    assert len(PdfReader(out["pdf"]).pages) == len(sel) + cover

    # the same through the CLI: twin folder + trajectories folder -> a street bundle
    from typer.testing import CliRunner

    from wijkreno.cli.report import app
    from wijkreno.io.twin_store import write_table
    from wijkreno.twin.schema import DWELLINGS

    (tmp_path / "twin").mkdir()
    write_table(d, tmp_path / "twin" / "dwellings.parquet", DWELLINGS)
    (tmp_path / "traj").mkdir()
    steps.to_parquet(tmp_path / "traj" / "trajectories.parquet")
    summary.reset_index(drop=True).to_parquet(tmp_path / "traj" / "summary.parquet")
    res = CliRunner().invoke(app, ["sheets", "--twin", str(tmp_path / "twin"),
                                   "--trajectories", str(tmp_path / "traj"),
                                   "--street", street, "-o", str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    pdfs = list((tmp_path / "cli").glob("*.pdf"))
    assert len(pdfs) == 1 and len(PdfReader(pdfs[0]).pages) == len(sel) + cover
    res = CliRunner().invoke(app, ["sheets", "--twin", str(tmp_path / "twin"),
                                   "--trajectories", str(tmp_path / "traj"),
                                   "--street", "Geenstraat", "-o", str(tmp_path / "cli")])
    assert res.exit_code == 2


def test_measure_names_and_errors(tmp_path):
    assert measure_name_nl("heat_pump_boiler") == "warmtepompboiler"
    assert measure_name_nl("cavity_fill") == "spouwmuurisolatie"
    assert measure_name_nl("unknown_x") == "unknown_x"
    dwellings, steps, summary = _frames(2)
    with pytest.raises(InputError, match="no trajectory"):
        render_address_sheets(dwellings, steps, summary.iloc[:1], tmp_path)
    with pytest.raises(InputError, match="misses the columns"):
        render_address_sheets(dwellings, steps, summary.drop(columns="reached"), tmp_path)
    with pytest.raises(InputError, match="no dwellings"):
        render_address_sheets(dwellings.iloc[:0], steps, summary, tmp_path)
    assert np.isfinite(summary["current_epc_score_kwh_per_m2"]).all()


def _groups(dwellings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A block of the three dwellings (groups stage layout): a0 and a1 take part."""
    ids = dwellings["dwelling_id"].tolist()
    members = pd.DataFrame({
        "dwelling_id": ids, "group_id": "block-22", "group_kind": "block", "group_size": 3,
        "participating": [True, True, False], "collective": True,
        "measures": ["roof_insulation+cavity_fill", "roof_insulation", ""],
        "investment_individual_eur": [30000.0, 12000.0, 0.0],
        "investment_collective_eur": [26000.0, 10500.0, 0.0],
        "project_cost_individual_eur": [2300.0, 800.0, 0.0],  # design and coaching
        "project_cost_collective_eur": [1400.0, 700.0, 0.0],
        "premium_individual_eur": [4000.0, 1500.0, 0.0],
        "premium_collective_eur": [5200.0, 2700.0, 0.0],
        "burenpremie_eur": [1200.0, 1200.0, 0.0],
        "net_cost_individual_eur": [26000.0, 10500.0, 0.0],
        "net_cost_collective_eur": [20800.0, 7800.0, 0.0],
        "saving_individual_eur": [900.0, 400.0, 0.0],
        "saving_collective_eur": [960.0, 430.0, 0.0],
        "party_wall_saving_eur": [60.0, 30.0, 0.0],
        "collective_gain_eur": [5200.0, 2700.0, 0.0],
        "collective_gain_npv_eur": [6400.0, 3300.0, 0.0],
    })
    groups = pd.DataFrame({
        "group_id": ["block-22"], "group_kind": ["block"], "n_dwellings": [3],
        "n_participating": [2], "collective": [True], "burenpremie_eligible": [True],
        "measures": ["roof_insulation×2, cavity_fill×1"],
        "investment_individual_eur": [42000.0], "investment_collective_eur": [36500.0],
        "net_cost_individual_eur": [36500.0], "net_cost_collective_eur": [28600.0],
        "burenpremie_eur": [2400.0], "saving_collective_eur": [1390.0],
        "saving_co2_flemish_collective_kg_co2": [5200.0],
        "top_dwelling_ids": ["a0;a1"],
    })
    return members, groups


def test_sheet_shows_the_group_and_collective_versus_individual_cost(tmp_path):
    dwellings, steps, summary = _frames(3)
    members, groups = _groups(dwellings)
    rec = sheet_records(dwellings, steps, summary, members=members, groups=groups)
    c = rec[0]["collective"]
    assert c["group_id"] == "block-22" and c["participating"]
    assert (c["investment_individual"], c["investment_collective"]) == ("€\u00a030\u202f000",
                                                                        "€\u00a026\u202f000")
    assert (c["net_individual"], c["net_collective"]) == ("€\u00a026\u202f000",
                                                          "€\u00a020\u202f800")
    assert c["burenpremie"] == "€\u00a01\u202f200" and c["party_wall"] == "€\u00a060"
    assert c["measures"] == "dakisolatie, spouwmuurisolatie"
    assert not rec[2]["collective"]["participating"]
    out = render_address_sheets(dwellings, steps, summary, tmp_path, bundle_name="Teststraat",
                                members=members, groups=groups)
    reader = PdfReader(out["pdf"])
    assert len(reader.pages) == len(dwellings) + 1  # still one page per dwelling
    sheet = reader.pages[1].extract_text()
    assert "Samen met de buren" in sheet and "blok Teststraat 1, 2 en 3" in sheet
    assert "block-22" not in sheet  # the internal id never reaches the paper
    assert "Apart" in sheet and "burenpremie" in sheet
    # without groups: no collective section
    assert sheet_records(dwellings, steps, summary)[0]["collective"] is None


def test_cover_page_lists_the_street_and_its_groups(tmp_path):
    dwellings, steps, summary = _frames(3)
    members, groups = _groups(dwellings)
    out = render_address_sheets(dwellings, steps, summary, tmp_path, bundle_name="Teststraat",
                                members=members, groups=groups)
    cover = PdfReader(out["pdf"]).pages[0].extract_text()
    assert "Teststraat" in cover and "Samen renoveren: de groepen" in cover
    assert "blok Teststraat 1, 2 en 3" in " ".join(cover.split()) and "block-22" not in cover
    plain = cover.replace("\u202f", " ").replace("\u2009", " ").replace("\u00a0", " ")
    assert "36 500" in plain  # the group's investment together
    assert "Grootste voordeel" in cover and "Teststraat 1" in cover
    assert "5,2" in cover  # CO2 saving in tonnes per year
    # a single dwelling's sheet has no cover page
    one = render_address_sheets(dwellings.iloc[:1], steps, summary.iloc[:1], tmp_path / "one")
    assert len(PdfReader(one["pdf"]).pages) == 1


def test_label_chips_and_status_chips_read_at_4_5_to_1():
    import re
    from pathlib import Path

    from wijkreno.maps.static_map import EPC_COLOURS
    from wijkreno.reports.charts import contrast_ratio, ink_on, label_scale

    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    for label, colour in EPC_COLOURS.items():
        assert contrast_ratio(ink_on(colour), colour) >= 4.5, label
    # the old dark-grey text failed on both ends of the scale
    assert contrast_ratio("#111111", EPC_COLOURS["A+"]) < 4.5
    assert contrast_ratio("#111111", EPC_COLOURS["F"]) < 4.5
    assert (ink_on(EPC_COLOURS["A+"]), ink_on(EPC_COLOURS["F"])) == ("#ffffff", "#000000")
    assert all(item["ink"] == ink_on(item["colour"]) for item in label_scale("F"))
    # the LEKP report's status chips (print.css)
    css = (Path(__file__).resolve().parents[2] / "wijkreno" / "reports" / "templates"
           / "print.css").read_text(encoding="utf-8")
    names = {"white": "#ffffff", "#111": "#111111", "#000": "#000000"}
    chips = re.findall(r"\.status-[\w-]+ \{ background: (#[0-9a-f]{6}); color: ([#\w]+); \}",
                       css)
    assert len(chips) == 5
    for background, text in chips:
        assert contrast_ratio(names.get(text, text), background) >= 4.5, (background, text)


def test_later_steps_show_their_invoice_in_the_planned_year_and_the_totals_their_basis(
        tmp_path):
    dwellings, steps, summary = _frames(2)
    g = 0.011
    a0 = steps["dwelling_id"] == "a0"
    steps["planned_year"] = 2026
    steps.loc[a0, "planned_year"] = 2026 + np.arange(int(a0.sum()))  # a step a year, 8 steps
    steps["investment_planned_eur"] = steps["investment_eur"] * (1 + g) ** (
        steps["planned_year"] - 2026)
    summary["price_year"] = 2026
    summary["cost_escalation_frac"] = g
    planned = steps.groupby("dwelling_id")["investment_planned_eur"].sum()
    summary["investment_planned_eur"] = planned.reindex(summary["dwelling_id"]).fillna(
        summary["investment_eur"]).to_numpy()
    summary.loc[0, "investment_planned_eur"] = 42000.0
    summary["net_cost_planned_eur"] = summary["investment_planned_eur"] - summary["premium_eur"]
    rec = sheet_records(dwellings, steps, summary)[0]
    assert rec["steps"][0]["investment_planned"] == ""  # the price year: nothing to add
    assert rec["steps"][7]["investment_planned"] == "5\u2009405"  # 5007 x 1.011^7 = 5405.5
    assert rec["totals"]["price_year"] == "2026"
    assert rec["totals"]["investment_planned"] == "42\u2009000"
    assert rec["cost_escalation"] == "1,1 %"
    out = render_address_sheets(dwellings.iloc[:1], steps[a0], summary.iloc[:1], tmp_path)
    reader = PdfReader(out["pdf"])
    assert len(reader.pages) == 1  # the longest trajectory still fits one page
    text = " ".join(reader.pages[0].extract_text().split())
    assert "in prijzen van 2026" in text
    # the invoice in the planned year in its own column, its total beside the price year's
    assert "In dat jaar" in text and "2033" in text
    plain = text.replace("\u2009", " ").replace("\u202f", " ")
    assert "5 405" in plain and "42 000" in plain


def _fullest_sheet() -> tuple[pd.DataFrame, ...]:
    """One dwelling with everything a sheet can hold: the longest trajectory (8 steps, each in
    a later planned year with its indexed invoice), a register line, imputed
    inputs, the price-index note and a group box with burenpremie and party-wall gain."""
    dwellings, steps, summary = _frames(3)
    members, groups = _groups(dwellings)
    dwellings["street"] = "Burgemeester Van Den Heuvelstraat"
    for col in ("u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_floor_w_per_m2k",
                "u_window_w_per_m2k", "heated_floor_area_m2", "typology"):
        dwellings[f"{col}_source"] = "imputed"
    dwellings["done_heating_measure"] = "heat_pump_air_water"
    dwellings["done_heating_date"] = "2024-05-01"
    a0 = steps["dwelling_id"] == "a0"
    steps = steps[a0].copy()
    steps["planned_year"] = 2026 + 2 * np.arange(len(steps))
    steps["investment_planned_eur"] = steps["investment_eur"] * 1.011 ** (
        steps["planned_year"] - 2026)
    steps["intermediate"] = steps["measure"] == "heat_pump_air_water"
    summary["price_year"] = 2026
    summary["cost_escalation_frac"] = 0.011
    summary["investment_planned_eur"] = 44000.0
    summary["net_cost_planned_eur"] = 36000.0
    summary["final_heating_system"] = "hybrid_heat_pump"
    summary["cost_index"] = ("prijzen geïndexeerd naar 2026 met de ABEX-bouwkostenindex (1056; "
                             "laatst gepubliceerde index, 01/01/2026); kosten uit 2020 × 1,24, "
                             "2023 × 1,02, 2024 × 1,01")
    members["measures"] = "+".join(MEASURES[:6])  # a long group package
    dwellings["deed_year"] = 2024  # a purchase: the renovation obligation's line
    summary["obligation_label"] = "D"
    summary["obligation_year"] = 2029.0
    summary["obligation_step"] = 2.0
    return dwellings.iloc[:1], steps, summary.iloc[:1], members, groups


def test_the_fullest_sheet_with_a_group_fits_one_page(tmp_path):
    dwellings, steps, summary, members, groups = _fullest_sheet()
    out = render_address_sheets(dwellings, steps, summary, tmp_path, members=members,
                                groups=groups)
    reader = PdfReader(out["pdf"])
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Samen met de buren" in text and "In dat jaar" in text
    assert "renovatiecoach de toestand nakijken" in " ".join(
        reader.pages[-1].extract_text().split())
    assert len(reader.pages) == 1  # the group box and the note stay on the page


def test_the_renovation_obligation_is_named_with_the_step_that_meets_it(tmp_path):
    dwellings, steps, summary, members, groups = _fullest_sheet()
    rec = sheet_records(dwellings, steps, summary)[0]
    assert rec["obligation"] == "label D tegen 2029 (aankoop 2024); stap 2 (2028) haalt dat label"
    out = render_address_sheets(dwellings, steps, summary, tmp_path)
    text = " ".join(PdfReader(out["pdf"]).pages[0].extract_text().split())
    assert "Renovatieplicht: label D tegen 2029 (aankoop 2024); stap 2 (2028)" in text
    # met today, not met by the trajectory, no obligation (no deed year)
    summary["obligation_step"] = 0.0
    assert sheet_records(dwellings, steps, summary)[0]["obligation"].endswith(
        "de woning haalt dat label nu al")
    summary["obligation_step"] = np.nan
    assert sheet_records(dwellings, steps, summary)[0]["obligation"].endswith(
        "het traject haalt dat label niet")
    summary["obligation_label"], summary["obligation_year"] = "", np.nan
    assert sheet_records(dwellings, steps, summary)[0]["obligation"] == ""
    plain, p_steps, p_summary = _frames(1)
    assert sheet_records(plain, p_steps, p_summary)[0]["obligation"] == ""
    html = render_address_sheets(plain, p_steps, p_summary, tmp_path / "none")[
        "html"].read_text(encoding="utf-8")
    assert "Renovatieplicht:" not in html


def test_the_note_names_the_premium_scheme_of_the_price_year_and_the_income_category(
        tmp_path):
    from wijkreno.params.models.price_sets import load_price_sets
    from wijkreno.params.models.renovation import load_premiums

    dwellings, steps, summary = _frames(2)
    summary["price_year"] = 2026
    premiums, sets = load_premiums(), load_price_sets()
    scheme = premiums.scheme(sets.years[2026].premium_date)
    rec = sheet_records(dwellings, steps, summary)
    assert rec[0]["premium_scheme"] == (f"{scheme.name} (regels van "
                                        f"{scheme.valid_from:%d-%m-%Y})")
    assert "2026" in rec[0]["premium_scheme"]
    # no category known: renovation.toml's default, said to be assumed
    assert rec[0]["income_category"] == ("inkomenscategorie 2 (hogere middeninkomens; "
                                         "aangenomen, niet gekend)")
    # the dwelling's category (coach, data), or the plan's when its summary carries one
    dwellings["income_category"] = [4, np.nan]
    rec = sheet_records(dwellings, steps, summary)
    assert rec[0]["income_category"] == "inkomenscategorie 4 (laagste inkomens)"
    assert rec[1]["income_category"].endswith("aangenomen, niet gekend)")
    summary["income_category"] = 1
    assert sheet_records(dwellings, steps, summary)[1]["income_category"] == (
        "inkomenscategorie 1 (hoogste inkomens)")
    # another price year, another scheme
    summary["price_year"] = 2025
    older = premiums.scheme(sets.years[2025].premium_date)
    assert older.valid_from < scheme.valid_from
    assert sheet_records(dwellings, steps, summary)[0]["premium_scheme"].endswith(
        f"(regels van {older.valid_from:%d-%m-%Y})")
    out = render_address_sheets(dwellings.iloc[:1], steps, summary.iloc[:1], tmp_path)
    text = " ".join(PdfReader(out["pdf"]).pages[0].extract_text().split())
    assert (f"Premies: {older.name} (regels van {older.valid_from:%d-%m-%Y}), "
            "inkomenscategorie 1 (hoogste inkomens), onder voorbehoud") in text
    assert "geldende premieregels" not in text


def test_groups_have_readable_names_from_their_members_addresses():
    from wijkreno.reports.sheets import group_names

    dwellings = pd.DataFrame({
        "dwelling_id": [f"d{k}" for k in range(9)],
        "street": ["Kerkstraat"] * 5 + ["Kerkstraat"] * 3 + ["Dorpsplein"],
        "house_number": ["1", "3", "9", "10", "5", "55", "55", "55", "2"],
    })
    members = pd.DataFrame({
        "dwelling_id": [f"d{k}" for k in range(9)] + ["elsewhere"],
        "group_id": ["block-22"] * 5 + ["apartment-14104359"] * 3 + ["block-7"] * 2,
        "group_kind": ["block"] * 5 + ["apartment_building"] * 3 + ["block"] * 2,
    })
    names = group_names(members, dwellings)
    assert names["block-22"] == "blok Kerkstraat 1\u2013\u206010"  # 9 sorts before 10
    assert names["apartment-14104359"] == "appartementsgebouw Kerkstraat 55"
    # a member outside the dwellings given (a sheet of one address): the street only
    assert names["block-7"] == "blok in de Dorpsplein"
    two = members.assign(group_id="block-1")
    two.loc[8, "dwelling_id"] = "d8"
    assert group_names(two.iloc[[0, 1, 8]], dwellings)["block-1"] == (
        "blok Kerkstraat 1 en 3 en Dorpsplein 2")
    assert group_names(None, dwellings) == {}


def test_the_group_box_names_the_project_costs_in_the_individual_investment(tmp_path):
    dwellings, steps, summary = _frames(3)
    members, groups = _groups(dwellings)
    c = sheet_records(dwellings, steps, summary, members=members, groups=groups)[0][
        "collective"]
    assert c["has_project_cost"] and c["project_individual"] == "€\u00a02\u202f300"
    assert c["project_collective"] == "€\u00a01\u202f400"
    # roof and cavity wall: the envelope's design and the coaching (collective.toml)
    assert c["project_items"] == "ontwerp en energiestudie, renovatiebegeleiding"
    from wijkreno.reports.sheets import _project_cost_items_nl

    assert _project_cost_items_nl("pv") == ["renovatiebegeleiding"]  # no envelope work
    assert "omgevingsvergunning" in _project_cost_items_nl("external_insulation")
    assert _project_cost_items_nl("") == []
    out = render_address_sheets(dwellings, steps, summary, tmp_path, bundle_name="Teststraat",
                                members=members, groups=groups)
    sheet = " ".join(PdfReader(out["pdf"]).pages[1].extract_text().split())
    assert "waarvan projectkosten: ontwerp en energiestudie, renovatiebegeleiding" in sheet
    assert "dat geen projectkosten telt" in sheet
    members["project_cost_individual_eur"] = 0.0  # none: no row
    c = sheet_records(dwellings, steps, summary, members=members, groups=groups)[0][
        "collective"]
    assert not c["has_project_cost"]
