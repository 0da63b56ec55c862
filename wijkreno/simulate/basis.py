"""Which basis a money or CO2 figure is on, and the figures on that basis.

The engine's energy figures are standardised (the EPC calculation); households use less in poor
dwellings and sometimes more in efficient ones. :mod:`wijkreno.simulate.expected` adds, per
dwelling and carrier, ``expected_final_<carrier>_kwh`` (expected real use) and, where a
calibration to Fluvius' meters covers the dwelling, ``calibrated_final_<carrier>_kwh``.

Money and CO2 (bills, savings, payback, CO2 avoided, scenario and LEKP savings) use the
``auto`` basis by default: calibrated where a calibration covers the dwelling, else expected.
``standardised`` is there on request. The EPC score and label always stay standardised: they
are a certificate's figure, not a meter's.

:func:`resolve_basis` says, per dwelling, which basis ``auto`` (or a named basis) gives and
refuses a basis whose columns are missing; :func:`final_energy_on_basis`,
:func:`accounts_on_basis` give final energy, bill and CO2 on it; :func:`heating_use_ratio` is
the factor by which the standardised use of the dwelling's heating carrier becomes the basis's
(what the renovation packages scale their bills, savings and CO2 by).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate.expected import BASES, BASIS_LABELS_NL, CARRIERS, basis_column
from wijkreno.simulate.params import SystemParams
from wijkreno.simulate.systems import carrier_accounts_reference, system_tables

BASIS_CHOICES: tuple[str, ...] = ("auto", *BASES)
"""What a caller may ask for: ``auto`` (calibrated where covered, else expected) or a basis."""

MONEY_BASIS_DEFAULT = "auto"
"""Default basis of bills, savings, payback and CO2."""

BASIS_NAMES_NL: dict[str, str] = {**BASIS_LABELS_NL, "metered": "gemeten verbruik (eigen meter)"}
"""Dutch name of every basis a money figure can carry, including a household's own meter
(``metered``, the renovation packages' ``metered_*_kwh`` overrides)."""

BASIS_SHORT_NL: dict[str, str] = {
    "standardised": "EPC-berekening",
    "expected": "verwacht verbruik",
    "calibrated": "gekalibreerd",
}
"""Short Dutch names for narrow table headers and legends (the full name in a note)."""


def basis_label(basis: str) -> str:
    """Plain-Dutch name of a basis ('EPC-berekening (gestandaardiseerd)', ...)."""
    if basis not in BASIS_LABELS_NL:
        raise InputError(f"unknown basis {basis!r}; choose from {BASES}.")
    return BASIS_LABELS_NL[basis]


def labelled(header_nl: str, basis: str) -> str:
    """A header that names its basis: ``'Energiefactuur (verwacht werkelijk verbruik)'``."""
    return f"{header_nl} ({basis_label(basis)})"


def basis_summary_label(bases: np.ndarray | pd.Series) -> str:
    """One label for a set of rows: the basis they share, or the mix ('gekalibreerd op
    Fluvius-meters waar beschikbaar, anders verwacht werkelijk verbruik')."""
    order = ("standardised", "expected", "calibrated", "metered")
    seen = set(np.asarray(bases, dtype=object).tolist())
    present = [b for b in order if b in seen]
    if not present:
        return BASIS_NAMES_NL["standardised"]
    if len(present) == 1:
        return BASIS_NAMES_NL[present[0]]
    rest = ", ".join(BASIS_NAMES_NL[b] for b in reversed(present[:-1]))
    return f"{BASIS_NAMES_NL[present[-1]]} waar beschikbaar, anders {rest}"


def _has(frame: pd.DataFrame, basis: str) -> np.ndarray:
    """Rows that hold every carrier's column of ``basis`` as a finite number."""
    cols = [basis_column(c, basis) for c in CARRIERS]
    if not all(c in frame.columns for c in cols):
        return np.zeros(len(frame), dtype=bool)
    values = frame[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return np.isfinite(values).all(axis=1)


def resolve_basis(
    frame: pd.DataFrame, basis: str = MONEY_BASIS_DEFAULT, *, fallback_standardised: bool = False,
) -> np.ndarray:
    """The basis of each row's money and CO2 figures.

    Parameters
    ----------
    frame : DataFrame
        Per-dwelling results with ``final_<carrier>_kwh`` and, from
        :func:`wijkreno.simulate.expected.expected_use` and the calibration,
        ``expected_final_<carrier>_kwh`` / ``calibrated_final_<carrier>_kwh``.
    basis : {'auto', 'standardised', 'expected', 'calibrated'}
        ``auto``: calibrated where the row has calibrated columns, else expected.
    fallback_standardised : bool
        With ``auto``: rows with neither are ``standardised`` instead of an error (tables
        that were never run through the expected-use model; their ``basis`` column says so).

    Returns
    -------
    numpy.ndarray of str
        One of :data:`~wijkreno.simulate.expected.BASES` per row.

    Raises
    ------
    InputError
        An unknown basis, or one whose columns the frame lacks (for ``auto``: no expected
        columns), naming the rows and how to get the columns.
    """
    if basis not in BASIS_CHOICES:
        raise InputError(f"unknown basis {basis!r}; choose from {BASIS_CHOICES}.")
    n = len(frame)
    if basis == "standardised":
        return np.full(n, "standardised", dtype=object)
    if basis in ("expected", "calibrated"):
        ok = _has(frame, basis)
        if n and not ok.all():
            hint = ("run the expected-use model (wijkreno.simulate.expected.expected_use) on the "
                    "simulation results" if basis == "expected" else
                    "apply a calibration file that covers these areas, or ask for basis "
                    "'auto' (calibrated where covered, else expected)")
            raise InputError(
                f"basis {basis!r} asked for, but {int((~ok).sum())} of {n} dwellings have no "
                f"{basis_column('gas', basis)} (and the other carriers): {hint}; or ask for "
                "basis 'standardised' (the EPC calculation)."
            )
        return np.full(n, basis, dtype=object)
    calibrated = _has(frame, "calibrated")
    expected = _has(frame, "expected")
    missing = ~(calibrated | expected)
    if fallback_standardised:
        return np.where(calibrated, "calibrated",
                        np.where(expected, "expected", "standardised")).astype(object)
    if n and missing.any():
        raise InputError(
            f"{int(missing.sum())} of {n} dwellings have neither expected nor calibrated use "
            "(expected_final_gas_kwh, calibrated_final_gas_kwh, ...): run the expected-use model "
            "(wijkreno.simulate.expected.expected_use) on the simulation results first, or ask "
            "for basis 'standardised' (the EPC calculation)."
        )
    return np.where(calibrated, "calibrated", "expected").astype(object)


def final_energy_on_basis(
    frame: pd.DataFrame, basis: str = MONEY_BASIS_DEFAULT, *, fallback_standardised: bool = False,
) -> pd.DataFrame:
    """Final energy per carrier on the resolved basis of each row.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``: ``final_<carrier>_kwh`` per carrier (values of the row's basis;
        gas on gross calorific value on the expected and calibrated bases) and ``basis``.
    """
    used = resolve_basis(frame, basis, fallback_standardised=fallback_standardised)
    out = pd.DataFrame(index=frame.index)
    for c in CARRIERS:
        values = np.full(len(frame), np.nan)
        for b in BASES:
            sel = used == b
            if sel.any():
                col = basis_column(c, b)
                values[sel] = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)[sel]
        out[f"final_{c}_kwh"] = values
    out["basis"] = used
    return out


def _engine_convention(frame: pd.DataFrame, final: pd.DataFrame) -> np.ndarray:
    """(n, 4) basis final energy with gas taken back to the engine's convention.

    Gas on the expected and calibrated bases is gross (as metered and billed); the engine's
    ``final_gas_kwh``, prices and factors are in its own convention, so the basis's gas is
    divided by the row's ``final_gas_gross_kwh`` / ``final_gas_kwh`` (1 where absent).
    """
    matrix = np.nan_to_num(final[[f"final_{c}_kwh" for c in CARRIERS]].to_numpy(dtype=float))
    gas = CARRIERS.index("gas")
    gross = np.ones(len(frame))
    if "final_gas_gross_kwh" in frame.columns and "final_gas_kwh" in frame.columns:
        g = pd.to_numeric(frame["final_gas_gross_kwh"], errors="coerce").to_numpy(dtype=float)
        n_ = pd.to_numeric(frame["final_gas_kwh"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(g) & np.isfinite(n_) & (n_ > 0) & (g > 0)
        gross = np.where(ok, g / np.where(ok, n_, 1.0), 1.0)
    not_std = final["basis"].to_numpy() != "standardised"
    matrix[:, gas] = np.where(not_std, matrix[:, gas] / gross, matrix[:, gas])
    return matrix


def accounts_on_basis(
    frame: pd.DataFrame,
    basis: str = MONEY_BASIS_DEFAULT,
    *,
    system_params: SystemParams | None = None,
    fallback_standardised: bool = False,
) -> pd.DataFrame:
    """Energy bill and CO2 per dwelling on a basis (the engine's prices and factors).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``: ``energy_cost_eur`` [EUR yr⁻¹] (variable part at the engine's
        prices plus the fixed fee of every carrier in use), ``co2_flemish_kg_co2``,
        ``co2_com_kg_co2`` [kg yr⁻¹], ``final_energy_kwh`` [kWh yr⁻¹, gas in the engine's
        convention] and ``basis``. Gas of the expected and calibrated bases (gross calorific
        value) is taken back to the engine's convention with the row's
        ``final_gas_gross_kwh`` / ``final_gas_kwh`` before the engine's prices and factors
        apply, so that the standardised basis reproduces the engine's bill and CO2.
    """
    final = final_energy_on_basis(frame, basis, fallback_standardised=fallback_standardised)
    matrix = _engine_convention(frame, final)
    t = system_tables(system_params)
    _, variable, fixed, co2_fl, co2_com = carrier_accounts_reference(matrix, t.factors)
    return pd.DataFrame({
        "energy_cost_eur": variable + fixed,
        "co2_flemish_kg_co2": co2_fl,
        "co2_com_kg_co2": co2_com,
        "final_energy_kwh": matrix.sum(axis=1),
        "basis": final["basis"].to_numpy(),
    }, index=frame.index)


def heating_use_ratio(
    frame: pd.DataFrame,
    carrier: np.ndarray,
    basis: str = MONEY_BASIS_DEFAULT,
    *,
    standardised_kwh: np.ndarray | None = None,
    fallback_standardised: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Factor from standardised to basis use of each dwelling's heating carrier.

    For gas, oil and wood the ratio is the basis's final energy of that carrier over the
    standardised one, both in the engine's convention (the basis's gross gas is taken back with
    ``final_gas_gross_kwh``), so that the ratio is the prebound (or calibrated) factor alone and
    the engine's prices apply as in its own bill. Electricity on those bases also feeds
    appliances and lighting and is net of PV used behind the meter; these are taken out
    (``appliances_lighting_kwh``, ``pv_self_consumed_kwh``) before the ratio.

    Parameters
    ----------
    frame : DataFrame
        As for :func:`resolve_basis`.
    carrier : (n,) int array
        Position in :data:`~wijkreno.simulate.expected.CARRIERS` of each dwelling's heating
        carrier (-1 unknown: ratio 1).
    basis : str
        As for :func:`resolve_basis`.
    standardised_kwh : (n, 4) array, optional
        Standardised final energy per carrier; the frame's ``final_<carrier>_kwh`` when None.
    fallback_standardised : bool
        As for :func:`resolve_basis`.

    Returns
    -------
    ratio : numpy.ndarray
        >= 0; 1 on the standardised basis or where the standardised use is 0.
    used : numpy.ndarray of str
        The basis of each row.
    """
    used = resolve_basis(frame, basis, fallback_standardised=fallback_standardised)
    n = len(frame)
    carrier = np.asarray(carrier, dtype=np.int64)
    if carrier.shape != (n,):
        raise InputError(f"carrier has shape {carrier.shape}, expected ({n},)")
    if (used == "standardised").all():
        return np.ones(n), used
    if standardised_kwh is None:
        missing = [f"final_{c}_kwh" for c in CARRIERS if f"final_{c}_kwh" not in frame.columns]
        if missing:
            raise InputError(f"the results lack {missing}: give the engine's results.")
        standardised_kwh = frame[[f"final_{c}_kwh" for c in CARRIERS]].to_numpy(dtype=float)
    basis_kwh = final_energy_on_basis(frame, basis, fallback_standardised=fallback_standardised)
    basis_kwh_m = _engine_convention(frame, basis_kwh)
    elec = CARRIERS.index("electricity")
    extra = np.zeros(n)
    for col, sign in (("appliances_lighting_kwh", -1.0), ("pv_self_consumed_kwh", 1.0)):
        if col in frame.columns:
            extra += sign * np.nan_to_num(pd.to_numeric(frame[col], errors="coerce")
                                          .to_numpy(dtype=float))
    basis_kwh_m[:, elec] = np.where(used == "standardised", basis_kwh_m[:, elec],
                                    np.clip(basis_kwh_m[:, elec] + extra, 0.0, None))
    rows = np.arange(n)
    c = np.clip(carrier, 0, len(CARRIERS) - 1)
    std = standardised_kwh[rows, c]
    num = basis_kwh_m[rows, c]
    ok = (carrier >= 0) & np.isfinite(std) & (std > 0) & np.isfinite(num)
    ratio = np.where(ok, np.clip(num, 0.0, None) / np.where(ok, std, 1.0), 1.0)
    return ratio, used


BASIS_INPUT_COLUMNS: tuple[str, ...] = (
    *(f"final_{c}_kwh" for c in CARRIERS),
    *(f"expected_final_{c}_kwh" for c in CARRIERS),
    *(f"calibrated_final_{c}_kwh" for c in CARRIERS),
    "final_gas_gross_kwh", "appliances_lighting_kwh", "pv_self_consumed_kwh",
)
"""Result columns the money basis reads (those present are attached to the dwellings)."""


def attach_basis_columns(
    dwellings: pd.DataFrame, results: pd.DataFrame, *, key: str = "dwelling_id"
) -> pd.DataFrame:
    """The dwellings with the simulation's basis columns, for the renovation planning.

    Parameters
    ----------
    dwellings : DataFrame
        The twin's dwellings (what the packages and trajectories plan).
    results : DataFrame
        Simulation results with :data:`BASIS_INPUT_COLUMNS` (those present), joined on ``key``
        (both frames must have it) or, without it, on the index.

    Returns
    -------
    DataFrame
        A copy of ``dwellings`` (index kept) with the columns added; dwellings without a
        result get NaN (their money basis then falls back to standardised under ``auto``).
    """
    cols = [c for c in BASIS_INPUT_COLUMNS if c in results.columns]
    out = dwellings.drop(columns=[c for c in cols if c in dwellings.columns])
    if key in dwellings.columns and key in results.columns:
        table = results.drop_duplicates(key).set_index(key)[cols]
        joined = table.reindex(dwellings[key].to_numpy())
        for c in cols:
            out[c] = joined[c].to_numpy()
    else:
        for c in cols:
            out[c] = results[c].reindex(dwellings.index).to_numpy()
    return out


__all__ = [
    "BASIS_INPUT_COLUMNS",
    "attach_basis_columns",
    "BASIS_CHOICES",
    "BASIS_NAMES_NL",
    "BASIS_SHORT_NL",
    "MONEY_BASIS_DEFAULT",
    "accounts_on_basis",
    "basis_label",
    "basis_summary_label",
    "final_energy_on_basis",
    "heating_use_ratio",
    "labelled",
    "resolve_basis",
]
