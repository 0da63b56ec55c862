"""Calibration of expected use to Fluvius meters, with a held-out protocol.

Per area (statistical sector or municipality) the modelled stock gives features (expected use
per user, typology and period shares, mean floor area; :func:`area_features`) and Fluvius the
metered residential use and connections (:func:`metered_by_area`). :func:`fit_calibration`
fits a ridge regression of ``log(metered kWh per connection)`` on the features, weighted by
connections, **on training municipalities only**: the rows of held-out municipalities are
dropped before anything is computed, and :func:`evaluate_calibration` refuses rows of
training municipalities, so every figure it reports is out-of-sample. A final scale factor
makes the calibrated total of the training areas equal their metered total.

Training and held-out municipalities come from :func:`split_municipalities`: a municipality
is held out when the SHA-256 hash of ``salt + nis_code`` falls in the lowest
``holdout_fraction`` of the hash range — deterministic, independent of which municipalities are
present, and documented in ``docs/meters.md``.

The constant baseline (:func:`constant_baseline`) predicts Flanders' median metered use per
connection (median over the training areas) everywhere; a serious model must beat it on the
same held-out rows. Everything here is pure: frames in, frames or plain objects out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError

CALIBRATION_VERSION = "2"
"""Version of the calibration model (bump when the features or the fit change)."""

CALIBRATED_CARRIERS: tuple[str, ...] = ("gas", "electricity")
"""Carriers Fluvius meters, hence the carriers a calibration can cover."""

_LOCATION = ("feature_x_km", "feature_y_km")
_PER_USER = "expected_{c}_kwh_per_user"
_USERS = "n_{c}_users"
_METERED = "metered_{c}_kwh"
_CONNECTIONS = "{c}_connections"


def _check_carrier(carrier: str) -> None:
    if carrier not in CALIBRATED_CARRIERS:
        raise InputError(f"unknown carrier {carrier!r}; calibrations cover {CALIBRATED_CARRIERS}.")


def split_municipalities(
    nis_codes: Iterable[str], *, holdout_fraction: float, salt: str,
) -> tuple[frozenset[str], frozenset[str]]:
    """Split municipalities into training and held-out sets by a hash of the NIS code.

    Parameters
    ----------
    nis_codes : iterable of str
        NIS5 codes.
    holdout_fraction : float
        Share of the hash range that is held out (0–1).
    salt : str
        Salt of the hash (``expected_use.toml`` ``[calibration] split_salt``).

    Returns
    -------
    (frozenset, frozenset)
        Training codes, held-out codes. A code's side never depends on the other codes.
    """
    if not 0.0 < holdout_fraction < 1.0:
        raise InputError(f"holdout_fraction must lie in (0, 1), got {holdout_fraction}.")
    train, held = set(), set()
    for code in {str(c) for c in nis_codes}:
        (held if _hash_unit(salt, code) < holdout_fraction else train).add(code)
    return frozenset(train), frozenset(held)


def _hash_unit(salt: str, code: str) -> float:
    """A code's place in [0, 1): the first 48 bits of SHA-256(salt + code)."""
    return int(hashlib.sha256(f"{salt}{code}".encode()).hexdigest()[:12], 16) / 16**12


