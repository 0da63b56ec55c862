"""Reader of the Genk TEASER building set (energyville/modesto, 7,775 addresses, 9 neighbourhoods).

The source (``genk_teaser_buildings.csv``, see its PROVENANCE.md) holds, per address, the
parameters of a TEASER four-element reduced-order model: envelope areas per orientation as
``[S, W, N, E]`` lists, air volume, floor and roof areas, and lumped resistances. There are no
coordinates, construction years or heating systems.

:func:`read_genk_teaser` turns it into the energy-engine columns of the twin's ``dwellings``
table. Where each value comes from:

- areas per orientation, ground floor, roof and volume: observed (TEASER's areas, windows apart
  from opaque walls);
- U-values: **derived from the RC data**, not from archetypes. In TEASER (four-element model,
  ``merge_windows=False``) an element's lumped resistances ``R<elem> + R<elem>Rem`` sum to the
  conduction resistance of all its layers in parallel, in K/W. The U-value adds the surface
  resistances per m²: inside ``1 / (alpha_conv + alpha_rad)`` from the file's own
  ``0_alpha<elem>`` and ``0_alphaRad``, outside ``R_se`` (ISO 6946). Windows: ``0_RWin`` plus the
  same surface resistances. Ground floors get no outside resistance (the heat balance's b-factor
  handles the ground). The set has four U-value classes, one per neighbourhood group;
- heated floor area: volume / storey height (derived, with an assumed storey height);
- typology: imputed from how much of the footprint's perimeter is exposed (see
  :func:`read_genk_teaser`);
- heating system, infiltration, thermal bridges: imputed defaults (arguments).
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io._common import require_file

log = logging.getLogger(__name__)

GENK_FILE = "genk_teaser_buildings.csv"
GENK_NIS_CODE = "71016"

# TEASER list order of the source's per-orientation columns.
_TEASER_ORIENTATIONS = ("s", "w", "n", "e")

_SOURCE_COLUMNS = (
    "neighbourhood", "street", "housenumber", "BuildingID", "numeric_id",
    "0_AExt [S, W, N, E]", "0_AWin [S, W, N, E]", "0_AFloor", "0_ARoof", "0_VAir",
    "0_RExt", "0_RExtRem", "0_RRoof", "0_RRoofRem", "0_RFloor", "0_RFloorRem", "0_RWin",
    "0_alphaExt", "0_alphaRoof", "0_alphaFloor", "0_alphaWin", "0_alphaRad", "0_gWin",
)


def _orientation_lists(series: pd.Series, what: str) -> np.ndarray:
    """Parse TEASER's ``"[S, W, N, E]"`` list strings into an (n, 4) array."""
    try:
        values = [ast.literal_eval(v) for v in series.astype(str)]
        arr = np.array(values, dtype=np.float64)
    except (ValueError, SyntaxError) as exc:
        raise InputError(
            f"column {what!r} of the Genk file holds values that are not lists of four numbers "
            f"({exc}); expected e.g. '[53.9, 70.0, 47.3, 64.5]'"
        ) from None
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise InputError(f"column {what!r} must hold lists of four numbers [S, W, N, E]")
    return arr


