"""Collective cost and party-wall model: known effects, bounds, the demo end to end."""

from __future__ import annotations

import numpy as np
import pytest

from tests.demo_summary import build_demo_twin
from tests.twin.fixtures import street, street_addresses
from wijkreno.aggregate.collective import DWELLING_COLUMNS, collective_costs
from wijkreno.aggregate.groups import find_groups, load_collective_params
from wijkreno.errors import InputError
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.catalogue import load_premiums
from wijkreno.renovate.packages import best_packages
from wijkreno.twin.build import build_twin


@pytest.fixture(scope="module")
def small():
    twin = build_twin(street(), nis_code="13002", addresses=street_addresses(), seed=1)
    d = twin.dwellings
    options = measure_options(d)
    plan = best_packages(d, options)
    groups = find_groups(twin.buildings, d)
    return d, groups, plan, options


def _with(params, section, key, value):
    sec = getattr(params, section)
    item = getattr(sec, key).model_copy(update={"value": value})
    return params.model_copy(update={section: sec.model_copy(update={key: item})})


def test_columns_index_and_individual_equals_plan(small):
    d, groups, plan, options = small
    gt, dt = collective_costs(d, groups, plan, options)
    assert list(dt.columns) == list(DWELLING_COLUMNS)
    assert dt.index.equals(d.index)
    part = dt["participating"].to_numpy()
    assert part.any()
    np.testing.assert_allclose(dt["measure_cost_individual_eur"][part],
                               plan["investment_eur"][part], rtol=1e-12)
    np.testing.assert_allclose(dt["premium_individual_eur"][part], plan["premium_eur"][part],
                               rtol=1e-9)
    assert gt["n_dwellings"].sum() == len(d)
    # group sums equal dwelling sums
    for col in ("net_cost_collective_eur", "saving_collective_kwh", "burenpremie_eur"):
        assert gt[col].sum() == pytest.approx(dt[col].sum())


def test_collective_never_costs_more(small):
    d, groups, plan, options = small
    _, dt = collective_costs(d, groups, plan, options)
    tol = 1e-6
    assert (dt["measure_cost_collective_eur"] <= dt["measure_cost_individual_eur"] + tol).all()
    assert (dt["project_cost_collective_eur"] <= dt["project_cost_individual_eur"] + tol).all()
    assert (dt["net_cost_collective_eur"] <= dt["net_cost_individual_eur"] + tol).all()
    assert (dt["collective_gain_eur"] >= -tol).all()
    # the terraced row renovates together: strictly cheaper
    row = dt[dt["dwelling_id"].str.startswith("a-T") & dt["participating"]]
    assert len(row) >= 2 and (row["collective_gain_eur"] > 0).all()
    # a dwelling alone (single, detached) gains nothing
    alone = dt[dt["group_kind"] == "single"]
    assert (alone["collective_gain_eur"].abs() < tol).all()
    assert (alone["net_cost_collective_eur"] == alone["net_cost_individual_eur"]).all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    twin, _ = build_demo_twin(tmp_path_factory.mktemp("demo"))
    d = twin.dwellings
    options = measure_options(d)
    plan = best_packages(d, options)
    groups = find_groups(twin.buildings, d)
    return d, groups, plan, options


def test_burenpremie_only_from_ten_participants(small, demo):
    bp = load_premiums().burenpremie
    assert bp.min_dwellings == 10 and bp.amount_eur_per_dwelling == 600.0
    # the small street: every group under 10 dwellings, no burenpremie
    d, groups, plan, options = small
    gt2, dt2 = collective_costs(d, groups, plan, options)
    assert (groups["group_size"] < 10).all()
    assert (dt2["burenpremie_eur"] == 0).all() and not gt2["burenpremie_eligible"].any()
    # the demo: one group as found, then the same group cut to 10 and to 9 participants
    d, groups, plan, options = demo
    _, dt = collective_costs(d, groups, plan, options)
    n_part = dt.groupby("group_id")["participating"].sum()
    gid = n_part[n_part >= 12].index[0]
    ids = dt.loc[(dt["group_id"] == gid) & dt["participating"], "dwelling_id"]
    assert (dt.loc[dt["dwelling_id"].isin(ids), "burenpremie_eur"] > 0).all()
    assert (dt["burenpremie_eur"] <= 600.0 + 1e-9).all()
    for keep, paid in ((10, True), (9, False)):
        cut = groups.copy()
        out = cut["dwelling_id"].isin(ids.iloc[keep:])
        cut.loc[out, "group_id"] = "alone-" + cut.loc[out, "dwelling_id"]
        _, dc = collective_costs(d, cut, plan, options)
        inside = dc["dwelling_id"].isin(ids.iloc[:keep])
        assert bool((dc.loc[inside, "burenpremie_eur"] > 0).all()) is paid
        assert (dc.loc[~inside, "burenpremie_eur"] == 0).sum() >= int(out.sum())