def area_features(dwellings: pd.DataFrame, area_column: str) -> pd.DataFrame:
    """Per-area features of the modelled stock and its use on each basis.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        One row per dwelling: ``area_column``, ``expected_final_gas_kwh`` (gross),
        ``expected_final_electricity_kwh`` [kWh yr⁻¹]; optional ``final_gas_gross_kwh``,
        ``final_electricity_kwh``, ``calibrated_final_*_kwh``, ``typology``,
        ``tabula_period``, ``heated_floor_area_m2``. Rows with a missing area are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by area: ``n_dwellings``, ``n_gas_users`` (dwellings using gas),
        ``n_electricity_users`` (all dwellings), per basis the summed gas and electricity
        (``standardised_gas_kwh``, ``expected_gas_kwh``, ``calibrated_gas_kwh``, ...),
        ``expected_gas_kwh_per_user``, ``expected_electricity_kwh_per_user``, and the
        features ``share_typology_<t>``, ``share_period_<p>``, ``mean_floor_area_m2``.
    """
    if area_column not in dwellings:
        raise InputError(f"the dwellings have no column {area_column!r} to group by.")
    for col in ("expected_final_gas_kwh", "expected_final_electricity_kwh"):
        if col not in dwellings:
            raise InputError(
                f"area_features needs {col!r}; run wijkreno.simulate.expected.expected_use first."
            )
    d = dwellings[dwellings[area_column].notna()]
    g = d.groupby(area_column, observed=True, sort=True)
    out = pd.DataFrame({"n_dwellings": g.size()})
    gas_user = d["expected_final_gas_kwh"].fillna(0) > 0
    out["n_gas_users"] = gas_user.groupby(d[area_column], observed=True).sum()
    out["n_electricity_users"] = out["n_dwellings"]
    sources = {
        "standardised_gas_kwh": "final_gas_gross_kwh",
        "standardised_electricity_kwh": "final_electricity_kwh",
        "expected_gas_kwh": "expected_final_gas_kwh",
        "expected_gas_kwh_low": "expected_final_gas_kwh_low",
        "expected_gas_kwh_high": "expected_final_gas_kwh_high",
        "expected_electricity_kwh": "expected_final_electricity_kwh",
        "calibrated_gas_kwh": "calibrated_final_gas_kwh",
        "calibrated_electricity_kwh": "calibrated_final_electricity_kwh",
    }
    for name, col in sources.items():
        if col in d:
            out[name] = g[col].sum(min_count=1)
    for c in CALIBRATED_CARRIERS:
        users = out[_USERS.format(c=c)].replace(0, np.nan)
        out[_PER_USER.format(c=c)] = out[f"expected_{c}_kwh"] / users
    if "heated_floor_area_m2" in d:
        out["mean_floor_area_m2"] = g["heated_floor_area_m2"].mean()
    for col, prefix in (("typology", "share_typology_"), ("tabula_period", "share_period_")):
        if col in d:
            shares = pd.crosstab(d[area_column], d[col].astype(str), normalize="index")
            shares.columns = [f"{prefix}{v}" for v in shares.columns]
            out = out.join(shares)
    return out


def connection_features(
    fluvius: pd.DataFrame, area_of_sector: pd.Series | None = None,
) -> pd.DataFrame:
    """Features from Fluvius' connection *counts* (never its kWh), per sector or larger area.

    ``feature_log_sector_connections``: log(1 + residential electricity connections) of a
    sector — its size, a proxy for urban density that the statistical stock does not carry
    (it spreads a municipality's mix evenly over its sectors); for a larger area, the
    connection-weighted mean over its sectors. ``feature_gas_connection_share``: residential gas
    over electricity connections (the share of households on gas), capped at 1.5.

    Parameters
    ----------
    fluvius : pandas.DataFrame
        :func:`wijkreno.io.fluvius.read_fluvius_sectors` rows (the mean over years is taken).
    area_of_sector : pandas.Series, optional
        Sector code → area; None: per sector.

    Returns
    -------
    pandas.DataFrame
        Indexed by sector (or area).
    """
    f = fluvius.reset_index(drop=True)
    f = f[~f["is_unknown_area"]] if "is_unknown_area" in f else f
    per = f.groupby("sector_code")[["electricity_residential_connections",
                                    "gas_residential_connections"]].mean()
    per["size"] = np.log1p(per["electricity_residential_connections"])
    if area_of_sector is not None:
        per["area"] = per.index.map(area_of_sector)
        per = per.dropna(subset=["area"])
        w = per["electricity_residential_connections"]
        per["wsize"] = per["size"] * w
        g = per.groupby("area")[["wsize", "electricity_residential_connections",
                                 "gas_residential_connections"]].sum()
        g["size"] = g["wsize"] / g["electricity_residential_connections"].replace(0, np.nan)
        per = g
    econn = per["electricity_residential_connections"].replace(0, np.nan)
    return pd.DataFrame({
        "feature_log_sector_connections": per["size"],
        "feature_gas_connection_share": (per["gas_residential_connections"] / econn).clip(0, 1.5),
    }, index=per.index)


