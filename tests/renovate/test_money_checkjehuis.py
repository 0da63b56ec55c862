"""Issue 12: a hand comparison with Ghent's "Check je huis" for three house types.

Check je huis (CJH, StadGent/symfony_site_checkjehuis, 2020; ``../shared/data/checkjehuis_gent``)
prices a measure as its unit cost (``build_costs.csv``) times the element's default area
(``default_surfaces.csv``, ``default_roofs.csv``) and estimates its saving as a share of the
house's yearly gas use: the element's share of the heat loss (``config_categories.csv``
``percent``: roof 30 %, facade 15 %, floor 10 %, windows 15 %) times the reduction of the
transformation from the default state to the upgrade (``config_transformations.csv``). For a
house of 1946-1970 (CJH defaults: roof not insulated, cavity walls not insulated, single glazing,
a cellar) that gives:

=================  ==========================  ==================  ====================
measure            CJH transformation           saving of gas use   CJH unit cost
=================  ==========================  ==================  ====================
roof_insulation    1 -> 6 (24 cm, R 6.3): 64 %  0.30 x 0.64 = 19.2 %  roof_24, 60 EUR/m2
cavity_fill        10 -> 12: 60 %               0.15 x 0.60 = 9.0 %   facade_cavity 25 EUR/m2
floor_insulation   15 -> 17 (cellar): 80 %      0.10 x 0.80 = 8.0 %   basement 27 EUR/m2
hr_glazing         21 -> 23 (U 1.1): 80 %       0.15 x 0.80 = 12.0 %  window_1_1 700 EUR/m2
=================  ==========================  ==================  ====================

wijkreno models the same three houses (CJH's closed / corner / open "medium" house as terraced /
semi-detached / detached, TABULA BE period 02 envelope, CJH's areas, a cellar) and evaluates each
measure alone. The bands (docs/money.md, "Hand comparison"):

* cost, both sides in the same price year (PRICE_YEARS): wijkreno's catalogue indexed to it
  (:func:`wijkreno.renovate.catalogue.money_params`, every cost from its source's year) and
  CJH's 2020 unit costs indexed from 2020 by the same ABEX series (``price_sets.toml``, x1.243
  to 2026). Per measure (COST_BANDS): roof, cellar ceiling and glazing 0.95-1.20 x CJH's (the
  same CJH unit prices; wijkreno adds a fixed site cost of 300-500 EUR quoted in 2026);
  cavity filling 0.70-0.90 (wijkreno's Livios guide price of 2023, 21.5 EUR/m2, is below
  CJH's 25 EUR/m2 of 2020 indexed to 31 EUR/m2; measured 2026-12-06: 0.74-0.85);
* saving: wijkreno's relative saving of gas use over CJH's, per measure (SAVING_BANDS). CJH
  gives each element a fixed share of the losses whatever the house (facade 15 %, floor 10 %);
  wijkreno's heat balance uses the house's own areas and U-values, so the bands differ by
  measure and were set, with these reasons, after the first comparison (measured 2026-12-06:
  roof x1.4-1.6, cavity x1.8-3.4, floor x0.39-0.43, glazing x0.66-0.96):
  roof 0.67-2 (close to CJH); cavity filling 1-4 (TABULA's uninsulated cavity wall, U 1.7, over
  CJH's facade areas loses more than CJH's fixed 15 %, the more so the larger the facade: the
  ratio must grow from the terraced to the detached house); cellar-ceiling insulation 0.25-1
  (a floor over an unheated cellar loses less than CJH's fixed 10 %); glazing 0.5-1.5.

Skipped with a reason when ``../shared/data`` is absent.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.conftest import shared_data
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.catalogue import money_params
from wijkreno.renovate.packages import evaluate_packages
from wijkreno.twin.params import load_archetypes

HOUSE_TYPES = {"closed": "terraced", "corner": "semi_detached", "open": "detached"}
SIZE = "medium"
CJH_PRICE_YEAR = 2020  # StadGent/symfony_site_checkjehuis defaults, 2020-09-08
PRICE_YEARS = (2025, 2026)
COST_BANDS = {
    "roof_insulation": (0.95, 1.20),
    "cavity_fill": (0.70, 0.90),
    "floor_insulation": (0.95, 1.20),
    "hr_glazing": (0.95, 1.20),
}
SAVING_BANDS = {
    "roof_insulation": (0.67, 2.0),
    "cavity_fill": (1.0, 4.0),
    "floor_insulation": (0.25, 1.0),
    "hr_glazing": (0.5, 1.5),
}
STOREY_HEIGHT_M = 2.6  # volume = heated floor x 2.6 m (the engine tests' dwellings)

# measure -> (CJH cost slug, CJH element, CJH category id, from config, to config, area key)
MEASURES = {
    "roof_insulation": ("roof_24", "roof", 1, 1, 6, "roof"),
    "cavity_fill": ("facade_cavity", "facade", 2, 10, 12, "facade"),
    "floor_insulation": ("basement", "floor", 3, 15, 17, "floor"),
    "hr_glazing": ("window_1_1", "window", 4, 21, 23, "window"),
}


def _cjh() -> dict[str, pd.DataFrame]:
    folder = shared_data("checkjehuis_gent")
    names = ("build_costs", "default_surfaces", "default_roofs", "config_categories",
             "config_transformations", "default_energy")
    return {n: pd.read_csv(folder / f"{n}.csv", skipinitialspace=True) for n in names}


def _cjh_expectations(cjh: dict[str, pd.DataFrame], cjh_type: str) -> dict[str, dict]:
    surf = cjh["default_surfaces"].set_index(["type", "size"]).loc[(cjh_type, SIZE)]
    roofs = cjh["default_roofs"]
    roof = roofs[(roofs["type"] == cjh_type) & (roofs["size"] == SIZE)
                 & (roofs["inclined"] == "yes")]["surface"].iloc[0]
    areas = {"roof": float(roof), "facade": float(surf["facade"]), "floor": float(surf["floor"]),
             "window": float(surf["window"])}
    cost = cjh["build_costs"].set_index("slug")["value"]
    share = cjh["config_categories"].set_index("id")["percent"]
    tr = cjh["config_transformations"]
    out = {}
    for measure, (slug, _, cat_id, frm, to, area_key) in MEASURES.items():
        row = tr[(tr["fromConfig_id"] == frm) & (tr["toConfig_id"] == to) & (tr["unit"] == "%")]
        assert len(row) == 1, measure
        out[measure] = {
            "cost_eur": float(cost[slug]) * areas[area_key],
            "saving_frac": float(share[cat_id]) / 100.0 * float(row["value"].iloc[0]) / 100.0,
        }
    return out, areas, float(surf["livingArea"])


def _dwelling(cjh: dict[str, pd.DataFrame], cjh_type: str) -> gpd.GeoDataFrame:
    typology = HOUSE_TYPES[cjh_type]
    _, areas, living = _cjh_expectations(cjh, cjh_type)
    arch = load_archetypes().set_index(["typology", "tabula_period"]).loc[(typology, "02")]
    n_party = {"terraced": 2, "semi_detached": 1, "detached": 0}[typology]
    depth_m = 10.0
    height_m = living / areas["floor"] * STOREY_HEIGHT_M
    wall, win = areas["facade"], areas["window"]
    row = dict(
        dwelling_id=f"cjh_{cjh_type}", gebouw_id=cjh_type, typology=typology,
        tabula_period="02", construction_year=1960, heated_floor_area_m2=living,
        volume_m3=living * STOREY_HEIGHT_M, roof_area_m2=areas["roof"],
        ground_floor_area_m2=areas["floor"],
        wall_area_n_m2=wall / 2, wall_area_e_m2=0.0, wall_area_s_m2=wall / 2, wall_area_w_m2=0.0,
        window_area_n_m2=win / 2, window_area_e_m2=0.0, window_area_s_m2=win / 2,
        window_area_w_m2=0.0, party_wall_area_m2=n_party * depth_m * height_m,
        annex_wall_area_m2=0.0,
        u_roof_w_per_m2k=arch["u_roof_w_per_m2k"], u_wall_w_per_m2k=arch["u_wall_w_per_m2k"],
        u_floor_w_per_m2k=arch["u_floor_w_per_m2k"],
        u_window_w_per_m2k=arch["u_window_w_per_m2k"],
        u_party_wall_w_per_m2k=arch["u_party_wall_w_per_m2k"],
        g_window_frac=arch["g_window_frac"],
        thermal_bridge_w_per_m2k=arch["thermal_bridge_w_per_m2k"],
        infiltration_ach=arch["infiltration_ach"], cellar_frac=1.0,  # CJH: 'ik heb een kelder'
        heating_system="gas_boiler", roof_flat=False,
    )
    return gpd.GeoDataFrame([row], geometry=[Point(0, 0)], crs=31370)


def _ratios(cjh: dict[str, pd.DataFrame], cjh_type: str,
            price_year: int) -> dict[str, tuple[float, float]]:
    """Per measure: wijkreno's cost over CJH's, both indexed to ``price_year``, and its
    relative saving of gas over CJH's."""
    expected, _, _ = _cjh_expectations(cjh, cjh_type)
    dw = _dwelling(cjh, cjh_type)
    money = money_params(price_year)
    cjh_factor = float(money.cost_index.factor(CJH_PRICE_YEAR, price_year))
    options = measure_options(dw, income_category=1, catalogue=money.catalogue)
    table = evaluate_packages(dw, options, basis="standardised")
    current = table[table["measures"] == ""].iloc[0]
    gas_now = float(current["final_gas_kwh"])
    assert gas_now > 0
    out = {}
    for measure, exp in expected.items():
        rows = table[table["measures"] == measure]
        assert len(rows) == 1, f"{cjh_type}: {measure} is not offered alone"
        got = rows.iloc[0]
        saving_frac = (gas_now - float(got["final_gas_kwh"])) / gas_now
        out[measure] = (float(got["investment_eur"]) / (exp["cost_eur"] * cjh_factor),
                        saving_frac / exp["saving_frac"])
    return out


