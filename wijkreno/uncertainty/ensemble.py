"""Monte Carlo ensembles over the imputed inputs of the twin's dwellings.

Almost no Flemish dwelling has a recent EPC: the twin imputes construction period, insulation
state and heating system and flags them ``imputed``. :func:`simulate_ensemble` draws those
unknowns ``n_draws`` times per dwelling (observed and derived inputs stay fixed), runs every
draw through the fused energy engine (:func:`wijkreno.simulate.engine.simulate_arrays`) and
returns p10/p50/p90 per dwelling and the probability of each EPC label.
:func:`aggregate_ensemble` sums the draws per area *within each draw* and takes quantiles of
those totals (the p90 of a sector is not the sum of its dwellings' p90s).

What is drawn and with which probabilities is documented in ``wijkreno/params/uncertainty.toml``
(loaded by :func:`load_uncertainty_params`); the heating-system shares are those the twin
draws from (``twin.toml [heating_system_shares]``) and the period distribution is Statbel's
(``twin.toml [flanders_period_counts]`` or a municipality's table).

Reproducibility: the draws of a dwelling depend only on ``seed``, ``n_draws`` and the
dwelling's row position, not on how the rows are chunked (a counter-based Philox generator is
advanced to each chunk's first row).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.uncertainty import (
    UncertaintyParams,
    load_uncertainty_params,
)
from wijkreno.simulate.engine import simulate_arrays
from wijkreno.simulate.heat_balance import (
    INPUT_COLUMNS,
    REQUIRED_COLUMNS,
    HeatBalanceParams,
    load_heat_balance_params,
    pack_inputs,
    with_capacity,
)
from wijkreno.simulate.params import SystemParams, default_system_params
from wijkreno.twin.imputation import TABULA_PERIOD_BOUNDS, TYPOLOGY_TO_STATBEL, tabula_period
from wijkreno.twin.params import TwinParams, load_archetypes, load_twin_params
from wijkreno.twin.schema import HEATING_SYSTEMS, STATBEL_PERIODS
from wijkreno.uncertainty import _kernels as _uk

if TYPE_CHECKING:
    from wijkreno.simulate.climate import MonthlyClimate

log = logging.getLogger(__name__)

TABULA_PERIODS: tuple[str, ...] = tuple(code for code, _ in TABULA_PERIOD_BOUNDS)
N_PERIODS = len(TABULA_PERIODS)

QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)
QUANTILE_SUFFIXES: tuple[str, ...] = ("p10", "p50", "p90")

METRICS: tuple[str, ...] = (
    "epc_score_kwh_per_m2",
    "co2_flemish_kg_co2",
    "co2_com_kg_co2",
    "energy_cost_eur",
    "final_energy_kwh",
)
"""Per-draw results kept per dwelling; ``final_energy_kwh`` is the sum of the four carriers
(gas, oil, electricity incl. auxiliaries, wood) [kWh]."""

TOTAL_METRICS: tuple[str, ...] = METRICS[1:]
"""Metrics :func:`aggregate_ensemble` totals per area (the EPC score is averaged instead)."""

SOURCE_COLUMNS: dict[str, str] = {
    "construction_year": "construction_year_source",
    "roof": "u_roof_w_per_m2k_source",
    "wall": "u_wall_w_per_m2k_source",
    "floor": "u_floor_w_per_m2k_source",
    "glazing": "u_window_w_per_m2k_source",
    "infiltration": "infiltration_ach_source",
    "heating_system": "heating_system_source",
}
"""Which ``*_source`` flag, when ``imputed``, makes which input uncertain."""

# Uniform numbers per dwelling and draw: period, roof, wall, floor, glazing, heating system,
# two spare. A multiple of 4 so that a chunk starts on a Philox block boundary.
_N_UNIFORMS = 8
_U_PERIOD, _U_ROOF, _U_WALL, _U_FLOOR, _U_GLAZING, _U_HEATING = range(6)

_COL: dict[str, int] = {name: j for j, name in enumerate(INPUT_COLUMNS)}
"""Column of each input in the matrix of :func:`wijkreno.simulate.heat_balance.pack_inputs`."""

_ARCHETYPE_FIELDS: tuple[str, ...] = (
    "u_roof_w_per_m2k",
    "u_wall_w_per_m2k",
    "u_floor_w_per_m2k",
    "u_window_w_per_m2k",
    "u_party_wall_w_per_m2k",
    "g_window_frac",
    "thermal_bridge_w_per_m2k",
    "infiltration_ach",
    "cellar_frac",
)


# ---------------------------------------------------------------------------------------------
# distributions


def tabula_period_shares(period_counts: pd.DataFrame) -> pd.DataFrame:
    """Statbel building counts per period class, re-binned to TABULA periods.

    Each Statbel class is spread evenly over its years (as the twin draws years uniformly
    within a class) and every year falls in one TABULA period.

    Parameters
    ----------
    period_counts : DataFrame
        Index Statbel types (``R1`` …), columns Statbel periods ``T3.1`` … ``T3.7.4``.

    Returns
    -------
    DataFrame
        Index as the input, columns ``01`` … ``06``; each row sums to 1 (even shares for a row
        without buildings).
    """
    bounds = np.array([b for _, b in TABULA_PERIOD_BOUNDS])
    split = np.zeros((len(STATBEL_PERIODS), N_PERIODS))
    for i, (lo, hi) in enumerate(STATBEL_PERIODS.values()):
        years = np.arange(lo, hi + 1)
        idx = np.clip(np.searchsorted(bounds, years, side="left"), 0, N_PERIODS - 1)
        split[i] = np.bincount(idx, minlength=N_PERIODS) / len(years)
    counts = period_counts.reindex(columns=list(STATBEL_PERIODS)).fillna(0.0)
    tab = counts.to_numpy(dtype=np.float64) @ split
    total = tab.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, tab / np.where(total > 0, total, 1.0), 1.0 / N_PERIODS)
    return pd.DataFrame(shares, index=counts.index, columns=list(TABULA_PERIODS))


def period_probabilities(
    prior: np.ndarray, period: np.ndarray, imputed: np.ndarray, window: int
) -> np.ndarray:
    """Probability of each TABULA period per dwelling.

    Parameters
    ----------
    prior : (n, 6) array
        The typology's period distribution per dwelling (rows sum to 1).
    period : (n,) int array
        The twin's period (0 … 5), -1 when the dwelling has none.
    imputed : (n,) bool array
        Whether the period is imputed (drawn) rather than observed (fixed).
    window : int
        Periods within this distance of the twin's period may be drawn.

    Returns
    -------
    (n, 6) array
        Rows sum to 1: one-hot for an observed period, the prior restricted to the window and
        renormalised for an imputed one, the whole prior for a missing one.
    """
    n = len(period)
    cols = np.arange(N_PERIODS)
    known = period >= 0
    near = np.abs(cols[None, :] - period[:, None]) <= window
    probs = np.where(known[:, None] & imputed[:, None], prior * near, prior)
    fixed = known & ~imputed
    probs[fixed] = 0.0
    probs[fixed, period[fixed]] = 1.0
    total = probs.sum(axis=1, keepdims=True)
    # The window holds no building of the typology: keep the twin's period.
    empty = total[:, 0] <= 0
    probs[empty] = 0.0
    probs[empty & known, period[empty & known]] = 1.0
    probs[empty & ~known] = 1.0 / N_PERIODS
    total = probs.sum(axis=1, keepdims=True)
    return probs / total if n else probs


def _heating_cumulative(params: TwinParams) -> tuple[np.ndarray, np.ndarray]:
    """(6, k) cumulative shares of the twin's heating systems per period and their codes."""
    shares = params.heating_system_shares
    codes = np.array([HEATING_SYSTEMS.index(s) for s in shares.systems], dtype=np.int64)
    table = np.array([shares.shares(p) for p in TABULA_PERIODS], dtype=np.float64)
    cum = np.cumsum(table, axis=1)
    return cum / cum[:, -1:], codes