def municipality_locations(municipalities: Any) -> pd.DataFrame:
    """Centroid of each municipality [km, Lambert 72].

    Parameters
    ----------
    municipalities : geopandas.GeoDataFrame
        Municipality polygons indexed by NIS code, EPSG:31370
        (:func:`wijkreno.aggregate.areas.municipality_polygons`).

    Returns
    -------
    pandas.DataFrame
        Indexed by NIS code: ``x_km``, ``y_km``.
    """
    from wijkreno.crs import require_lambert72

    c = require_lambert72(municipalities, "the municipality polygons").geometry.centroid
    return pd.DataFrame({"x_km": c.x / 1000.0, "y_km": c.y / 1000.0},
                        index=municipalities.index.astype(str))


def location_features(locations: pd.DataFrame, nis_of_area: pd.Series) -> pd.DataFrame:
    """``feature_x_km``, ``feature_y_km`` per area: the centroid of its municipality.

    A calibration feature for what varies across Flanders but is not in the stock: the climate
    (one climate file serves all of Flanders, while winters are milder at the coast than in the
    Kempen) and regional habits. NaN for an area whose municipality has no location (neutral
    in :func:`predict_per_user`). Docs: ``docs/meters.md`` (calibration).

    Parameters
    ----------
    locations : pandas.DataFrame
        :func:`municipality_locations`.
    nis_of_area : pandas.Series
        Area → NIS code (for municipalities, the identity).
    """
    loc = locations.reindex(nis_of_area.astype(str).to_numpy())
    return pd.DataFrame({_LOCATION[0]: loc["x_km"].to_numpy(),
                         _LOCATION[1]: loc["y_km"].to_numpy()}, index=nis_of_area.index)


def metered_by_area(fluvius: pd.DataFrame, area_of_sector: pd.Series) -> pd.DataFrame:
    """Sum Fluvius' residential metered use and connections per area.

    Parameters
    ----------
    fluvius : pandas.DataFrame
        :func:`wijkreno.io.fluvius.read_fluvius_sectors` rows (one year, or several: the
        mean over the years is taken).
    area_of_sector : pandas.Series
        Sector code (2019) → area; sectors not in it are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by area: ``metered_gas_kwh``, ``gas_connections``, ``metered_electricity_kwh``,
        ``electricity_connections`` (mean over the years) [kWh yr⁻¹, connections].
    """
    cols = {"gas_residential_kwh": "metered_gas_kwh",
            "gas_residential_connections": "gas_connections",
            "electricity_residential_kwh": "metered_electricity_kwh",
            "electricity_residential_connections": "electricity_connections"}
    f = fluvius.reset_index(drop=True)
    f = f.assign(area=f["sector_code"].map(area_of_sector)).dropna(subset=["area"])
    per_year = f.groupby(["area", "year"])[list(cols)].sum()
    return per_year.groupby(level="area").mean().rename(columns=cols)


@dataclass(frozen=True)
class Calibration:
    """A fitted calibration of one carrier: ``log(kWh per user) = intercept + coefs · z``.

    ``z`` are the features standardised with the training ``means`` and ``scales``; the
    calibrated use per user is ``scale_factor * exp(prediction)``.
    """

    carrier: str
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    intercept: float
    coefs: tuple[float, ...]
    scale_factor: float
    training_nis: tuple[str, ...]
    held_out_nis: tuple[str, ...]
    years: tuple[int, ...]
    fit_statistics: dict[str, float] = field(default_factory=dict)
    version: str = CALIBRATION_VERSION
    created: str = ""
    area_level: str = "sector"
    locations: dict[str, list[float]] = field(default_factory=dict)
    """NIS code → [x_km, y_km] of the municipalities, when the features include the location
    (:func:`location_features`): a twin applying the file gets its municipality's location."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (see :func:`wijkreno.io.fluvius.write_calibration`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Calibration:
        """Rebuild from :meth:`to_dict`'s output."""
        try:
            return cls(**{**doc, **{k: tuple(doc[k]) for k in (
                "features", "means", "scales", "coefs", "training_nis", "held_out_nis", "years")}})
        except (KeyError, TypeError) as exc:
            raise InputError(f"not a calibration of this version: {exc}") from exc