def test_party_wall_effect_sign_and_vanishing(small):
    d, groups, plan, options = small
    _, dt = collective_costs(d, groups, plan, options)
    row = dt[dt["dwelling_id"].str.startswith("a-T") & dt["participating"]]
    assert (row["party_wall_saving_kwh"] > 0).all()
    assert (row["party_wall_saving_eur"] > 0).all()
    assert (dt["party_wall_saving_kwh"] >= 0).all()
    assert (dt["saving_collective_kwh"] >= dt["saving_individual_kwh"] - 1e-6).all()
    # no party wall (detached, apartments in a free-standing building): no effect
    free = dt["dwelling_id"].isin(["a-D0", "a-A0-1"])
    assert (dt.loc[free, "party_wall_saving_kwh"] == 0).all()
    # b = 0 for the neighbour alone: the effect vanishes and the plan's savings stay
    p0 = _with(load_collective_params(), "party_walls", "b_neighbour_alone_frac", 0.0)
    _, dz = collective_costs(d, groups, plan, options, params=p0)
    assert (dz["party_wall_saving_kwh"].abs() < 1e-9).all()
    part = dz["participating"]
    np.testing.assert_allclose(dz.loc[part, "saving_individual_eur"],
                               plan.loc[part, "saving_eur"], atol=1e-6)
    np.testing.assert_allclose(dz["saving_collective_kwh"], dz["saving_individual_kwh"])
    # a larger b makes the gain larger
    p5 = _with(load_collective_params(), "party_walls", "b_neighbour_alone_frac", 0.6)
    _, d5 = collective_costs(d, groups, plan, options, params=p5)
    assert (d5.loc[row.index, "party_wall_saving_kwh"] > row["party_wall_saving_kwh"]).all()


def test_party_wall_figures_follow_the_plans_money_basis(small):
    # the plan's savings are on its money basis (basis_use_ratio scales the standardised
    # use); the engine's party-wall correction and gain are scaled alike, and named
    d, groups, plan, options = small
    assert (plan["basis"] == "standardised").all() and (plan["basis_use_ratio"] == 1.0).all()
    _, std = collective_costs(d, groups, plan, options)
    assert (std["basis"] == "standardised").all()
    half = plan.copy()
    half["basis"] = "expected"
    half["basis_use_ratio"] = 0.5
    gt, dt = collective_costs(d, groups, half, options)
    assert (dt["basis"] == "expected").all() and (gt["basis"] == "expected").all()
    row = dt["dwelling_id"].str.startswith("a-T") & dt["participating"]
    assert (std.loc[row, "party_wall_saving_eur"] > 0).all()
    np.testing.assert_allclose(dt["party_wall_saving_eur"], 0.5 * std["party_wall_saving_eur"])
    np.testing.assert_allclose(dt["party_wall_saving_kwh"], 0.5 * std["party_wall_saving_kwh"])
    # individual = plan saving + scaled correction; collective adds the scaled gain
    corr = std["saving_individual_eur"] - std["participating"] * plan["saving_eur"]
    np.testing.assert_allclose(dt["saving_individual_eur"],
                               dt["participating"] * plan["saving_eur"] + 0.5 * corr, atol=1e-9)
    np.testing.assert_allclose(dt["saving_collective_eur"] - dt["saving_individual_eur"],
                               dt["party_wall_saving_eur"], atol=1e-9)
    # a group whose dwellings differ names both
    mixed = half.copy()
    mixed.loc[mixed.index[0], "basis"] = "calibrated"
    gm, _ = collective_costs(d, groups, mixed, options)
    first = groups.set_index("dwelling_id").loc[d["dwelling_id"].iloc[0], "group_id"]
    size = int((groups["group_id"] == first).sum())
    assert gm.set_index("group_id").loc[first, "basis"] == (
        "calibrated;expected" if size > 1 else "calibrated")


def test_min_participants_switches_effects_off(small):
    d, groups, plan, options = small
    p = _with(load_collective_params(), "collective", "min_participants", 100)
    _, dt = collective_costs(d, groups, plan, options, params=p)
    assert not dt["collective"].any()
    assert (dt["collective_gain_npv_eur"].abs() < 1e-9).all()


def test_mismatched_inputs_are_refused(small):
    d, groups, plan, options = small
    with pytest.raises(InputError, match="groups"):
        collective_costs(d, groups.iloc[1:], plan, options)
    with pytest.raises(InputError, match="measure options"):
        collective_costs(d.iloc[1:], groups, plan, options)


