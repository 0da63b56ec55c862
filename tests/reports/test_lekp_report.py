"""The yearly LEKP report: PDF renders, text present, self-contained HTML, readable charts."""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader
from shapely import points

from wijkreno.errors import CRSError, InputError
from wijkreno.reports import goal_status, render_lekp_report
from wijkreno.reports.charts import target_path

MUNICIPALITY = {"nis_code": "12002", "name": "Berlaar", "inhabitants": 11949,
                "households": 4900, "housing_units": 5440}

GOALS = (
    # goal_id, title, unit, target, deadline
    ("collective_renovations", "Collectieve renovaties", "renovaties", 272.0, "2030-12-31"),
    ("collective_renovations_fossil_free", "Collectieve renovaties fossielvrij",
     "renovaties", 136.0, "2030-12-31"),
    ("klimaattafels", "Klimaattafels: uitgenodigde wooneenheden", "wooneenheden", 272.0,
     "2024-12-31"),
    ("renovation_trajectories", "Renovatietrajecten voor 5 % van de huishoudens",
     "huishoudens", 245.0, "2025-12-31"),
)


def _targets() -> pd.DataFrame:
    return pd.DataFrame([{
        "goal_id": g, "pact": "2.1", "title_nl": t, "indicator": f"aantal {u}", "unit": u,
        "scaling_base": "housing_units", "target": v, "deadline": dt.date.fromisoformat(d),
        "counting_rule": "één per maatregel in een collectief project", "source": "VVSG LEKP",
    } for g, t, u, v, d in GOALS])


def _indicators() -> pd.DataFrame:
    rows = []
    realised = {"collective_renovations": [10, 40, 90, 140],  # ahead of the path
                "collective_renovations_fossil_free": [0, 5, 10, 12],  # behind
                "klimaattafels": [0, 100, 300, 300],  # achieved
                "renovation_trajectories": [np.nan] * 4}  # nothing registered
    for g, _, _, target, deadline in GOALS:
        last = int(deadline[:4])
        for k, year in enumerate(range(2021, last + 1)):
            real = realised[g][k] if year <= 2024 else np.nan
            rows.append({"goal_id": g, "year": year, "realised_cumulative": real,
                         "target": target, "share_achieved_frac": real / target,
                         "trend_per_year": 40.0, "projected_at_deadline": 300.0
                         if g == "collective_renovations" else 40.0,
                         "on_track": g != "collective_renovations_fossil_free",
                         "co2_saved_flemish_kg_co2": 123_000.0 if g.startswith("coll")
                         else np.nan,
                         "co2_saved_com_kg_co2": 110_000.0 if g.startswith("coll") else np.nan,
                         "energy_saved_kwh": 456_000.0 if g.startswith("coll") else np.nan})
    return pd.DataFrame(rows)


def _dwellings() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    n = 200
    xy = rng.uniform([150_000, 200_000], [152_000, 201_500], size=(n, 2))
    return gpd.GeoDataFrame({"dwelling_id": [f"d{k}" for k in range(n)],
                             "adres_id": [f"a{k}" for k in range(n)]},
                            geometry=points(xy), crs=31370, index=np.arange(n) + 1000)


def _renovations() -> pd.DataFrame:
    measures = ["roof_insulation", "cavity_fill", "hr_glazing", "heat_pump_air_water",
                "heat_pump_boiler"]
    rows = [{"renovation_id": k, "nis_code": "12002", "adres_id": f"a{k % 60}",
             "dwelling_id": f"d{k % 60}", "measure": measures[k % 5],
             "completed_on": dt.date(2022 + k % 3, 3, 1),
             "collective_project": ["Burenpremie Dorp", "Klimaattafel Heikant", None][k % 3],
             "fossil_free": k % 2 == 0, "premium_eur": 500.0, "upload_id": "u1",
             "created_by": "test"} for k in range(90)]
    rows.append({**rows[0], "renovation_id": 999, "adres_id": "not-in-twin",
                 "dwelling_id": "not-in-twin"})
    return pd.DataFrame(rows)


SOURCES = [{"name": "Statbel bevolking", "date": "2025-01-01", "licence": "Open Data Licence"},
           {"name": "Renovatieregister gemeente", "date": "2025-02-01", "licence": "intern"}]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("lekp")
    return render_lekp_report(municipality=MUNICIPALITY, targets=_targets(),
                              indicators=_indicators(), renovations=_renovations(),
                              dwellings=_dwellings(), sources=SOURCES, year=2024, out_dir=out)


