"""The per-carrier accounting exists once: one kernel, its NumPy reference, both stages using it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from wijkreno.renovate import _package_kernels as package_kernels
from wijkreno.simulate import _systems_kernels as systems_kernels
from wijkreno.simulate import kernels
from wijkreno.simulate.params import default_system_params
from wijkreno.simulate.systems import carrier_accounts_reference, system_tables


@njit(cache=False)
def _accounts_with_tuples(final, factors):
    """Call the kernel as the systems stage does: factor rows as tuples (registers)."""
    out = np.empty((final.shape[0], 5))
    f = systems_kernels.factor_tuple(factors)
    for i in range(final.shape[0]):
        r = kernels.carrier_accounts(final[i, 0], final[i, 1], final[i, 2], final[i, 3],
                                     f[kernels.F_PEF], f[kernels.F_PRICE],
                                     f[kernels.F_FIXED_FEE], f[kernels.F_CO2_FLEMISH],
                                     f[kernels.F_CO2_COM])
        for j in range(5):
            out[i, j] = r[j]
    return out


@njit(cache=False)
def _accounts_with_rows(final, factors):
    """Call the kernel as the package kernels do: factor rows as array views."""
    out = np.empty((final.shape[0], 5))
    for i in range(final.shape[0]):
        r = kernels.carrier_accounts(final[i, 0], final[i, 1], final[i, 2], final[i, 3],
                                     factors[kernels.F_PEF], factors[kernels.F_PRICE],
                                     factors[kernels.F_FIXED_FEE],
                                     factors[kernels.F_CO2_FLEMISH], factors[kernels.F_CO2_COM])
        for j in range(5):
            out[i, j] = r[j]
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_kernel_equals_reference_and_both_call_styles_agree(seed: int) -> None:
    rng = np.random.default_rng(seed)
    final = rng.uniform(0.0, 30_000.0, (64, 4))
    final[rng.random((64, 4)) < 0.4] = 0.0  # carriers not in use: no fixed fee
    factors = np.ascontiguousarray(rng.uniform(0.0, 3.0, (5, 4)))
    expected = np.column_stack(carrier_accounts_reference(final, factors))
    tuples = _accounts_with_tuples(final, factors)
    rows = _accounts_with_rows(final, factors)
    np.testing.assert_array_equal(tuples, rows)
    np.testing.assert_allclose(tuples, expected, rtol=1e-14, atol=1e-9)


def test_fixed_fee_counts_only_for_carriers_in_use() -> None:
    factors = system_tables(default_system_params()).factors
    final = np.array([[1000.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    _, _, fixed, _, _ = carrier_accounts_reference(final, factors)
    assert fixed[0] == factors[kernels.F_FIXED_FEE, 0] and fixed[1] == 0.0
    np.testing.assert_array_equal(_accounts_with_rows(final, factors)[:, 2], fixed)


def test_one_accounting_for_the_engine_and_the_packages() -> None:
    """Both stages' kernels use the very same dispatcher and factor-row layout."""
    assert package_kernels.carrier_accounts is systems_kernels.carrier_accounts
    assert kernels.carrier_accounts is systems_kernels.carrier_accounts
    for name in ("F_PEF", "F_PRICE", "F_CO2_FLEMISH", "F_CO2_COM", "F_FIXED_FEE", "ELECTRICITY"):
        assert getattr(package_kernels, name) == getattr(systems_kernels, name)
