"""Model of ``wijkreno/params/heights.toml``: building heights from a DSM/DTM raster pair."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wijkreno.params.reader import load_flat

HEIGHTS_FILE = "heights.toml"


class HeightParams(BaseModel):
    """Parameters of the height extraction; see ``wijkreno/params/heights.toml`` for sources.

    Quantiles are fractions 0–1 of the footprint's valid nDSM cells.

    Parameters
    ----------
    height_quantile : float
        Quantile giving ``height_m`` (0.5: median, mean roof height) [-].
    ridge_quantile : float
        Quantile giving ``height_max_m`` (ridge) [-].
    spread_low_quantile, spread_high_quantile : float
        Quantiles whose difference decides flat vs pitched and extrapolates the eaves [-].
    flat_roof_max_spread_m : float
        Largest spread of a flat roof [m].
    min_height_m, max_height_m : float
        Plausible range of ``height_m`` (and upper bound of ``height_max_m``) [m].
    min_cells : int
        Fewest cells a footprint needs for statistics [-].
    min_valid_frac : float
        Smallest share of a footprint's cells that must not be nodata [-].
    erode_distance_cells : float
        Distance footprints are shrunk by before rasterising, in cell sizes [-].
    erode_min_cells : int
        Erode only when the shrunk footprint's area still covers this many cells [-].
    tile_size_px : int
        Tile edge in cells; bounds memory on large areas [-].
    nodata_value : float
        Nodata value used when a raster declares none [m].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    height_quantile: float = Field(ge=0.0, le=1.0)
    ridge_quantile: float = Field(ge=0.0, le=1.0)
    spread_low_quantile: float = Field(ge=0.0, le=1.0)
    spread_high_quantile: float = Field(ge=0.0, le=1.0)
    flat_roof_max_spread_m: float = Field(ge=0.0)
    min_height_m: float = Field(ge=0.0)
    max_height_m: float = Field(gt=0.0)
    min_cells: int = Field(ge=1)
    min_valid_frac: float = Field(ge=0.0, le=1.0)
    erode_distance_cells: float = Field(ge=0.0, le=5.0)
    erode_min_cells: int = Field(ge=1)
    tile_size_px: int = Field(ge=16)
    nodata_value: float

    @model_validator(mode="after")
    def _check_order(self) -> HeightParams:
        if not self.spread_low_quantile < self.spread_high_quantile:
            raise ValueError(
                f"spread_low_quantile ({self.spread_low_quantile}) must be below "
                f"spread_high_quantile ({self.spread_high_quantile})"
            )
        if self.ridge_quantile < self.height_quantile:
            raise ValueError(
                f"ridge_quantile ({self.ridge_quantile}) must not be below height_quantile "
                f"({self.height_quantile})"
            )
        if not self.min_height_m < self.max_height_m:
            raise ValueError(
                f"min_height_m ({self.min_height_m}) must be below max_height_m "
                f"({self.max_height_m})"
            )
        return self


def load_height_params(path: str | os.PathLike[str] | None = None) -> HeightParams:
    """Read height-extraction parameters from a TOML file (cached).

    Parameters
    ----------
    path : str or path-like, optional
        A TOML file laid out like ``wijkreno/params/heights.toml``: one table per parameter with
        ``value``, ``unit`` and ``source``, plus an optional ``[meta]`` table (title, version,
        date). Default: the packaged ``heights.toml``.

    Returns
    -------
    HeightParams
        Frozen, validated parameters.

    Raises
    ------
    InputError
        When the file is missing or unreadable, a parameter lacks ``value`` or ``source``, a
        name is unknown or missing, or a value is out of range.
    """
    return load_flat(
        HeightParams, HEIGHTS_FILE, None if path is None else Path(path),
        what="height parameter file",
    )