def test_pdf_renders_with_the_text_a_council_needs(report):
    reader = PdfReader(report["pdf"])
    assert 4 <= len(reader.pages) <= 12
    text = " ".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Berlaar" in text
    for _, title, *_ in GOALS:
        assert title in text
    assert "Checklist" in text
    assert "1 mei 2025" in text and "Pactportaal" in text
    assert "op schema" in text and "achter op schema" in text and "behaald" in text
    assert "geen gegevens" in text
    assert "Statbel bevolking" in text and "2025-02-01" in text


def test_html_is_self_contained(report):
    html = report["html"].read_text(encoding="utf-8")
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html)
    assert "url(" not in html
    assert html.count("data:image/png;base64,") == len(report["charts"])


def test_charts_are_pngs_of_sensible_size(report):
    names = [p.name for p in report["charts"]]
    assert "voortgang.png" in names and "kaart_renovaties.png" in names
    # one time series per goal with data (three of four)
    assert sum(n.startswith("tijdreeks_") for n in names) == 3
    for path in report["charts"]:
        with Image.open(path) as img:
            assert img.format == "PNG"
            w, h = img.size
            assert 800 <= w <= 1200 and 200 <= h <= 1200  # 6.7 inch at 150 dpi


def test_goal_status_numbers():
    st = goal_status(_targets(), _indicators(), 2024).set_index("goal_id")
    assert st.loc["collective_renovations", "status"] == "op schema"
    assert st.loc["collective_renovations_fossil_free", "status"] == "achter op schema"
    assert st.loc["klimaattafels", "status"] == "behaald"
    assert st.loc["renovation_trajectories", "status"] == "geen gegevens"
    # linear path 2021..2030: four of ten years done at the end of 2024
    assert st.loc["collective_renovations", "path_value"] == pytest.approx(272 * 4 / 10)
    assert st.loc["collective_renovations", "remaining"] == pytest.approx(132.0)
    assert st.loc["collective_renovations", "remaining_per_year"] == pytest.approx(22.0)
    assert st.loc["klimaattafels", "remaining"] == 0.0
    # a report year before the data: the latest earlier row is used
    st21 = goal_status(_targets(), _indicators(), 2022).set_index("goal_id")
    assert st21.loc["collective_renovations", "realised_cumulative"] == 40


def test_target_path():
    path = target_path(100.0, 2030, [2020, 2021, 2025, 2030, 2035])
    np.testing.assert_allclose(path, [0.0, 10.0, 50.0, 100.0, 100.0])
    assert np.isnan(target_path(100.0, np.nan, [2024])).all()


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="misses the columns"):
        goal_status(_targets().drop(columns="deadline"), _indicators(), 2024)
    with pytest.raises(InputError, match="municipality needs"):
        render_lekp_report(municipality={"nis_code": "1"}, targets=_targets(),
                           indicators=_indicators(), renovations=_renovations(),
                           dwellings=None, sources=[], year=2024, out_dir=tmp_path)
    with pytest.raises(CRSError, match="31370"):
        render_lekp_report(municipality=MUNICIPALITY, targets=_targets(),
                           indicators=_indicators(), renovations=_renovations(),
                           dwellings=_dwellings().to_crs(4326), sources=[], year=2024,
                           out_dir=tmp_path)


def test_without_twin_or_renovations(tmp_path):
    out = render_lekp_report(municipality=MUNICIPALITY, targets=_targets(),
                             indicators=_indicators(), renovations=_renovations().iloc[:0],
                             dwellings=None, sources=SOURCES, year=2024, out_dir=tmp_path)
    text = " ".join(p.extract_text() for p in PdfReader(out["pdf"]).pages)
    assert "Geen kaart" in text
    assert not any(p.name.startswith("kaart") for p in out["charts"])


def test_cli_lekp_with_an_empty_register(tmp_path):
    pytest.importorskip("wijkreno.register")
    from typer.testing import CliRunner

    from wijkreno.cli.report import app
    from wijkreno.register import open_register

    (tmp_path / "ind").mkdir()
    _targets().to_csv(tmp_path / "ind" / "targets.csv", index=False)
    _indicators().to_csv(tmp_path / "ind" / "indicators.csv", index=False)
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    open_register(url)
    args = ["lekp", str(tmp_path / "ind"), "--register", url, "--nis-code", "12002",
            "--name", "Berlaar", "--year", "2024", "-o", str(tmp_path / "out")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" /
                                                          "lekp_12002_2024.pdf").pages)
    assert "Berlaar" in text and "Checklist" in text
    res = CliRunner().invoke(app, ["lekp", str(tmp_path / "nothing"), "--register", url])
    assert res.exit_code == 2
