"""Real data: simulate the Baarle-Hertog twin and check the EPC scores are plausible for Flanders.

DOMAIN.md §3: the mean EPC score of Flemish dwellings with an EPC was about 372 kWh/m² early
2023, detached houses about 496; about a third of single-family houses are label F; 5–7 % meet
label A (mostly new or renovated dwellings). The twin's dwellings are all in their original,
unrenovated archetype state, so the scores must come out at or above those averages, not below.
"""

from __future__ import annotations

import pytest

from tests.conftest import shared_data
from wijkreno.pipeline import TwinInputs, build_twin_from_files
from wijkreno.simulate.engine import simulate_dwellings, summarise_results
from wijkreno.simulate.heat_balance import load_heat_balance_params

# The bounds below are Flemish EPC statistics checked under the TABULA conventions (20 degC,
# ventilation on the volume as given, hot water per m2). Under the EPW conventions (the
# default since issue 11) the scores are about a quarter lower and fall below several of these
# bounds (Baarle: mean 296 kWh/m2, houses F 15 %, A 12 %): a finding for review (the real EPC
# uses conservative defaults for unknowns: v50 = 12 m3/(h m2), the EPW hygienic flow with its
# m-factor, default system efficiencies), not something these bounds should hide.
TABULA = load_heat_balance_params(overrides={"convention": "tabula"})


@pytest.fixture(scope="module")
def baarle():
    twin = build_twin_from_files(TwinInputs(
        buildings=shared_data("baarle_hertog_buildings", "baarle_hertog_gebouwen.gpkg"),
        nis_code="13002",
        gebouwenpark=shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"),
        boundary=shared_data("flanders_wijken_ggw7", "ggw7_wijken.gpkg"),
    ))
    results = simulate_dwellings(twin.dwellings, heat_params=TABULA)
    frame = twin.dwellings.join(results[["epc_score_kwh_per_m2", "epc_label"]])
    epb = simulate_dwellings(twin.dwellings)
    frame["epc_score_epw_kwh_per_m2"] = epb["epc_score_kwh_per_m2"]
    return frame, summarise_results(results)


def test_every_dwelling_simulated(baarle):
    frame, summary = baarle
    assert summary["n_invalid"] == 0
    assert summary["n_valid"] == len(frame) > 1000


def test_score_distribution_plausible(baarle):
    frame, summary = baarle
    assert 330 <= summary["epc_score_mean_kwh_per_m2"] <= 520
    houses = frame[frame["typology"] != "apartment_building"]
    f_share = (houses["epc_label"] == "F").mean()
    assert 0.15 <= f_share <= 0.55
    a_share = frame["epc_label"].isin(["A", "A+"]).mean()
    assert a_share <= 0.10
    by_type = frame.groupby("typology", observed=True)["epc_score_kwh_per_m2"].mean()
    assert by_type["detached"] > by_type["terraced"] > by_type["apartment_building"]
    assert 380 <= by_type["detached"] <= 600


def test_newer_dwellings_score_better(baarle):
    frame, _ = baarle
    by_period = frame.groupby("tabula_period", observed=True)["epc_score_kwh_per_m2"].median()
    assert by_period.is_monotonic_decreasing
    assert by_period["06"] < 200 < 450 < by_period["01"]


def test_epw_conventions_lower_the_scores_and_keep_the_order(baarle):
    frame, summary = baarle
    ratio = frame["epc_score_epw_kwh_per_m2"].mean() / summary["epc_score_mean_kwh_per_m2"]
    assert 0.6 <= ratio < 0.95
    by_type = frame.groupby("typology", observed=True)["epc_score_epw_kwh_per_m2"].mean()
    assert by_type["detached"] > by_type["terraced"] > by_type["apartment_building"]
