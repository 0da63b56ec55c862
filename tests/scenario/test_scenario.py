"""Scenarios to 2050: scenario files, the yearly simulation, its kernel and the CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wijkreno.errors import InputError
from wijkreno.renovate.trajectories import label_upper_bounds
from wijkreno.scenario import _kernels
from wijkreno.scenario.model import (
    PACKAGED_SCENARIOS,
    SUM_COLUMNS,
    Scenario,
    compare_scenarios,
    load_scenario,
    plan_states,
    run_scenario,
    summarise_years,
)

PARAMS = Path(__file__).resolve().parents[2] / "wijkreno" / "params" / "scenarios"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from tests.demo_summary import build_demo_twin

    folder = Path(tmp_path_factory.mktemp("demo"))
    twin, _ = build_demo_twin(folder)
    return folder, twin


@pytest.fixture(scope="module")
def dwellings(demo):
    # a non-default index: results must come back indexed like the input
    d = demo[1].dwellings.copy()
    d.index = pd.RangeIndex(1000, 1000 + len(d))
    return d


@pytest.fixture(scope="module")
def states(dwellings):
    return plan_states(dwellings)


@pytest.fixture(scope="module")
def baseline(dwellings, states):
    return run_scenario(dwellings, "baseline", states=states)


@pytest.fixture(scope="module")
def ambitious(dwellings, states):
    return run_scenario(dwellings, "ambitious", states=states)


def _scenario_dict(name: str = "baseline") -> dict:
    return tomllib.loads((PARAMS / f"{name}.toml").read_text("utf-8"))


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------
# scenario files


@pytest.mark.parametrize("name", PACKAGED_SCENARIOS)
def test_packaged_scenarios_load_and_run_to_2050(name):
    sc = load_scenario(name)
    assert sc.name == name
    assert sc.end_year == 2050
    assert sc.years[0] == sc.start_year and sc.years[-1] == 2050
    assert load_scenario(PARAMS / f"{name}.toml") == sc


def test_unknown_field_is_rejected_with_its_name(tmp_path):
    text = (PARAMS / "baseline.toml").read_text("utf-8").replace(
        "seed = 20250101", "seed = 20250101\nsales_turnover_rate = 0.05")
    with pytest.raises(InputError, match="sales_turnover_rate") as exc:
        load_scenario(_write(tmp_path, text))
    assert "Extra inputs are not permitted" in str(exc.value)


@pytest.mark.parametrize("path, value, match", [
    (("natural_renovation", "rate_frac"), 1.5, "rate_frac must be a fraction"),
    (("sales_turnover", "house_frac"), -0.1, "house_frac must be a fraction"),
    (("obligation", "compliance_frac"), 2.0, "compliance_frac must be a fraction"),
    (("obligation", "works_delay_years"), 7.0, "works_delay_years"),
    (("premium_multiplier",), -1.0, "premium_multiplier must be >= 0"),
])
def test_bad_rates_are_rejected(path, value, match):
    data = _scenario_dict()
    node = data
    for key in path:
        node = node[key]
    node["value"] = value
    with pytest.raises(ValueError, match=match):
        Scenario.model_validate(data)


def test_years_and_campaign_years_are_checked():
    data = _scenario_dict()
    data["end_year"] = data["start_year"]
    with pytest.raises(ValueError, match="start_year < end_year"):
        Scenario.model_validate(data)
    data = _scenario_dict("ambitious")
    data["campaigns"][0]["end_year"] = 2060
    with pytest.raises(ValueError, match="outside the scenario"):
        Scenario.model_validate(data)


def test_energy_price_needs_exactly_one_path():
    data = _scenario_dict()
    data["energy_price"]["multipliers"] = {"2025": 1.0}
    with pytest.raises(ValueError, match="exactly one of growth_frac or multipliers"):
        Scenario.model_validate(data)


def test_energy_price_path_values():
    sc = load_scenario("ambitious")  # 2025 1.0, 2027 1.05, 2030 1.1, 2050 1.3
    np.testing.assert_allclose(sc.energy_price_multiplier([2025, 2026, 2030, 2040, 2050]),
                               [1.0, 1.025, 1.1, 1.2, 1.3])
    data = _scenario_dict()
    data["energy_price"]["growth_frac"]["value"] = 0.02
    sc = Scenario.model_validate(data)
    np.testing.assert_allclose(sc.energy_price_multiplier(2035), 1.02 ** 10)


def test_unreadable_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the scenario file"):
        load_scenario(tmp_path / "missing.toml")
    with pytest.raises(InputError, match="cannot read"):
        load_scenario(_write(tmp_path, "start_year = = 3"))


# ---------------------------------------------------------------------------------------------
# kernel


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60))
def test_kernel_equals_numpy_reference(seed, n):
    rng = np.random.default_rng(seed)
    m = 7
    score = rng.uniform(-20, 600, (m, 9))
    score[:, 1:] = np.where(rng.random((m, 8)) < 0.7, np.sort(score[:, 1:])[:, ::-1],
                            score[:, 1:])  # mostly falling, sometimes not
    n_steps = rng.integers(0, 9, m)
    heat = np.where(rng.random(m) < 0.5, rng.integers(0, 8, m), -1)
    heat = np.where(heat < n_steps, heat, -1)
    tmpl = rng.integers(0, m, n)
    pos = np.minimum(rng.integers(0, 9, n), n_steps[tmpl])
    min_steps = rng.choice([0, 1, 2, 9], n)
    bound = np.where(rng.random(n) < 0.4, rng.uniform(0, 500, n), np.inf)
    need = rng.random(n) < 0.3
    out = np.empty(n, dtype=np.int64)
    _kernels.advance_positions(pos, n_steps, score, tmpl, min_steps, bound, heat, need, out)
    ref = _kernels.advance_positions_reference(pos, n_steps, score, tmpl, min_steps, bound,
                                               heat, need)
    np.testing.assert_array_equal(out, ref)
    assert (out >= pos).all() and (out <= n_steps[tmpl]).all()
    moved = out > pos
    assert (score[tmpl[moved], out[moved]] <= score[tmpl[moved], pos[moved]]).all()


def test_kernel_known_answers():
    score = np.array([[400.0, 350.0, 250.0, 180.0, 90.0, 90.0, 90.0, 90.0, 90.0],
                      [300.0, 320.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0]])
    n_steps = np.array([4, 2])
    heat = np.array([2, 0])
    tmpl = np.array([0, 0, 0, 0, 1, 1])
    pos = np.array([0, 0, 1, 0, 0, 0])
    min_steps = np.array([1, 0, 0, 9, 1, 0])
    bound = np.array([np.inf, 200.0, np.inf, np.inf, np.inf, np.inf])
    need = np.array([False, False, True, False, False, False])
    out = np.empty(6, dtype=np.int64)
    _kernels.advance_positions(pos, n_steps, score, tmpl, min_steps, bound, heat, need, out)
    # one step; to the first state <= 200 (step 3); through the heating step (index 2 -> 3);
    # the whole trajectory; one step would be worse (320 > 300) so two; no event
    np.testing.assert_array_equal(out, [1, 3, 3, 4, 2, 0])


# ---------------------------------------------------------------------------------------------
# the simulation


def test_states_cover_every_dwelling(dwellings, states):
    assert states.n_dwellings == len(dwellings)
    assert states.valid.all()
    score = states.metrics["epc_score_kwh_per_m2"]
    # today's state is the current score of the trajectories
    from wijkreno.renovate.trajectories import plan_trajectories

    sub = dwellings.iloc[:40]
    # the scenario model plans on the label-only target (wijkreno/scenario/model.py)
    _, summary = plan_trajectories(sub, target="label_A_2050")
    t = states.template[:40]
    np.testing.assert_allclose(score[t, 0], summary["current_epc_score_kwh_per_m2"], rtol=1e-9)
    np.testing.assert_allclose(score[t, states.n_steps[t]], summary["final_epc_score_kwh_per_m2"],
                               rtol=1e-9)
    np.testing.assert_allclose(states.metrics["investment_eur"][t, states.n_steps[t]],
                               summary["investment_eur"], rtol=1e-9)


def test_deduplicated_planning_equals_planning_each(dwellings, states):
    twice = pd.concat([dwellings.iloc[:30], dwellings.iloc[:30]])
    st_dup = plan_states(twice)
    st_all = plan_states(twice, deduplicate=False)
    assert len(st_dup.n_steps) <= 30 < len(st_all.n_steps)
    for k in ("epc_score_kwh_per_m2", "co2_flemish_kg_co2", "investment_eur"):
        np.testing.assert_allclose(st_dup.metrics[k][st_dup.template],
                                   st_all.metrics[k][st_all.template], rtol=1e-12)


def test_seeded_runs_are_reproducible(dwellings, states, baseline):
    again = run_scenario(dwellings, "baseline", states=states)
    pd.testing.assert_frame_equal(again.by_sector, baseline.by_sector)
    np.testing.assert_array_equal(again.positions, baseline.positions)
    data = load_scenario("baseline").model_dump()
    data["seed"] = 7
    other = run_scenario(dwellings, Scenario.model_validate(data), states=states)
    assert not np.array_equal(other.positions, baseline.positions)


def test_index_and_first_year_is_today(dwellings, baseline, states):
    assert baseline.dwellings.index.equals(dwellings.index)
    first = baseline.by_year.iloc[0]
    assert first["year"] == 2025 and first["n_renovations"] == 0
    assert first["cumulative_investment_eur"] == 0
    np.testing.assert_allclose(
        first["co2_flemish_kg_co2"],
        np.nansum(states.metrics["co2_flemish_kg_co2"][states.template, 0]))


def test_totals_conserved_every_year(dwellings, baseline, ambitious):
    for res in (baseline, ambitious):
        s = res.by_sector
        label_cols = [c for c in s.columns if c.startswith("n_label_")]
        # every dwelling in exactly one label class, every year, every sector
        assert (s[label_cols].sum(axis=1) == s["n_dwellings"]).all()
        assert (res.by_year["n_dwellings"] == len(dwellings)).all()
        per_year = s.groupby("year")[list(SUM_COLUMNS)].sum().reset_index(drop=True)
        pd.testing.assert_frame_equal(per_year, res.by_year[list(SUM_COLUMNS)],
                                      check_dtype=False)
        # sum over sectors = sum over dwellings
        for year in (2030, 2050):
            row = res.by_year.loc[res.by_year["year"] == year].iloc[0]
            for metric in ("co2_flemish_kg_co2", "co2_com_kg_co2", "final_energy_kwh"):
                np.testing.assert_allclose(row[metric],
                                           res.dwelling_metric(metric, year).sum(), rtol=1e-9)
            mean = res.dwelling_metric("epc_score_kwh_per_m2", year).mean()
            np.testing.assert_allclose(row["mean_epc_score_kwh_per_m2"], mean, rtol=1e-9)
        np.testing.assert_allclose(res.by_year["cumulative_investment_eur"].iloc[-1],
                                   res.dwellings["investment_eur"].sum(), rtol=1e-9)
        np.testing.assert_allclose(res.by_year["investment_eur"].sum(),
                                   res.dwellings["investment_eur"].sum(), rtol=1e-9)
        assert res.by_year["n_renovations"].sum() == res.dwellings["n_renovations"].sum()


def test_summarise_years_reproduces_by_year(baseline):
    again = summarise_years(baseline.by_sector)
    pd.testing.assert_frame_equal(again, baseline.by_year.drop(
        columns="energy_price_multiplier"), check_dtype=False)


def test_no_renovation_makes_a_dwelling_worse(baseline, ambitious, states):
    for res in (baseline, ambitious):
        score = states.metrics["epc_score_kwh_per_m2"][states.template[None, :],
                                                       res.positions.astype(np.int64)]
        assert (np.diff(score, axis=0) <= 1e-9).all()
        assert (np.diff(res.positions.astype(np.int64), axis=0) >= 0).all()
        d = res.dwellings
        assert (d["end_epc_score_kwh_per_m2"] <= d["start_epc_score_kwh_per_m2"] + 1e-9).all()
        assert (d["premium_eur"] <= d["investment_eur"] + 1e-9).all()


def test_obligation_drives_sold_dwellings_to_their_label_by_the_deadline(dwellings, states):
    data = load_scenario("baseline").model_dump()
    data["obligation"]["compliance_frac"]["value"] = 1.0
    data["natural_renovation"]["rate_frac"]["value"] = 0.0
    data["sales_turnover"]["house_frac"]["value"] = 0.1
    data["sales_turnover"]["apartment_frac"]["value"] = 0.1
    res = run_scenario(dwellings, Scenario.model_validate(data), states=states)
    d = res.dwellings
    bounds = label_upper_bounds()
    due = d["obligation_deadline_year"].notna() & (d["obligation_deadline_year"] <= 2050)
    assert due.sum() > 50
    best = states.metrics["epc_score_kwh_per_m2"][states.template, states.n_steps[states.template]]
    for i in np.flatnonzero(due.to_numpy()):
        deadline = int(d["obligation_deadline_year"].iloc[i])
        bound = bounds[str(d["obligation_label"].iloc[i])]
        score = res.dwelling_metric("epc_score_kwh_per_m2", deadline)[i]
        if best[i] <= bound:  # the trajectory can reach the label: it does, in time
            assert score <= bound, (i, deadline, score, bound)
            assert bool(d["obligation_met"].iloc[i])
        else:  # it cannot: the whole trajectory is done
            assert res.positions[deadline - 2025, i] == states.n_steps[states.template[i]]
    # without natural renovation or campaigns, only sold dwellings renovate
    assert (d.loc[d["n_renovations"] > 0, "last_sale_year"].notna()).all()
    assert res.by_year["n_natural_renovations"].sum() == 0
    # no obligation: nothing renovates
    data["obligation"]["applies"] = False
    none = run_scenario(dwellings, Scenario.model_validate(data), states=states)
    assert none.by_year["n_renovations"].sum() == 0
    assert (none.by_year["co2_flemish_kg_co2"] == none.by_year["co2_flemish_kg_co2"].iloc[0]).all()


def test_campaign_only_in_its_sectors(dwellings, states):
    data = load_scenario("ambitious").model_dump()
    for block in ("natural_renovation",):
        data[block]["rate_frac"]["value"] = 0.0
    data["obligation"]["applies"] = False
    data["heating"]["fossil_ban_from_year"] = None
    sector = str(dwellings["sector_code"].value_counts().index[0])
    data["campaigns"][0]["sectors"] = [sector]
    data["campaigns"][0]["participation_frac"]["value"] = 0.5
    res = run_scenario(dwellings, Scenario.model_validate(data), states=states)
    s = res.by_sector.groupby("sector_code")["n_campaign_renovations"].sum()
    assert s[sector] > 0 and s.drop(sector).sum() == 0
    inside = res.dwellings["sector_code"].astype(str) == sector
    done = res.dwellings["position"] == res.dwellings["n_steps"]
    # after 14 years at 50 % a year, almost every dwelling of the sector finished its trajectory
    assert done[inside].mean() > 0.95
    assert (res.dwellings.loc[~inside, "n_renovations"] == 0).all()


def test_ambitious_beats_baseline_on_co2(baseline, ambitious):
    cmp = compare_scenarios(baseline, ambitious)
    assert cmp.attrs["scenario_a"] == "baseline" and cmp.attrs["scenario_b"] == "ambitious"
    assert cmp["co2_flemish_kg_co2_diff"].iloc[0] == 0
    assert (cmp["co2_flemish_kg_co2_diff"].iloc[5:] < 0).all()
    assert (cmp["co2_com_kg_co2_diff"].iloc[5:] < 0).all()
    end = cmp.iloc[-1]
    assert end["n_label_a_b"] > end["n_label_a_a"]
    np.testing.assert_allclose(cmp["co2_flemish_kg_co2_diff"],
                               cmp["co2_flemish_kg_co2_b"] - cmp["co2_flemish_kg_co2_a"])
    per = compare_scenarios(baseline, ambitious, per_sector=True)
    assert len(per) == len(baseline.by_sector)


def test_premium_multiplier_scales_premiums(dwellings, states):
    data = load_scenario("baseline").model_dump()
    zero = dict(data, premium_multiplier=dict(data["premium_multiplier"], value=0.0))
    r0 = run_scenario(dwellings, Scenario.model_validate(zero), states=states)
    r1 = run_scenario(dwellings, "baseline", states=states)
    assert r0.by_year["cumulative_premium_eur"].iloc[-1] == 0
    assert r1.by_year["cumulative_premium_eur"].iloc[-1] > 0
    # same seed, same events: the investment does not depend on the premium level
    np.testing.assert_allclose(r0.by_year["cumulative_investment_eur"],
                               r1.by_year["cumulative_investment_eur"])


def test_fossil_ban_brings_heating_changes_forward(dwellings, states):
    data = load_scenario("baseline").model_dump()
    with_ban = dict(data, heating=dict(data["heating"], fossil_ban_from_year=2026))
    r_ban = run_scenario(dwellings, Scenario.model_validate(with_ban), states=states)
    r = run_scenario(dwellings, "baseline", states=states)
    h = states.heat_step[states.template]
    past = lambda res: ((h >= 0) & (res.positions[-1] > h)).sum()  # noqa: E731
    assert past(r_ban) > past(r)


def test_bad_inputs(dwellings, states):
    with pytest.raises(InputError, match="no dwellings"):
        run_scenario(dwellings.iloc[:0], "baseline")
    with pytest.raises(InputError, match="sector_code"):
        run_scenario(dwellings.drop(columns="sector_code"), "baseline", states=states)
    with pytest.raises(InputError, match="trajectory states hold"):
        run_scenario(dwellings.iloc[:10], "baseline", states=states)


# ---------------------------------------------------------------------------------------------
# CLI


def _app() -> typer.Typer:
    from wijkreno.cli.scenario import scenario

    app = typer.Typer()
    app.command("scenario")(scenario)
    app.command("noop")(lambda: None)  # keeps 'scenario' a sub-command
    return app


@pytest.fixture(scope="module")
def twin_dir(demo):
    from wijkreno.io.twin_store import write_twin

    folder, twin = demo
    write_twin(folder / "twin", twin.buildings, twin.dwellings, twin.rejected, twin.quality)
    return folder / "twin"


def test_cli_two_scenarios_write_tables_comparison_and_chart(twin_dir, tmp_path):
    out = tmp_path / "o"
    r = CliRunner().invoke(_app(), ["scenario", str(twin_dir), "--scenario", "baseline",
                                    "--scenario", str(PARAMS / "ambitious.toml"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("baseline_by_sector.parquet", "baseline_by_sector.csv", "baseline_by_year.csv",
                 "ambitious_by_sector.parquet", "ambitious_dwellings.parquet", "comparison.csv",
                 "scenario.png"):
        assert (out / name).exists(), name
    by_sector = pd.read_parquet(out / "baseline_by_sector.parquet")
    assert set(by_sector["year"]) == set(range(2025, 2051))
    assert by_sector["sector_code"].nunique() == 3
    cmp = pd.read_csv(out / "comparison.csv")
    assert len(cmp) == 26 and "co2_flemish_kg_co2_diff" in cmp.columns
    assert (out / "scenario.png").stat().st_size > 20_000


def test_cli_bad_scenario_file_exits_2_with_the_field(twin_dir, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((PARAMS / "baseline.toml").read_text("utf-8").replace(
        "rate_frac = { value = 0.01", "rate_frac = { value = 1.01"), encoding="utf-8")
    r = CliRunner().invoke(_app(), ["scenario", str(twin_dir), "--scenario", str(bad),
                                    "-o", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "rate_frac" in r.output and "fraction" in r.output
    r = CliRunner().invoke(_app(), ["scenario", str(tmp_path / "nowhere"), "-o",
                                    str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