# ---------------------------------------------------------------------------------------------
# per-dwelling preparation


@dataclass(frozen=True)
class _Prepared:
    x: np.ndarray  # (n, 24) packed inputs (the twin's values)
    heating_code: np.ndarray  # (n,) int64
    dhw_code: np.ndarray | None
    emitter: np.ndarray | None
    solar: np.ndarray  # (n,)
    multi: np.ndarray  # (n,) bool
    typ: np.ndarray  # (n,) archetype row index, -1 unknown
    period_cum: np.ndarray  # (n, 6) cumulative period probabilities
    imputed: dict[str, np.ndarray]  # SOURCE_COLUMNS key -> (n,) bool
    arch: dict[str, np.ndarray]  # field -> (n_typ, 6)


def _is_imputed(dwellings: pd.DataFrame, column: str) -> np.ndarray:
    if column not in dwellings.columns:
        return np.zeros(len(dwellings), dtype=bool)
    return (dwellings[column].astype("string") == "imputed").fillna(False).to_numpy(dtype=bool)


def _prepare(
    dwellings: pd.DataFrame,
    archetypes: pd.DataFrame,
    prior_by_typology: pd.DataFrame,
    params: UncertaintyParams,
    heat_params: HeatBalanceParams,
    system_params: SystemParams,
) -> _Prepared:
    n = len(dwellings)
    x = pack_inputs(with_capacity(dwellings, heat_params), heat_params)
    heating_code = (
        dwellings["heating_system"].astype("object")
        .map({s: i for i, s in enumerate(HEATING_SYSTEMS)}).fillna(-1).to_numpy(dtype=np.int64)
    )
    dhw_code = None
    if "dhw_system" in dwellings.columns:
        col = dwellings["dhw_system"]
        names = system_params.dhw_system_names
        dhw_code = col.astype("object").map({s: i for i, s in enumerate(names)}).fillna(-1)
        dhw_code = dhw_code.to_numpy(dtype=np.int64)
        dhw_code = np.where((dhw_code == -1) & col.notna().to_numpy(), -2, dhw_code)
    emitter = None
    if "emitter_temperature_degc" in dwellings.columns:
        emitter = dwellings["emitter_temperature_degc"].to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)
    if "dhw_solar_frac" in dwellings.columns:
        solar = dwellings["dhw_solar_frac"].to_numpy(dtype=np.float64, na_value=0.0)
    elif "solar_water_heater" in dwellings.columns:
        has = dwellings["solar_water_heater"].fillna(False).to_numpy(dtype=bool)
        solar = np.where(has, system_params.settings.solar_water_heater_frac.value, 0.0)
    else:
        solar = np.zeros(n)
    typology = (
        dwellings["typology"].astype("string").fillna("").to_numpy(dtype=object)
        if "typology" in dwellings.columns else np.full(n, "", dtype=object)
    )
    multi = typology == "apartment_building"

    typologies = sorted(set(archetypes["typology"].astype(str)))
    arche = archetypes.assign(typology=archetypes["typology"].astype(str)).set_index(
        ["typology", "tabula_period"]
    )
    full = pd.MultiIndex.from_product([typologies, list(TABULA_PERIODS)])
    missing = full[~full.isin(arche.index)]
    if len(missing):
        raise InputError(
            f"the archetype table lacks {list(missing)[:5]}; it must cover every TABULA period "
            "of each typology it lists."
        )
    arch = {
        f: arche.loc[full, f].to_numpy(dtype=np.float64).reshape(len(typologies), N_PERIODS)
        for f in _ARCHETYPE_FIELDS
    }
    typ = pd.Series(typology).map({t: i for i, t in enumerate(typologies)}).fillna(-1)
    typ = typ.to_numpy(dtype=np.int64)

    if "tabula_period" in dwellings.columns:
        per = dwellings["tabula_period"].astype("string")
        period = per.map({p: i for i, p in enumerate(TABULA_PERIODS)}).astype("Float64")
        period = period.fillna(-1).to_numpy(dtype=np.int64)
    elif "construction_year" in dwellings.columns:
        years = pd.to_numeric(dwellings["construction_year"], errors="coerce")
        codes = tabula_period(years.astype(float)).to_numpy(dtype=object)
        period = np.array([TABULA_PERIODS.index(c) for c in codes], dtype=np.int64)
        period[years.isna().to_numpy()] = -1
    else:
        period = np.full(n, -1, dtype=np.int64)
    imputed = {key: _is_imputed(dwellings, col) for key, col in SOURCE_COLUMNS.items()}
    has_year = (
        dwellings["construction_year"].notna().to_numpy()
        if "construction_year" in dwellings.columns else np.zeros(n, dtype=bool)
    )
    # No construction year at all (e.g. the Genk table): the period is unknown, hence drawn.
    imputed["construction_year"] = imputed["construction_year"] | ~has_year | (period < 0)

    stat = pd.Series(typology).map(TYPOLOGY_TO_STATBEL)
    prior = prior_by_typology.reindex(stat.to_numpy()).to_numpy(dtype=np.float64)
    prior = np.where(np.isnan(prior), 1.0 / N_PERIODS, prior)
    probs = period_probabilities(
        prior, period, imputed["construction_year"],
        int(params.construction_period.window.value),
    )
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    return _Prepared(
        x=x, heating_code=heating_code, dhw_code=dhw_code, emitter=emitter,
        solar=np.ascontiguousarray(solar, dtype=np.float64), multi=multi, typ=typ,
        period_cum=np.ascontiguousarray(cum), imputed=imputed, arch=arch,
    )


