"""The LEKP report as a council reads it (issue 13, deliverable 6): every table inside the page,
no internal names, one notation for shares, sources without local paths, missed deadlines said
as such. Built from real targets and indicators (the goal file's codes and units), so that each
test fails on the defect it names."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from wijkreno.indicators import compute_indicators, load_goals, municipality_targets
from wijkreno.indicators.checklist import register_checklist
from wijkreno.register import REGISTER_KINDS, open_register
from wijkreno.reports import render_lekp_report
from wijkreno.reports.lekp import (
    INDICATORS_NL,
    _amount,
    counting_rule_nl,
    goal_status,
    public_source,
)

NIS = "12002"
MUNICIPALITY = {"nis_code": NIS, "name": "Berlaar", "inhabitants": 11949, "households": 4900,
                "housing_units": 5440}
YEAR = 2025
LOCAL = "/home/schepen/wijkreno/out/berlaar/twin"
SOURCES = [
    {"name": f"Digitale tweeling wijkreno ({LOCAL})", "date": "2026-01-05",
     "licence": "afgeleid van open data"},
    {"name": "Doelstelling: vvsg.be, LEKP 2.1: 5 % van de huishoudens (2024-03-01)",
     "date": "–", "licence": "–"},
]
INTERNAL = ("collective_renovation_equivalents", "housing_units", "vvsg_measure",
            "per_dwelling", "schaal:", "[counting]", "own_buildings", "scaling_base",
            "co2_kg_co2", "primary_energy_kwh", "'signed'")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    reg = open_register(f"sqlite:///{folder / 'r.sqlite'}")
    reg.add("renovations", pd.DataFrame([
        {"nis_code": NIS, "adres_id": f"a{k}", "measure": m, "completed_on": d,
         "collective_project": "Burenpremie Dorp", "fossil_free": k % 2 == 0}
        for k, (m, d) in enumerate([("roof_insulation", "2023-04-01"),
                                    ("cavity_fill", "2024-05-01"),
                                    ("hr_glazing", "2025-02-01")])]), user="t")
    reg.add("trajectories", pd.DataFrame([{"nis_code": NIS, "adres_id": f"a{k}",
                                           "delivered_on": "2024-06-01"} for k in range(40)]),
            user="t")
    reg.add("klimaattafels", pd.DataFrame([{"nis_code": NIS, "held_on": "2024-03-01",
                                            "name": "Kerkstraat",
                                            "invited_housing_units": 120}]), user="t")
    own = pd.DataFrame({"year": [2015, 2023, 2025], "co2_kg_co2": [100.0, 50.0, 40.0],
                        "primary_energy_kwh": [1000.0, 900.0, 880.0]})
    targets = municipality_targets(nis_code=NIS, inhabitants=11949, households=4900,
                                   housing_units=5440, pact="2.1")
    indicators = compute_indicators(reg, targets, nis_code=NIS, as_of=dt.date(YEAR, 12, 31),
                                    own_buildings=own)
    renovations = reg.renovations(NIS)
    held = {kind: reg.read(kind, NIS) for kind in REGISTER_KINDS}
    reg.close()
    return targets, indicators, renovations, held


@pytest.fixture(scope="module")
def report(inputs, tmp_path_factory):
    targets, indicators, renovations, held = inputs
    out = tmp_path_factory.mktemp("report")
    # savings columns as a twin run gives them, so that the savings table is drawn
    indicators = indicators.assign(co2_saved_flemish_kg_co2=1_234_567.0,
                                   co2_saved_com_kg_co2=1_111_111.0,
                                   energy_saved_kwh=9_876_543.0)
    return render_lekp_report(municipality=MUNICIPALITY, targets=targets,
                              indicators=indicators, renovations=renovations, dwellings=None,
                              sources=SOURCES, year=YEAR, out_dir=out,
                              checklist=register_checklist(held, targets, indicators,
                                                           year=YEAR))


def _pages(report) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text().replace("\u00a0", " "))
            for p in PdfReader(report["pdf"]).pages]


def test_no_internal_names(report):
    text = " ".join(_pages(report))
    html = report["html"].read_text("utf-8")
    for name in INTERNAL:
        assert name not in text, name
        assert name not in html, name
    for code in INDICATORS_NL:
        assert code not in text, code
    assert "doel naar het aantal wooneenheden" in text
    assert "één renovatie-equivalent per maatregel in een collectief project (VVSG)" in text


def test_checklist_is_ticked_from_the_register(report):
    pages = _pages(report)
    start = next(k for k, p in enumerate(pages) if "Wat het register bevat" in p)
    text = " ".join(pages[start:])
    # what the register holds is ticked, with its rows and latest date; what it lacks is not
    assert "☑ Register 'renovaties' bijgehouden — 3 rijen, laatste 1 februari 2025" in text
    assert "☑ Register 'renovatietrajecten' bijgehouden — 40 rijen" in text
    assert "☐ Register 'laadpunten' bijgehouden — 0 rijen" in text
    assert "☐ Register 'energiegemeenschappen' bijgehouden" in text
    # per goal: data registered and the indicator computable
    assert "☑ Gegevens voor 'Renovatietrajecten aangeboden'" in text
    assert "☐ Gegevens voor 'Laadpunten'" in text


def test_checklist_says_where_the_counts_come_from_in_dutch(inputs, tmp_path):
    """The counts item of the checklist (as the web service passes it, with the origins of
    inhabitants, households and housing units) reads in the LEKP page's words, not the codes
    'admin', 'estimate', 'statbel'."""
    targets, indicators, renovations, held = inputs
    checklist = register_checklist(held, targets, indicators, year=YEAR, count_origins={
        "inhabitants": "admin", "households": "estimate", "housing_units": "statbel"})
    out = render_lekp_report(municipality=MUNICIPALITY, targets=targets,
                             indicators=indicators, renovations=renovations, dwellings=None,
                             sources=SOURCES, year=YEAR, out_dir=tmp_path, checklist=checklist)
    text = " ".join(_pages(out))
    assert ("inwoners: ingegeven, huishoudens: schatting, wooneenheden: Statbel") in text
    for code in ("admin", "estimate", "statbel"):
        assert not re.search(rf"\b{code}\b", text), code


def test_shares_in_one_notation(report):
    pages = _pages(report)
    summary = next(p for p in pages if "Samenvatting" in p)
    start = next(k for k, p in enumerate(pages) if "Checklist voor de gemeenteraad" in p)
    end = next(k for k, p in enumerate(pages) if "Bronnen" in p)
    checklist = " ".join(pages[start:end + 1])
    # the own-building CO2 goal: -55 % against 2015, 60 % reached
    assert "55 %" in summary and "60 %" in summary
    assert "55 %" in checklist and "60 %" in checklist
    for page in pages:
        assert not re.search(r"\b0,(55|6)\b", page), page


def test_sources_show_name_address_and_date_not_a_local_path(report):
    text = " ".join(_pages(report))
    assert LOCAL not in text and "/home/" not in text
    assert "/home/" not in report["html"].read_text("utf-8")
    assert "Digitale tweeling wijkreno" in text and "2026-01-05" in text
    assert "vvsg.be" in text and "2024-03-01" in text


def test_public_source():
    assert public_source({"name": f"Tweeling ({LOCAL})", "date": "2026-01-05"}) == {
        "name": "Tweeling", "url": "–", "date": "2026-01-05", "licence": "–"}
    assert public_source({"name": f"Tweeling in {LOCAL}"})["name"] == "Tweeling in"
    assert public_source({"name": r"Bestand C:\Users\an\twin.parquet"})["name"] == "Bestand"
    goal = public_source({"name": "Doelstelling: vvsg.be, LEKP 2.1 (2024-03-01)", "date": "–"})
    assert (goal["url"], goal["date"]) == ("vvsg.be", "2024-03-01")
    assert goal["name"] == "Doelstelling: vvsg.be, LEKP 2.1"
    kept = public_source({"name": "EPC 300 kWh/m² (LEKP 2.0/2.1)", "url": "https://x.be/a/b"})
    assert kept["name"] == "EPC 300 kWh/m² (LEKP 2.0/2.1)" and kept["url"] == "https://x.be/a/b"


def test_missed_deadlines_are_said_as_such(inputs, report):
    targets, indicators, _, _ = inputs
    status = goal_status(targets, indicators, YEAR).set_index("goal_id")
    # 40 of 245 trajectories by 31 December 2025; 120 of 272 invited by 31 December 2024
    traj = status.loc["renovation_trajectories"]
    assert traj["status"] == "deadline gemist"
    assert traj["sentence"].startswith("Deadline gemist: tegen 31 december 2025 moest 245 "
                                       "huishoudens gehaald zijn; gerealiseerd: 40 huishoudens, "
                                       "dus 205 huishoudens te weinig (84 % van het doel).")
    kt = status.loc["klimaattafels"]
    assert kt["status"] == "deadline gemist" and "De deadline is 1 jaar verstreken." in \
        kt["sentence"]
    assert "verwacht tegen" not in traj["sentence"] + kt["sentence"]
    assert status.loc["own_buildings_co2", "status"] == "behaald"
    assert status.loc["collective_renovations", "status"] == "achter op schema"
    text = " ".join(_pages(report))
    assert "deadline gemist" in text and "verwacht tegen 31 december 2025" not in text
    # a report on the running year, before the deadline day, is not yet 'missed'
    early = indicators.assign(as_of=dt.date(YEAR, 6, 30))
    assert goal_status(targets, early, YEAR).set_index("goal_id").loc[
        "renovation_trajectories", "status"] == "achter op schema"


def test_checklist_detail_names_the_origins_in_dutch(inputs):
    """The shared checklist says where the counts come from in words at the source (the page
    and the report show the same detail), not the codes."""
    targets, indicators, _, held = inputs
    checklist = register_checklist(held, targets, indicators, year=YEAR, count_origins={
        "inhabitants": "admin", "households": "estimate", "housing_units": "statbel"})
    counts = next(item for item in checklist if item["key"] == "counts")
    assert counts["detail"] == "inwoners: ingegeven, huishoudens: schatting, wooneenheden: Statbel"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1.0, "contracten", "1 contract"), (2.0, "contracten", "2 contracten"),
    (1.0, "renovatie-equivalenten", "1 renovatie-equivalent"), (1.0, "kWp", "1 kWp"),
    (0.01, "fractie", "1\u00a0%")])
def test_one_of_a_unit_in_the_singular(value, unit, text):
    assert _amount(value, unit) == text


def test_goal_file_dutch_fields_hold_no_english():
    """The Dutch fields of the goal file (shown on the LEKP page, in the report and in the
    Pactportaal CSV) carry no English fragments."""
    english = re.compile(r"\b(worked|example|translated|assumed|the|realised)\b")
    goals = load_goals()
    for goal in goals.goals:
        for field in ("title_nl", "counting_rule", "source"):
            assert not english.search(getattr(goal, field)), (goal.goal_id, field)
    assert not english.search(goals.counting.source)


def test_counting_rule_nl():
    assert counting_rule_nl("Renovatie-equivalenten (regel: zie [counting]) [vvsg_measure]") == (
        "Renovatie-equivalenten (regel: één renovatie-equivalent per maatregel in een "
        "collectief project (VVSG))")


def _overflows(html: str) -> list[str]:
    """Text and tables that reach past the right edge of the page's content area."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    problems = []
    document = HTML(string=html).render()
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        # the root (html) box spans the page's content area; margin boxes (page numbers) are
        # not content
        area = next(c for c in page_box.children if not isinstance(c, boxes.MarginBox))
        right = area.content_box_x() + area.width + 0.5  # [CSS px]
        for box in area.descendants():
            if isinstance(box, boxes.TableBox | boxes.TextBox) and \
                    box.position_x + box.margin_width() > right:
                what = getattr(box, "text", type(box).__name__)
                problems.append(f"page {number}: {what!r} ends at "
                                f"{box.position_x + box.margin_width():.0f} > {right:.0f}")
            if isinstance(box, boxes.TableCellBox):  # text must stay in its own cell
                cell_right = box.position_x + box.border_width() + 0.5
                for text in box.descendants():
                    if isinstance(text, boxes.TextBox) and \
                            text.position_x + text.margin_width() > cell_right:
                        problems.append(f"page {number}: {text.text!r} runs out of its cell")
    return problems


def test_every_table_and_text_fits_the_page(report):
    assert _overflows(report["html"].read_text("utf-8")) == []


def test_the_overflow_check_can_fail():
    wide = ("<html><body><table><tr>" + "".join(
        f"<td style='white-space:nowrap'>kolom_met_een_lange_naam_{k}</td>" for k in range(8))
        + "</tr></table></body></html>")
    assert _overflows(wide)
    narrow_cell = ("<html><body><table style='table-layout:fixed;width:100%'><col "
                   "style='width:5%'><col><tr><th>Gerealiseerd</th><td>x</td></tr></table>"
                   "</body></html>")
    assert any("runs out of its cell" in p for p in _overflows(narrow_cell))