@pytest.fixture(scope="module")
def ratios() -> dict[int, dict[str, dict[str, tuple[float, float]]]]:
    cjh = _cjh()
    return {y: {t: _ratios(cjh, t, y) for t in HOUSE_TYPES} for y in PRICE_YEARS}


@pytest.mark.parametrize("price_year", PRICE_YEARS)
@pytest.mark.parametrize("cjh_type", list(HOUSE_TYPES))
def test_cost_and_saving_per_measure_within_the_documented_band(ratios, cjh_type, price_year):
    for measure, (cost_ratio, saving_ratio) in ratios[price_year][cjh_type].items():
        lo, hi = COST_BANDS[measure]
        assert lo <= cost_ratio <= hi, (
            f"{cjh_type} {measure} ({price_year} prices): cost x{cost_ratio:.2f} of CJH's "
            f"indexed (band {lo}-{hi})")
        lo, hi = SAVING_BANDS[measure]
        assert lo <= saving_ratio <= hi, (
            f"{cjh_type} {measure}: saving x{saving_ratio:.2f} of CJH's (band {lo}-{hi})")


def test_wall_saving_grows_with_the_facade_unlike_cjh(ratios):
    """CJH gives the facade 15 % of the losses whatever its area; the heat balance does not."""
    cavity = [ratios[2026][t]["cavity_fill"][1] for t in ("closed", "corner", "open")]
    assert cavity[0] < cavity[1] < cavity[2]