def test_demo_twin_end_to_end(demo):
    d, groups, plan, options = demo
    gt, dt = collective_costs(d, groups, plan, options)
    assert len(dt) == len(d) == 532
    assert gt["n_dwellings"].sum() == len(d)
    assert (gt.set_index("group_id")["n_dwellings"]
            == groups.groupby("group_id").size().reindex(gt["group_id"]).to_numpy()).all()
    assert set(gt["group_kind"]) == {"apartment_building", "block", "street_cluster", "single"}
    # alone, the same measures cost what the plan says, heat pumps sized after the envelope
    part = dt["participating"].to_numpy()
    heat_pumps = part & plan["heating"].astype("string").str.startswith("heat_pump").fillna(
        False).to_numpy(dtype=bool)
    assert heat_pumps.sum() > 10
    np.testing.assert_allclose(dt.loc[part, "measure_cost_individual_eur"],
                               plan.loc[part, "investment_eur"], rtol=1e-9)
    np.testing.assert_allclose(dt.loc[part, "premium_individual_eur"],
                               plan.loc[part, "premium_eur"], rtol=1e-9, atol=1e-6)
    assert (dt["collective_gain_eur"] >= -1e-6).all()
    assert (dt["collective_gain_npv_eur"] >= -1e-6).all()
    big = gt[gt["n_participating"] >= 10]
    assert len(big) > 0 and big["burenpremie_eligible"].all()
    assert (gt.loc[gt["n_participating"] < 10, "burenpremie_eur"] == 0).all()
    coll = dt[dt["collective"]]
    assert coll["collective_gain_eur"].mean() > 0
    # top dwellings are members of their group
    top = gt.loc[gt["top_dwelling_ids"] != "", ["group_id", "top_dwelling_ids"]]
    members = dict(zip(dt["dwelling_id"], dt["group_id"], strict=True))
    for gid, ids in top.itertuples(index=False):
        assert all(members[i] == gid for i in ids.split(";"))


def test_cli_groups_writes_outputs(tmp_path, small):
    import geopandas as gpd
    import typer
    from typer.testing import CliRunner

    from wijkreno.cli.groups import groups as groups_cmd
    from wijkreno.io.twin_store import write_twin

    twin = build_twin(street(), nis_code="13002", addresses=street_addresses(), seed=1)
    write_twin(tmp_path / "twin", twin.buildings, twin.dwellings, twin.rejected, {})
    app = typer.Typer()
    app.command("groups")(groups_cmd)
    app.command("other")(lambda: None)
    res = CliRunner().invoke(app, ["groups", str(tmp_path / "twin"), "-o", str(tmp_path / "g")])
    assert res.exit_code == 0, res.output
    assert "groepen" in res.output
    g = gpd.read_parquet(tmp_path / "g" / "groups.parquet")
    assert g.crs.to_epsg() == 31370 and g.geometry.notna().all()
    members = gpd.pd.read_csv(tmp_path / "g" / "group_members.csv")
    assert len(members) == len(twin.dwellings) and g["n_dwellings"].sum() == len(members)
    block = g.set_index("group_kind").loc["block"]
    assert block.geometry.area.max() == pytest.approx(5 * 60.0)  # 5 terraced houses 6 x 10 m
    bad = CliRunner().invoke(app, ["groups", str(tmp_path / "nothing")])
    assert bad.exit_code == 2


def test_shared_costs_follow_the_price_year_of_the_options(small):
    """Issue 12: options priced in a year (money_params) price the collective offer in the
    same year: collective.toml's project costs indexed from their dates, the catalogue's fixed
    costs and the premium scheme of that year; each table says the year."""
    from dataclasses import replace

    from wijkreno.renovate.catalogue import money_params

    d, groups, _, _ = small
    m25 = money_params(2025)
    o25 = measure_options(d, money=m25)
    assert o25.price_year == 2025
    plan = best_packages(d, o25)
    gt, dt = collective_costs(d, groups, plan, o25)
    assert (dt["price_year"] == 2025).all() and (gt["price_year"] == 2025).all()
    raw = load_collective_params()
    assert raw.price_year is None
    ix = raw.indexed(m25.cost_index, 2025)
    for name, item in raw.project_costs.items():  # quoted 2026-11-24 in the file
        f = float(m25.cost_index.factor(2026, 2025))
        assert f != 1.0
        assert ix.project_costs[name].individual_eur.value == pytest.approx(
            item.individual_eur.value * f, rel=1e-12)
        assert ix.project_costs[name].group_eur.value == pytest.approx(
            item.group_eur.value * f, rel=1e-12)
        assert "ABEX 2026 -> 2025" in ix.project_costs[name].per_dwelling_eur.source
    assert ix.indexed(m25.cost_index, 2025) is ix
    # the same plan with unpriced options: every individual project cost is the file's
    _, dt0 = collective_costs(d, groups, plan, replace(o25, price_year=None))
    assert dt0["price_year"].isna().all()
    part = dt["participating"].to_numpy() & (dt0["project_cost_individual_eur"] > 0).to_numpy()
    assert part.any()
    np.testing.assert_allclose(dt["project_cost_individual_eur"][part],
                               dt0["project_cost_individual_eur"][part] * f, rtol=1e-12)
    # costs of two years are not mixed
    with pytest.raises(InputError, match="catalogue is quoted in 2026"):
        collective_costs(d, groups, plan, o25, catalogue=money_params(2026).catalogue)
    with pytest.raises(InputError, match="already indexed to 2026"):
        collective_costs(d, groups, plan, o25, params=raw.indexed(m25.cost_index, 2026))
