"""Read EnergyPlus weather files (EPW) through pvlib, with house column names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from wijkreno.errors import InputError

EPW_COLUMNS: dict[str, str] = {
    "temp_air": "theta_e_degc",
    "ghi": "ghi_w_per_m2",
    "dni": "dni_w_per_m2",
    "dhi": "dhi_w_per_m2",
    "ghi_infrared": "ir_horizontal_w_per_m2",
    "atmospheric_pressure": "pressure_pa",
    "wind_speed": "wind_speed_m_per_s",
}
"""pvlib's EPW field names -> house names (hourly values; irradiance as the hour's mean
[W m-2], i.e. Wh m-2 per hour)."""


def read_epw(
    path: str | Path, coerce_year: int | None = 2021
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an EPW file with :func:`pvlib.iotools.read_epw` and rename to house names.

    Parameters
    ----------
    path : str or Path
        The ``.epw`` file.
    coerce_year : int or None
        Year given to every record (a typical year mixes years; a common non-leap year keeps
        the index monotonic). None keeps the file's years.

    Returns
    -------
    data : pandas.DataFrame
        Hourly records indexed by the START of each hour (pvlib's convention; EPW stamps the
        end), local standard time, columns of :data:`EPW_COLUMNS` values:
        ``theta_e_degc`` [degC], ``ghi_w_per_m2``, ``dni_w_per_m2``, ``dhi_w_per_m2``,
        ``ir_horizontal_w_per_m2`` (horizontal infrared radiation from the sky; 9999 where
        missing) [W m-2], ``pressure_pa`` [Pa], ``wind_speed_m_per_s`` [m s-1].
    metadata : dict
        pvlib's header fields (``latitude``, ``longitude`` [deg], ``altitude`` [m], ``TZ`` [h],
        ``city``, ``WMO_code``, ...) plus ``source`` (the file name).

    Raises
    ------
    InputError
        When the file is missing or not an EPW file.
    """
    import pvlib

    p = Path(path)
    if not p.is_file():
        raise InputError(f"EPW weather file {p} does not exist; give the path of an .epw file.")
    try:
        data, meta = pvlib.iotools.read_epw(p, coerce_year=coerce_year)
    except Exception as exc:  # pvlib raises plain ValueError/IndexError on bad files
        raise InputError(f"cannot read {p} as an EPW weather file: {exc}") from None
    missing = [c for c in EPW_COLUMNS if c not in data.columns]
    if missing:
        raise InputError(f"EPW file {p} lacks the fields {missing}.")
    out = data[list(EPW_COLUMNS)].rename(columns=EPW_COLUMNS).astype("float64")
    meta = dict(meta)
    meta["source"] = p.name
    return out, meta