def test_cjh_reading_is_the_documented_one():
    """The CJH figures the bands are built on (module docstring), read from the data."""
    cjh = _cjh()
    exp, areas, living = _cjh_expectations(cjh, "closed")
    assert living == 220 and areas == {"roof": 87.32, "facade": 68.0, "floor": 80.0,
                                       "window": 20.0}
    assert exp["roof_insulation"]["saving_frac"] == pytest.approx(0.192)
    assert exp["cavity_fill"]["saving_frac"] == pytest.approx(0.09)
    assert exp["floor_insulation"]["saving_frac"] == pytest.approx(0.08)
    assert exp["hr_glazing"]["saving_frac"] == pytest.approx(0.12)
    assert exp["hr_glazing"]["cost_eur"] == pytest.approx(14000.0)


def test_cjh_costs_are_indexed_from_2020_by_the_abex_ratio():
    """The comparison indexes CJH's 2020 costs and the catalogue's CJH-sourced unit costs by
    the same ratio (roof insulation: 60 EUR/m2 in both, dated 2020-09-08)."""
    money = money_params(2026)
    idx = money.cost_index
    factor = float(idx.factor(2020, 2026))
    assert factor == pytest.approx(1.2434, abs=1e-4)  # ABEX 1056 / 849.3 (price_sets.toml)
    assert money.catalogue.measures["roof_insulation"].unit_cost_eur.value == pytest.approx(
        60.0 * factor)