def _feature_names(rows: pd.DataFrame, carrier: str) -> list[str]:
    shares = sorted(c for c in rows.columns
                    if c.startswith(("share_typology_", "share_period_", "feature_")))
    extra = ["mean_floor_area_m2"] if "mean_floor_area_m2" in rows else []
    return [f"log_{_PER_USER.format(c=carrier)}", *extra, *shares]


def _design(rows: pd.DataFrame, carrier: str, names: Sequence[str]) -> pd.DataFrame:
    x = pd.DataFrame(index=rows.index)
    for n in names:
        if n.startswith("log_"):
            x[n] = np.log(rows[n[4:]].where(rows[n[4:]] > 0))
        elif n == "mean_floor_area_m2":
            x[n] = np.log(rows[n].where(rows[n] > 0))
        elif n.startswith("feature_"):
            x[n] = rows[n] if n in rows else np.nan
        else:
            x[n] = rows[n] if n in rows else 0.0
    return x.astype(np.float64).fillna({n: 0.0 for n in names if n.startswith("share_")})


def _usable(rows: pd.DataFrame, carrier: str, min_connections: float) -> pd.Series:
    conn = rows[_CONNECTIONS.format(c=carrier)]
    metered = rows[_METERED.format(c=carrier)]
    per_user = rows[_PER_USER.format(c=carrier)]
    return (conn >= max(min_connections, 1)) & (metered > 0) & (per_user > 0)


def _require(rows: pd.DataFrame, carrier: str) -> None:
    need = ["nis_code", _METERED.format(c=carrier), _CONNECTIONS.format(c=carrier),
            _PER_USER.format(c=carrier), _USERS.format(c=carrier)]
    missing = [c for c in need if c not in rows]
    if missing:
        raise InputError(
            f"calibration rows lack {missing}; join area_features(...) with "
            "metered_by_area(...) and add the municipality as nis_code."
        )


