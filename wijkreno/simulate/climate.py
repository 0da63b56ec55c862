"""Monthly climate for the heat balance: outdoor temperature and solar irradiation per plane.

Irradiation on tilted and oriented planes comes from pvlib (solar position, extraterrestrial
irradiance, relative air mass and a transposition model, Perez by default), computed once per
orientation/tilt class from an hourly weather file and summed per month; never per dwelling.

Classes: vertical planes facing N, E, S, W (façades and windows), horizontal (the weather
file's own global horizontal irradiation, not transposed) and pitched roofs at
``roof_tilt_deg`` (the 30-45 degree class) facing N, E, S, W.

The packaged table ``wijkreno/params/climate_uccle_monthly.csv`` is written by
``scripts/derive_climate.py`` with :func:`derive_monthly_climate` from the Uccle TMYx file
(read by :func:`wijkreno.io.epw.read_epw`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.heat_balance import ClimateParams, load_climate_params
from wijkreno.params.reader import read_text

log = logging.getLogger(__name__)

CLIMATE_FILE = "climate_uccle_monthly.csv"
ORIENTATIONS: tuple[str, ...] = ("n", "e", "s", "w")
AZIMUTH_DEG: dict[str, float] = {"n": 0.0, "e": 90.0, "s": 180.0, "w": 270.0}
"""Surface azimuth per orientation, pvlib convention (clockwise from north)."""

TABLE_COLUMNS: tuple[str, ...] = (
    "month",
    "hours_h",
    "theta_e_degc",
    "ghi_kwh_per_m2",
    *(f"i_sol_vert_{o}_kwh_per_m2" for o in ORIENTATIONS),
    *(f"i_sol_roof_{o}_kwh_per_m2" for o in ORIENTATIONS),
)
"""Columns of the monthly climate table (one row per month)."""


@dataclass(frozen=True, eq=False)
class MonthlyClimate:
    """Monthly climate: 12 values per quantity, January first (arrays are read-only).

    Attributes
    ----------
    hours_h : numpy.ndarray
        (12,) hours per month [h].
    theta_e_degc : numpy.ndarray
        (12,) mean outdoor air temperature [degC].
    ghi_kwh_per_m2 : numpy.ndarray
        (12,) global irradiation on the horizontal plane [kWh m-2].
    i_sol_vertical_kwh_per_m2 : numpy.ndarray
        (4, 12) irradiation on vertical planes facing N, E, S, W [kWh m-2].
    i_sol_roof_kwh_per_m2 : numpy.ndarray
        (4, 12) irradiation on roof planes at ``roof_tilt_deg`` facing N, E, S, W [kWh m-2].
    roof_tilt_deg : float
        Tilt of the roof class [deg].
    source : str
        Where the figures come from.
    """

    hours_h: np.ndarray
    theta_e_degc: np.ndarray
    ghi_kwh_per_m2: np.ndarray
    i_sol_vertical_kwh_per_m2: np.ndarray
    i_sol_roof_kwh_per_m2: np.ndarray
    roof_tilt_deg: float
    source: str

    def __post_init__(self) -> None:
        shapes = {
            "hours_h": (12,),
            "theta_e_degc": (12,),
            "ghi_kwh_per_m2": (12,),
            "i_sol_vertical_kwh_per_m2": (4, 12),
            "i_sol_roof_kwh_per_m2": (4, 12),
        }
        for name, shape in shapes.items():
            arr = np.array(getattr(self, name), dtype=np.float64)  # own copy
            if arr.shape != shape:
                raise InputError(f"MonthlyClimate.{name} must have shape {shape}, got {arr.shape}")
            if not np.isfinite(arr).all():
                raise InputError(f"MonthlyClimate.{name} has missing or infinite values")
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    def to_frame(self) -> pd.DataFrame:
        """The table of :data:`TABLE_COLUMNS`, one row per month."""
        data: dict[str, Any] = {
            "month": np.arange(1, 13),
            "hours_h": self.hours_h,
            "theta_e_degc": self.theta_e_degc,
            "ghi_kwh_per_m2": self.ghi_kwh_per_m2,
        }
        for k, o in enumerate(ORIENTATIONS):
            data[f"i_sol_vert_{o}_kwh_per_m2"] = self.i_sol_vertical_kwh_per_m2[k]
        for k, o in enumerate(ORIENTATIONS):
            data[f"i_sol_roof_{o}_kwh_per_m2"] = self.i_sol_roof_kwh_per_m2[k]
        return pd.DataFrame(data)[list(TABLE_COLUMNS)]

    @classmethod
    def from_frame(
        cls, table: pd.DataFrame, *, roof_tilt_deg: float, source: str
    ) -> MonthlyClimate:
        """Inverse of :meth:`to_frame`."""
        missing = [c for c in TABLE_COLUMNS if c not in table.columns]
        if missing or len(table) != 12:
            raise InputError(
                f"a monthly climate table needs 12 rows and the columns {list(TABLE_COLUMNS)}; "
                f"got {len(table)} rows, missing {missing}."
            )
        t = table.sort_values("month")
        return cls(
            hours_h=t["hours_h"].to_numpy(),
            theta_e_degc=t["theta_e_degc"].to_numpy(),
            ghi_kwh_per_m2=t["ghi_kwh_per_m2"].to_numpy(),
            i_sol_vertical_kwh_per_m2=np.stack(
                [t[f"i_sol_vert_{o}_kwh_per_m2"].to_numpy() for o in ORIENTATIONS]),
            i_sol_roof_kwh_per_m2=np.stack(
                [t[f"i_sol_roof_{o}_kwh_per_m2"].to_numpy() for o in ORIENTATIONS]),
            roof_tilt_deg=roof_tilt_deg,
            source=source,
        )


def plane_irradiance(
    weather: pd.DataFrame,
    metadata: Mapping[str, Any],
    surface_tilt_deg: float,
    surface_azimuth_deg: float,
    *,
    params: ClimateParams | None = None,
    solar_position: pd.DataFrame | None = None,
) -> pd.Series:
    """Hourly global irradiance on one plane with pvlib [W m-2].

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather from :func:`wijkreno.io.epw.read_epw` (index = start of each hour).
    metadata : mapping
        ``latitude``, ``longitude`` [deg], ``altitude`` [m].
    surface_tilt_deg, surface_azimuth_deg : float
        Plane tilt from horizontal and azimuth clockwise from north [deg].
    params : ClimateParams, optional
        Albedo and transposition model; packaged values when None.
    solar_position : pandas.DataFrame, optional
        Output of :func:`solar_position` to reuse across planes.

    Returns
    -------
    pandas.Series
        ``poa_global`` per hour [W m-2] (mean over the hour, so also Wh m-2).
    """
    import pvlib

    params = params or load_climate_params()
    sp = solar_position
    if sp is None:
        sp = compute_solar_position(weather, metadata,
                                    sun_position_offset_from_file(weather, metadata, params))
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=surface_tilt_deg,
        surface_azimuth=surface_azimuth_deg,
        solar_zenith=sp["apparent_zenith"],
        solar_azimuth=sp["azimuth"],
        dni=weather["dni_w_per_m2"],
        ghi=weather["ghi_w_per_m2"],
        dhi=weather["dhi_w_per_m2"],
        dni_extra=sp["dni_extra"],
        airmass=sp["airmass"],
        albedo=params.albedo_frac,
        model=params.transposition_model,
    )
    return poa["poa_global"].fillna(0.0).clip(lower=0.0)


def compute_solar_position(
    weather: pd.DataFrame, metadata: Mapping[str, Any], offset_min: float
) -> pd.DataFrame:
    """Solar position, extraterrestrial DNI and relative air mass for each hourly record.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather indexed by the start of each hour.
    metadata : mapping
        ``latitude``, ``longitude`` [deg], ``altitude`` [m].
    offset_min : float
        Minutes after the start of the hour at which the sun is placed: 30 for hourly means
        centred on the hour, 60 for a file whose direct/diffuse split used the sun at its time
        stamp (the ``sun_position_offset_min`` parameter says which and why).

    Returns
    -------
    pandas.DataFrame
        pvlib's solar position columns plus ``dni_extra`` [W m-2] and ``airmass`` [-],
        indexed like ``weather``.
    """
    import pvlib

    mid = weather.index + pd.Timedelta(minutes=offset_min)
    sp = pvlib.solarposition.get_solarposition(
        mid,
        latitude=float(metadata["latitude"]),
        longitude=float(metadata["longitude"]),
        altitude=float(metadata.get("altitude", 0.0)),
        temperature=weather["theta_e_degc"].to_numpy(),
    )
    sp.index = weather.index
    sp["dni_extra"] = pvlib.irradiance.get_extra_radiation(mid).to_numpy()
    sp["airmass"] = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]).to_numpy()
    return sp


SUN_OFFSET_CANDIDATES_MIN: tuple[float, ...] = (0.0, 15.0, 30.0, 45.0, 60.0)
"""Offsets after the start of an hourly record tried by :func:`sun_position_offset_from_file`
(a search grid: start, quarter hours, middle and end of the record)."""


def sun_position_offset_from_file(
    weather: pd.DataFrame, metadata: Mapping[str, Any], params: ClimateParams | None = None,
) -> float:
    """The sun-position convention of a weather file, read from its own data [min].

    For each offset of :data:`SUN_OFFSET_CANDIDATES_MIN`, the closure residual
    ``GHI - (DNI cos(zenith) + DHI)`` over the hours with GHI above
    ``sun_position_min_ghi_w_per_m2``; the offset with the smallest median absolute residual
    is where the file's direct/diffuse split placed the sun. With ``sun_position_convention =
    "fixed"``, or fewer than 100 such hours, ``sun_position_offset_min``.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather indexed by the start of each hour (``ghi_w_per_m2``, ``dni_w_per_m2``,
        ``dhi_w_per_m2``, ``theta_e_degc``).
    metadata : mapping
        ``latitude``, ``longitude`` [deg], ``altitude`` [m].
    params : ClimateParams, optional
        Packaged values when None.

    Returns
    -------
    float
        Minutes after the start of each record.
    """
    params = params or load_climate_params()
    if params.sun_position_convention == "fixed":
        return float(params.sun_position_offset_min)
    bright = weather["ghi_w_per_m2"].to_numpy(dtype=float) > params.sun_position_min_ghi_w_per_m2
    if int(bright.sum()) < 100:
        log.warning("too few sunny hours (%d) to read the sun position from the file; using "
                    "+%g min", int(bright.sum()), params.sun_position_offset_min)
        return float(params.sun_position_offset_min)
    w = weather.loc[bright]
    best, best_res = float(params.sun_position_offset_min), np.inf
    for offset in SUN_OFFSET_CANDIDATES_MIN:
        sp = compute_solar_position(w, metadata, offset)
        cos_z = np.clip(np.cos(np.radians(sp["zenith"].to_numpy(dtype=float))), 0.0, None)
        res = (w["ghi_w_per_m2"].to_numpy(dtype=float)
               - w["dni_w_per_m2"].to_numpy(dtype=float) * cos_z
               - w["dhi_w_per_m2"].to_numpy(dtype=float))
        med = float(np.median(np.abs(res)))
        if med < best_res:
            best, best_res = float(offset), med
    log.info("sun position read from the weather file: +%g min (median |GHI closure| %.1f "
             "W/m2)", best, best_res)
    return best


def derive_monthly_climate(
    weather: pd.DataFrame,
    metadata: Mapping[str, Any],
    params: ClimateParams | None = None,
) -> MonthlyClimate:
    """Aggregate hourly weather to the monthly climate of the heat balance.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather of one year from :func:`wijkreno.io.epw.read_epw`.
    metadata : mapping
        Site of the weather file (``latitude``, ``longitude``, ``altitude``; ``city`` and
        ``source`` for the description).
    params : ClimateParams, optional
        Albedo, roof tilt and transposition model; packaged values when None.

    Returns
    -------
    MonthlyClimate
        Hours and mean temperature per month, irradiation sums per plane class [kWh m-2].
    """
    params = params or load_climate_params()
    months = weather.index.month
    if sorted(set(months)) != list(range(1, 13)):
        raise InputError(
            f"the weather data must cover the 12 months of one year; it has months "
            f"{sorted(set(months))}."
        )
    offset = sun_position_offset_from_file(weather, metadata, params)
    sp = compute_solar_position(weather, metadata, offset)

    def monthly_kwh(series: pd.Series) -> np.ndarray:
        return series.groupby(months).sum().reindex(range(1, 13)).to_numpy() / 1000.0

    vertical = [
        monthly_kwh(plane_irradiance(weather, metadata, 90.0, AZIMUTH_DEG[o], params=params,
                                     solar_position=sp))
        for o in ORIENTATIONS
    ]
    roof = [
        monthly_kwh(plane_irradiance(weather, metadata, params.roof_tilt_deg, AZIMUTH_DEG[o],
                                     params=params, solar_position=sp))
        for o in ORIENTATIONS
    ]
    hours = weather.groupby(months).size().reindex(range(1, 13)).to_numpy(dtype=np.float64)
    theta = weather["theta_e_degc"].groupby(months).mean().reindex(range(1, 13)).to_numpy()
    source = (
        f"{metadata.get('source', 'weather file')} ({metadata.get('city', '?')}, "
        f"lat {metadata.get('latitude')}, lon {metadata.get('longitude')}); pvlib "
        f"{params.transposition_model} transposition, albedo {params.albedo_frac}, sun at "
        f"+{offset:g} min ({params.sun_position_convention})"
    )
    return MonthlyClimate(
        hours_h=hours,
        theta_e_degc=theta,
        ghi_kwh_per_m2=monthly_kwh(weather["ghi_w_per_m2"]),
        i_sol_vertical_kwh_per_m2=np.stack(vertical),
        i_sol_roof_kwh_per_m2=np.stack(roof),
        roof_tilt_deg=params.roof_tilt_deg,
        source=source,
    )


def _read_header(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep:
            header[key.strip()] = value.strip()
    return header


def load_climate(path: str | Path | None = None) -> MonthlyClimate:
    """The packaged monthly climate of Uccle (or another table written the same way).

    Parameters
    ----------
    path : str, Path or None
        A CSV laid out as ``wijkreno/params/climate_uccle_monthly.csv`` (``#`` header lines
        with ``roof_tilt_deg`` and ``source``, then :data:`TABLE_COLUMNS`); None for that
        file.

    Returns
    -------
    MonthlyClimate
    """
    if path is None:
        return _packaged_climate()
    return _parse_climate(read_text(path, CLIMATE_FILE, what="climate table"), str(path))


@lru_cache(maxsize=1)
def _packaged_climate() -> MonthlyClimate:
    """The packaged table, parsed once (its arrays are read-only)."""
    return _parse_climate(read_text(None, CLIMATE_FILE, what="climate table"), CLIMATE_FILE)


def _parse_climate(text: str, where: str) -> MonthlyClimate:
    import io

    header = _read_header(text)
    table = pd.read_csv(io.StringIO(text), comment="#")
    try:
        tilt = float(header["roof_tilt_deg"])
    except (KeyError, ValueError):
        raise InputError(
            f"climate table {where} lacks a '# roof_tilt_deg: <value>' header line."
        ) from None
    return MonthlyClimate.from_frame(
        table, roof_tilt_deg=tilt, source=header.get("source", where)
    )


def climate_table_text(climate: MonthlyClimate, header: Mapping[str, str]) -> str:
    """CSV text of a monthly climate with ``# key: value`` header lines (for the script)."""
    lines = [f"# {k}: {v}" for k, v in header.items()]
    lines.append(f"# roof_tilt_deg: {climate.roof_tilt_deg}")
    body = climate.to_frame().to_csv(index=False, float_format="%.4f", lineterminator="\n")
    return "\n".join(lines) + "\n" + body
