"""The workspace's look at the register (an unreachable one tried once per poll interval),
the trajectories' options a coach's rerun plans with, and the register URL computed once."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from fastapi import HTTPException

import api.auth
from api import workspace as api_ws
from api.settings import Settings
from wijkreno.pipeline import Workspace as PipelineWorkspace
from wijkreno.pipeline.stages import TrajectoryOptions, plan_kwargs

PARAMS = Path(__file__).resolve().parents[2] / "wijkreno" / "params"


def _bare_workspace(tmp_path: Path) -> api_ws.Workspace:
    return api_ws.Workspace(data_dir=tmp_path, version=0.0, buildings=gpd.GeoDataFrame(),
                            dwellings=gpd.GeoDataFrame(), results=None, steps=None, plan=None,
                            groups=None, group_members=None)


def test_an_unreachable_register_is_tried_once_per_poll_interval(tmp_path, monkeypatch):
    tries: list[str] = []

    def unreachable(settings: Settings):
        tries.append(settings.effective_register_url())
        raise HTTPException(status_code=503, detail="niet bereikbaar")

    monkeypatch.setattr(api.auth, "get_register", unreachable)
    settings = Settings(data_dir=tmp_path, register_url="postgresql://nowhere/register",
                        register_poll_s=60.0)
    ws = _bare_workspace(tmp_path)
    ws._register_rows = {"stale": None}  # read from another register before
    for _ in range(3):
        assert api_ws.refresh_register(ws, settings) is ws
    assert tries == ["postgresql://nowhere/register"]
    assert ws.register_current(settings.effective_register_url(), settings.register_poll_s)
    assert ws._register_rows == {}  # another register's rows are not served for this one
    # another register is tried at once, and this one again once the interval has passed
    assert not ws.register_current("sqlite:///other.sqlite", settings.register_poll_s)
    clock = api_ws.time.monotonic()
    monkeypatch.setattr(api_ws.time, "monotonic", lambda: clock + 61.0)
    assert not ws.register_current(settings.effective_register_url(), settings.register_poll_s)
    api_ws.refresh_register(ws, settings)
    assert len(tries) == 2


def test_a_coachs_rerun_plans_with_the_stages_options(tmp_path):
    premiums = PARAMS / "municipal" / "example_gent_2020.toml"
    options = TrajectoryOptions(objective="npv", horizon_years=20, municipal_premiums=premiums)
    pws = PipelineWorkspace(tmp_path)
    pws.write_manifest("trajectories", {"options": options.model_dump(mode="json")})
    got = api_ws._plan_options(pws)
    expected = plan_kwargs(options)
    assert set(got) == set(expected)
    assert {k: v for k, v in got.items() if k != "municipal_premiums"} == {
        k: v for k, v in expected.items() if k != "municipal_premiums"}
    assert got["municipal_premiums"] == expected["municipal_premiums"] is not None
    # a premiums file gone: the rest of the options still hold
    missing = options.model_copy(update={"municipal_premiums": tmp_path / "gone.toml"})
    pws.write_manifest("trajectories", {"options": missing.model_dump(mode="json")})
    got = api_ws._plan_options(pws)
    assert got["municipal_premiums"] is None and got["objective"] == "npv"


def test_the_default_register_url_is_resolved_once_per_folder(tmp_path, monkeypatch):
    from wijkreno import settings as settings_module

    resolved: list[Path] = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return real(self, strict=strict)

    monkeypatch.setattr(Path, "resolve", counting)
    settings = Settings(data_dir=tmp_path / "ws")
    urls = {settings.effective_register_url() for _ in range(5)}
    assert urls == {f"sqlite:///{real(tmp_path / 'ws' / 'register.sqlite')}"}
    assert len(resolved) <= 1
    assert Settings(data_dir=tmp_path / "ws").effective_register_url() in urls
    assert len(resolved) <= 1
    # another folder, another URL
    other = Settings(data_dir=tmp_path / "other").effective_register_url()
    assert "other" in other and len(resolved) <= 2
    settings_module._default_register_url.cache_clear()