# ---------------------------------------------------------------------------------------------
# drawing one chunk


def _draw_chunk(
    prep: _Prepared,
    a: int,
    b: int,
    n_draws: int,
    u: np.ndarray,
    params: UncertaintyParams,
    heating_cum: np.ndarray,
    heating_codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Packed inputs (m·n_draws, 24) and heating codes of dwellings a:b, dwelling-major."""
    m = b - a
    x = np.repeat(prep.x[a:b], n_draws, axis=0).reshape(m, n_draws, -1)
    period = (u[:, :, _U_PERIOD, None] >= prep.period_cum[a:b, None, :-1]).sum(axis=2)
    typ = prep.typ[a:b, None]
    known = typ >= 0
    t_safe = np.where(known, typ, 0)

    def archetype(field: str) -> np.ndarray:
        return prep.arch[field][t_safe, period]  # (m, D)

    imp = {k: v[a:b, None] for k, v in prep.imputed.items()}

    def column(field: str) -> np.ndarray:
        return x[:, :, _COL[field]]

    def put(field: str, values: np.ndarray) -> None:
        x[:, :, _COL[field]] = values

    year = imp["construction_year"] & known
    # Archetype-bound inputs without their own flag follow the drawn period.
    for field in ("u_party_wall_w_per_m2k", "thermal_bridge_w_per_m2k", "cellar_frac"):
        put(field, np.where(year, archetype(field), column(field)))
    ins = params.insulation
    for element, iu in (("roof", _U_ROOF), ("wall", _U_WALL), ("floor", _U_FLOOR)):
        field = f"u_{element}_w_per_m2k"
        rule = getattr(ins, element)
        flag = imp[element]
        as_built = np.where(flag & known, archetype(field), column(field))
        renovated = flag & (u[:, :, iu] < rule.renovated_frac.as_array()[period])
        r = rule.r_added_m2k_per_w.value
        put(field, np.where(renovated, 1.0 / (1.0 / as_built + r), as_built))
    g = ins.glazing
    flag = imp["glazing"]
    u_win = np.where(flag & known, archetype("u_window_w_per_m2k"), column("u_window_w_per_m2k"))
    g_win = np.where(flag & known, archetype("g_window_frac"), column("g_window_frac"))
    replaced = (flag & (u[:, :, _U_GLAZING] < g.renovated_frac.as_array()[period])
                & (u_win > g.u_after_w_per_m2k.value))
    put("u_window_w_per_m2k", np.where(replaced, g.u_after_w_per_m2k.value, u_win))
    put("g_window_frac", np.where(replaced, g.g_after_frac.value, g_win))
    put("infiltration_ach", np.where(imp["infiltration"] & known, archetype("infiltration_ach"),
                                     column("infiltration_ach")))
    drawn = (u[:, :, _U_HEATING, None] >= heating_cum[period][:, :, :-1]).sum(axis=2)
    h_code = np.where(imp["heating_system"], heating_codes[drawn], prep.heating_code[a:b, None])
    return x.reshape(m * n_draws, -1), np.ascontiguousarray(h_code.ravel(), dtype=np.int64)


def _draw_chunk_kernel(
    prep: _Prepared,
    a: int,
    b: int,
    n_draws: int,
    u: np.ndarray,
    params: UncertaintyParams,
    heating_cum: np.ndarray,
    heating_codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Same as :func:`_draw_chunk` (the NumPy reference), in one numba pass."""
    m = b - a
    ins = params.insulation
    flags = np.ascontiguousarray(
        np.column_stack([prep.imputed[k][a:b] for k in SOURCE_COLUMNS]), dtype=np.bool_
    ).reshape(m, len(SOURCE_COLUMNS))
    arch = np.ascontiguousarray(np.stack([prep.arch[f] for f in _ARCHETYPE_FIELDS], axis=2))
    ren = np.stack([getattr(ins, e).renovated_frac.as_array()
                    for e in ("roof", "wall", "floor", "glazing")])
    r_add = np.array([getattr(ins, e).r_added_m2k_per_w.value for e in ("roof", "wall", "floor")])
    glz = np.array([ins.glazing.u_after_w_per_m2k.value, ins.glazing.g_after_frac.value])
    cols = np.array([_COL[f] for f in _ARCHETYPE_FIELDS], dtype=np.int64)
    x_out = np.empty((m * n_draws, prep.x.shape[1]), dtype=np.float64)
    h_out = np.empty(m * n_draws, dtype=np.int64)
    _uk.draw_inputs(
        np.ascontiguousarray(prep.x[a:b]), np.ascontiguousarray(prep.heating_code[a:b]),
        np.ascontiguousarray(prep.period_cum[a:b]), np.ascontiguousarray(prep.typ[a:b]),
        flags, arch, np.ascontiguousarray(ren), r_add, glz, np.ascontiguousarray(heating_cum),
        np.ascontiguousarray(heating_codes, dtype=np.int64), np.ascontiguousarray(u), cols,
        x_out, h_out,
    )
    return x_out, h_out


# ---------------------------------------------------------------------------------------------
# public API


@dataclass(frozen=True)
class EnsembleDraws:
    """Per-dwelling results of every draw (what :func:`aggregate_ensemble` sums).

    Attributes
    ----------
    index : pandas.Index
        The dwellings' index, in row order.
    values : dict of str to (n, n_draws) float64 array
        One array per name of :data:`METRICS`; NaN where the engine rejected the dwelling.
    label_code : (n, n_draws) int8 array
        Position of the draw's EPC label in ``labels`` (-1 invalid).
    labels : tuple of str
        EPC labels, best first (``A+`` … ``F``).
    n_draws, seed : int
    """

    index: pd.Index
    values: dict[str, np.ndarray]
    label_code: np.ndarray
    labels: tuple[str, ...]
    n_draws: int
    seed: int


def label_column(label: str) -> str:
    """Column name of a label's probability: ``p_label_A``, ``p_label_A_plus`` for A+."""
    return "p_label_" + label.replace("+", "_plus")


def _check_dwellings(dwellings: pd.DataFrame) -> None:
    missing = [c for c in (*REQUIRED_COLUMNS, "heating_system") if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"the dwellings table lacks the columns {missing} the energy engine needs; build it "
            "with wijkreno.twin.build_twin (or wijkreno.io.genk.read_genk_teaser) or add them."
        )


def simulate_ensemble(
    dwellings: pd.DataFrame,
    *,
    n_draws: int = 100,
    seed: int = 0,
    params: UncertaintyParams | None = None,
    twin_params: TwinParams | None = None,
    archetypes: pd.DataFrame | None = None,
    period_counts: pd.DataFrame | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    chunk_rows: int = 1_000_000,
    return_draws: bool = False,
    parallel: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, EnsembleDraws]:
    """Monte Carlo ensemble over the imputed inputs of every dwelling.

    For a dwelling whose ``construction_year_source``, ``u_*_w_per_m2k_source``,
    ``infiltration_ach_source`` or ``heating_system_source`` is ``imputed``, each draw picks a
    TABULA period (neighbouring periods, Statbel shares of the typology), the insulation state
    of each imputed element (renovated after construction or not) and the heating system; the
    draw's inputs go through the fused energy engine. Observed and derived inputs stay fixed,
    so a dwelling without imputed inputs has p10 = p50 = p90.

    Parameters
    ----------
    dwellings : pandas.DataFrame or geopandas.GeoDataFrame
        The twin's ``dwellings`` table (engine columns, ``heating_system``, ``typology``,
        ``construction_year`` or ``tabula_period``, and the ``*_source`` flags; a missing flag
        counts as not imputed).
    n_draws : int
        Draws per dwelling (≥ 1).
    seed : int
        Seed of the counter-based generator (same seed, same inputs → same result).
    params : UncertaintyParams, optional
        What is drawn; the packaged ``uncertainty.toml`` when None.
    twin_params : TwinParams, optional
        Heating-system shares and Flemish period counts; the packaged ``twin.toml`` when None.
    archetypes : DataFrame, optional
        Archetype table (typology × TABULA period); the packaged one when None.
    period_counts : DataFrame, optional
        Statbel buildings per type (index ``R1`` … ``R6``) and period (``T3.1`` …), e.g. a
        municipality's :attr:`wijkreno.twin.imputation.StockTargets.period_counts`; Flanders'
        when None.
    climate, heat_params, system_params
        As in :func:`wijkreno.simulate.engine.simulate_dwellings`.
    chunk_rows : int
        Dwelling × draw rows simulated at once (memory ≈ 300 bytes per row).
    return_draws : bool
        Also return the per-draw results (:class:`EnsembleDraws`).
    parallel : bool
        Run the engine on all numba threads.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``dwelling_id`` (when present), ``has_imputed_inputs``
        (bool: at least one input drawn), ``n_draws``, for each of :data:`METRICS`
        ``<metric>_p10``, ``_p50``, ``_p90`` (``epc_score_kwh_per_m2`` [kWh m-2],
        ``co2_flemish_kg_co2``, ``co2_com_kg_co2`` [kg CO2], ``energy_cost_eur`` [EUR],
        ``final_energy_kwh`` [kWh]), ``epc_label_p50`` (label of the median score) and the
        share of draws per EPC label ``p_label_A_plus``, ``p_label_A`` … ``p_label_F`` (sum 1;
        NaN for a dwelling the engine rejects). ``attrs`` holds ``seed``, ``n_draws`` and
        ``basis`` ("standardised"). With ``return_draws`` a tuple (frame, draws).

    Raises
    ------
    InputError
        When columns are missing or ``n_draws``/``chunk_rows`` are not positive.
    """
    _check_dwellings(dwellings)
    if int(n_draws) < 1:
        raise InputError(f"n_draws must be at least 1, got {n_draws}")
    if int(chunk_rows) < 1:
        raise InputError(f"chunk_rows must be at least 1, got {chunk_rows}")
    n_draws = int(n_draws)
    params = params or load_uncertainty_params()
    twin_params = twin_params or load_twin_params()
    archetypes = load_archetypes() if archetypes is None else archetypes
    hp = heat_params or load_heat_balance_params()
    sp = system_params or default_system_params()
    if period_counts is None:
        fp = twin_params.flanders_period_counts
        period_counts = pd.DataFrame(
            {t: getattr(fp, t) for t in ("R1", "R2", "R3", "R4", "R5", "R6")},
            index=list(STATBEL_PERIODS),
        ).T
    prior = tabula_period_shares(period_counts)
    prep = _prepare(dwellings, archetypes, prior, params, hp, sp)
    heating_cum, heating_codes = _heating_cumulative(twin_params)
    labels = tuple(sp.epc_labels.labels)
    bounds = np.asarray(sp.epc_labels.upper_bounds_kwh_per_m2, dtype=np.float64)

    n = len(dwellings)
    values = {m: np.empty((n, n_draws), dtype=np.float64) for m in METRICS}
    label_code = np.empty((n, n_draws), dtype=np.int8)
    per_chunk = max(1, int(chunk_rows) // n_draws)
    for a in range(0, n, per_chunk):
        b = min(n, a + per_chunk)
        m = b - a
        # Counter-based generator advanced to row a: draws do not depend on the chunking.
        bitgen = np.random.Philox(seed).advance(a * n_draws * _N_UNIFORMS // 4)
        u = np.random.Generator(bitgen).random((m, n_draws, _N_UNIFORMS))
        x, h_code = _draw_chunk_kernel(prep, a, b, n_draws, u, params, heating_cum,
                                       heating_codes)

        def rep(arr: np.ndarray | None, a: int = a, b: int = b) -> np.ndarray | None:
            return None if arr is None else np.repeat(arr[a:b], n_draws)

        res = simulate_arrays(
            x, h_code, dhw_code=rep(prep.dhw_code),
            emitter_temperature_degc=rep(prep.emitter), dhw_solar_frac=rep(prep.solar),
            multi_unit=rep(prep.multi), climate=climate, heat_params=hp, system_params=sp,
            parallel=parallel,
        )
        final = (res["final_gas_kwh"] + res["final_oil_kwh"] + res["final_electricity_kwh"]
                 + res["final_wood_kwh"])
        for metric in METRICS:
            arr = final if metric == "final_energy_kwh" else res[metric]
            values[metric][a:b] = arr.reshape(m, n_draws)
        score = res["epc_score_kwh_per_m2"]
        code = np.where(score < bounds[0], 0, np.searchsorted(bounds[1:], score, "left") + 1)
        label_code[a:b] = np.where(np.isnan(score), -1, code).reshape(m, n_draws)

    out = pd.DataFrame(index=dwellings.index)
    if "dwelling_id" in dwellings.columns:
        out["dwelling_id"] = dwellings["dwelling_id"].to_numpy()
    drawn = np.zeros(n, dtype=bool)
    for flag in prep.imputed.values():
        drawn |= flag
    out["has_imputed_inputs"] = drawn
    out["n_draws"] = n_draws
    for metric in METRICS:
        q = (np.quantile(values[metric], QUANTILES, axis=1) if n
             else np.empty((len(QUANTILES), 0)))
        for qs, row in zip(QUANTILE_SUFFIXES, q, strict=True):
            out[f"{metric}_{qs}"] = row
    p50 = out["epc_score_kwh_per_m2_p50"].to_numpy(dtype=np.float64)
    p50_code = np.where(p50 < bounds[0], 0, np.searchsorted(bounds[1:], p50, "left") + 1)
    out["epc_label_p50"] = pd.Categorical.from_codes(
        np.where(np.isnan(p50), -1, p50_code), categories=list(labels), ordered=True
    )
    valid = (label_code >= 0).all(axis=1)
    for k, label in enumerate(labels):
        share = (label_code == k).mean(axis=1) if n else np.empty(0)
        out[label_column(label)] = np.where(valid, share, np.nan)
    out.attrs.update({"seed": int(seed), "n_draws": n_draws, "basis": "standardised"})
    n_bad = int((~valid).sum())
    if n_bad:
        log.warning("ensemble: %d of %d dwellings rejected by the engine in some draw", n_bad, n)
    if return_draws:
        return out, EnsembleDraws(dwellings.index, values, label_code, labels, n_draws, int(seed))
    return out


def aggregate_ensemble(
    dwellings: pd.DataFrame,
    draws: EnsembleDraws,
    by: str = "sector_code",
    quantiles: Sequence[float] = QUANTILES,
) -> pd.DataFrame:
    """Quantiles per area of totals taken within each draw.

    For every area and draw the dwellings' results are summed (the EPC score averaged over the
    area's valid dwellings); the quantiles are then taken over the draws. This is the spread of
    the area's total, which is narrower than the sum of the dwellings' spreads when dwellings
    vary independently.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Holds the column ``by``; indexed like ``draws.index`` (same labels, any order).
    draws : EnsembleDraws
        From ``simulate_ensemble(..., return_draws=True)``.
    by : str
        Area column (``sector_code``, a wijk name, ``nis_code``).
    quantiles : sequence of float
        Quantiles in [0, 1]; column suffix ``p<100·q>``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the area (named ``by``): ``n_dwellings``, ``n_valid_dwellings`` (valid in
        every draw), ``n_uncertain_dwellings`` (results vary between draws), for each of
        :data:`TOTAL_METRICS` ``<metric>_p10/_p50/_p90`` (totals over the area's valid
        dwellings: [kg CO2], [EUR], [kWh]) and ``epc_score_mean_kwh_per_m2_p10/_p50/_p90``
        [kWh m-2]. Dwellings without an area are left out (logged).

    Raises
    ------
    InputError
        When ``by`` is missing or the dwellings do not match the draws.
    """
    if by not in dwellings.columns:
        raise InputError(
            f"the dwellings table has no column {by!r} to aggregate by; choose one of "
            f"{[c for c in dwellings.columns if c in ('sector_code', 'nis_code', 'neighbourhood', 'wijk')]} "  # noqa: E501
            "or add it."
        )
    q = np.asarray(list(quantiles), dtype=np.float64)
    if q.size == 0 or (q < 0).any() or (q > 1).any():
        raise InputError(f"quantiles must lie in [0, 1], got {list(quantiles)}")
    if len(dwellings) != len(draws.index) or not dwellings.index.isin(draws.index).all():
        raise InputError(
            f"the dwellings ({len(dwellings)} rows) do not match the ensemble's draws "
            f"({len(draws.index)} rows); pass the same dwellings table to simulate_ensemble "
            "and aggregate_ensemble."
        )
    if draws.index.has_duplicates:
        raise InputError("the ensemble's dwellings index has duplicates; reset it first.")
    area = dwellings[by].reindex(draws.index)
    has_area = area.notna().to_numpy()
    if not has_area.all():
        log.warning("aggregate_ensemble: %d dwellings without %s left out",
                    int((~has_area).sum()), by)
    codes, uniques = pd.factorize(area[has_area], sort=True)
    rows = np.flatnonzero(has_area)
    order = np.argsort(codes, kind="stable")
    rows, codes = rows[order], codes[order]
    k = len(uniques)
    starts = np.searchsorted(codes, np.arange(k))

    def group_sum(arr: np.ndarray) -> np.ndarray:
        if k == 0:
            return np.zeros((0,) + arr.shape[1:])
        return np.add.reduceat(arr[rows], starts, axis=0)

    valid = draws.label_code >= 0
    suffixes = [f"p{round(100 * v):02d}" for v in q]
    out = pd.DataFrame(index=pd.Index(uniques, name=by))
    out["n_dwellings"] = np.bincount(codes, minlength=k)
    out["n_valid_dwellings"] = group_sum(valid.all(axis=1).astype(np.int64))
    varies = np.zeros(len(draws.index), dtype=bool)
    for arr in draws.values.values():
        varies |= np.nanmax(arr, axis=1, initial=-np.inf) > np.nanmin(arr, axis=1, initial=np.inf)
    out["n_uncertain_dwellings"] = group_sum(varies.astype(np.int64))

    def quantile_columns(name: str, per_draw: np.ndarray) -> None:
        qs = np.quantile(per_draw, q, axis=1) if k else np.empty((len(q), 0))
        for suffix, row in zip(suffixes, qs, strict=True):
            out[f"{name}_{suffix}"] = row

    for metric in TOTAL_METRICS:
        quantile_columns(metric, group_sum(np.nan_to_num(draws.values[metric], nan=0.0)))
    score = draws.values["epc_score_kwh_per_m2"]
    n_valid = group_sum(valid.astype(np.int64))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = group_sum(np.nan_to_num(score, nan=0.0)) / n_valid
    quantile_columns("epc_score_mean_kwh_per_m2", mean)
    out.attrs.update({"seed": draws.seed, "n_draws": draws.n_draws, "basis": "standardised"})
    return out


def per_draw_totals(
    dwellings: pd.DataFrame, draws: EnsembleDraws, by: str = "sector_code"
) -> Mapping[str, pd.DataFrame]:
    """Totals per area and draw (the numbers :func:`aggregate_ensemble` takes quantiles of).

    Returns
    -------
    dict of str to DataFrame
        One frame per name of :data:`TOTAL_METRICS`, indexed by area, one column per draw.
    """
    area = dwellings[by].reindex(draws.index)
    result: dict[str, pd.DataFrame] = {}
    for metric in TOTAL_METRICS:
        frame = pd.DataFrame(np.nan_to_num(draws.values[metric], nan=0.0), index=draws.index)
        result[metric] = frame.groupby(area.to_numpy()).sum().rename_axis(by)
    return result


__all__ = [
    "METRICS",
    "TOTAL_METRICS",
    "EnsembleDraws",
    "UncertaintyParams",
    "aggregate_ensemble",
    "label_column",
    "load_uncertainty_params",
    "per_draw_totals",
    "period_probabilities",
    "simulate_ensemble",
    "tabula_period_shares",
]
