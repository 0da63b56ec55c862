"""Imputation of what the sources do not say, calibrated to Statbel's building stock.

The public registers give footprints and addresses, not construction years, storeys or what a
building is used for. The twin fills these in so that the municipality's twin has Statbel's
shares of buildings by type and by construction period, and flags every such value ``imputed``.

All draws come from one :class:`numpy.random.Generator` the caller seeds: the same inputs and
seed give the same twin.

Statbel building types and twin typologies: R1 → terraced, R2 → semi_detached, R3 → detached,
R4 → apartment_building, R6 → non_residential. Statbel's R5 (houses with a shop) look like
houses from above and are kept in the geometric typologies (their counts are added to the
house type they most resemble, see :func:`statbel_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.twin.params import TwinParams
from wijkreno.twin.schema import STATBEL_BUILDING_TYPES, STATBEL_PERIODS

TYPOLOGY_TO_STATBEL = {
    "terraced": "R1",
    "semi_detached": "R2",
    "detached": "R3",
    "apartment_building": "R4",
    "non_residential": "R6",
}
PERIOD_CODES: tuple[str, ...] = tuple(STATBEL_PERIODS)
PERIOD_LABELS: dict[str, str] = {
    code: ("<1900" if code == "T3.1" else ">2011" if code == "T3.7.4" else f"{lo}-{hi}")
    for code, (lo, hi) in STATBEL_PERIODS.items()
}
TABULA_PERIOD_BOUNDS: tuple[tuple[str, int], ...] = (
    ("01", 1945), ("02", 1970), ("03", 1990), ("04", 2005), ("05", 2011), ("06", 9999),
)


@dataclass(frozen=True)
class StockTargets:
    """Statbel figures the twin is calibrated to.

    Attributes
    ----------
    period_counts : DataFrame
        Buildings per Statbel type (index R1 … R6) and period (columns T3.1 … T3.7.4).
    building_counts : Series
        T1 buildings per type R1 … R6.
    dwelling_counts : Series
        T8 dwellings per type R1 … R6.
    origin : str
        ``statbel:<nis>`` for a municipality's own table, ``flanders`` for the regional default.
    """

    period_counts: pd.DataFrame
    building_counts: pd.Series
    dwelling_counts: pd.Series
    origin: str

    def type_shares(self) -> pd.Series:
        """Share of each Statbel type in the municipality's buildings."""
        total = self.building_counts.sum()
        return self.building_counts / total if total > 0 else self.building_counts * 0.0


def statbel_targets(
    gebouwenpark: pd.DataFrame | None, nis_code: str, params: TwinParams
) -> StockTargets:
    """Statbel counts for ``nis_code`` from a gebouwenpark table, or Flanders' when none is given.

    Parameters
    ----------
    gebouwenpark : DataFrame or None
        As returned by :func:`wijkreno.io.statbel.read_gebouwenpark`.
    nis_code : str
        NIS5 code of the municipality.
    params : TwinParams
        Holds the Flemish default counts.
    """
    types = list(STATBEL_BUILDING_TYPES)
    rows = pd.DataFrame()
    if gebouwenpark is not None:
        rows = gebouwenpark[gebouwenpark["nis_code"] == nis_code]
        if rows.empty:
            raise InputError(
                f"the Statbel building-stock table has no rows for NIS code {nis_code}; give the "
                "table that covers the municipality, or leave it out to calibrate to Flanders."
            )
    if rows.empty:
        fp = params.flanders_period_counts
        periods = pd.DataFrame(
            [getattr(fp, t) for t in types], index=types, columns=list(PERIOD_CODES), dtype=float
        )
        bc = params.flanders_building_counts
        return StockTargets(
            periods,
            pd.Series(bc.T1, index=types, dtype=float),
            pd.Series(bc.T8, index=types, dtype=float),
            "flanders",
        )
    wide = rows.pivot_table(
        index="building_type", columns="stat_type", values="count", aggfunc="sum"
    ).reindex(index=types)
    periods = wide.reindex(columns=list(PERIOD_CODES)).fillna(0.0)
    buildings = wide["T1"].fillna(0.0) if "T1" in wide else periods.sum(axis=1)
    dwellings = wide["T8"].fillna(0.0) if "T8" in wide else buildings.copy()
    return StockTargets(periods, buildings, dwellings, f"statbel:{nis_code}")


def allocate_counts(n: int, weights: np.ndarray) -> np.ndarray:
    """Split ``n`` items over classes in proportion to ``weights`` (largest remainder method).

    The result sums to ``n`` exactly; all weights zero gives an even split.
    """
    weights = np.asarray(weights, dtype=float)
    if n <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    quota = n * weights / weights.sum()
    counts = np.floor(quota).astype(np.int64)
    remainder = n - counts.sum()
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


