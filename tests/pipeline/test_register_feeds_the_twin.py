"""Issue 12 items 5 and 6 end to end on the demo: the register's measures (roof 2023 at
Kerkstraat 1, cavity wall 2023 at Kerkstraat 2, air-water heat pump 2024 at Kerkstraat 3) feed
the twin, are never proposed again, a coach's conflicting override is reported, and the
Kerkstraat bundle shows the collective offer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from wijkreno.errors import InputError
from wijkreno.pipeline import (
    SheetOptions,
    TrajectoryOptions,
    dwellings_stage,
    run_renovated,
    run_sheets,
    run_simulate,
    run_trajectories,
)
from wijkreno.pipeline.stages import RenovatedOptions
from wijkreno.reports.sheets import GROUP_NAME_NL


def _kerkstraat(ws) -> pd.DataFrame:
    d = pd.DataFrame(ws.read("renovated", "dwellings"))
    d = d[(d["street"] == "Kerkstraat") & (d["box_number"].fillna("") == "")]
    return d.set_index(d["house_number"].astype(str))


def _first_houses(ws, path: Path, n: int = 8) -> Path:
    """An address list of Kerkstraat 1..n (a short bundle keeps the test fast)."""
    k = _kerkstraat(ws)
    numbers = [str(i) for i in range(1, n + 1) if str(i) in k.index]
    pd.DataFrame({"adres_id": k.loc[numbers, "adres_id"].astype(str)}).to_csv(path, index=False)
    return path


def test_register_measures_reach_every_stage_and_are_never_proposed(demo_run):
    ws, results = demo_run
    applied = results["renovated"].tables["applied"]
    assert list(applied["status"]) == ["applied"] * 3
    k = _kerkstraat(ws)
    ids = {n: str(k.loc[n, "dwelling_id"]) for n in ("1", "2", "3")}
    assert k.loc["1", "done_roof_year"] == 2023 and k.loc["2", "done_wall_year"] == 2023
    assert k.loc["3", "done_heating_year"] == 2024
    twin = pd.DataFrame(ws.read("twin", "dwellings")).set_index("dwelling_id")
    assert k.loc["1", "u_roof_w_per_m2k"] < twin.loc[ids["1"], "u_roof_w_per_m2k"]
    assert k.loc["2", "u_wall_w_per_m2k"] < twin.loc[ids["2"], "u_wall_w_per_m2k"]
    # the simulation describes the heating that is there now
    sim = pd.DataFrame(ws.read("simulate", "results")).set_index("dwelling_id")
    assert sim.loc[ids["3"], "heating_system"] == "heat_pump_air_water"
    assert twin.loc[ids["3"], "heating_system"] != "heat_pump_air_water"
    # the trajectories never propose what is done
    steps = pd.DataFrame(ws.read("trajectories", "steps"))
    steps["dwelling_id"] = steps["dwelling_id"].astype(str)
    done = {ids["1"]: "roof", ids["2"]: "wall", ids["3"]: "heating"}
    for did, dim in done.items():
        mine = steps[steps["dwelling_id"] == did]
        assert not (mine["dimension"] == dim).any(), (did, mine["measure"].tolist())
    summary = pd.DataFrame(ws.read("trajectories", "summary")).set_index("dwelling_id")
    assert summary.loc[ids["3"], "final_heating_system"] == "heat_pump_air_water"
    # the per-dwelling table of the maps carries the state after the works
    table = pd.DataFrame(ws.read("aggregate", "dwelling_results")).set_index("dwelling_id")
    assert table.loc[ids["3"], "heating_system"] == "heat_pump_air_water"


def test_a_conflicting_override_is_reported_and_the_sheet_says_so(demo_copy, tmp_path):
    ws = demo_copy
    k = _kerkstraat(ws)
    coach = tmp_path / "coach.csv"
    pd.DataFrame({"adres_id": [str(k.loc["3", "adres_id"]), str(k.loc["1", "adres_id"])],
                  "verwarming": ["gasketel", None],
                  "dak_geisoleerd_jaar": [None, 2023]}).to_csv(coach, index=False)
    result = run_trajectories(ws, TrajectoryOptions(overrides=coach, streets=("Kerkstraat",)))
    conflicts = result.tables["register_conflicts"]
    assert len(conflicts) == 1  # Kerkstraat 1's roof year agrees with the register
    row = conflicts.iloc[0]
    assert (row["column"], row["old"], row["new"]) == ("heating_system", "heat_pump_air_water",
                                                        "gas_boiler")
    assert row["status"] == "conflict" and "register wins" in row["reason"]
    assert ws.path("trajectories", "register_conflicts").exists()
    # the register wins: Kerkstraat 3 keeps its heat pump and gets no heating step
    summary = result.tables["summary"].set_index("dwelling_id")
    did3 = str(k.loc["3", "dwelling_id"])
    assert summary.loc[did3, "final_heating_system"] == "heat_pump_air_water"
    sheets = run_sheets(ws, SheetOptions(street="Kerkstraat",
                                         addresses=_first_houses(ws, tmp_path / "a.csv", 4)))
    html = Path(sheets.metadata["html"]).read_text(encoding="utf-8")
    assert "Register en coach verschillen" in html
    assert "de coach noteerde “verwarming gasketel" in html
    assert "Al uitgevoerd" in html and "(2024, register van de gemeente)" in html


def test_kerkstraat_bundle_shows_groups_and_collective_cost(demo_copy, tmp_path):
    ws = demo_copy
    houses = _first_houses(ws, tmp_path / "houses.csv")
    sheets = run_sheets(ws, SheetOptions(street="Kerkstraat", addresses=houses))
    reader = PdfReader(sheets.metadata["pdf"])
    n = sheets.metadata["n_sheets"]
    assert len(reader.pages) == n + 1  # the cover page, then one page per dwelling
    cover = reader.pages[0].extract_text()
    assert "Samen renoveren: de groepen" in cover
    members = pd.DataFrame(ws.read("groups", "members"))
    k = _kerkstraat(ws)
    bundle = k.loc[[str(i) for i in range(1, 9) if str(i) in k.index], "dwelling_id"]
    here = members[members["dwelling_id"].astype(str).isin(set(bundle.astype(str)))]
    grouped = sorted(set(here.loc[here["group_kind"] != "single", "group_id"].astype(str)))
    assert grouped, "the demo's Kerkstraat has collective groups"
    flat = " ".join(cover.split())
    for gid in grouped:  # each group by a readable name from its addresses, not its id
        assert gid not in flat
    assert sum(flat.count(f"{w} ") for w in GROUP_NAME_NL.values()) >= len(grouped)
    html = Path(sheets.metadata["html"]).read_text(encoding="utf-8")
    assert "Samen met de buren" in html and "Apart" in html
    # Kerkstraat 5's sheet: its group and the same package alone and together
    m5 = members.set_index(members["dwelling_id"].astype(str)).loc[
        str(k.loc["5", "dwelling_id"])]
    assert m5["group_id"] not in html
    assert f"Samen met de buren <small>{GROUP_NAME_NL[m5['group_kind']]} " in html
    # the collective offer is on the trajectories' money basis, and says so
    assert "Besparing per jaar (verwacht werkelijk verbruik)" in html
    assert "Besparing per jaar (EPC-berekening" not in html
    assert "Besparing en CO2 op basis van: verwacht werkelijk verbruik." in html  # the cover


def test_groups_price_savings_on_the_trajectories_basis(demo_run, demo_copy):
    ws, results = demo_run
    members = results["groups"].tables["members"].set_index("dwelling_id")
    summary = results["trajectories"].tables["summary"].set_index("dwelling_id")
    # the same basis per dwelling as the trajectories: the simulation's expected use
    assert (members["basis"] == summary["basis"].reindex(members.index)).all()
    assert set(members["basis"]) == {"expected"}
    assert set(results["groups"].tables["groups"]["basis"]) == {"expected"}
    assert results["groups"].metadata["basis"] == {"expected": len(members)}
    # the trajectories' price set too: where the group package holds the trajectory's
    # measures and no party wall changes it, alone it saves what the trajectory saves
    assert results["groups"].metadata["price_year"] == int(summary["price_year"].iloc[0])
    dwellings = pd.DataFrame(ws.read("renovated", "dwellings")).set_index("dwelling_id")
    same = members["participating"] & (
        members["measures"].map(lambda t: frozenset(str(t).split("+")))
        == summary["measures"].reindex(members.index).map(
            lambda t: frozenset(str(t).split("+"))))
    alone = same & (dwellings["party_wall_area_m2"].reindex(members.index).fillna(0) == 0)
    assert alone.sum() >= 5
    np.testing.assert_allclose(members.loc[alone, "saving_individual_eur"],
                               summary.loc[members.index[alone], "saving_eur"], rtol=1e-9)
    # a rerun follows the simulation: its results are an input of the stage
    assert "simulate/results.parquet" in results["groups"].manifest["inputs"]
    # on the standardised basis the savings differ (the demo's houses use less than the EPC)
    from wijkreno.pipeline import GroupsOptions, run_groups

    std = run_groups(demo_copy, GroupsOptions(basis="standardised")).tables["members"]
    std = std.set_index("dwelling_id").reindex(members.index)
    part = members["participating"].to_numpy(dtype=bool)
    assert (std["basis"] == "standardised").all()
    assert not np.allclose(std.loc[part, "saving_individual_eur"],
                           members.loc[part, "saving_individual_eur"])


def test_a_stale_renovated_layer_is_refused(demo_copy):
    ws = demo_copy
    assert dwellings_stage(ws) == "renovated"
    twin_file = ws.path("twin", "dwellings")
    twin_file.write_bytes(twin_file.read_bytes() + b"\0")  # another twin
    with pytest.raises(InputError, match="renovated stage again"):
        run_simulate(ws)
    register = ws.sources_folder / "register_renovaties.csv"
    with pytest.raises(InputError, match="does not exist"):
        run_renovated(ws, RenovatedOptions(register_export=register.with_name("nope.csv")))


def test_standalone_commands_read_the_twin_as_renovated(demo_run, tmp_path):
    """`wijkreno simulate` and `wijkreno trajectories` on a workspace's twin folder read the
    as-renovated layer beside it as the pipeline does; --as-built reads the twin as built."""
    from typer.testing import CliRunner

    from wijkreno.cli import app

    ws, results = demo_run
    twin = str(ws.folder("twin"))
    k = _kerkstraat(ws)
    ids = {n: str(k.loc[n, "dwelling_id"]) for n in ("1", "3")}
    runner = CliRunner()
    sim = runner.invoke(app, ["simulate", twin, "-o", str(tmp_path / "sim")])
    assert sim.exit_code == 0, sim.output
    assert "zoals gerenoveerd" in sim.output
    ours = pd.read_parquet(tmp_path / "sim" / "results.parquet").set_index("dwelling_id")
    pipeline = pd.DataFrame(ws.read("simulate", "results")).set_index("dwelling_id")
    assert ours.loc[ids["3"], "heating_system"] == "heat_pump_air_water"
    np.testing.assert_allclose(ours["epc_score_kwh_per_m2"],
                               pipeline.loc[ours.index, "epc_score_kwh_per_m2"])
    built = runner.invoke(app, ["simulate", twin, "-o", str(tmp_path / "built"), "--as-built"])
    assert built.exit_code == 0, built.output
    assert "zoals gebouwd" in built.output
    as_built = pd.read_parquet(tmp_path / "built" / "results.parquet").set_index("dwelling_id")
    assert as_built.loc[ids["3"], "heating_system"] != "heat_pump_air_water"

    # trajectories: the same plan as the pipeline's (as renovated, on its expected use)
    args = ["trajectories", twin, "--street", "Kerkstraat"]
    traj = runner.invoke(app, [*args, "-o", str(tmp_path / "traj")])
    assert traj.exit_code == 0, traj.output
    summary = pd.read_parquet(tmp_path / "traj" / "summary.parquet").set_index("dwelling_id")
    full = results["trajectories"].tables["summary"].set_index("dwelling_id").loc[summary.index]
    assert (summary["basis"] == full["basis"]).all() and set(summary["basis"]) == {"expected"}
    for col in ("net_cost_eur", "saving_eur"):
        np.testing.assert_allclose(summary[col], full[col])
    assert summary.loc[ids["3"], "final_heating_system"] == "heat_pump_air_water"
    steps = pd.read_parquet(tmp_path / "traj" / "trajectories.parquet")
    mine = steps[steps["dwelling_id"].astype(str) == ids["1"]]
    assert not (mine["dimension"] == "roof").any()
    # as built, the registered roof is proposed again: the flag is what changes it
    again = runner.invoke(app, [*args, "-o", str(tmp_path / "traj_built"), "--as-built"])
    assert again.exit_code == 0, again.output
    steps_b = pd.read_parquet(tmp_path / "traj_built" / "trajectories.parquet")
    assert (steps_b.loc[steps_b["dwelling_id"].astype(str) == ids["1"], "dimension"]
            == "roof").any()
    # bad combinations are bad input
    both = runner.invoke(app, [*args, "-o", str(tmp_path / "x"), "--as-built", "--renovated",
                               str(ws.folder("renovated"))])
    assert both.exit_code == 2 and "--as-built" in both.output
    none = runner.invoke(app, [*args, "-o", str(tmp_path / "y"), "--renovated",
                               str(tmp_path / "nothing")])
    assert none.exit_code == 2 and "--register" in none.output


def test_standalone_register_export_makes_the_renovated_layer(demo_run, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from wijkreno.cli import app

    ws, _ = demo_run
    twin = tmp_path / "ws" / "twin"
    shutil.copytree(ws.folder("twin"), twin)
    export = ws.sources_folder / "register_renovaties.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["simulate", str(twin), "-o", str(tmp_path / "ws" / "simulate"),
                              "--register", str(export)])
    assert res.exit_code == 0, res.output
    assert "zoals gerenoveerd" in res.output
    # written beside the twin, as a workspace lays it out: the next command finds it
    layer = pd.read_csv(tmp_path / "ws" / "renovated" / "register_applied.csv")
    assert list(layer["status"]) == ["applied"] * 3
    k = _kerkstraat(ws)
    out = pd.read_parquet(tmp_path / "ws" / "simulate" / "results.parquet")
    three = out.set_index("dwelling_id").loc[str(k.loc["3", "dwelling_id"])]
    assert three["heating_system"] == "heat_pump_air_water"
    groups = runner.invoke(app, ["groups", str(twin), "-o", str(tmp_path / "ws" / "groups")])
    assert groups.exit_code == 0, groups.output
    assert "zoals gerenoveerd" in groups.output
    members = pd.read_csv(tmp_path / "ws" / "groups" / "group_members.csv")
    assert set(members["basis"]) == {"expected"}  # simulate/ beside the twin: its expected use


def test_an_apartment_building_row_of_the_export_file_reaches_every_unit(demo_copy, tmp_path):
    """Issue 13 audit: a VME row (gebouw_id, no address) written by `wijkreno register list
    renovations -o` and read back by the stage counts for every unit of the building; read as a
    number its gebouw_id became '14104359.0' and the row was unmatched."""
    from wijkreno.io.spreadsheet import write_safe_csv
    from wijkreno.register import open_register

    ws = demo_copy
    twin = pd.DataFrame(ws.read("twin", "dwellings"))
    sizes = twin.groupby(twin["gebouw_id"].astype(str)).size()
    building = str(sizes[sizes > 1].index[0])
    k = _kerkstraat(ws)
    with open_register(f"sqlite:///{tmp_path / 'register.sqlite'}") as reg:
        reg.add("renovations", pd.DataFrame({
            "nis_code": ["99001", "99001"], "adres_id": [None, str(k.loc["1", "adres_id"])],
            "gebouw_id": [building, None], "measure": ["roof_insulation", "roof_insulation"],
            "completed_on": ["2023-05-01", "2023-06-01"], "fossil_free": [True, True]}),
            user="test")
        export = write_safe_csv(reg.read("renovations", "99001"), tmp_path / "renovaties.csv")
    result = run_renovated(ws, RenovatedOptions(register_export=export), force=True)
    applied = result.tables["applied"]
    assert set(applied["status"]) == {"applied"}, applied[["status", "reason"]]
    units = twin.loc[twin["gebouw_id"].astype(str) == building, "dwelling_id"].astype(str)
    assert len(applied) == len(units) + 1
    done = pd.DataFrame(ws.read("renovated", "dwellings")).set_index("dwelling_id")
    done.index = done.index.astype(str)
    assert (done.loc[list(units), "done_roof_year"] == 2023).all()