def fit_calibration(
    rows: pd.DataFrame,
    training_nis: Iterable[str],
    held_out_nis: Iterable[str],
    *,
    carrier: str = "gas",
    alpha: float = 1.0,
    min_connections: float = 10,
    years: Sequence[int] = (),
    area_level: str = "sector",
    locations: pd.DataFrame | None = None,
) -> Calibration:
    """Fit the calibration of one carrier on the rows of training municipalities only.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per area: ``nis_code``, :func:`area_features` columns and
        :func:`metered_by_area` columns. Rows of held-out municipalities may be present: they
        are dropped first and never reach the fit.
    training_nis, held_out_nis : iterable of str
        The split (:func:`split_municipalities`); they must not overlap.
    carrier : {"gas", "electricity"}
    alpha : float
        Ridge penalty on the standardised coefficients, relative to the summed weights.
    min_connections : float
        Rows with fewer metered connections are left out.
    years : sequence of int
        Consumption years of the meters (stored with the calibration).
    area_level : str
        What a row is (``sector`` or ``municipality``), stored.
    locations : pandas.DataFrame, optional
        :func:`municipality_locations` behind the rows' location features; stored with the
        calibration when it uses them, so that :func:`apply_calibration` can rebuild them.

    Returns
    -------
    Calibration
        With ``fit_statistics``: ``n_rows``, ``n_municipalities``, ``in_sample_mae`` (median
        |calibrated / metered − 1| on the training rows — in-sample, for reference only),
        ``r2_log`` (weighted, training).
    """
    _check_carrier(carrier)
    _require(rows, carrier)
    train, held = {str(c) for c in training_nis}, {str(c) for c in held_out_nis}
    if train & held:
        raise InputError(
            f"training and held-out municipalities overlap: {sorted(train & held)[:5]}."
        )
    fit_rows = rows[rows["nis_code"].astype(str).isin(train)]
    fit_rows = fit_rows[_usable(fit_rows, carrier, min_connections)]
    if len(fit_rows) < 3:
        raise InputError(
            f"only {len(fit_rows)} usable training rows for {carrier}; the calibration needs "
            "metered use and modelled users in at least 3 areas of training municipalities."
        )
    names = _feature_names(fit_rows, carrier)
    x = _design(fit_rows, carrier, names)
    ok = np.isfinite(x.to_numpy()).all(axis=1)
    fit_rows, x = fit_rows[ok], x[ok]
    conn = fit_rows[_CONNECTIONS.format(c=carrier)].to_numpy(np.float64)
    y = np.log(fit_rows[_METERED.format(c=carrier)].to_numpy(np.float64) / conn)
    w = conn / conn.sum()
    xm = x.to_numpy(np.float64)
    means = (w[:, None] * xm).sum(axis=0)
    scales = np.sqrt((w[:, None] * (xm - means) ** 2).sum(axis=0))
    scales = np.where(scales > 1e-12, scales, 1.0)
    z = (xm - means) / scales
    ybar = float((w * y).sum())
    a = z.T @ (w[:, None] * z) + alpha * np.eye(z.shape[1])
    coefs = np.linalg.solve(a, z.T @ (w * (y - ybar)))
    pred = ybar + z @ coefs
    users = fit_rows[_USERS.format(c=carrier)].to_numpy(np.float64)
    metered_total = float(fit_rows[_METERED.format(c=carrier)].sum())
    scale = metered_total / float((np.exp(pred) * users).sum())
    rel = scale * np.exp(pred) / np.exp(y) - 1.0
    r2 = 1.0 - float((w * (y - pred) ** 2).sum()) / max(float((w * (y - ybar) ** 2).sum()), 1e-300)
    return Calibration(
        carrier=carrier, features=tuple(names), means=tuple(map(float, means)),
        scales=tuple(map(float, scales)), intercept=ybar, coefs=tuple(map(float, coefs)),
        scale_factor=float(scale), training_nis=tuple(sorted(train)),
        held_out_nis=tuple(sorted(held)), years=tuple(int(v) for v in years),
        fit_statistics={"n_rows": int(len(fit_rows)),
                        "n_municipalities": int(fit_rows["nis_code"].nunique()),
                        "in_sample_mae": float(np.median(np.abs(rel))), "r2_log": r2,
                        "alpha": float(alpha), "min_connections": float(min_connections)},
        created=dt.date.today().isoformat(), area_level=area_level,
        locations=({str(k): [float(v.x_km), float(v.y_km)] for k, v in locations.iterrows()}
                   if locations is not None and _LOCATION[0] in names else {}),
    )


def predict_per_user(calibration: Calibration, rows: pd.DataFrame) -> pd.Series:
    """Calibrated use per user [kWh yr⁻¹] per area.

    NaN where the expected use per user is missing; a missing ``feature_*`` column (e.g. the
    connection counts when no meters are at hand) takes its training mean (neutral).
    """
    x = _design(rows, calibration.carrier, calibration.features).to_numpy(np.float64)
    means = np.array(calibration.means)
    optional = np.array([f.startswith("feature_") for f in calibration.features])
    x = np.where(optional & ~np.isfinite(x), means, x)
    z = (x - means) / np.array(calibration.scales)
    pred = calibration.intercept + z @ np.array(calibration.coefs)
    return pd.Series(calibration.scale_factor * np.exp(pred), index=rows.index,
                     name=f"calibrated_{calibration.carrier}_kwh_per_user")


def calibration_factors(calibration: Calibration, rows: pd.DataFrame) -> pd.Series:
    """Factor per area from expected to calibrated use (1 where no prediction is possible)."""
    per_user = rows[_PER_USER.format(c=calibration.carrier)]
    f = predict_per_user(calibration, rows) / per_user
    f = f.where(np.isfinite(f) & (f > 0), 1.0)
    return f.rename(f"calibration_factor_{calibration.carrier}")


