"""Hourly energy need for heating and cooling: the 5R1C network of EN ISO 13790:2008 Annex C.

Per dwelling, one thermal zone with five resistances and one capacity (equation and section
numbers of EN ISO 13790:2008):

* nodes: air theta_air, central (surface) theta_s and mass theta_m; supply air theta_sup =
  theta_e (no heat recovery);
* H_ve = rho_a c_a (n_use + n_inf) V                                       (eq. 21)   [W/K]
* H_tr,w = U_w A_w (windows), H_tr,op = H_tr - H_tr,w (every other element of the monthly
  engine's H_tr with its adjustment factor b and the thermal-bridge surcharge) (eq. 17-18)
* H_tr,is = h_is A_t, A_t = Lambda_at A_f                                  (eq. 9)
* H_tr,ms = h_ms A_m                                                       (eq. 64)
* H_tr,em = 1 / (1/H_tr,op - 1/H_tr,ms)                                    (eq. 63)
* C_m and A_m from the dwelling's thermal-capacity class (Table 12), see
  :func:`thermal_capacity_j_per_k` and :func:`effective_mass_area_m2`;
* gains split (eq. C.1-C.3): Phi_ia = f_c Phi_int; Phi_m = A_m/A_t ((1 - f_c) Phi_int + Phi_sol);
  Phi_st = (1 - A_m/A_t - H_tr,w/(9.1 A_t)) ((1 - f_c) Phi_int + Phi_sol), with the
  convective share f_c = 0.5 of eq. (C.1) (``internal_gain_convective_frac``; a case that
  specifies its own split, such as ASHRAE 140, overrides it);
* solar gains (section 11.3): Phi_sol = sum_k A_sol,k I_k - Phi_r with windows
  A_sol = F_sh (1 - F_F) F_w g A_w (eq. 43-44, the monthly engine's factors), opaque walls and
  roof A_sol = alpha R_se U A (eq. 45) and the thermal radiation to the sky
  Phi_r = sum F_r R_se U A h_r Delta theta_er (eq. 46), Delta theta_er the constant of
  section 11.4.6 (11 K) or, with ``sky_temperature_model = "weather"``, theta_e - theta_sky of
  each hour from the weather file's horizontal infrared radiation;
* the network: H_tr,1 (eq. C.6), H_tr,2 (C.7), H_tr,3 (C.8), Phi_m,tot (C.5), the
  Crank-Nicolson mass update theta_m,t (C.4), theta_m (C.9), theta_s (C.10), theta_air (C.11);
* the ideal heater and cooler of section C.4.2: free-floating air temperature theta_air,0; if it
  lies below the heating set-point (above the cooling set-point) the need is
  Phi_HC,nd = Phi_HC,nd10 (theta_set - theta_air,0) / (theta_air,10 - theta_air,0) (eq. C.13)
  with the probe Phi_HC,nd10 = 10 W/m2 A_f, unlimited power (the need, not a system).

Internal gains follow a daily profile (``hourly.toml`` schedule) whose mean is the monthly
engine's level, so both engines see the same annual gains. Solar irradiance per orientation
and tilt class comes from the EPW through pvlib once per class (:func:`hourly_climate_from_epw`).

The hot path is a numba kernel (``_hourly_kernels``; ``_hourly_cuda`` on a GPU);
:func:`simulate_hourly_reference` is the same method in plain NumPy, vectorised over
dwellings with the hours in a Python loop, applying (C.1)-(C.13) literally each hour; the tests
hold them equal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.hourly import (
    CAPACITY_CLASSES,
    HOURS_PER_YEAR,
    CapacityClass,
    HourlyParams,
    load_hourly_params,
)
from wijkreno.simulate import _heat_balance_kernels as _hb
from wijkreno.simulate import _hourly_kernels as _k
from wijkreno.simulate.heat_balance import apply_convention, check_inputs, pack_inputs

logger = logging.getLogger(__name__)


SOLAR_CLASSES: tuple[str, ...] = (
    "window_n", "window_e", "window_s", "window_w",
    "vertical_n", "vertical_e", "vertical_s", "vertical_w", "horizontal",
    "roof_n", "roof_e", "roof_s", "roof_w",
)
"""Rows of :attr:`HourlyClimate.irradiance_w_per_m2`: the irradiance on vertical windows
facing N, E, S, W weighted by the glazing's angular transmittance relative to normal
incidence; vertical planes facing N, E, S, W; the horizontal plane (the weather file's GHI);
pitched roofs at ``roof_tilt_deg`` facing N, E, S, W (the classes of the monthly climate)."""

ENGINE_SOLAR_CLASSES: tuple[str, ...] = SOLAR_CLASSES[:_k.N_SOLAR]
"""The classes the engine reads: windows and walls per orientation, roofs as horizontal (the
twin does not know roof orientations)."""

Setback = Literal["night"] | tuple[float, int, int] | None


# ---------------------------------------------------------------------------------------------
# climate


@dataclass(frozen=True, eq=False)
class HourlyClimate:
    """One year of hourly climate, with the irradiance per orientation/tilt class.

    Attributes
    ----------
    time : pandas.DatetimeIndex
        Start of each hour, local standard time with its UTC offset (EPW convention shifted
        to the start of the hour by pvlib), ``n_h`` entries (8760 for a typical year).
    temp_out_degc : numpy.ndarray
        (n_h,) outdoor air temperature theta_e [degC].
    irradiance_w_per_m2 : numpy.ndarray
        (len(classes), n_h) mean global irradiance over each hour on each plane class
        [W m-2] (= Wh m-2 per hour).
    classes : tuple of str
        Row names of ``irradiance_w_per_m2``; :data:`SOLAR_CLASSES` when built from an EPW.
    latitude, longitude : float
        Site [deg].
    source : str
        Where the figures come from.
    roof_tilt_deg : float
        Tilt of the ``roof_*`` classes [deg].
    sky_temp_degc : numpy.ndarray or None
        (n_h,) apparent sky temperature theta_sky [degC] from the weather file's horizontal
        infrared radiation, or None (then the constant Delta theta_er of ``hourly.toml``
        applies whatever ``sky_temperature_model`` says).
    """

    time: pd.DatetimeIndex
    temp_out_degc: np.ndarray
    irradiance_w_per_m2: np.ndarray
    latitude: float
    longitude: float
    source: str
    classes: tuple[str, ...] = SOLAR_CLASSES
    roof_tilt_deg: float = float("nan")
    sky_temp_degc: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = pd.DatetimeIndex(self.time)
        if t.tz is None:
            raise InputError(
                "HourlyClimate.time must carry its UTC offset (a tz-aware DatetimeIndex); got a "
                "naive index. Localise it, e.g. time.tz_localize('Etc/GMT-1') for Belgian "
                "standard time."
            )
        n_h = len(t)
        temp = np.array(self.temp_out_degc, dtype=np.float64)
        irr = np.array(self.irradiance_w_per_m2, dtype=np.float64)
        if temp.shape != (n_h,) or irr.shape != (len(self.classes), n_h):
            raise InputError(
                f"HourlyClimate arrays do not fit {n_h} hours and {len(self.classes)} classes: "
                f"temp_out_degc {temp.shape}, irradiance_w_per_m2 {irr.shape}."
            )
        if not (np.isfinite(temp).all() and np.isfinite(irr).all()):
            raise InputError("HourlyClimate has missing or infinite values.")
        missing = [c for c in ENGINE_SOLAR_CLASSES if c not in self.classes]
        if missing:
            raise InputError(f"HourlyClimate lacks the solar classes {missing}.")
        sky = None
        if self.sky_temp_degc is not None:
            sky = np.array(self.sky_temp_degc, dtype=np.float64)
            if sky.shape != (n_h,) or not np.isfinite(sky).all():
                raise InputError(
                    f"HourlyClimate.sky_temp_degc must hold {n_h} finite values, got shape "
                    f"{sky.shape}; pass None to use the constant sky temperature difference."
                )
            sky.flags.writeable = False
        for arr in (temp, irr):
            arr.flags.writeable = False
        object.__setattr__(self, "sky_temp_degc", sky)
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "temp_out_degc", temp)
        object.__setattr__(self, "irradiance_w_per_m2", irr)

    @property
    def n_hours(self) -> int:
        """Number of hours."""
        return int(self.temp_out_degc.shape[0])

    def engine_irradiance(self) -> np.ndarray:
        """(N_SOLAR, n_h) C-contiguous irradiance on the engine's classes [W m-2]."""
        rows = [self.classes.index(c) for c in ENGINE_SOLAR_CLASSES]
        return np.ascontiguousarray(self.irradiance_w_per_m2[rows])


def hourly_climate_from_epw(
    frame_and_meta: tuple[pd.DataFrame, Mapping[str, Any]],
    params: Any = None,
    hourly_params: HourlyParams | None = None,
) -> HourlyClimate:
    """Build the hourly climate from a weather file read by :func:`wijkreno.io.epw.read_epw`.

    Solar position, extraterrestrial irradiance and air mass are computed once; irradiance on
    each plane class once (pvlib's transposition with the monthly climate's parameters);
    never per dwelling. The ``window_*`` classes weight the beam, sky-diffuse and
    ground-reflected parts by the glazing's transmittance relative to normal incidence
    (``pvlib.iam.physical`` per pane, ``pvlib.iam.marion_diffuse`` for the diffuse parts).

    Parameters
    ----------
    frame_and_meta : (DataFrame, mapping)
        The pair returned by ``read_epw``: hourly ``theta_e_degc``, ``ghi_w_per_m2``,
        ``dni_w_per_m2``, ``dhi_w_per_m2`` indexed by the start of each hour; metadata with
        ``latitude``, ``longitude``, ``altitude``.
    params : ClimateParams, optional
        Albedo, transposition model, roof tilt, sun-position offset; the packaged ``[climate]``
        of ``heat_balance.toml`` when None.
    hourly_params : HourlyParams, optional
        The glazing's optical parameters; the packaged ``hourly.toml`` when None.

    Returns
    -------
    HourlyClimate
    """
    import pvlib

    from wijkreno.simulate.climate import (
        AZIMUTH_DEG,
        ORIENTATIONS,
        compute_solar_position,
        load_climate_params,
    )

    weather, meta = frame_and_meta
    params = params or load_climate_params()
    hp = hourly_params or load_hourly_params()
    needed = ["theta_e_degc", "ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2"]
    missing = [c for c in needed if c not in weather.columns]
    if missing:
        raise InputError(f"hourly weather lacks the columns {missing}; read it with read_epw().")
    sp = compute_solar_position(weather, meta, params.sun_position_offset_min)

    def poa(tilt: float, azimuth: float) -> pd.DataFrame:
        return pvlib.irradiance.get_total_irradiance(
            surface_tilt=tilt, surface_azimuth=azimuth, solar_zenith=sp["apparent_zenith"],
            solar_azimuth=sp["azimuth"], dni=weather["dni_w_per_m2"],
            ghi=weather["ghi_w_per_m2"], dhi=weather["dhi_w_per_m2"],
            dni_extra=sp["dni_extra"], airmass=sp["airmass"], albedo=params.albedo_frac,
            model=params.transposition_model,
        ).fillna(0.0)

    glass = {"n": hp.glass_refractive_index, "K": hp.glass_extinction_per_m,
             "L": hp.glass_pane_thickness_m}
    panes = hp.glass_panes
    diffuse = pvlib.iam.marion_diffuse("physical", 90.0, **glass)
    windows, vertical, roofs = [], [], []
    for o in ORIENTATIONS:
        p = poa(90.0, AZIMUTH_DEG[o])
        aoi = pvlib.irradiance.aoi(90.0, AZIMUTH_DEG[o], sp["apparent_zenith"], sp["azimuth"])
        iam = np.nan_to_num(np.asarray(pvlib.iam.physical(aoi, **glass), dtype=np.float64))
        tr = (p["poa_direct"].to_numpy() * iam**panes
              + p["poa_sky_diffuse"].to_numpy() * float(diffuse["sky"]) ** panes
              + p["poa_ground_diffuse"].to_numpy() * float(diffuse["ground"]) ** panes)
        windows.append(np.clip(tr, 0.0, None))
        vertical.append(np.clip(p["poa_global"].to_numpy(), 0.0, None))
        r = poa(params.roof_tilt_deg, AZIMUTH_DEG[o])
        roofs.append(np.clip(r["poa_global"].to_numpy(), 0.0, None))
    rows = [*windows, *vertical, weather["ghi_w_per_m2"].clip(lower=0.0).to_numpy(), *roofs]
    sky = sky_temperature_degc(weather, hp.delta_theta_er_k)
    source = (
        f"{meta.get('source', 'weather file')} ({meta.get('city', '?')}, lat "
        f"{meta.get('latitude')}, lon {meta.get('longitude')}); pvlib "
        f"{params.transposition_model} transposition, albedo {params.albedo_frac}; windows: "
        f"{panes} panes, pvlib.iam.physical n={glass['n']} K={glass['K']} L={glass['L']}"
    )
    return HourlyClimate(
        time=pd.DatetimeIndex(weather.index),
        temp_out_degc=weather["theta_e_degc"].to_numpy(),
        irradiance_w_per_m2=np.stack(rows),
        latitude=float(meta["latitude"]),
        longitude=float(meta["longitude"]),
        source=source,
        classes=SOLAR_CLASSES,
        roof_tilt_deg=float(params.roof_tilt_deg),
        sky_temp_degc=sky,
    )


STEFAN_BOLTZMANN_W_PER_M2K4 = 5.670374419e-8
"""sigma [W m-2 K-4] (CODATA 2018)."""


def sky_temperature_degc(weather: pd.DataFrame, delta_theta_er_k: float) -> np.ndarray | None:
    """Apparent sky temperature of each hour from the horizontal infrared radiation [degC].

    theta_sky = (IR_h / sigma)^(1/4) - 273.15, the sky as a black body emitting the weather
    file's horizontal infrared radiation (EPW field 13; the sky model of EnergyPlus and of the
    ASHRAE 140 reference programs that read it). Hours with a missing value (EPW 9999, or not
    positive) get theta_e - ``delta_theta_er_k`` (the constant of ISO 13790 section 11.4.6).

    Parameters
    ----------
    weather : pandas.DataFrame
        ``read_epw`` output with ``theta_e_degc`` and ``ir_horizontal_w_per_m2`` [W m-2].
    delta_theta_er_k : float
        Fallback difference between air and sky temperature [K].

    Returns
    -------
    numpy.ndarray or None
        (n_h,) [degC]; None when the frame has no infrared column.
    """
    if "ir_horizontal_w_per_m2" not in weather.columns:
        return None
    ir = weather["ir_horizontal_w_per_m2"].to_numpy(dtype=np.float64)
    te = weather["theta_e_degc"].to_numpy(dtype=np.float64)
    ok = np.isfinite(ir) & (ir > 0.0) & (ir < 9999.0)
    if not ok.all():
        logger.warning("weather file: %d hours without horizontal infrared radiation; their "
                       "sky temperature is theta_e - %.1f K", int((~ok).sum()), delta_theta_er_k)
    with np.errstate(invalid="ignore"):
        sky = (np.where(ok, ir, 1.0) / STEFAN_BOLTZMANN_W_PER_M2K4) ** 0.25 - 273.15
    return np.where(ok, sky, te - delta_theta_er_k)


# ---------------------------------------------------------------------------------------------
# thermal capacity


def thermal_capacity_class(
    dwellings: pd.DataFrame, params: HourlyParams | None = None
) -> pd.Series:
    """ISO 13790 Table 12 capacity class of each dwelling, from its construction.

    Precedence: a column ``thermal_capacity_class``; the typology rule (``by_typology`` of
    ``hourly.toml``: apartment buildings are heavy); the TABULA BE construction period
    (``tabula_period``, else ``construction_year`` binned with ``period_upper_years``);
    the default class (medium).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Any frame; the columns above are used when present.
    params : HourlyParams, optional
        Packaged parameters when None.

    Returns
    -------
    pandas.Series of str
        Indexed like ``dwellings``, values in :data:`CAPACITY_CLASSES`.
    """
    params = params or load_hourly_params()
    out = pd.Series(params.capacity_default, index=dwellings.index, dtype=object)
    period: pd.Series | None = None
    if "tabula_period" in dwellings.columns:
        period = dwellings["tabula_period"].astype("string")
    elif "construction_year" in dwellings.columns:
        year = pd.to_numeric(dwellings["construction_year"], errors="coerce").to_numpy()
        bounds = np.asarray(params.period_upper_years)
        names = np.array([f"{k:02d}" for k in range(1, len(bounds) + 2)], dtype=object)
        k = np.searchsorted(bounds, np.nan_to_num(year, nan=0.0), side="left")
        period = pd.Series(np.where(np.isfinite(year), names[k], None),
                           index=dwellings.index, dtype="string")
    if period is not None:
        mapped = period.map(params.capacity_by_tabula_period)
        out = out.where(mapped.isna(), mapped)
    if "typology" in dwellings.columns:
        mapped = dwellings["typology"].astype("string").map(params.capacity_by_typology)
        out = out.where(mapped.isna(), mapped)
    if "thermal_capacity_class" in dwellings.columns:
        given = dwellings["thermal_capacity_class"].astype("string")
        bad = given.notna() & ~given.isin(CAPACITY_CLASSES)
        if bad.any():
            raise InputError(
                f"thermal_capacity_class has unknown values {sorted(given[bad].unique())[:5]}; "
                f"use one of {CAPACITY_CLASSES}."
            )
        out = out.where(given.isna(), given)
    return out.astype(str)


def thermal_capacity_j_per_k(
    dwellings: pd.DataFrame, params: HourlyParams | None = None,
    capacity_class: pd.Series | None = None,
) -> pd.Series:
    """Internal heat capacity C_m of each dwelling [J/K] (ISO 13790 section 12.3.1, Table 12).

    ``C_m = kappa_m A_f`` with ``kappa_m`` of the dwelling's class
    (:func:`thermal_capacity_class`) and ``A_f = heated_floor_area_m2``; a column
    ``thermal_capacity_j_per_k`` (e.g. from layer data, ISO 13786) takes precedence where
    not NaN. ``capacity_class`` reuses classes already found.

    Returns
    -------
    pandas.Series of float
        Indexed like ``dwellings`` [J K-1].
    """
    params = params or load_hourly_params()
    cls = capacity_class if capacity_class is not None else thermal_capacity_class(dwellings,
                                                                                  params)
    kappa = cls.map({k: v.kappa_j_per_m2k for k, v in params.capacity_classes.items()})
    c_m = kappa.astype(float) * pd.to_numeric(dwellings["heated_floor_area_m2"], errors="coerce")
    if "thermal_capacity_j_per_k" in dwellings.columns:
        given = pd.to_numeric(dwellings["thermal_capacity_j_per_k"], errors="coerce")
        c_m = c_m.where(given.isna(), given)
    return c_m.rename("thermal_capacity_j_per_k")


def effective_mass_area_m2(
    dwellings: pd.DataFrame, params: HourlyParams | None = None,
    capacity_class: pd.Series | None = None,
) -> pd.Series:
    """Effective mass area A_m of each dwelling [m2] (ISO 13790 section 12.2.2, Table 12).

    ``A_m = Lambda_m A_f`` of the dwelling's class; a column ``effective_mass_area_m2``
    (ISO 13790 eq. 65 from layer data) takes precedence where not NaN.
    """
    params = params or load_hourly_params()
    cls = capacity_class if capacity_class is not None else thermal_capacity_class(dwellings,
                                                                                  params)
    lam = cls.map({k: v.lambda_m_frac for k, v in params.capacity_classes.items()})
    a_m = lam.astype(float) * pd.to_numeric(dwellings["heated_floor_area_m2"], errors="coerce")
    if "effective_mass_area_m2" in dwellings.columns:
        given = pd.to_numeric(dwellings["effective_mass_area_m2"], errors="coerce")
        a_m = a_m.where(given.isna(), given)
    return a_m.rename("effective_mass_area_m2")


# ---------------------------------------------------------------------------------------------
# per-dwelling network


@dataclass(frozen=True, eq=False)
class Network:
    """Conductances, capacity and solar apertures of each dwelling's 5R1C network.

    Every array has shape (n,) except ``aperture_m2`` (N_SOLAR, n). Units in the names.
    """

    floor_area_m2: np.ndarray
    h_ve_w_per_k: np.ndarray
    h_tr_w_w_per_k: np.ndarray
    h_tr_op_w_per_k: np.ndarray
    h_tr_is_w_per_k: np.ndarray
    h_tr_ms_w_per_k: np.ndarray
    h_tr_em_w_per_k: np.ndarray
    c_m_j_per_k: np.ndarray
    a_m_m2: np.ndarray
    a_t_m2: np.ndarray
    aperture_m2: np.ndarray
    phi_r_w_per_k: np.ndarray
    """Thermal radiation to the sky per kelvin of Delta theta_er: sum F_r R_se U A h_r
    (eq. 46) [W/K]; the hour's Phi_r is this times ``Schedules.sky_dt_k``."""
    int_convective_frac: np.ndarray
    """Share of the internal gains given to the air node (eq. C.1: 0.5) [-]."""
    valid: np.ndarray
    invalid_counts: dict[str, int] = field(default_factory=dict)


def build_network(dwellings: pd.DataFrame, params: HourlyParams | None = None) -> Network:
    """Per-dwelling 5R1C conductances, capacity and solar apertures (vectorised).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The monthly engine's columns (:data:`wijkreno.simulate.heat_balance.REQUIRED_COLUMNS`)
        and, optionally, ``thermal_capacity_j_per_k``, ``effective_mass_area_m2``,
        ``internal_surface_area_m2`` and what :func:`thermal_capacity_class` reads.
    params : HourlyParams, optional
        Packaged parameters when None.

    Returns
    -------
    Network
        Rows with unusable inputs have ``valid = False`` (counts per reason in
        ``invalid_counts``) and zero conductances.
    """
    p = params or load_hourly_params()
    b = p.balance
    # the monthly engine's convention: ventilation on the net volume in the EPW convention
    x, _, _ = apply_convention(pack_inputs(dwellings, b), b, copy=False)
    valid, counts = check_inputs(x)
    xs = np.where(valid[:, None], x, 0.0)
    floor = xs[:, _hb.X_FLOOR]
    u_floor, cellar = xs[:, _hb.X_U_FLOOR], xs[:, _hb.X_CELLAR]
    walls = xs[:, _hb.X_WALL_N:_hb.X_WALL_N + 4]
    win = xs[:, _hb.X_WIN_N:_hb.X_WIN_N + 4]
    roof, ground, annex = xs[:, _hb.X_ROOF], xs[:, _hb.X_GROUND], xs[:, _hb.X_ANNEX]
    u_roof, u_wall, u_win = xs[:, _hb.X_U_ROOF], xs[:, _hb.X_U_WALL], xs[:, _hb.X_U_WINDOW]
    # eq. (17)/(18), exactly the monthly engine's H_tr (heat_balance.reference_balance)
    r_cellar = b.r_add_cellar_m2k_per_w
    b_u_floor = u_floor * ((1 - cellar) * b.b_floor_ground_frac
                           + cellar * b.b_floor_cellar_frac / (1 + u_floor * r_cellar))
    a_env = roof + ground + walls.sum(axis=1) + win.sum(axis=1) + annex
    h_tr = (b.b_roof_frac * u_roof * roof + b_u_floor * ground
            + u_wall * (walls.sum(axis=1) + b.b_annex_wall_frac * annex)
            + u_win * win.sum(axis=1)
            + xs[:, _hb.X_B_PARTY] * xs[:, _hb.X_U_PARTY] * xs[:, _hb.X_PARTY]
            + xs[:, _hb.X_TB] * a_env)
    h_tr_w = u_win * win.sum(axis=1)
    h_tr_op = h_tr - h_tr_w
    # eq. (21); rho_a c_a in Wh/(m3 K) times an air change per hour gives W/K
    h_ve = b.rho_c_air_wh_per_m3k * (b.n_air_use_ach + xs[:, _hb.X_INF]) * xs[:, _hb.X_VOLUME]
    cls = thermal_capacity_class(dwellings, p)
    c_m = thermal_capacity_j_per_k(dwellings, p, cls).to_numpy(dtype=np.float64)
    a_m = effective_mass_area_m2(dwellings, p, cls).to_numpy(dtype=np.float64)
    if "internal_surface_area_m2" in dwellings.columns:
        given = pd.to_numeric(dwellings["internal_surface_area_m2"], errors="coerce").to_numpy()
        a_t = np.where(np.isnan(given), p.lambda_at_frac * floor, given)
    else:
        a_t = p.lambda_at_frac * floor  # section 7.2.2.2
    h_is = p.h_is_w_per_m2k * a_t  # eq. (9)
    h_ms = p.h_ms_w_per_m2k * a_m  # eq. (64)
    extra: dict[str, np.ndarray] = {
        "not_positive:heated_floor_area_m2": ~(floor > 0),
        "not_positive:thermal_capacity_j_per_k": ~(c_m > 0),
        "not_positive:effective_mass_area_m2": ~(a_m > 0),
        "mass_area_above_surface_area": ~(a_m < a_t),
        "opaque_conductance_not_below_h_tr_ms": ~(h_tr_op < h_ms),
    }
    for reason, bad in extra.items():
        bad = bad & valid
        k = int(np.count_nonzero(bad))
        if k:
            counts[reason] = k
    ok = valid.copy()
    for bad in extra.values():
        ok &= ~bad
    with np.errstate(divide="ignore", invalid="ignore"):
        # eq. (63): H_tr,em = 1 / (1/H_tr,op - 1/H_tr,ms) = H_op H_ms / (H_ms - H_op)
        h_em = np.where(ok, h_tr_op * h_ms / (h_ms - h_tr_op), 0.0)
    # solar apertures (eq. 43-45) per engine class: windows N, E, S, W (the glazing's
    # angular transmittance in the climate table, or F_w on the plane's irradiance), opaque
    # walls N, E, S, W, roof as horizontal
    physical = p.window_incidence_model == "physical"
    f_win = b.f_sh_vert_frac * (1.0 - b.f_frame_frac) * (1.0 if physical else b.f_w_frac)
    g = xs[:, _hb.X_G]
    ar = p.opaque_absorptance_frac * p.r_se_m2k_per_w
    aperture = np.zeros((_k.N_SOLAR, x.shape[0]))
    for o in range(4):
        aperture[o if physical else 4 + o] += f_win * g * win[:, o]
        aperture[4 + o] += ar * u_wall * walls[:, o]
    aperture[8] = ar * b.b_roof_frac * u_roof * roof
    # eq. (46): thermal radiation to the sky per kelvin of Delta theta_er, walls and windows
    # F_r = 0.5, roof F_r = 1 (the hour's Delta theta_er comes with the schedules)
    phi_r = p.r_se_m2k_per_w * p.h_r_w_per_m2k * (
        p.f_r_wall_frac * (u_wall * walls.sum(axis=1) + u_win * win.sum(axis=1))
        + p.f_r_roof_frac * b.b_roof_frac * u_roof * roof
    )

    def z(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.where(ok, a, 0.0), dtype=np.float64)

    return Network(
        floor_area_m2=z(floor), h_ve_w_per_k=z(h_ve), h_tr_w_w_per_k=z(h_tr_w),
        h_tr_op_w_per_k=z(h_tr_op), h_tr_is_w_per_k=z(h_is), h_tr_ms_w_per_k=z(h_ms),
        h_tr_em_w_per_k=z(h_em), c_m_j_per_k=z(c_m), a_m_m2=z(a_m), a_t_m2=z(a_t),
        aperture_m2=np.ascontiguousarray(np.where(ok[None, :], aperture, 0.0)),
        phi_r_w_per_k=z(phi_r),
        int_convective_frac=z(np.full(x.shape[0], p.internal_gain_convective_frac)),
        valid=ok, invalid_counts=counts,
    )


def network_step(
    net: Network,
    theta_m_prev_degc: np.ndarray | float,
    theta_e_degc: np.ndarray | float,
    phi_sol_w: np.ndarray | float,
    phi_int_w: np.ndarray | float,
    phi_hc_w: np.ndarray | float,
    dt_s: float = 3600.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One time step of the 5R1C network of ISO 13790 Annex C, vectorised over dwellings.

    Parameters
    ----------
    net : Network
        From :func:`build_network` (only valid rows give meaningful results).
    theta_m_prev_degc : array or float
        Mass temperature at the end of the previous step theta_m,t-1 [degC].
    theta_e_degc : array or float
        Outdoor air temperature theta_e, also the supply temperature theta_sup [degC].
    phi_sol_w, phi_int_w : array or float
        Solar (net of sky radiation) and internal heat gains [W].
    phi_hc_w : array or float
        Heating (> 0) or cooling (< 0) power to the air node Phi_HC,nd [W].
    dt_s : float
        Step length [s] (3600: the 'C_m/3600' of eq. C.4).

    Returns
    -------
    theta_m_t, theta_air, theta_s : numpy.ndarray
        Mass temperature at the end of the step (C.4), air (C.11) and central node (C.10)
        temperatures [degC].
    """
    h_ve, h_is, h_w = net.h_ve_w_per_k, net.h_tr_is_w_per_k, net.h_tr_w_w_per_k
    h_ms, h_em = net.h_tr_ms_w_per_k, net.h_tr_em_w_per_k
    a_m, a_t = net.a_m_m2, net.a_t_m2
    with np.errstate(divide="ignore", invalid="ignore"):
        f_c = net.int_convective_frac
        phi_ia = f_c * phi_int_w  # eq. (C.1), f_c = 0.5 in ISO 13790
        share = (1.0 - f_c) * phi_int_w + phi_sol_w
        phi_m = a_m / a_t * share  # eq. (C.2)
        phi_st = (1.0 - a_m / a_t - h_w / (9.1 * a_t)) * share  # eq. (C.3)
        h_1 = h_ve * h_is / (h_ve + h_is)  # eq. (C.6) 1/(1/H_ve + 1/H_tr,is)
        h_2 = h_1 + h_w  # eq. (C.7)
        h_3 = h_2 * h_ms / (h_2 + h_ms)  # eq. (C.8) 1/(1/H_tr,2 + 1/H_tr,ms)
        # H_tr,1 (Phi_ia + Phi_HC)/H_ve written as (Phi_ia + Phi_HC) H_tr,is/(H_ve + H_tr,is),
        # equal and finite for H_ve = 0
        air_term = h_1 * theta_e_degc + (phi_ia + phi_hc_w) * h_is / (h_ve + h_is)
        # eq. (C.5), theta_sup = theta_e
        phi_mtot = phi_m + h_em * theta_e_degc + h_3 * (phi_st + h_w * theta_e_degc
                                                        + air_term) / h_2
        cm = net.c_m_j_per_k / dt_s
        half = 0.5 * (h_3 + h_em)
        theta_m_t = (theta_m_prev_degc * (cm - half) + phi_mtot) / (cm + half)  # eq. (C.4)
        theta_m = 0.5 * (theta_m_t + theta_m_prev_degc)  # eq. (C.9)
        theta_s = (h_ms * theta_m + phi_st + h_w * theta_e_degc + air_term) / (
            h_ms + h_w + h_1)  # eq. (C.10)
        theta_air = (h_is * theta_s + h_ve * theta_e_degc + phi_ia + phi_hc_w) / (
            h_is + h_ve)  # eq. (C.11)
    return theta_m_t, theta_air, theta_s


def step_coefficients(net: Network) -> np.ndarray:
    """The kernel's (N_COEF, n) coefficients: the network's response to unit inputs.

    The network is linear, so theta_m,t and theta_air are sums of coefficients times
    theta_m,t-1, theta_e, the gains and Phi_HC; each coefficient is :func:`network_step`
    evaluated with that input 1 and the others 0 (see ``_hourly_kernels``).
    """
    n = net.floor_area_m2.shape[0]
    zero = np.zeros(n)

    def resp(prev: float, te: float, sol: float, pint: np.ndarray | float, hc: float):
        tm, ta, _ = network_step(net, prev + zero, te, sol, pint, hc)
        return np.nan_to_num(tm), np.nan_to_num(ta)

    coef = np.zeros((_k.N_COEF, n))
    coef[_k.K_AP:_k.K_AP + _k.N_SOLAR] = net.aperture_m2
    coef[_k.K_PHI_R] = net.phi_r_w_per_k
    coef[_k.K_TM_PREV], coef[_k.K_TA_PREV] = resp(1.0, 0.0, 0.0, 0.0, 0.0)
    coef[_k.K_TM_E], coef[_k.K_TA_E] = resp(0.0, 1.0, 0.0, 0.0, 0.0)
    coef[_k.K_TM_SOL], coef[_k.K_TA_SOL] = resp(0.0, 0.0, 1.0, 0.0, 0.0)
    # internal gains enter per m2 of floor: phi_int [W m-2] * A_f
    coef[_k.K_TM_INT], coef[_k.K_TA_INT] = resp(0.0, 0.0, 0.0, net.floor_area_m2, 0.0)
    tm_hc, ta_hc = resp(0.0, 0.0, 0.0, 0.0, 1.0)
    coef[_k.K_TM_HC], coef[_k.K_TA_HC] = tm_hc, ta_hc
    with np.errstate(divide="ignore"):
        coef[_k.K_TA_HC_INV] = np.where(ta_hc > 0, 1.0 / ta_hc, 0.0)
    return np.ascontiguousarray(coef)


# ---------------------------------------------------------------------------------------------
# schedules


@dataclass(frozen=True, eq=False)
class Schedules:
    """Hourly arrays shared by all dwellings (n_h,): set-points and internal gains."""

    set_heating_degc: np.ndarray
    set_cooling_degc: np.ndarray
    phi_int_w_per_m2: np.ndarray
    sky_dt_k: np.ndarray
    """Difference between outdoor air and apparent sky temperature Delta theta_er [K]
    (eq. 46): ``delta_theta_er_k`` every hour, or theta_e - theta_sky of the weather file when
    ``sky_temperature_model = "weather"`` and the climate carries a sky temperature."""


def build_schedules(
    climate: HourlyClimate,
    params: HourlyParams,
    *,
    heating_setpoint_degc: float | None,
    cooling_setpoint_degc: float | None,
    setback: Setback,
    free_float: bool,
) -> Schedules:
    """Hourly set-points (with the set-back) and internal gains for the climate's hours.

    ``setback``: None (constant set-point), ``"night"`` (``setback_setpoint_degc`` from
    ``setback_start_h`` to ``setback_end_h`` of ``hourly.toml``) or ``(degc, start_h, end_h)``.
    """
    hour = np.asarray(climate.time.hour, dtype=np.int64)
    n_h = hour.shape[0]
    th = params.heating_setpoint_degc if heating_setpoint_degc is None else heating_setpoint_degc
    set_h = np.full(n_h, float(th))
    if setback is not None:
        if setback == "night":
            sb = (params.setback_setpoint_degc, params.setback_start_h, params.setback_end_h)
        elif isinstance(setback, tuple) and len(setback) == 3:
            sb = (float(setback[0]), int(setback[1]), int(setback[2]))
        else:
            raise InputError(
                f"setback must be None, 'night' or (degc, start_h, end_h); got {setback!r}."
            )
        value, start, end = sb
        if not (0 <= start <= 23 and 0 <= end <= 23):
            raise InputError(f"set-back hours must lie in 0..23, got start {start}, end {end}.")
        night = (hour >= start) | (hour < end) if start > end else (hour >= start) & (hour < end)
        set_h[night] = value
    set_c = np.full(n_h, _k.BIG if cooling_setpoint_degc is None else float(cooling_setpoint_degc))
    if cooling_setpoint_degc is not None and np.any(set_c < set_h):
        raise InputError(
            f"the cooling set-point {cooling_setpoint_degc} degC lies below the heating set-point "
            f"{float(set_h.max())} degC; give a cooling set-point at or above it."
        )
    if free_float:
        set_h[:] = -_k.BIG
        set_c[:] = _k.BIG
    prof = np.asarray(params.internal_gain_profile_frac, dtype=np.float64)
    phi = params.balance.phi_int_w_per_m2 * prof[hour]
    if params.sky_temperature_model == "weather" and climate.sky_temp_degc is not None:
        sky_dt = climate.temp_out_degc - climate.sky_temp_degc
    else:
        sky_dt = np.full(n_h, params.delta_theta_er_k)
    return Schedules(set_h, set_c, np.ascontiguousarray(phi), np.ascontiguousarray(sky_dt))


# ---------------------------------------------------------------------------------------------
# results and the public entry point


@dataclass
class HourlyResult:
    """Results of :func:`simulate_hourly`, one row per dwelling (hour axis last).

    Rows with unusable inputs (``valid`` False) hold NaN (hours of the peaks: -1).
    """

    heating_w: np.ndarray | None
    """(n, n_h) heating need per hour [W] (mean power over the hour, = Wh), or None."""
    cooling_w: np.ndarray | None
    """(n, n_h) cooling need per hour, positive [W], or None."""
    indoor_temp_degc: np.ndarray | None
    """(n, n_h) air temperature theta_air [degC], or None."""
    annual_heating_kwh: np.ndarray
    """(n,) [kWh]."""
    annual_cooling_kwh: np.ndarray
    """(n,) [kWh]."""
    peak_heating_w: np.ndarray
    """(n,) largest hourly heating need [W]."""
    peak_heating_hour: np.ndarray
    """(n,) int64 index into ``time`` of that hour (first one on ties; -1 without heating)."""
    peak_cooling_w: np.ndarray
    """(n,) largest hourly cooling need [W]."""
    peak_cooling_hour: np.ndarray
    """(n,) int64, as ``peak_heating_hour``."""
    min_temp_degc: np.ndarray
    """(n,) lowest hourly air temperature [degC]."""
    max_temp_degc: np.ndarray
    """(n,) highest hourly air temperature [degC]."""
    mean_temp_degc: np.ndarray
    """(n,) mean hourly air temperature [degC]."""
    index: pd.Index
    """Dwelling ids (the input frame's index)."""
    time: pd.DatetimeIndex
    """The climate's hours."""
    valid: np.ndarray
    """(n,) bool."""
    invalid_counts: dict[str, int] = field(default_factory=dict)
    backend: str = "cpu"

    def annual_frame(self) -> pd.DataFrame:
        """The per-dwelling figures as a DataFrame indexed by dwelling id."""
        return pd.DataFrame(
            {
                "annual_heating_kwh": self.annual_heating_kwh,
                "annual_cooling_kwh": self.annual_cooling_kwh,
                "peak_heating_w": self.peak_heating_w,
                "peak_heating_hour": self.peak_heating_hour,
                "peak_cooling_w": self.peak_cooling_w,
                "peak_cooling_hour": self.peak_cooling_hour,
                "min_temp_degc": self.min_temp_degc,
                "max_temp_degc": self.max_temp_degc,
                "mean_temp_degc": self.mean_temp_degc,
                "valid": self.valid,
            },
            index=self.index,
        )


def cuda_available() -> bool:
    """Whether numba can use a CUDA GPU here."""
    try:
        from numba import cuda

        return bool(cuda.is_available())
    except Exception:  # numba built without CUDA support, driver errors
        return False


def _prepare(
    dwellings: pd.DataFrame, climate: HourlyClimate, params: HourlyParams | None,
    heating_setpoint_degc: float | None, cooling_setpoint_degc: float | None,
    setback: Setback, free_float: bool,
) -> tuple[HourlyParams, Network, Schedules]:
    if not isinstance(dwellings, pd.DataFrame):
        raise InputError(f"dwellings must be a pandas DataFrame, got {type(dwellings).__name__}.")
    if not isinstance(climate, HourlyClimate):
        raise InputError(
            f"climate must be an HourlyClimate (hourly_climate_from_epw(read_epw(path))), got "
            f"{type(climate).__name__}."
        )
    p = params or load_hourly_params()
    net = build_network(dwellings, p)
    if net.invalid_counts:
        logger.warning(
            "hourly engine: %d of %d rows rejected (%s)", int((~net.valid).sum()),
            net.valid.shape[0], ", ".join(f"{k}: {v}" for k, v in net.invalid_counts.items()),
        )
    sched = build_schedules(
        climate, p, heating_setpoint_degc=heating_setpoint_degc,
        cooling_setpoint_degc=cooling_setpoint_degc, setback=setback, free_float=free_float,
    )
    if p.warmup_h > climate.n_hours:
        raise InputError(
            f"warmup_h = {p.warmup_h} exceeds the climate's {climate.n_hours} hours; lower it."
        )
    return p, net, sched


def _result(
    annual: np.ndarray, heat: np.ndarray | None, cool: np.ndarray | None,
    temp: np.ndarray | None, net: Network, dwellings: pd.DataFrame, climate: HourlyClimate,
    backend: str,
) -> HourlyResult:
    bad = ~net.valid
    n_h = climate.n_hours

    def f(row: int, scale: float = 1.0) -> np.ndarray:
        a = annual[row] * scale
        a[bad] = np.nan
        return a

    def hour(row: int) -> np.ndarray:
        a = annual[row].astype(np.int64)
        a[bad] = -1
        return a

    for arr in (heat, cool, temp):
        if arr is not None and bad.any():
            arr[bad, :] = np.nan
    return HourlyResult(
        heating_w=heat, cooling_w=cool, indoor_temp_degc=temp,
        annual_heating_kwh=f(_k.O_HEAT_WH, 1e-3), annual_cooling_kwh=f(_k.O_COOL_WH, 1e-3),
        peak_heating_w=f(_k.O_PEAK_HEAT_W), peak_heating_hour=hour(_k.O_PEAK_HEAT_H),
        peak_cooling_w=f(_k.O_PEAK_COOL_W), peak_cooling_hour=hour(_k.O_PEAK_COOL_H),
        min_temp_degc=f(_k.O_TMIN), max_temp_degc=f(_k.O_TMAX),
        mean_temp_degc=f(_k.O_TSUM, 1.0 / n_h),
        index=dwellings.index, time=climate.time, valid=net.valid,
        invalid_counts=dict(net.invalid_counts), backend=backend,
    )


def run_kernel(
    coef: np.ndarray, climate_arrays: tuple[np.ndarray, ...], theta_m0: float, warmup_h: int,
    *, return_hourly: bool, parallel: bool = True,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Call the CPU kernel on prepared arrays (no checks; for the wrapper and the benchmark).

    ``climate_arrays`` = (irr (N_SOLAR, n_h), temp_e, phi_int, set_h, set_c, sky_dt). Returns
    ``annual`` (N_OUT, n) and, with ``return_hourly``, Fortran-ordered (n, n_h) heating,
    cooling and air temperature.
    """
    irr, temp_e, phi_int, set_h, set_c, sky_dt = climate_arrays
    n, n_h = coef.shape[1], temp_e.shape[0]
    annual = np.empty((_k.N_OUT, n))
    if return_hourly:
        heat = np.empty((n, n_h), order="F")
        cool = np.empty((n, n_h), order="F")
        temp = np.empty((n, n_h), order="F")
    else:
        heat = cool = temp = np.empty((1, 1), order="F")
    fn = _k.run_parallel if parallel else _k.run_serial
    fn(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, float(theta_m0), int(warmup_h),
       annual, heat, cool, temp, bool(return_hourly))
    if return_hourly:
        return annual, heat, cool, temp
    return annual, None, None, None


def simulate_hourly(
    dwellings: pd.DataFrame,
    climate: HourlyClimate,
    params: HourlyParams | None = None,
    *,
    heating_setpoint_degc: float | None = None,
    cooling_setpoint_degc: float | None = None,
    setback: Setback = None,
    free_float: bool = False,
    return_hourly: bool = True,
    backend: Literal["cpu", "cuda", "auto"] = "cpu",
    parallel: bool = True,
) -> HourlyResult:
    """Hourly heating and cooling need of every dwelling (EN ISO 13790 5R1C, Annex C).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The monthly engine's input columns
        (:data:`~wijkreno.simulate.heat_balance.REQUIRED_COLUMNS`: areas [m2] per
        orientation, volume [m3], U-values [W m-2 K-1], g [-], thermal bridges, infiltration
        [1/h], cellar share) plus what :func:`thermal_capacity_class` reads (``typology``,
        ``tabula_period`` or ``construction_year``), or explicit ``thermal_capacity_j_per_k``
        / ``effective_mass_area_m2`` / ``internal_surface_area_m2``.
    climate : HourlyClimate
        From :func:`hourly_climate_from_epw`.
    params : HourlyParams, optional
        Packaged parameters when None.
    heating_setpoint_degc : float, optional
        Air-temperature heating set-point [degC]; ``hourly.toml`` (20 degC) when None.
    cooling_setpoint_degc : float, optional
        Cooling set-point [degC]; None: no cooling (the temperature floats above).
    setback : None, "night" or (degc, start_h, end_h)
        Night set-back of the heating set-point (hours of the day in local standard time).
    free_float : bool
        No heating or cooling at all: the result's temperatures are free-floating.
    return_hourly : bool
        Also return the (n, n_h) hourly arrays (8760 x 8 bytes x 3 per dwelling); False
        accumulates annual sums, peaks and temperature statistics in the kernel only.
    backend : {"cpu", "cuda", "auto"}
        "auto" uses CUDA when :func:`cuda_available`, else the CPU.
    parallel : bool
        CPU backend: all numba threads (True) or one.

    Returns
    -------
    HourlyResult
        The hourly arrays are Fortran-ordered (contiguous over dwellings per hour).

    Raises
    ------
    InputError
        When columns are missing, the climate or a set-point is unusable, or backend="cuda"
        without a GPU.
    """
    if backend not in ("cpu", "cuda", "auto"):
        raise InputError(f"backend must be 'cpu', 'cuda' or 'auto', got {backend!r}.")
    use_cuda = backend == "cuda" or (backend == "auto" and cuda_available())
    if backend == "cuda" and not cuda_available():
        raise InputError(
            "backend='cuda' was asked but numba finds no CUDA GPU here; use backend='cpu' or "
            "'auto'."
        )
    p, net, sched = _prepare(dwellings, climate, params, heating_setpoint_degc,
                             cooling_setpoint_degc, setback, free_float)
    coef = step_coefficients(net)
    arrays = (climate.engine_irradiance(), np.ascontiguousarray(climate.temp_out_degc),
              sched.phi_int_w_per_m2, np.ascontiguousarray(sched.set_heating_degc),
              np.ascontiguousarray(sched.set_cooling_degc), sched.sky_dt_k)
    if use_cuda:
        from wijkreno.simulate import _hourly_cuda

        annual, heat, cool, temp = _hourly_cuda.run_cuda(
            coef, arrays, p.theta_m_start_degc, p.warmup_h, return_hourly=return_hourly)
        name = "cuda"
    else:
        annual, heat, cool, temp = run_kernel(
            coef, arrays, p.theta_m_start_degc, p.warmup_h, return_hourly=return_hourly,
            parallel=parallel)
        name = "cpu"
    return _result(annual, heat, cool, temp, net, dwellings, climate, name)


def simulate_hourly_reference(
    dwellings: pd.DataFrame,
    climate: HourlyClimate,
    params: HourlyParams | None = None,
    *,
    heating_setpoint_degc: float | None = None,
    cooling_setpoint_degc: float | None = None,
    setback: Setback = None,
    free_float: bool = False,
) -> HourlyResult:
    """Plain-NumPy reference of :func:`simulate_hourly` (same arguments, hourly arrays always).

    Hours in a Python loop, NumPy arrays over dwellings; each hour applies (C.1)-(C.11) with
    Phi_HC = 0, and where a set-point is violated the probe Phi_HC,nd10 = 10 W/m2 A_f and the
    interpolation (C.13) of section C.4.2, then the step again with the need found.
    """
    p, net, sched = _prepare(dwellings, climate, params, heating_setpoint_degc,
                             cooling_setpoint_degc, setback, free_float)
    n, n_h = net.floor_area_m2.shape[0], climate.n_hours
    irr = climate.engine_irradiance()
    te_all = climate.temp_out_degc
    heat = np.empty((n, n_h))
    cool = np.empty((n, n_h))
    temp = np.empty((n, n_h))
    theta_m = np.full(n, p.theta_m_start_degc)
    phi_10 = 10.0 * net.floor_area_m2  # section C.4.2 step 2
    order = list(range(n_h - p.warmup_h, n_h)) + list(range(n_h))
    for k, t in enumerate(order):
        te = te_all[t]
        # section 11.3.2, with Phi_r of eq. (46) at the hour's Delta theta_er
        phi_sol = net.aperture_m2.T @ irr[:, t] - net.phi_r_w_per_k * sched.sky_dt_k[t]
        phi_int = sched.phi_int_w_per_m2[t] * net.floor_area_m2
        _, ta0, _ = network_step(net, theta_m, te, phi_sol, phi_int, 0.0)  # step 1
        target = np.where(ta0 < sched.set_heating_degc[t], sched.set_heating_degc[t],
                          np.where(ta0 > sched.set_cooling_degc[t], sched.set_cooling_degc[t],
                                   ta0))
        _, ta10, _ = network_step(net, theta_m, te, phi_sol, phi_int, phi_10)  # step 2
        with np.errstate(divide="ignore", invalid="ignore"):
            phi_hc = np.where(target != ta0, phi_10 * (target - ta0) / (ta10 - ta0), 0.0)  # C.13
        phi_hc = np.nan_to_num(phi_hc)
        theta_m, ta, _ = network_step(net, theta_m, te, phi_sol, phi_int, phi_hc)  # step 3
        if k >= p.warmup_h:
            heat[:, t] = np.maximum(phi_hc, 0.0)
            cool[:, t] = np.maximum(-phi_hc, 0.0)
            temp[:, t] = ta
    annual = np.empty((_k.N_OUT, n))
    annual[_k.O_HEAT_WH] = heat.sum(axis=1)
    annual[_k.O_COOL_WH] = cool.sum(axis=1)
    annual[_k.O_PEAK_HEAT_W] = heat.max(axis=1)
    annual[_k.O_PEAK_HEAT_H] = np.where(heat.max(axis=1) > 0, heat.argmax(axis=1), -1)
    annual[_k.O_PEAK_COOL_W] = cool.max(axis=1)
    annual[_k.O_PEAK_COOL_H] = np.where(cool.max(axis=1) > 0, cool.argmax(axis=1), -1)
    annual[_k.O_TMIN] = temp.min(axis=1)
    annual[_k.O_TMAX] = temp.max(axis=1)
    annual[_k.O_TSUM] = temp.sum(axis=1)
    return _result(annual, heat, cool, temp, net, dwellings, climate, "numpy")


def monthly_sums_kwh(hourly_w: np.ndarray, time: pd.DatetimeIndex) -> np.ndarray:
    """(n, 12) monthly sums of an (n, n_h) hourly power array [W] in kWh."""
    months = np.asarray(time.month) - 1
    out = np.zeros((hourly_w.shape[0], 12))
    for m in range(12):
        out[:, m] = hourly_w[:, months == m].sum(axis=1) / 1000.0
    return out


__all__: Sequence[str] = (
    "CAPACITY_CLASSES", "HOURS_PER_YEAR", "CapacityClass", "HourlyClimate", "HourlyParams",
    "HourlyResult", "Network", "Schedules", "SOLAR_CLASSES",
    "build_network", "build_schedules", "cuda_available", "effective_mass_area_m2",
    "sky_temperature_degc",
    "hourly_climate_from_epw", "load_hourly_params", "monthly_sums_kwh", "network_step",
    "simulate_hourly", "simulate_hourly_reference", "step_coefficients",
    "thermal_capacity_class", "thermal_capacity_j_per_k",
)
