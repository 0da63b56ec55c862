"""kill -9 in the middle of a write (issue 14): a register import killed inside its transaction
stores nothing, on SQLite and PostgreSQL; `wijkreno simulate` killed while writing its results
leaves the previous results file whole; a rerun completes in both cases.

Each child process is stopped at a known point (a patched writer writes a marker file and
waits) and killed with SIGKILL there, so the test does not depend on timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.twin.fixtures import street, street_addresses
from wijkreno.cli import app
from wijkreno.register import REGISTER_KINDS, open_register
from wijkreno.register.upload import import_file

ROOT = Path(__file__).resolve().parents[1]


def _run_until_marker(code: str, marker: Path, timeout_s: float = 240) -> subprocess.Popen:
    """Start ``code`` in a child Python; return it once it wrote ``marker``."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the child ended early: {proc.stdout.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the child never reached the kill point")
        time.sleep(0.05)
    return proc


def _kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def test_register_import_killed_mid_transaction_stores_nothing(register_url, tmp_path):
    dwellings = pd.DataFrame({"dwelling_id": [f"A{i}" for i in range(40)],
                              "adres_id": [f"A{i}" for i in range(40)], "nis_code": "99001"})
    dwellings.to_parquet(tmp_path / "dwellings.parquet")
    rows = ["adres_id;maatregel;datum_uitvoering"] + [f"A{i};dakisolatie;2023-05-01"
                                                      for i in range(40)]
    upload = tmp_path / "reno.csv"
    upload.write_text("\n".join(rows) + "\n")
    with open_register(register_url):
        pass
    marker = tmp_path / "inserted"
    proc = _run_until_marker(f"""
        import time
        import pandas as pd
        from pathlib import Path
        from wijkreno.register import open_register
        from wijkreno.register.store import Register
        from wijkreno.register.upload import import_file

        real = Register._insert

        def insert_then_stall(self, conn, kind, records, **kw):
            ids = real(self, conn, kind, records, **kw)   # rows and audit written, not committed
            Path({str(marker)!r}).write_text(str(len(ids)))
            time.sleep(300)

        Register._insert = insert_then_stall
        reg = open_register({register_url!r})
        import_file(reg, {str(upload)!r}, "renovations", nis_code="99001",
                    dwellings=pd.read_parquet({str(tmp_path / "dwellings.parquet")!r}), user="k")
        """, marker)
    assert marker.read_text() == "40"
    _kill9(proc)
    with open_register(register_url) as reg:
        assert all(reg.read(kind).empty for kind in REGISTER_KINDS)
        assert reg.uploads().empty and reg.audit().empty  # nothing half-written
        result = import_file(reg, upload, "renovations", nis_code="99001", dwellings=dwellings,
                             user="k")  # the rerun completes, not "already imported"
        assert (result.n_accepted, result.already_imported) == (40, False)
        assert len(reg.renovations()) == 40 and len(reg.uploads()) == 1


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fault")
    street().to_file(folder / "gebouwen.gpkg")
    street_addresses().to_file(folder / "adressen.gpkg")
    out = folder / "twin"
    result = CliRunner().invoke(app, ["twin", "build", str(folder / "gebouwen.gpkg"), "--nis",
                                      "13002", "--addresses", str(folder / "adressen.gpkg"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_simulate_killed_while_writing_keeps_the_old_results(twin_dir, tmp_path):
    out = tmp_path / "simulate"
    assert CliRunner().invoke(app, ["simulate", str(twin_dir), "-o", str(out)]).exit_code == 0
    before = (out / "results.parquet").read_bytes()
    marker = tmp_path / "half-written"
    proc = _run_until_marker(f"""
        import os, sys, time
        from pathlib import Path
        import geopandas as gpd

        real = gpd.GeoDataFrame.to_parquet

        def half_then_stall(self, path, *args, **kwargs):
            real(self, path, *args, **kwargs)
            with open(path, "r+b") as fh:               # leave half a file, as a crash would
                fh.truncate(os.path.getsize(path) // 2)
            Path({str(marker)!r}).write_text(str(path))
            time.sleep(300)

        gpd.GeoDataFrame.to_parquet = half_then_stall
        from wijkreno.cli import main
        sys.argv = ["wijkreno", "simulate", {str(twin_dir)!r}, "-o", {str(out)!r}, "--force"]
        main()
        """, marker)
    half = Path(marker.read_text())
    assert half.parent == out and half.name != "results.parquet"  # written beside, not over
    _kill9(proc)
    assert (out / "results.parquet").read_bytes() == before  # the old file, whole
    assert len(gpd.read_parquet(out / "results.parquet")) > 0
    result = CliRunner().invoke(app, ["simulate", str(twin_dir), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output  # the rerun completes
    assert len(gpd.read_parquet(out / "results.parquet")) == len(
        gpd.read_parquet(twin_dir / "dwellings.parquet"))
    assert not list(out.glob(".*.tmp"))  # the killed run's temporary file is cleaned up
