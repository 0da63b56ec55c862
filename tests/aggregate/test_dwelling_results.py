"""The per-dwelling results table joins twin, simulation, plan and groups one-to-one."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.twin.fixtures import street, street_addresses
from wijkreno.aggregate.dwelling_results import assemble_dwelling_results
from wijkreno.errors import InputError
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.twin.build import build_twin


@pytest.fixture(scope="module")
def twin_and_results():
    twin = build_twin(street(), nis_code="13002", addresses=street_addresses(), seed=1)
    return twin.dwellings, simulate_dwellings(twin.dwellings)


def test_join_keeps_order_and_fills_missing_with_nan(twin_and_results):
    dwellings, results = twin_and_results
    plan = pd.DataFrame({"dwelling_id": dwellings["dwelling_id"].iloc[:3],
                         "net_cost_eur": [1.0, 2.0, 3.0], "reached": [True, False, True]})
    groups = pd.DataFrame({"dwelling_id": dwellings["dwelling_id"], "group_id": "g1",
                           "group_kind": "block", "group_size": len(dwellings)})
    table = assemble_dwelling_results(dwellings, results.sample(frac=1, random_state=0), plan,
                                      groups)
    assert list(table["dwelling_id"]) == list(dwellings["dwelling_id"])
    pd.testing.assert_series_equal(
        table["epc_score_kwh_per_m2"].reset_index(drop=True),
        results["epc_score_kwh_per_m2"].reset_index(drop=True), check_names=False)
    assert table["plan_net_cost_eur"].iloc[:3].tolist() == [1.0, 2.0, 3.0]
    assert table["plan_net_cost_eur"].iloc[3:].isna().all()
    assert (table["group_id"] == "g1").all()
    assert table.crs.to_epsg() == 31370


def test_bad_joins_are_refused(twin_and_results):
    dwellings, results = twin_and_results
    with pytest.raises(InputError, match="duplicate dwelling_id"):
        assemble_dwelling_results(dwellings, pd.concat([results, results.iloc[:1]]))
    with pytest.raises(InputError, match="lacks"):
        assemble_dwelling_results(dwellings.drop(columns="sector_code"), results)
    with pytest.raises(InputError, match="no dwelling_id"):
        assemble_dwelling_results(dwellings, results.drop(columns="dwelling_id"))