def _u_value(r_total_k_per_w, area_m2, r_surfaces_m2k_per_w) -> np.ndarray:
    """U = 1 / (R_layers · A + R_surfaces) [W m-2 K-1]; NaN where the area is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        u = 1.0 / (np.asarray(r_total_k_per_w) * area_m2 + r_surfaces_m2k_per_w)
    return np.where(area_m2 > 0, u, np.nan)


def read_genk_teaser(
    folder: str | Path,
    *,
    storey_height_m: float = 3.0,
    external_surface_resistance_m2k_per_w: float = 0.04,
    heating_system: str = "gas_boiler",
    infiltration_ach: float = 0.4,
    thermal_bridge_w_per_m2k: float = 0.10,
    detached_min_exposure_frac: float = 1.0,
    semi_detached_min_exposure_frac: float = 0.8,
) -> pd.DataFrame:
    """Read the Genk TEASER set as dwellings with the energy engine's columns.

    Parameters
    ----------
    folder : str or Path
        Folder holding ``genk_teaser_buildings.csv`` (or the CSV itself).
    storey_height_m : float
        Floor-to-floor height used for heated floor area = volume / height [m]. Default 3.0 m
        (``storey_height_m`` of ``wijkreno/params/twin.toml``: 2.5-2.7 m ceiling + slab).
    external_surface_resistance_m2k_per_w : float
        Outside surface resistance R_se added to walls, roofs and windows [m² K W-1];
        0.04 from ISO 6946:2017 Table 7 (also TEASER's default outer coefficient 25 W m-2 K-1).
    heating_system : str
        Heating system imputed for every dwelling (the source has none). Default
        ``gas_boiler``: Genk's mining garden cities are on the gas grid and most installations
        predate condensing boilers (an assumption, flagged ``imputed``).
    infiltration_ach : float
        Infiltration air change rate [h-1]; 0.4 as TABULA BE's existing-state examples.
    thermal_bridge_w_per_m2k : float
        Thermal-bridge surcharge ΔU_tb [W m-2 K-1]; 0.10 ("medium", TABULA BE).
    detached_min_exposure_frac, semi_detached_min_exposure_frac : float
        Thresholds on the exposure ratio r = exposed perimeter / (4·sqrt(footprint)), with the
        exposed perimeter = (wall + window area) / (volume / footprint). The source's own
        archetype averages (``genk_teaser_archetypes.csv``) have r 0.99-1.18 for detached,
        0.86-0.99 for semi-detached and 0.65-0.85 for terraced houses: r ≥ 1.0 → detached,
        0.8 ≤ r < 1.0 → semi_detached, below → terraced.

    Returns
    -------
    pandas.DataFrame
        One row per address, no geometry: ``dwelling_id`` (``genk/<BuildingID>``),
        ``gebouw_id`` (TEASER's numeric id, meaning undocumented upstream), ``neighbourhood``,
        ``street``, ``house_number``, ``nis_code`` (71016), ``typology`` (+ ``_source``),
        ``heated_floor_area_m2`` (+ ``_source``), ``volume_m3``, ``roof_area_m2``,
        ``ground_floor_area_m2``, ``wall_area_{n,e,s,w}_m2``, ``window_area_{n,e,s,w}_m2``,
        ``party_wall_area_m2`` and ``annex_wall_area_m2`` (0: TEASER lists exposed areas
        only), ``u_roof/u_wall/u_floor/u_window_w_per_m2k`` (+ ``_source`` "derived"),
        ``u_party_wall_w_per_m2k`` (0), ``g_window_frac``, ``thermal_bridge_w_per_m2k``,
        ``infiltration_ach`` (+ ``_source``), ``cellar_frac`` (0), ``heating_system``
        (+ ``_source`` "imputed"), ``floor_share_frac`` (1).

    Raises
    ------
    InputError
        When the file is missing or lacks TEASER columns.

    Examples
    --------
    >>> dw = read_genk_teaser("../shared/data/genk_teaser_buildings")  # doctest: +SKIP
    >>> len(dw)  # doctest: +SKIP
    7775
    """
    path = Path(folder)
    if path.is_dir():
        path = path / GENK_FILE
    require_file(path, "Genk TEASER buildings")
    src = pd.read_csv(path, dtype={"housenumber": str, "street": str})
    missing = [c for c in _SOURCE_COLUMNS if c not in src.columns]
    if missing:
        raise InputError(
            f"{path} lacks the TEASER columns {missing}; expected the combined modesto file "
            "described in genk_teaser_buildings/PROVENANCE.md"
        )
    ext = _orientation_lists(src["0_AExt [S, W, N, E]"], "0_AExt [S, W, N, E]")
    win = _orientation_lists(src["0_AWin [S, W, N, E]"], "0_AWin [S, W, N, E]")
    floor = src["0_AFloor"].to_numpy(dtype=np.float64)
    roof = src["0_ARoof"].to_numpy(dtype=np.float64)
    volume = src["0_VAir"].to_numpy(dtype=np.float64)
    rad = src["0_alphaRad"].to_numpy(dtype=np.float64)
    r_se = external_surface_resistance_m2k_per_w

    def rsi(alpha_col: str) -> np.ndarray:
        return 1.0 / (src[alpha_col].to_numpy(dtype=np.float64) + rad)

    u_wall = _u_value(src["0_RExt"] + src["0_RExtRem"], ext.sum(axis=1),
                      rsi("0_alphaExt") + r_se)
    u_roof = _u_value(src["0_RRoof"] + src["0_RRoofRem"], roof, rsi("0_alphaRoof") + r_se)
    u_floor = _u_value(src["0_RFloor"] + src["0_RFloorRem"], floor, rsi("0_alphaFloor"))
    u_window = _u_value(src["0_RWin"], win.sum(axis=1), rsi("0_alphaWin") + r_se)

    with np.errstate(divide="ignore", invalid="ignore"):
        wall_height = volume / floor
        exposure = (ext.sum(axis=1) + win.sum(axis=1)) / wall_height / (4.0 * np.sqrt(floor))
    typology = np.where(
        exposure >= detached_min_exposure_frac, "detached",
        np.where(exposure >= semi_detached_min_exposure_frac, "semi_detached", "terraced"),
    )

    n = len(src)
    out = pd.DataFrame(index=pd.RangeIndex(n, name="row"))
    out["dwelling_id"] = "genk/" + src["BuildingID"].astype(str)
    out["gebouw_id"] = src["numeric_id"].astype(str)
    out["neighbourhood"] = src["neighbourhood"].astype(str)
    out["street"] = src["street"].astype(str)
    out["house_number"] = src["housenumber"].astype(str)
    out["nis_code"] = GENK_NIS_CODE
    out["typology"] = pd.Categorical(typology, categories=["detached", "semi_detached",
                                                          "terraced", "apartment_building",
                                                          "non_residential"])
    out["typology_source"] = "imputed"
    out["floor_share_frac"] = 1.0
    out["heated_floor_area_m2"] = volume / storey_height_m
    out["heated_floor_area_m2_source"] = "derived"
    out["volume_m3"] = volume
    out["roof_area_m2"] = roof
    out["ground_floor_area_m2"] = floor
    for o in ("n", "e", "s", "w"):
        out[f"wall_area_{o}_m2"] = ext[:, _TEASER_ORIENTATIONS.index(o)]
    for o in ("n", "e", "s", "w"):
        out[f"window_area_{o}_m2"] = win[:, _TEASER_ORIENTATIONS.index(o)]
    out["party_wall_area_m2"] = 0.0
    out["annex_wall_area_m2"] = 0.0
    for name, u in (("roof", u_roof), ("wall", u_wall), ("floor", u_floor),
                    ("window", u_window)):
        out[f"u_{name}_w_per_m2k"] = u
        out[f"u_{name}_w_per_m2k_source"] = "derived"
    out["u_party_wall_w_per_m2k"] = 0.0
    out["g_window_frac"] = src["0_gWin"].to_numpy(dtype=np.float64)
    out["thermal_bridge_w_per_m2k"] = float(thermal_bridge_w_per_m2k)
    out["infiltration_ach"] = float(infiltration_ach)
    out["infiltration_ach_source"] = "imputed"
    out["cellar_frac"] = 0.0
    out["heating_system"] = heating_system
    out["heating_system_source"] = "imputed"
    for col in ("typology_source", "heated_floor_area_m2_source", "infiltration_ach_source",
                "heating_system_source", *(f"u_{e}_w_per_m2k_source"
                                           for e in ("roof", "wall", "floor", "window"))):
        out[col] = pd.Categorical(out[col], categories=["observed", "derived", "imputed"])
    bad = ~np.isfinite(u_wall) | ~np.isfinite(u_window)
    if bad.any():
        log.warning("Genk TEASER: %d addresses without wall or window area (U-value NaN)",
                    int(bad.sum()))
    return out
