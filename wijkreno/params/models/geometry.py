"""Model of ``wijkreno/params/geometry.toml``: adjacency search and main/annex rules."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wijkreno.params.reader import load_flat, packaged_path

GEOMETRY_FILE = "geometry.toml"
DEFAULT_PARAMS_PATH = packaged_path(GEOMETRY_FILE)


class GeometryParams(BaseModel):
    """Thresholds of the adjacency search and of the main/annex rules.

    Read from ``wijkreno/params/geometry.toml`` by :func:`load_geometry_params`, where every
    value carries its unit and its source or rationale.

    Parameters
    ----------
    tolerance_m : float
        Largest gap (or overlap) between two walls that still counts as one shared wall [m].
    min_shared_length_m : float
        Shared lengths below this are corner touches and are dropped [m].
    max_wall_angle_deg : float
        Largest angle between two walls that still run along each other [deg].
    contained_frac : float
        A footprint whose boundary lies inside a larger one by more than this share is a
        second version of that building, not a building of its own [-].
    min_main_area_m2 : float
        Below this footprint area a polygon is always an annex [m²].
    freestanding_annex_max_area_m2 : float
        Largest free-standing shed or garage [m²].
    attached_annex_max_area_m2 : float
        Largest attached garage, veranda or lean-to [m²].
    attached_annex_max_ratio_frac : float
        An attached polygon is an annex only when its area is at most this share of the
        largest footprint it touches [-].
    narrow_max_width_m : float
        A polygon narrower than this (short side of the rectangle with its area and perimeter) is a
        carport, lean-to or row of garage boxes, not a dwelling [m].
    narrow_max_area_m2 : float
        The narrowness rule applies only up to this area [m²].
    max_link_steps : int
        How many annexes deep an annex may hang off its main building (shed behind garage
        behind house) [-].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tolerance_m: float = Field(gt=0.0)
    min_shared_length_m: float = Field(ge=0.0)
    max_wall_angle_deg: float = Field(gt=0.0, lt=90.0)
    contained_frac: float = Field(gt=0.0, le=1.0)
    min_main_area_m2: float = Field(ge=0.0)
    freestanding_annex_max_area_m2: float = Field(ge=0.0)
    attached_annex_max_area_m2: float = Field(ge=0.0)
    attached_annex_max_ratio_frac: float = Field(ge=0.0, le=1.0)
    narrow_max_width_m: float = Field(ge=0.0)
    narrow_max_area_m2: float = Field(ge=0.0)
    max_link_steps: int = Field(ge=1, le=20)


def load_geometry_params(path: str | Path | None = None) -> GeometryParams:
    """Read the geometry thresholds from a TOML parameter file (cached).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file in the layout of ``wijkreno/params/geometry.toml``: one table per value,
        ``[section.name]`` with keys ``value``, ``unit`` and ``source``. Defaults to the file
        shipped with the package.

    Returns
    -------
    GeometryParams
        Frozen, validated thresholds.

    Raises
    ------
    InputError
        When the file is missing, is not TOML, lacks a value, carries a value without a source
        or names an unknown parameter.
    """
    return load_flat(
        GeometryParams, GEOMETRY_FILE, path, sections=("*",), what="geometry parameter file"
    )