def apply_calibration(
    dwellings: pd.DataFrame, calibrations: Sequence[Calibration], area_column: str,
    area_extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Calibrated final energy per dwelling: expected use × its area's factor.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        One row per dwelling with ``area_column``, the expected columns and the features'
        inputs (see :func:`area_features`).
    calibrations : sequence of Calibration
        At most one per carrier.
    area_column : str
        Column whose areas the factors are computed for (``sector_code`` or ``nis_code``).
    area_extra : pandas.DataFrame, optional
        More per-area features indexed by area (``feature_*``: :func:`connection_features`);
        missing ones are neutral.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``calibrated_final_<carrier>_kwh`` and
        ``calibration_factor_<carrier>`` per calibrated carrier.
    """
    feats = area_features(dwellings, area_column)
    if area_extra is not None:
        feats = feats.join(area_extra[[c for c in area_extra.columns if c.startswith("feature_")]])
    out = pd.DataFrame(index=dwellings.index)
    for cal in calibrations:
        _check_carrier(cal.carrier)
        f = calibration_factors(cal, _with_stored_locations(cal, feats, dwellings, area_column))
        factor = dwellings[area_column].map(f).fillna(1.0).to_numpy(np.float64)
        out[f"calibration_factor_{cal.carrier}"] = factor
        out[f"calibrated_final_{cal.carrier}_kwh"] = (
            dwellings[f"expected_final_{cal.carrier}_kwh"].to_numpy(np.float64) * factor)
    return out


def _with_stored_locations(cal: Calibration, feats: pd.DataFrame, dwellings: pd.DataFrame,
                           area_column: str) -> pd.DataFrame:
    """``feats`` with the location features from the calibration's own ``locations`` where
    the caller gave none (a twin applying a Flanders calibration file)."""
    if not cal.locations or _LOCATION[0] not in cal.features or _LOCATION[0] in feats:
        return feats
    if "nis_code" not in dwellings:
        return feats
    locations = pd.DataFrame.from_dict(cal.locations, orient="index", columns=["x_km", "y_km"])
    nis = dwellings[[area_column, "nis_code"]].dropna().drop_duplicates(area_column)
    return feats.join(location_features(locations, nis.set_index(area_column)["nis_code"]))


def constant_baseline(rows: pd.DataFrame, training_nis: Iterable[str], *, carrier: str = "gas",
                      min_connections: float = 10) -> float:
    """Median metered use per connection over the training rows [kWh yr⁻¹]."""
    train = {str(c) for c in training_nis}
    r = rows[rows["nis_code"].astype(str).isin(train)]
    conn = r[_CONNECTIONS.format(c=carrier)]
    r = r[(conn >= max(min_connections, 1)) & (r[_METERED.format(c=carrier)] > 0)]
    if r.empty:
        raise InputError("no training rows with metered use for the constant baseline.")
    return float((r[_METERED.format(c=carrier)] / r[_CONNECTIONS.format(c=carrier)]).median())


def evaluate_out_of_sample(
    rows: pd.DataFrame,
    predictions: dict[str, pd.Series],
    training_nis: Iterable[str],
    *,
    carrier: str = "gas",
    min_connections: float = 1,
) -> dict[str, dict[str, float]]:
    """Median |predicted / metered − 1| and Spearman ρ per prediction, held-out rows only.

    Parameters
    ----------
    rows : pandas.DataFrame
        Areas with ``nis_code`` and the metered columns.
    predictions : dict of str → Series
        Name → predicted use per connection [kWh yr⁻¹] indexed like ``rows``.
    training_nis : iterable of str
        The calibration's training municipalities: a row of one of them is refused.
    carrier : {"gas", "electricity"}
    min_connections : float
        Rows with fewer connections are left out.

    Returns
    -------
    dict
        Name → ``{"mae": ..., "spearman": ..., "n": ...}``.

    Raises
    ------
    InputError
        When a row belongs to a training municipality (in-sample evaluation).
    """
    train = {str(c) for c in training_nis}
    leak = sorted(set(rows["nis_code"].astype(str)) & train)
    if leak:
        raise InputError(
            f"{len(leak)} evaluation rows belong to training municipalities ({leak[:5]}); "
            "evaluate on held-out municipalities only."
        )
    conn = rows[_CONNECTIONS.format(c=carrier)]
    metered = rows[_METERED.format(c=carrier)] / conn.where(conn >= max(min_connections, 1))
    out: dict[str, dict[str, float]] = {}
    for name, pred in predictions.items():
        both = pd.DataFrame({"m": metered, "p": pred.reindex(rows.index)}).dropna()
        both = both[(both["m"] > 0) & (both["p"] > 0)]
        if both.empty:
            out[name] = {"mae": float("nan"), "spearman": float("nan"), "n": 0}
            continue
        rho = both["m"].rank().corr(both["p"].rank()) if len(both) > 2 else float("nan")
        out[name] = {"mae": float((both["p"] / both["m"] - 1).abs().median()),
                     "spearman": float(rho), "n": int(len(both))}
    return out


def grouped_cross_validation(
    rows: pd.DataFrame,
    training_nis: Iterable[str],
    variants: dict[str, Sequence[str]],
    *,
    folds: int,
    salt: str,
    carrier: str = "gas",
    alpha: float = 1.0,
    min_connections: float = 10,
) -> dict[str, dict[str, float]]:
    """Choose between feature sets without touching the held-out municipalities.

    The training municipalities are split into ``folds`` groups by a hash of the NIS code (as
    :func:`split_municipalities`); each group in turn is predicted by a calibration fitted on
    the others and scored with :func:`evaluate_out_of_sample`. Only rows of ``training_nis``
    are read (the rest are dropped first), so a choice made here leaves the held-out figures
    of ``wijkreno validate meters`` out-of-sample.

    Parameters
    ----------
    rows : pandas.DataFrame
        Sector rows as for :func:`fit_calibration`, with every optional ``feature_*`` column
        any variant uses.
    training_nis : iterable of str
        The training municipalities of the held-out split.
    variants : dict of str → sequence of str
        Name → the ``feature_*`` columns that variant adds (the others are dropped).
    folds, salt : int, str
        Number of groups (at least 2) and the salt of their hash (``expected_use.toml
        [calibration] cv_folds``, ``cv_salt``).

    Returns
    -------
    dict
        Variant → ``mae_municipality`` (median |calibrated / metered − 1| of use per
        connection over the municipality totals of the predicted sectors),
        ``spearman_municipality``, ``mae_sector``, ``n_municipalities``.
    """
    if folds < 2:
        raise InputError(f"folds must be at least 2, got {folds}.")
    train = sorted({str(c) for c in training_nis})
    data = rows[rows["nis_code"].astype(str).isin(train)]
    group = {n: int(_hash_unit(salt, n) * folds) for n in train}
    optional = [c for c in data.columns if c.startswith("feature_")]
    users_col, met_col = _USERS.format(c=carrier), _METERED.format(c=carrier)
    conn_col = _CONNECTIONS.format(c=carrier)
    out: dict[str, dict[str, float]] = {}
    for name, keep in variants.items():
        missing = [c for c in keep if c not in data]
        if missing:
            raise InputError(f"variant {name!r} needs columns {missing}.")
        frame = data.drop(columns=[c for c in optional if c not in keep])
        parts = []
        for k in range(folds):
            fit_on = [n for n in train if group[n] != k]
            test_on = [n for n in train if group[n] == k]
            cal = fit_calibration(frame, fit_on, test_on, carrier=carrier, alpha=alpha,
                                  min_connections=min_connections)
            t = frame[frame["nis_code"].astype(str).isin(test_on)]
            t = t[_usable(t, carrier, min_connections)]
            parts.append(t[["nis_code", users_col, met_col, conn_col]].assign(
                predicted=predict_per_user(cal, t) * t[users_col]))
        sect = pd.concat(parts).dropna()
        muni = sect.groupby("nis_code")[[users_col, met_col, conn_col, "predicted"]].sum()
        muni["nis_code"] = muni.index
        # scored as held-out rows: none of these municipalities was in its fold's fit
        m = evaluate_out_of_sample(muni, {"cv": muni["predicted"] / muni[users_col]}, (),
                                   carrier=carrier)["cv"]
        sc = evaluate_out_of_sample(sect, {"cv": sect["predicted"] / sect[users_col]}, (),
                                    carrier=carrier)["cv"]
        out[name] = {"mae_municipality": m["mae"], "spearman_municipality": m["spearman"],
                     "mae_sector": sc["mae"], "n_municipalities": m["n"]}
    return out
