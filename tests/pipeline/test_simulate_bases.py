"""run_simulate adds the expected basis, and the calibrated one from a calibration file."""

from __future__ import annotations

import pytest

from wijkreno.errors import InputError
from wijkreno.pipeline import SimulateOptions, run_simulate


def test_simulate_writes_the_expected_basis(demo_copy):
    results = run_simulate(demo_copy, force=True).tables["results"]
    assert "expected_final_gas_kwh" in results.columns
    assert (results["expected_final_gas_kwh"].dropna() >= 0).all()
    assert not any(c.startswith("calibrated_") for c in results.columns)


def test_a_missing_calibration_file_is_bad_input(demo_copy, tmp_path):
    with pytest.raises(InputError, match="calibration"):
        run_simulate(demo_copy, SimulateOptions(calibration=tmp_path / "none.json"))


def test_simulate_adds_the_calibrated_basis_from_a_calibration_file(demo_copy, tmp_path):
    from tests.aggregate.test_calibration import _rows, _split
    from wijkreno.aggregate.calibration import fit_calibration
    from wijkreno.io.fluvius import write_calibration

    train, held = _split()
    cal = fit_calibration(_rows(), train, held, min_connections=1, years=[2021])
    path = write_calibration({"carriers": {"gas": cal.to_dict()}}, tmp_path / "cal.json")
    result = run_simulate(demo_copy, SimulateOptions(calibration=path))
    assert result.manifest["overrides"]["calibration"]["path"] == str(path)
    results = result.tables["results"]
    assert "calibrated_final_gas_kwh" in results.columns
    assert results["calibrated_final_gas_kwh"].notna().any()
    assert (results["calibrated_final_gas_kwh"].dropna() >= 0).all()
