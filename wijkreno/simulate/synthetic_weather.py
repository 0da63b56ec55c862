"""A synthetic hourly year from a monthly climate, for runs without a weather file.

The hourly engine needs hourly weather; the package ships only the monthly Uccle climate
(``climate_uccle_monthly.csv``) and the real Uccle EPW may be absent. :func:`synthetic_weather`
builds one year of hourly weather in the layout of :func:`wijkreno.io.epw.read_epw` (so that
:func:`wijkreno.simulate.hourly.hourly_climate_from_epw` takes it unchanged) by a documented,
seeded method (parameters ``[synthetic_weather]`` of ``heat_pump_hourly.toml``):

* **global horizontal irradiance**: pvlib's clear-sky model (Haurwitz) at the site, scaled per
  month so that the month's sum equals the monthly climate's ``ghi_kwh_per_m2``; direct and
  diffuse parts from the Erbs decomposition (pvlib). Every day of a month has the same clear-sky
  index, so sunny and overcast days are not told apart;
* **air temperature**: the month's mean ``theta_e_degc`` + a day-to-day anomaly (AR(1) with
  standard deviation ``daily_std_k`` and lag-1 autocorrelation ``daily_autocorrelation``, drawn
  with ``numpy.random.default_rng(seed)``, then shifted to zero mean within each month) + a
  diurnal cosine of half-range ``amplitude_k[month]`` peaking at ``peak_hour``. Monthly means
  equal the monthly climate's exactly.

The result is *synthetic*: its cold spells are as deep as the AR(1) draw makes them, not as a
real winter's. The metadata's ``synthetic`` is True and ``source`` says so; peaks for a grid
operator should be computed with a real EPW.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate.climate import MonthlyClimate
from wijkreno.simulate.heat_pump_hourly import (
    HeatPumpHourlyParams,
    load_heat_pump_hourly_params,
)

SYNTHETIC_NOTE = "SYNTHETIC hourly year (no EPW given)"


def synthetic_weather(
    monthly: MonthlyClimate,
    *,
    params: HeatPumpHourlyParams | None = None,
    seed: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One synthetic year of hourly weather from a monthly climate.

    Parameters
    ----------
    monthly : MonthlyClimate
        The monthly climate (:func:`wijkreno.simulate.climate.load_climate`).
    params : HeatPumpHourlyParams, optional
        ``[synthetic_weather]`` (site, year, amplitudes, AR(1) figures); packaged when None.
    seed : int, optional
        Overrides the file's seed.

    Returns
    -------
    weather : pandas.DataFrame
        8,760 (or 8,784) rows indexed by the start of each hour in local standard time
        (tz-aware), columns ``theta_e_degc`` [degC], ``ghi_w_per_m2``, ``dni_w_per_m2``,
        ``dhi_w_per_m2`` [W m-2].
    metadata : dict
        ``latitude``, ``longitude``, ``altitude``, ``city``, ``source`` (which says
        "SYNTHETIC"), ``synthetic`` (True) and ``seed``.
    """
    import pvlib

    p = params or load_heat_pump_hourly_params()
    sw = p.synthetic_weather
    rng_seed = sw.seed if seed is None else int(seed)
    offset = sw.utc_offset_h.value
    if offset != int(offset):
        raise InputError(f"synthetic_weather.utc_offset_h must be whole hours, got {offset}")
    tz = f"Etc/GMT{-int(offset):+d}" if offset else "UTC"
    time = pd.date_range(f"{sw.year}-01-01", f"{sw.year + 1}-01-01", freq="h",
                         inclusive="left", tz=tz)
    lat, lon, alt = sw.latitude_deg.value, sw.longitude_deg.value, sw.altitude_m.value
    month = np.asarray(time.month) - 1
    # irradiance: clear sky at mid-hour, scaled per month
    sp = pvlib.solarposition.get_solarposition(time + pd.Timedelta(minutes=30), lat, lon, alt)
    clear = pvlib.clearsky.haurwitz(sp["apparent_zenith"])["ghi"].to_numpy()
    clear = np.nan_to_num(clear, nan=0.0)
    sums_kwh = np.bincount(month, weights=clear, minlength=12) / 1000.0
    target = np.asarray(monthly.ghi_kwh_per_m2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(sums_kwh > 0, target / sums_kwh, 0.0)
    ghi = clear * scale[month]
    parts = pvlib.irradiance.erbs(ghi, sp["zenith"].to_numpy(),
                                  (time + pd.Timedelta(minutes=30)).day_of_year.to_numpy())
    dni = np.nan_to_num(np.asarray(parts["dni"], dtype=np.float64), nan=0.0)
    dhi = np.nan_to_num(np.asarray(parts["dhi"], dtype=np.float64), nan=0.0)
    # temperature: monthly mean + AR(1) daily anomaly (zero mean per month) + diurnal cycle
    rng = np.random.default_rng(rng_seed)
    n_days = len(time) // 24
    phi = sw.daily_autocorrelation.value
    eps = rng.normal(0.0, sw.daily_std_k.value * np.sqrt(1.0 - phi * phi), n_days)
    anomaly = np.empty(n_days)
    anomaly[0] = rng.normal(0.0, sw.daily_std_k.value)
    for d in range(1, n_days):  # 365 steps of a scalar recursion
        anomaly[d] = phi * anomaly[d - 1] + eps[d]
    day_month = month[::24][:n_days]
    anomaly -= (np.bincount(day_month, weights=anomaly, minlength=12)
                / np.bincount(day_month, minlength=12))[day_month]
    hour = np.asarray(time.hour, dtype=np.float64)
    amp = np.asarray(sw.amplitude_k.values, dtype=np.float64)[month]
    diurnal = amp * np.cos(2.0 * np.pi * (hour + 0.5 - sw.peak_hour.value) / 24.0)
    theta = (np.asarray(monthly.theta_e_degc, dtype=np.float64)[month]
             + np.repeat(anomaly, 24)[: len(time)] + diurnal)
    weather = pd.DataFrame({"theta_e_degc": theta, "ghi_w_per_m2": ghi,
                            "dni_w_per_m2": dni, "dhi_w_per_m2": dhi}, index=time)
    meta = {
        "latitude": lat, "longitude": lon, "altitude": alt, "city": "Uccle (synthetic)",
        "source": (f"{SYNTHETIC_NOTE}: monthly climate '{monthly.source}' with pvlib Haurwitz "
                   f"clear sky scaled per month, Erbs split, AR(1) daily temperatures "
                   f"(seed {rng_seed}) and a diurnal cycle"),
        "synthetic": True,
        "seed": rng_seed,
    }
    return weather, meta


__all__ = ["SYNTHETIC_NOTE", "synthetic_weather"]