LARGE_FOOTPRINT_REASON = (
    "footprint above {limit:.0f} m² without addresses: non-residential / "
    "voetafdruk groter dan {limit:.0f} m² zonder adressen: niet-residentieel"
)
"""``typology_reason`` of a building made non-residential by its footprint (see
:func:`impute_special_typologies`)."""


def impute_special_typologies(
    typology: pd.Series,
    source: pd.Series,
    footprint_area_m2: pd.Series,
    gross_floor_area_m2: pd.Series,
    n_floors_observed: pd.Series,
    targets: StockTargets,
    params: TwinParams,
    is_residential: pd.Series | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Impute apartment and non-residential buildings when no addresses tell them apart.

    Geometry alone cannot tell a large detached house from a small apartment building or a barn.

    1. A building whose footprint exceeds ``large_footprint_without_addresses`` is
       non-residential, with a reason, unless ``is_residential`` (a source) says it is
       residential; large footprints are never apartment candidates.
    2. Among the remaining plausible candidates (enough observed storeys, or a footprint of at
       least ``apartment_candidate.min_footprint_m2``), the largest gross floor areas become
       apartment buildings, up to the municipality's Statbel share of R4.
    3. Free-standing buildings of at least ``non_residential_candidate.min_footprint_m2``,
       largest first, become non-residential up to the Statbel share of R6 (those of step 1
       count towards it).

    Parameters
    ----------
    typology, source : Series
        Geometric typology of main buildings (detached / semi_detached / terraced) and its flag.
    footprint_area_m2, gross_floor_area_m2 : Series
        Footprint and gross floor area [m²].
    n_floors_observed : Series
        Storeys from a height source, NaN where unknown.
    targets, params
        Statbel targets and twin parameters.
    is_residential : Series of bool, optional
        What a source says (True residential, False not), NaN where it says nothing.

    Returns
    -------
    typology, source, reason : Series
        Indexed like ``typology``; ``reason`` is a Dutch / English sentence where a rule other
        than the Statbel share decided, else None.
    """
    typology = typology.astype(object).copy()
    source = source.astype(object).copy()
    reason = pd.Series(None, index=typology.index, dtype=object)
    n_main = len(typology)
    shares = targets.type_shares()
    limit = params.large_footprint_without_addresses.max_residential_footprint_m2
    said = (pd.Series(np.nan, index=typology.index, dtype=object) if is_residential is None
            else is_residential.reindex(typology.index).astype(object))
    said_res = said.eq(True).to_numpy(dtype=bool)
    said_nonres = said.eq(False).to_numpy(dtype=bool)
    large = (footprint_area_m2 > limit).to_numpy(dtype=bool) & ~said_res
    typology[large] = "non_residential"
    source[large] = "imputed"
    reason[large] = LARGE_FOOTPRINT_REASON.format(limit=limit)
    typology[said_nonres] = "non_residential"
    source[said_nonres] = "observed"
    reason[said_nonres] = "a source says non-residential / volgens de bron niet-residentieel"

    ac = params.apartment_candidate
    n_apartments = int(round(shares["R4"] * n_main))
    candidates = ((n_floors_observed.fillna(0) >= ac.min_floors) | (
        footprint_area_m2 >= ac.min_footprint_m2
    )) & (typology != "non_residential") & (footprint_area_m2 <= limit)
    pick = gross_floor_area_m2[candidates].sort_values(ascending=False, kind="stable")
    chosen = pick.index[:n_apartments]
    typology.loc[chosen] = "apartment_building"
    source.loc[chosen] = "imputed"

    nr = params.non_residential_candidate
    n_other = max(0, int(round(shares["R6"] * n_main)) - int((typology == "non_residential").sum()))
    candidates = ((typology == "detached") & (footprint_area_m2 >= nr.min_footprint_m2)
                  & ~pd.Series(said_res, index=typology.index))
    pick = footprint_area_m2[candidates].sort_values(ascending=False, kind="stable")
    chosen = pick.index[:n_other]
    typology.loc[chosen] = "non_residential"
    source.loc[chosen] = "imputed"
    return typology, source, reason


def bound_gas_heating(
    heating_system: pd.Series,
    heating_source: pd.Series,
    area_key: pd.Series,
    tabula_period: pd.Series,
    gas_connections: pd.Series,
    params: TwinParams,
    rng: np.random.Generator,
) -> tuple[pd.Series, pd.Series]:
    """Bound the gas-heated dwellings of each area by its residential gas connections.

    Per area (statistical sector, or a municipality's rest) with a known number of Fluvius
    residential gas connections ``c``, the target is ``round(c * gas_heated_per_connection_frac)``
    gas-heated dwellings. Dwellings whose system is not imputed (observed, a coach's override)
    keep it and count first. If the imputed draw gave more gas systems than the target, randomly
    chosen ones get a non-gas system drawn from their period's shares of the other systems; if
    fewer, randomly chosen imputed non-gas dwellings get a gas system drawn from the period's gas
    shares. Areas without a connection count are left alone.

    Parameters
    ----------
    heating_system, heating_source : Series
        Per dwelling: system (:data:`~wijkreno.params.names.HEATING_SYSTEMS`) and its flag.
    area_key : Series
        Per dwelling: the key of ``gas_connections`` its dwellings are counted under (NaN: none).
    tabula_period : Series
        Per dwelling: TABULA period ``01`` … ``06`` (for the shares).
    gas_connections : Series
        Residential gas connections per area key.
    params : TwinParams
        ``heating_system_shares`` and ``heating_from_gas_connections``.
    rng : numpy.random.Generator
        The twin's generator.

    Returns
    -------
    heating_system, evidence : Series
        Indexed like ``heating_system``; ``evidence`` is ``fluvius_gas_connections`` where the
        area's count bounded the draw, else ``none``.
    """
    rule = params.heating_from_gas_connections
    shares = params.heating_system_shares
    systems = np.array(shares.systems, dtype=object)
    is_gas_sys = np.isin(systems, rule.gas_systems)
    out = heating_system.astype(object).copy()
    evidence = pd.Series("none", index=out.index, dtype=object)
    imputed = heating_source.astype(object).eq("imputed").to_numpy(dtype=bool)
    gas_now = out.isin(rule.gas_systems).to_numpy(dtype=bool)
    keys = area_key.astype(object)
    known = keys.isin(gas_connections.index).to_numpy(dtype=bool)
    periods = tabula_period.astype(str).to_numpy()

    def draw(rows: np.ndarray, gas: bool) -> np.ndarray:
        picked = np.empty(len(rows), dtype=object)
        u = rng.random(len(rows))
        for k, row in enumerate(rows):
            w = np.asarray(shares.shares(periods[row]), dtype=float)
            w = np.where(is_gas_sys if gas else ~is_gas_sys, w, 0.0)
            if w.sum() <= 0:  # the period has no such system: any of the kind, evenly
                w = (is_gas_sys if gas else ~is_gas_sys).astype(float)
            cum = np.cumsum(w)
            picked[k] = systems[min(int(np.searchsorted(cum, u[k] * cum[-1], side="right")),
                                    len(systems) - 1)]
        return picked

    codes, groups = np.unique(keys[known].astype(str).to_numpy(), return_inverse=True)
    rows_known = np.flatnonzero(known)
    for g, key in enumerate(codes):
        rows = rows_known[groups == g]
        target = int(round(float(gas_connections.loc[key]) * rule.gas_heated_per_connection_frac))
        fixed_gas = int((gas_now[rows] & ~imputed[rows]).sum())
        free = rows[imputed[rows]]
        want = max(0, target - fixed_gas)
        gas_free = free[gas_now[free]]
        other_free = free[~gas_now[free]]
        if len(gas_free) > want:
            drop = np.sort(rng.choice(gas_free, size=len(gas_free) - want, replace=False))
            out.iloc[drop] = draw(drop, gas=False)
        elif len(gas_free) < want and len(other_free):
            add = np.sort(rng.choice(other_free, size=min(want - len(gas_free), len(other_free)),
                                     replace=False))
            out.iloc[add] = draw(add, gas=True)
        evidence.iloc[rows] = "fluvius_gas_connections"
    return out, evidence


def gas_connection_areas(
    sector_code: pd.Series, nis_code: str, gas_connections: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """The area each dwelling's gas heating is counted under, and each area's connections.

    A dwelling in a sector of ``gas_connections`` is counted under its sector; the others
    (no sector code, or a sector Fluvius does not list) under the municipality's rest: its
    total (every key starting with ``nis_code``, including Fluvius' ``<NIS5>ZZZZ`` "area
    unknown" row) minus the sectors that hold dwellings of the twin.

    Parameters
    ----------
    sector_code : Series
        Per dwelling, NaN where unknown.
    nis_code : str
        NIS5 code of the municipality.
    gas_connections : Series
        Residential gas connections per sector code (same code vintage as ``sector_code``).

    Returns
    -------
    area_key, connections : Series
        ``area_key`` indexed like ``sector_code`` (a sector code, or ``<NIS5>:rest``);
        ``connections`` per area key (the rest never below 0).
    """
    codes = gas_connections.index.astype(str)
    in_muni = gas_connections[codes.str.startswith(nis_code)]
    sc = sector_code.astype("string")
    matched = sc.isin(in_muni.index).fillna(False).to_numpy(dtype=bool)
    rest_key = f"{nis_code}:rest"
    key = pd.Series(np.where(matched, sc.fillna("").to_numpy(dtype=object), rest_key),
                    index=sector_code.index, dtype=object)
    used = in_muni[in_muni.index.isin(sc[matched].unique())]
    conns = used.astype(float).copy()
    if (~matched).any():
        conns.loc[rest_key] = max(0.0, float(in_muni.sum()) - float(used.sum()))
    return key, conns


def impute_construction_year(
    typology: pd.Series,
    block_id: pd.Series,
    targets: StockTargets,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Draw a construction year for each main building, matching Statbel's period counts.

    For every typology the buildings are split over Statbel's periods in proportion to the
    municipality's counts for that building type (largest remainder, so the twin's period
    distribution equals Statbel's as closely as whole buildings allow). Buildings of one block
    (a terraced row) are kept together: blocks are shuffled as units, so a row tends to share
    a period, as real rows do. The year is uniform within the period.

    Returns
    -------
    DataFrame
        Indexed like ``typology``: construction_year (int64), statbel_period (str).
    """
    years = pd.Series(0, index=typology.index, dtype="int64")
    period = pd.Series("", index=typology.index, dtype=object)
    block_key = rng.random(int(block_id.max()) + 2 if len(block_id) else 1)
    for typ, stat_type in TYPOLOGY_TO_STATBEL.items():
        members = typology.index[typology == typ]
        if len(members) == 0:
            continue
        weights = targets.period_counts.loc[stat_type].to_numpy(dtype=float)
        counts = allocate_counts(len(members), weights)
        keys = block_key[block_id.loc[members].to_numpy() + 1] + rng.random(len(members)) * 1e-3
        ordered = members[np.argsort(keys, kind="stable")]
        codes = np.repeat(np.array(PERIOD_CODES, dtype=object), counts)
        lo = np.array([STATBEL_PERIODS[c][0] for c in codes])
        hi = np.array([STATBEL_PERIODS[c][1] for c in codes])
        years.loc[ordered] = rng.integers(lo, hi + 1)
        period.loc[ordered] = [PERIOD_LABELS[c] for c in codes]
    return pd.DataFrame({"construction_year": years, "statbel_period": period})


def statbel_period_label(years: pd.Series) -> pd.Series:
    """Statbel period label (``1946-1961``, ``<1900``, ``>2011``) of construction years."""
    edges = [hi for _, hi in STATBEL_PERIODS.values()]
    labels = np.array([PERIOD_LABELS[c] for c in PERIOD_CODES], dtype=object)
    values = years.to_numpy(dtype=float, na_value=np.nan)
    idx = np.searchsorted(np.array(edges[:-1]), values, side="left")
    out = pd.Series(labels[np.clip(idx, 0, len(labels) - 1)], index=years.index, dtype=object)
    out[np.isnan(values)] = None
    return out


def tabula_period(years: pd.Series) -> pd.Series:
    """TABULA BE period code (``01`` … ``06``) of construction years."""
    bounds = np.array([b for _, b in TABULA_PERIOD_BOUNDS])
    codes = np.array([c for c, _ in TABULA_PERIOD_BOUNDS], dtype=object)
    idx = np.searchsorted(bounds, years.to_numpy(dtype=float), side="left")
    return pd.Series(codes[np.clip(idx, 0, len(codes) - 1)], index=years.index, dtype=object)


def apartment_floor_area_per_dwelling(
    heated_floor_area_m2: pd.Series, targets: StockTargets, params: TwinParams
) -> float:
    """Mean floor area per apartment [m²], calibrated to Statbel's R4 dwellings when possible.

    Statbel gives dwellings (T8) and buildings (T1) of type R4: the twin's apartment buildings
    should hold T8/T1 dwellings on average. The default mean apartment area is scaled so that the
    imputed dwellings of the twin's apartment buildings meet that average.
    """
    default = params.apartment_mean_floor_area_m2.value
    n_buildings = len(heated_floor_area_m2)
    t1, t8 = targets.building_counts["R4"], targets.dwelling_counts["R4"]
    if n_buildings == 0 or not (t1 > 0 and t8 > 0):
        return default
    expected = t8 / t1 * n_buildings
    total_area = float(heated_floor_area_m2.sum())
    return total_area / expected if expected > 0 and total_area > 0 else default
