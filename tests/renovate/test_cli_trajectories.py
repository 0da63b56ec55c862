"""``wijkreno trajectories`` end to end on the demo twin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from wijkreno.cli.trajectories import trajectories

app = typer.Typer()
app.command("trajectories")(trajectories)
app.command("noop")(lambda: None)  # keeps 'trajectories' a sub-command
runner = CliRunner()


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory) -> Path:
    from tests.demo_summary import build_demo_twin
    from wijkreno.io.twin_store import write_twin

    folder = Path(tmp_path_factory.mktemp("twin"))
    twin, _ = build_demo_twin(folder)
    write_twin(folder / "twin", twin.buildings, twin.dwellings, twin.rejected, twin.quality)
    return folder / "twin"


def _street(twin_dir: Path) -> str:
    d = pd.read_parquet(twin_dir / "dwellings.parquet", columns=["street"])
    return str(d["street"].value_counts().index[0])


def test_street_run_writes_steps_and_summary(twin_dir, tmp_path):
    street = _street(twin_dir)
    out = tmp_path / "o"
    r = runner.invoke(app, ["trajectories", str(twin_dir), "--street", street, "-o", str(out)])
    assert r.exit_code == 0, r.output
    steps = pd.read_parquet(out / "trajectories.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    assert (summary["street"] == street).all()
    assert set(steps["dwelling_id"]) <= set(summary["dwelling_id"])
    assert (out / "trajectories.csv").exists() and (out / "summary.csv").exists()
    assert "halen het doel" in r.output


def test_unknown_street_exits_2_with_close_matches(twin_dir, tmp_path):
    street = _street(twin_dir)
    r = runner.invoke(app, ["trajectories", str(twin_dir), "--street", street[:-1] + "x",
                            "-o", str(tmp_path)])
    assert r.exit_code == 2
    assert street in r.output


def test_bad_target_and_missing_twin_exit_2(twin_dir, tmp_path):
    r = runner.invoke(app, ["trajectories", str(twin_dir), "--target", "B", "-o", str(tmp_path)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["trajectories", str(tmp_path / "none"), "-o", str(tmp_path)])
    assert r.exit_code == 2


def test_overrides_change_only_what_they_name(twin_dir, tmp_path):
    pytest.importorskip("wijkreno.io.overrides")
    pytest.importorskip("wijkreno.renovate.overrides")
    d = pd.read_parquet(twin_dir / "dwellings.parquet")
    street = _street(twin_dir)
    ids = d.loc[d["street"] == street, "dwelling_id"].astype(str).tolist()[:3]
    base = tmp_path / "base"
    r = runner.invoke(app, ["trajectories", str(twin_dir), "--street", street, "-o", str(base)])
    assert r.exit_code == 0, r.output
    ov = tmp_path / "ov.csv"
    pd.DataFrame({"dwelling_id": [ids[0]], "measured_epc_score_kwh_per_m2": [150.0]}).to_csv(
        ov, index=False)
    changed = tmp_path / "changed"
    r = runner.invoke(app, ["trajectories", str(twin_dir), "--street", street, "--overrides",
                            str(ov), "-o", str(changed)])
    assert r.exit_code == 0, r.output
    a = pd.read_parquet(base / "summary.parquet").set_index("dwelling_id")
    b = pd.read_parquet(changed / "summary.parquet").set_index("dwelling_id")
    assert b.loc[ids[0], "current_epc_score_kwh_per_m2"] == pytest.approx(150.0)
    others = [i for i in a.index if i != ids[0]]
    pd.testing.assert_frame_equal(a.loc[others], b.loc[others])
