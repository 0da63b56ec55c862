"""Modelled use next to Fluvius meters, per municipality and per sector, on every basis.

:func:`compare_with_meters` is the compute step of ``wijkreno validate meters``: it takes one
row per dwelling (a twin's or the Flanders-wide statistical stock's dwellings joined with the
engine's results), adds the expected basis (:func:`wijkreno.simulate.expected.expected_use`),
fits or applies the calibration (:mod:`wijkreno.aggregate.calibration`, training
municipalities only), and returns the area tables and the summary figures of issue 11's
targets, every error figure out-of-sample (held-out municipalities only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.aggregate.calibration import (
    Calibration,
    apply_calibration,
    area_features,
    connection_features,
    evaluate_out_of_sample,
    fit_calibration,
    grouped_cross_validation,
    location_features,
    metered_by_area,
    municipality_locations,
    split_municipalities,
)
from wijkreno.errors import InputError
from wijkreno.params.models.expected_use import ExpectedUseParams, load_expected_use_params
from wijkreno.simulate.expected import BASES, EXPECTED_COLUMNS, expected_use

log = logging.getLogger(__name__)


@dataclass
class MetersComparison:
    """What :func:`compare_with_meters` returns.

    Attributes
    ----------
    municipalities, sectors : pandas.DataFrame
        One row per area: modelled use on each basis (``<basis>_gas_kwh``,
        ``<basis>_gas_kwh_per_user``, ...), metered use and connections, ``held_out``.
    dwellings : pandas.DataFrame
        The per-dwelling expected (and calibrated) columns, indexed like the input.
    calibrations : list of Calibration
        Fitted here, or the ones given.
    summary : dict
        The figures of the JSON line (see :func:`compare_with_meters`).
    """

    municipalities: pd.DataFrame
    sectors: pd.DataFrame
    dwellings: pd.DataFrame
    calibrations: list[Calibration] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def _mode_map(keys: pd.Series, values: pd.Series) -> pd.Series:
    both = pd.DataFrame({"k": keys.astype(str), "v": values.astype(str)}).dropna()
    return both.groupby("k")["v"].agg(lambda s: s.value_counts().index[0])


def _per_user(table: pd.DataFrame) -> pd.DataFrame:
    for basis in BASES:
        for c, users in (("gas", "n_gas_users"), ("electricity", "n_electricity_users")):
            col = f"{basis}_{c}_kwh"
            if col in table:
                table[f"{col}_per_user"] = table[col] / table[users].replace(0, np.nan)
    conn = table["gas_connections"].replace(0, np.nan)
    table["metered_gas_kwh_per_connection"] = table["metered_gas_kwh"] / conn
    econn = table["electricity_connections"].replace(0, np.nan)
    table["metered_electricity_kwh_per_connection"] = table["metered_electricity_kwh"] / econn
    table["gas_users_over_connections"] = table["n_gas_users"] / conn
    return table


def _f(x: Any) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def level_decomposition(
    dwellings: pd.DataFrame, metered_kwh_per_connection: float, gas_connections: float,
) -> dict[str, float | None]:
    """Split the expected level ratio into factors that each have an outside reference.

    Over the dwellings that use gas on the expected basis (``expected_final_gas_kwh > 0``):

    ``expected_level_ratio = floor_area_m2 × standardised_gas_net_kwh_per_m2 ×
    gas_gross_over_net × prebound_ratio_use_weighted / metered_gas_kwh_per_connection``

    with ``floor_area_m2`` the mean heated floor area per gas-heated dwelling (compare with
    Flemish dwelling floor areas), ``standardised_gas_net_kwh_per_m2`` the EPC-style gas use
    per m² (compare with the EPC database through ``epc_score_area_weighted``),
    ``gas_gross_over_net`` the calorific-value conversion (must be applied once: Hs/Hi ≈ 1.11)
    and ``prebound_ratio_use_weighted`` the expected over standardised gas (the prebound
    relation, weighted by use). ``gas_users_over_connections`` compares the counts the two
    means divide by; ``dhw_share_of_need`` and ``apartment_share_of_gas_users`` say how much
    the hot water and the apartments weigh. Docs: ``docs/meters.md`` (level decomposition).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        One row per dwelling with ``expected_final_gas_kwh``, ``final_gas_gross_kwh``,
        ``final_gas_kwh``, ``heated_floor_area_m2``, ``epc_score_kwh_per_m2``; optional
        ``heating_need_kwh``, ``dhw_need_kwh``, ``typology``.
    metered_kwh_per_connection : float
        Fluvius' mean residential gas per connection over the same areas [kWh yr⁻¹].
    gas_connections : float
        Fluvius' residential gas connections of the same areas.

    Returns
    -------
    dict
        The factors (None where a column is missing or nothing uses gas).
    """
    out: dict[str, float | None] = dict.fromkeys((
        "gas_users", "gas_users_over_connections", "floor_area_m2",
        "standardised_gas_net_kwh_per_m2", "gas_gross_over_net",
        "standardised_gas_gross_kwh_per_user", "prebound_ratio_use_weighted",
        "expected_gas_kwh_per_user", "metered_gas_kwh_per_connection",
        "epc_score_area_weighted", "dhw_share_of_need", "apartment_share_of_gas_users",
        "product_check"))
    need = ("expected_final_gas_kwh", "final_gas_gross_kwh", "final_gas_kwh",
            "heated_floor_area_m2")
    if any(c not in dwellings for c in need):
        return out
    g = dwellings[pd.to_numeric(dwellings["expected_final_gas_kwh"], errors="coerce")
                  .fillna(0.0) > 0]
    if g.empty:
        return out

    def total(col: str) -> float:
        return float(pd.to_numeric(g[col], errors="coerce").sum())

    area, net, gross, exp = (total("heated_floor_area_m2"), total("final_gas_kwh"),
                             total("final_gas_gross_kwh"), total("expected_final_gas_kwh"))
    n = len(g)
    out.update({
        "gas_users": float(n),
        "gas_users_over_connections": n / gas_connections if gas_connections > 0 else None,
        "floor_area_m2": area / n,
        "standardised_gas_net_kwh_per_m2": net / area if area > 0 else None,
        "gas_gross_over_net": gross / net if net > 0 else None,
        "standardised_gas_gross_kwh_per_user": gross / n,
        "prebound_ratio_use_weighted": exp / gross if gross > 0 else None,
        "expected_gas_kwh_per_user": exp / n,
        "metered_gas_kwh_per_connection": metered_kwh_per_connection,
    })
    if "epc_score_kwh_per_m2" in g and area > 0:
        score = pd.to_numeric(g["epc_score_kwh_per_m2"], errors="coerce")
        a = pd.to_numeric(g["heated_floor_area_m2"], errors="coerce")
        ok = score.notna() & a.notna()
        out["epc_score_area_weighted"] = float((score[ok] * a[ok]).sum() / a[ok].sum())
    if "heating_need_kwh" in g and "dhw_need_kwh" in g:
        dhw = total("dhw_need_kwh")
        out["dhw_share_of_need"] = dhw / (dhw + total("heating_need_kwh"))
    if "typology" in g:
        out["apartment_share_of_gas_users"] = float(
            (g["typology"].astype(str) == "apartment_building").mean())
    if metered_kwh_per_connection > 0 and all(out[k] is not None for k in (
            "standardised_gas_net_kwh_per_m2", "gas_gross_over_net",
            "prebound_ratio_use_weighted")):
        out["product_check"] = (out["floor_area_m2"] * out["standardised_gas_net_kwh_per_m2"]
                                * out["gas_gross_over_net"] * out["prebound_ratio_use_weighted"]
                                / metered_kwh_per_connection)
    return {k: _f(v) if v is not None else None for k, v in out.items()}


def compare_with_meters(
    dwellings: pd.DataFrame,
    fluvius: pd.DataFrame,
    *,
    params: ExpectedUseParams | None = None,
    calibrations: list[Calibration] | None = None,
    years: tuple[int, ...] = (2021,),
    extra_levels: dict[str, tuple[str, pd.Series]] | None = None,
    municipalities: Any = None,
    cross_validate: bool = False,
) -> MetersComparison:
    """Compare modelled residential use with Fluvius' meters per municipality and sector.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        One row per dwelling: ``nis_code``, optional ``sector_code`` (2019 code), the engine's
        results (``epc_score_kwh_per_m2``, ``final_<carrier>_kwh``) and optionally
        ``typology``, ``tabula_period``, ``heated_floor_area_m2``, ``pv_kwp``.
    fluvius : pandas.DataFrame
        :func:`wijkreno.io.fluvius.read_fluvius_sectors` rows of the years compared.
    params : ExpectedUseParams, optional
        Packaged ``expected_use.toml`` when None.
    calibrations : list of Calibration, optional
        Apply these instead of fitting (a workspace too small to fit, e.g. one municipality).
        None: fit on the training municipalities of ``dwellings`` when there are enough
        (at least 10 municipalities), else leave the calibrated basis out.
    years : tuple of int
        Consumption years (stored with a fitted calibration).
    extra_levels : dict, optional
        More area levels to report, ``name → (dwelling column, sector code (2019) → area)``,
        e.g. Genk's wijken: ``{"wijk": ("wijk_code", sector_to_wijk)}``; their tables are in
        ``extra`` and their figures in the summary as for ``municipality``.
    municipalities : geopandas.GeoDataFrame, optional
        Municipality polygons indexed by NIS code (:func:`wijkreno.aggregate.areas.
        municipality_polygons`): their centroids are the calibration's location features
        (``expected_use.toml [calibration] location_features``); without them those features
        are left out of a fit.
    cross_validate : bool
        Also run :func:`~wijkreno.aggregate.calibration.grouped_cross_validation` of the
        feature sets over the training municipalities (``cross_validation_training`` in the
        summary), the protocol that chooses the default features.

    Returns
    -------
    MetersComparison
        ``summary`` holds ``expected_level_ratio`` and ``standardised_level_ratio`` (modelled
        mean gas per gas-heated dwelling over metered mean per residential gas connection, all
        areas), per level (``municipality``, ``sector``) and basis the out-of-sample
        ``<basis>_mae_<level>`` (median |modelled/metered − 1| of gas per connection) and
        ``spearman_<level>_<basis>``, ``baseline_mae_<level>`` (the training median per
        connection), ``calibrated_mae_<level>``/``spearman_<level>`` for the calibrated basis,
        ``gas_dwellings_over_connections_max_frac`` and counts.
    """
    p = params or load_expected_use_params()
    if "nis_code" not in dwellings:
        raise InputError("the dwellings need a nis_code column (municipality, NIS5).")
    d = dwellings.copy()
    d["nis_code"] = d["nis_code"].astype("string")
    if "sector_code" not in d:
        d["sector_code"] = pd.NA
    if "expected_final_gas_kwh" not in d:
        extra = expected_use(d, d, params=p)
        d = d.drop(columns=[c for c in EXPECTED_COLUMNS if c in d]).join(extra)
    settings = p.calibration
    has_sector = d["sector_code"].notna()

    # municipality of every Fluvius sector: by the modelled dwellings' sectors, else the prefix
    sector_to_nis = _mode_map(d.loc[has_sector, "sector_code"], d.loc[has_sector, "nis_code"])
    prefix_to_nis = _mode_map(d.loc[has_sector, "sector_code"].astype(str).str[:5],
                              d.loc[has_sector, "nis_code"])
    for nis in d["nis_code"].dropna().unique():  # a twin without sectors: prefix = NIS code
        if str(nis) not in prefix_to_nis.index:
            prefix_to_nis[str(nis)] = str(nis)
    fl = fluvius.copy()
    fl["nis_area"] = fl["sector_code"].map(sector_to_nis).fillna(
        fl["sector_code"].str[:5].map(prefix_to_nis))
    nis_of_sector = fl.dropna(subset=["nis_area"]).set_index("sector_code")["nis_area"]
    nis_of_sector = nis_of_sector[~nis_of_sector.index.duplicated()]

    nis_codes = sorted(d["nis_code"].dropna().unique())
    train, held = split_municipalities(nis_codes, holdout_fraction=settings.holdout_fraction,
                                       salt=settings.split_salt)

    sector_counts = pd.DataFrame(index=pd.Index(fl["sector_code"].unique(), dtype=object))
    muni_counts = pd.DataFrame(index=pd.Index(nis_codes, dtype=object))
    if settings.connection_count_features:
        sector_counts = sector_counts.join(connection_features(fl))
        muni_counts = muni_counts.join(connection_features(fl, nis_of_sector))
    locations = None
    if municipalities is not None and (settings.location_features or cross_validate):
        locations = municipality_locations(municipalities)
        sector_loc = location_features(locations, nis_of_sector)
        if settings.location_features:
            sector_counts = sector_counts.join(sector_loc)
            muni_counts = muni_counts.join(location_features(
                locations, pd.Series(nis_codes, index=nis_codes)))
    elif settings.location_features:
        log.warning("no municipality polygons: the calibration is fitted without the location "
                    "features")

    def tables(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        muni = area_features(frame, "nis_code").join(metered_by_area(fl, nis_of_sector))
        muni = muni.join(muni_counts)
        muni["nis_code"] = muni.index.astype(str)
        sect = area_features(frame, "sector_code").join(
            metered_by_area(fl, pd.Series(fl["sector_code"].values, index=fl["sector_code"])
                            .drop_duplicates())).join(sector_counts)
        sect["nis_code"] = sect.index.map(sector_to_nis)
        return _per_user(muni), _per_user(sect)

    muni, sect = tables(d)
    cv: dict[str, dict[str, float]] = {}
    if cross_validate:
        if len(nis_codes) < 10 or not has_sector.any():
            raise InputError("--cross-validate needs the Flanders-wide stock (at least 10 "
                             "municipalities with sectors).")
        cv_rows = sect.drop(columns=[c for c in sect.columns if c.startswith("feature_")])
        cv_rows = cv_rows.join(connection_features(fl))
        loc = ["feature_x_km", "feature_y_km"]
        count = ["feature_log_sector_connections", "feature_gas_connection_share"]
        variants: dict[str, list[str]] = {"stock": [], "counts": count}
        if locations is not None:
            cv_rows = cv_rows.join(sector_loc)
            variants.update({"location": loc, "location_and_counts": loc + count})
        cv = grouped_cross_validation(cv_rows, train, variants, folds=settings.cv_folds,
                                      salt=settings.cv_salt, carrier="gas",
                                      alpha=settings.ridge_alpha,
                                      min_connections=settings.min_gas_connections)
    fitted = calibrations is None
    if fitted:
        calibrations = []
        if len(nis_codes) >= 10 and has_sector.any():
            for carrier in ("gas", "electricity"):
                calibrations.append(fit_calibration(
                    sect, train, held, carrier=carrier, alpha=settings.ridge_alpha,
                    min_connections=settings.min_gas_connections, years=years,
                    locations=locations if settings.location_features else None))
        else:
            log.info("%d municipalities: too few to fit a calibration out-of-sample; "
                     "the calibrated basis is left out (pass a calibration file).",
                     len(nis_codes))
            # nothing is fitted: every municipality is out-of-sample
            train, held = frozenset(), frozenset(nis_codes)
    else:
        train = frozenset(calibrations[0].training_nis) if calibrations else frozenset()
        held = frozenset(set(nis_codes) - train)
    if calibrations:
        area_col = "sector_code" if has_sector.all() else "nis_code"
        counts = sector_counts if area_col == "sector_code" else muni_counts
        cal_cols = apply_calibration(d, calibrations, area_col, counts)
        d = d.join(cal_cols)
        muni, sect = tables(d)
    muni["held_out"] = muni["nis_code"].isin(held)
    sect["held_out"] = sect["nis_code"].isin(held)
    extra: dict[str, pd.DataFrame] = {}
    for name, (col, mapping) in (extra_levels or {}).items():
        if col not in d:
            raise InputError(f"the dwellings have no column {col!r} for the level {name!r}.")
        t = area_features(d, col).join(metered_by_area(fl, mapping))
        t["nis_code"] = t.index.map(_mode_map(d[col].dropna(), d.loc[d[col].notna(), "nis_code"]))
        t = _per_user(t)
        t["held_out"] = t["nis_code"].isin(held)
        extra[name] = t

    summary: dict[str, Any] = {"years": list(years), "n_dwellings": int(len(d)),
                               "n_municipalities": len(nis_codes),
                               "n_heldout_municipalities": int(muni["held_out"].sum())}
    gas_users = muni["n_gas_users"].sum()
    metered_mean = muni["metered_gas_kwh"].sum() / muni["gas_connections"].sum()
    for basis in BASES:
        col = f"{basis}_gas_kwh"
        if col in muni:
            summary[f"{basis}_level_ratio"] = _f(muni[col].sum() / gas_users / metered_mean)
    summary["metered_gas_kwh_per_connection"] = _f(metered_mean)
    if cv:
        summary["cross_validation_training"] = {
            k: {m: _f(v) for m, v in fig.items()} for k, fig in cv.items()}
    summary["calibration_features"] = (list(calibrations[0].features) if calibrations else [])
    summary["level_decomposition"] = level_decomposition(
        d[d["nis_code"].isin(muni.index.astype(str))], float(metered_mean),
        float(muni["gas_connections"].sum()))
    if "expected_gas_kwh_low" in muni:
        summary["expected_level_ratio_band"] = [
            _f(muni["expected_gas_kwh_low"].sum() / gas_users / metered_mean),
            _f(muni["expected_gas_kwh_high"].sum() / gas_users / metered_mean)]

    levels = [("municipality", muni, 1), ("sector", sect, settings.min_gas_connections)]
    levels += [(name, t, 1) for name, t in extra.items()]
    for level, table, min_conn in levels:
        t = table[table["held_out"] & (table["gas_connections"] >= max(min_conn, 1))]
        trn = table[table["nis_code"].isin(train) & (table["gas_connections"] >= max(min_conn, 1))
                    & (table["metered_gas_kwh"] > 0)]
        if trn.empty:  # single-municipality workspace: Flanders' sectors outside it
            other = fl[~fl["nis_area"].isin(nis_codes) & (fl["gas_residential_connections"]
                                                           >= max(min_conn, 1))]
            key = "sector_code" if level == "sector" else "nis_code"
            cols = ["gas_residential_kwh", "gas_residential_connections"]
            grp = other.assign(nis_code=other["sector_code"].str[:5]).groupby(key)[cols].sum()
            grp = grp[grp["gas_residential_kwh"] > 0]
            per_conn = grp["gas_residential_kwh"] / grp["gas_residential_connections"]
            const = float(per_conn.median())
        else:
            const = float(trn["metered_gas_kwh_per_connection"].median())
        preds = {"baseline": pd.Series(const, index=t.index)}
        for basis in BASES:
            col = f"{basis}_gas_kwh_per_user"
            if col in t:
                preds[basis] = t[col]
        metrics = evaluate_out_of_sample(
            t, preds, train, carrier="gas", min_connections=max(min_conn, 1)) if len(t) else {}
        table["baseline_gas_kwh_per_connection"] = const
        summary[f"baseline_gas_kwh_per_connection_{level}"] = _f(const)
        summary[f"n_heldout_{level}"] = int(len(t))
        for name, m in metrics.items():
            summary[f"{name}_mae_{level}"] = _f(m["mae"])
            if name != "baseline":
                summary[f"spearman_{level}_{name}"] = _f(m["spearman"])
        summary.setdefault(f"calibrated_mae_{level}", None)
        summary.setdefault(f"baseline_mae_{level}", None)
        summary[f"spearman_{level}"] = summary.get(f"spearman_{level}_calibrated")

    s = sect[sect["gas_connections"] > 0]
    over = (s["n_gas_users"] / s["gas_connections"] - 1.0) if len(s) else pd.Series(dtype=float)
    summary["gas_dwellings_over_connections_max_frac"] = _f(over.max()) if len(over) else None
    summary["sectors_with_gas_dwellings_but_no_gas_connections"] = int(
        ((sect["gas_connections"] == 0) & (sect["n_gas_users"] > 0)).sum())
    mg = muni[muni["gas_connections"] > 0]
    summary["gas_dwellings_over_connections_max_frac_municipality"] = _f(
        (mg["n_gas_users"] / mg["gas_connections"] - 1.0).max()) if len(mg) else None
    if summary["gas_dwellings_over_connections_max_frac"] is None:  # no sectors: municipality
        summary["gas_dwellings_over_connections_max_frac"] = summary[
            "gas_dwellings_over_connections_max_frac_municipality"]
        summary["gas_dwellings_over_connections_level"] = "municipality"
    else:
        summary["gas_dwellings_over_connections_level"] = "sector"
    summary["calibration"] = "fitted" if (fitted and calibrations) else (
        "given" if calibrations else "none")
    keep = [c for c in d.columns if c in EXPECTED_COLUMNS or c.startswith(("calibrated_final_",
                                                                           "calibration_factor_"))]
    return MetersComparison(muni, sect, d[keep], calibrations or [], summary, extra)
