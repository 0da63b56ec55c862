"""Measure catalogue, premiums and renovation policy: files, obligation, premium caps."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkreno.errors import InputError
from wijkreno.renovate.catalogue import (
    Sourced,
    load_catalogue,
    load_premiums,
    load_renovation_params,
    obligation_label,
    obligation_labels,
    premium_for,
)
from wijkreno.renovate.options import DIMENSIONS

MEASURES = tuple(load_catalogue().measures)
PREMIUM_RULES = tuple(dict.fromkeys(m.premium_rule or name
                                    for name, m in load_catalogue().measures.items()))
"""Premium rules the catalogue's measures fall under (a measure may share another's rule)."""


def _raw(name: str) -> dict:
    return tomllib.loads(resources.files("wijkreno.params").joinpath(name).read_text("utf-8"))


def _numbers_without_source(node, path="", row_source=False) -> list[str]:
    """Paths of numbers in a TOML tree that sit in no table with a non-empty 'source'.

    Rows of a list (the obligation rules, the override eras) take the source of the table
    holding the list.
    """
    bad: list[str] = []
    if isinstance(node, dict):
        has_source = bool(str(node.get("source", "")).strip()) or row_source
        for k, v in node.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not has_source:
                bad.append(f"{path}.{k}")
            elif isinstance(v, dict):
                bad += _numbers_without_source(v, f"{path}.{k}")
            elif isinstance(v, list):
                bad += _numbers_without_source(v, f"{path}.{k}", has_source)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not row_source:
                bad.append(f"{path}[{i}]")
            else:
                bad += _numbers_without_source(v, f"{path}[{i}]", row_source)
    return bad


@pytest.mark.parametrize("name", ["measures.toml", "premiums.toml", "renovation.toml"])
def test_every_number_has_a_source(name):
    data = _raw(name)
    assert _numbers_without_source(data) == []
    # the check can fail: a number in a table without source is found
    assert _numbers_without_source({"a": {"value": 1.0}}) == [".a.value"]
    assert _numbers_without_source({"a": {"source": "x", "rows": [{"v": 1}]}}) == []


def test_files_validate_and_cover_every_dimension():
    cat = load_catalogue()
    names = cat.option_names()
    assert set(names) == set(DIMENSIONS)
    assert all(v[0] == "keep" and len(v) >= 2 for v in names.values())
    assert names["wall"] == ("keep", "cavity_fill", "external_insulation", "inside_insulation")
    assert names["heating"] == ("keep", "heat_pump_air_water", "heat_pump_air_water_lt",
                                "hybrid_heat_pump", "heat_pump_ground", "heat_pump_ground_lt")
    assert names["glazing"] == ("keep", "hr_glazing", "hr_glass")
    # at least 2^8 packages per dwelling
    assert np.prod([len(v) for v in names.values()]) >= 2**8
    prem = load_premiums()
    # every measure has a premium rule, its own or the one it shares (premium_rule); the table
    # may hold rules ahead of the catalogue (heat_pump_boiler)
    assert set(prem.scheme().measures) >= {m.premium_rule or n for n, m in cat.measures.items()}
    assert prem.burenpremie.amount_eur_per_dwelling == 600.0
    assert prem.burenpremie.min_dwellings == 10
    ren = load_renovation_params()
    assert ren.target.label == "A" and ren.target.year == 2050
    assert ren.target.max_epc_score_kwh_per_m2.value == 100.0
    assert ren.economics.horizon_years.value == 30.0


def test_every_sourced_value_has_source_and_placeholders_say_what_replaces_them():
    cat = load_catalogue()
    sourced = [v for m in cat.measures.values() for _, v in m if isinstance(v, Sourced)]
    assert len(sourced) > 50
    assert all(v.source.strip() for v in sourced)
    assert all(v.replace_with for v in sourced if v.placeholder)
    # the DOMAIN.md figures are in, unmarked
    assert cat.measures["pv"].unit_cost_eur.value == 1400.0
    assert cat.measures["pv"].yield_kwh_per_kwp.value == 900.0
    assert 20.0 <= cat.measures["cavity_fill"].unit_cost_eur.value <= 23.0


def test_unknown_field_and_missing_source_are_rejected(tmp_path):
    text = resources.files("wijkreno.params").joinpath("measures.toml").read_text("utf-8")
    typo = tmp_path / "typo.toml"
    typo.write_text(text.replace('label_nl = "dakisolatie"',
                                 'label_nl = "dakisolatie"\nlabel_fr = "isolation"'))
    with pytest.raises(InputError, match="label_fr"):
        load_catalogue(typo)
    nosource = tmp_path / "nosource.toml"
    nosource.write_text(text.replace(
        'source = "CJH build_costs roof_24 \'dakisolatie > 24cm\' 60 EUR/m2 (pitched or flat '
        'roof, insulation by a contractor)"', 'source = ""'))
    with pytest.raises(InputError, match="source"):
        load_catalogue(nosource)
    placeholder = tmp_path / "placeholder.toml"
    placeholder.write_text(text.replace(
        ', replace_with = "a Flemish unit price for inside wall insulation (Livios / '
        'Energiesparen guide prices)"', ""))
    with pytest.raises(InputError, match="replace"):
        load_catalogue(placeholder)


# ---------------------------------------------------------------------------------------------
# obligation


@pytest.mark.parametrize(
    ("year", "typology", "expected"),
    [
        (2023, "terraced", ("D", 2028)),
        (2027, "detached", ("D", 2032)),
        (2028, "semi_detached", ("C", 2033)),
        (2034, "apartment_building", ("C", 2039)),
        (2035, "terraced", ("B", 2040)),
        (2035, "apartment_building", ("C", 2040)),
        (2039, "apartment_building", ("C", 2044)),
        (2040, "detached", ("A", 2045)),
        (2040, "apartment_building", ("B", 2045)),
        (2045, "apartment_building", ("A", 2050)),
        (2060, "terraced", ("A", 2065)),
    ],
)
def test_obligation_label_domain_years_and_edges(year, typology, expected):
    assert obligation_label(year, typology) == expected


@pytest.mark.parametrize(("year", "typology"), [(2022, "terraced"), (1990, "detached"),
                                                (2101, "terraced"), (2030, "non_residential"),
                                                (2030, "castle")])
def test_obligation_label_outside_the_rule(year, typology):
    with pytest.raises(InputError):
        obligation_label(year, typology)


def test_obligation_labels_vectorised_matches_scalar():
    years = [2022, 2023, 2030, np.nan, 2045, 2036, 2036]
    typ = ["terraced", "apartment_building", "apartment_building", "terraced", "detached",
           "non_residential", "apartment_building"]
    labels, deadline = obligation_labels(years, typ)
    assert labels.tolist() == ["", "D", "C", "", "A", "", "C"]
    assert deadline.tolist() == [-1, 2028, 2035, -1, 2050, -1, 2041]
    # a nullable integer column (as apply_overrides writes deed_year)
    labels, deadline = obligation_labels(pd.array([2030, pd.NA], dtype="Int64"),
                                         ["terraced", "terraced"])
    assert labels.tolist() == ["C", ""] and deadline.tolist() == [2035, -1]


# ---------------------------------------------------------------------------------------------
# premiums


def test_premium_known_values():
    # roof 100 m2, category 1: 8 EUR/m2 = 800 < 40 % of 6,500
    assert float(premium_for("roof_insulation", 1, 100.0, 6500.0)) == 800.0
    # capped by the share of the invoice: 40 % of 1,000
    assert float(premium_for("roof_insulation", 1, 100.0, 1000.0)) == 400.0
    # heat pump from July 2025: category 1 capped at 20 %, category 4 at 50 % of a 12,000 invoice
    july_2025 = dt.date(2025, 8, 1)
    hp = premium_for("heat_pump_air_water", [1, 2, 3, 4], 1.0, 12000.0, on=july_2025)
    assert hp.tolist() == [2400.0, 3000.0, 3500.0, 4000.0]
    hp_cheap = premium_for("heat_pump_air_water", [1, 2, 3, 4], 1.0, 6000.0, on=july_2025)
    assert hp_cheap.tolist() == [1200.0, 1500.0, 2100.0, 3000.0]
    # 2026: the highest incomes get 1,500 EUR (the latest scheme is the default)
    hp_2026 = premium_for("heat_pump_air_water", [1, 2, 3, 4], 1.0, 12000.0)
    assert hp_2026.tolist() == [1500.0, 3000.0, 3500.0, 4000.0]
    # absolute cap of the solar water heater
    assert float(premium_for("solar_water_heater", 4, 1.0, 100000.0)) == 2750.0
    assert float(premium_for("pv", 4, 5.0, 7000.0)) == 0.0


def test_premium_rejects_bad_input():
    with pytest.raises(InputError, match="categor"):
        premium_for("roof_insulation", [0, 5], 10.0, 100.0)
    with pytest.raises(InputError, match="quantity"):
        premium_for("roof_insulation", 1, -1.0, 100.0)
    with pytest.raises(InputError, match="no rule"):
        premium_for("gold_roof", 1, 1.0, 100.0)
    with pytest.raises(InputError, match="no premium scheme"):
        premium_for("roof_insulation", 1, 1.0, 100.0, on=dt.date(2020, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    measure=st.sampled_from(PREMIUM_RULES),
    quantity=st.floats(0, 1e4, allow_nan=False),
    invoice=st.floats(0, 1e6, allow_nan=False),
)
def test_premium_never_exceeds_cap_and_lowest_income_gets_most(measure, quantity, invoice):
    rule = load_premiums().scheme().measures[measure]
    p = premium_for(measure, np.array([1, 2, 3, 4]), np.full(4, quantity), np.full(4, invoice))
    caps = np.asarray(rule.cap_share_frac) * invoice
    assert np.all(p >= 0)
    assert np.all(p <= caps + 1e-9)
    assert np.all(p <= invoice + 1e-9)
    if rule.max_eur is not None:
        assert np.all(p <= np.asarray(rule.max_eur) + 1e-9)
    # category 4 (lowest incomes) never gets less than category 1 (highest incomes)
    assert np.all(np.diff(p) >= -1e-9)
    assert p[3] >= p[0]


def test_a_renovation_file_without_the_fossil_systems_is_refused(tmp_path):
    """Without the list the fossil-free target would accept gas boilers: the file must give it."""
    text = resources.files("wijkreno.params").joinpath("renovation.toml").read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("fossil_heating_systems ="))
    bare = tmp_path / "renovation.toml"
    bare.write_text(text.replace(line + "\n", ""))
    with pytest.raises(InputError, match="fossil_heating_systems"):
        load_renovation_params(bare)


def test_every_boiler_replaced_like_for_like_is_fossil():
    from wijkreno.renovate.packages import FOSSIL_HEATING

    assert set(FOSSIL_HEATING) <= set(load_renovation_params().target.fossil_heating_systems)
