"""The twin stage's reading: source files become frames, the twin is built, every input row
is accounted for.

Compute functions never see a path; this module is where paths become frames.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkreno import __version__
from wijkreno.io import sources, statbel
from wijkreno.twin.build import Twin, build_twin, clip_to_area, municipality_area
from wijkreno.twin.params import load_archetypes, load_twin_params

if TYPE_CHECKING:
    import geopandas as gpd

    from wijkreno.pipeline.stages import TwinOptions

log = logging.getLogger(__name__)


def _input_row(name: str, n_in: int, n_rejected: int, n_imputed: int = 0,
               frame: Any = None) -> dict[str, Any]:
    attrs = getattr(frame, "attrs", {})
    return {"input": name, "n_in": n_in, "n_kept": n_in - n_rejected, "n_rejected": n_rejected,
            "n_imputed": n_imputed, "layer": attrs.get("source_layer") or "",
            "unmapped_columns": ", ".join(map(str, attrs.get("unmapped_columns", [])))}


def _gas_connections(
    inputs: TwinOptions, sectors: gpd.GeoDataFrame | None
) -> tuple[pd.Series | None, gpd.GeoDataFrame | None]:
    """Fluvius residential gas connections per sector, or per wijk when only wijken are known.

    With a sector layer the twin's dwellings carry sector codes and the connections are keyed
    by sector (2019 codes mapped to 2024). Without one, but with a wijk boundary layer and the
    sector → wijk hierarchy, the connections are summed per wijk and the wijk polygons are the
    areas. Otherwise per sector, and dwellings without a sector count under the municipality.
    """
    if inputs.fluvius is None:
        return None, None
    from wijkreno.io.fluvius import read_fluvius_sectors

    flu = read_fluvius_sectors(inputs.fluvius, years=[inputs.fluvius_year], to_2024=True)
    code = flu["sector_code_2024"].fillna(flu["sector_code"])
    per_sector = flu.groupby(code)["gas_residential_connections"].sum()
    if sectors is not None or inputs.boundary is None or inputs.sector_hierarchy is None:
        return per_sector, None
    wijken = statbel.read_sectors(inputs.boundary)
    if "wijk_code" not in wijken.columns:
        return per_sector, None
    hierarchy = statbel.read_sector_hierarchy(inputs.sector_hierarchy)
    to_wijk = hierarchy.drop_duplicates("sector_code").set_index("sector_code")["wijk_code"]
    wijk = pd.Series(per_sector.index, index=per_sector.index).map(to_wijk)
    keyed = per_sector.groupby(wijk.fillna(pd.Series(per_sector.index,
                                                     index=per_sector.index))).sum()
    areas = wijken.rename(columns={"wijk_code": "area_code"})[["area_code", "geometry"]]
    return keyed, areas


def build_twin_from_files(inputs: TwinOptions) -> Twin:
    """Read every source of ``inputs``, build the twin, and account for every input row.

    The returned twin's ``quality["inputs"]`` says, per input file, how many rows were read,
    kept and rejected (in = kept + rejected); ``rejected`` holds each refused row and why.
    """
    if (inputs.dsm is None) != (inputs.dtm is None):
        from wijkreno.errors import InputError

        raise InputError("give both a DSM and a DTM raster (--dsm and --dtm), or neither.")
    t0 = time.perf_counter()
    loaded = sources.read_buildings(inputs.buildings, layer=inputs.buildings_layer)
    rejected = [loaded.rejected]
    buildings = loaded.frame
    n_outside = 0
    if inputs.boundary is not None:
        # rows outside the municipality are rejected with a reason, so in = kept + rejected
        area = municipality_area(statbel.read_sectors(inputs.boundary), inputs.nis_code)
        # the loader keeps rows in file order: index the kept rows by their row in the file so
        # that rejected rows name it
        buildings.index = np.setdiff1d(np.arange(loaded.n_in), loaded.rejected["row"])
        buildings, outside = clip_to_area(buildings, area, what=f"NIS {inputs.nis_code}")
        buildings = buildings.reset_index(drop=True)
        rejected.append(outside)
        n_outside = len(outside)
    addresses = None
    address_load = None
    if inputs.addresses is not None:
        address_load = sources.read_addresses(inputs.addresses, layer=inputs.addresses_layer,
                                              crs=inputs.addresses_crs)
        rejected.append(address_load.rejected)
        addresses = address_load.frame
    heights = None
    if inputs.dsm is not None and inputs.dtm is not None:
        from wijkreno.io.rasters import read_building_heights

        heights = read_building_heights(buildings.geometry, inputs.dsm, inputs.dtm)
    sectors = statbel.read_sectors(inputs.sectors) if inputs.sectors else None
    gebouwenpark = (
        statbel.read_gebouwenpark(inputs.gebouwenpark, nis_code=inputs.nis_code)
        if inputs.gebouwenpark else None
    )
    params = load_twin_params(inputs.params)
    archetypes = load_archetypes(inputs.archetypes)
    gas_connections, gas_areas = _gas_connections(inputs, sectors)
    twin = build_twin(
        buildings, nis_code=inputs.nis_code, addresses=addresses, heights=heights,
        sectors=sectors, gebouwenpark=gebouwenpark, params=params, archetypes=archetypes,
        gas_connections=gas_connections, gas_areas=gas_areas, seed=inputs.seed,
    )
    all_rejected = pd.concat([*rejected, twin.rejected], ignore_index=True)
    rows = [_input_row("buildings", loaded.n_in, len(loaded.rejected) + n_outside,
                       frame=loaded.frame)]
    if address_load is not None:
        n_rej = len(address_load.rejected) + int((twin.rejected["input"] == "addresses").sum())
        rows.append(_input_row("addresses", address_load.n_in, n_rej,
                               frame=address_load.frame))
    if heights is not None:
        # a building without a usable height is kept with an imputed one (height_m_source)
        ok = int((heights["height_status"] == "ok").sum())
        rows.append(_input_row("heights", len(heights), 0, n_imputed=len(heights) - ok))
    quality = {"inputs": pd.DataFrame(rows), **twin.quality}
    twin = Twin(twin.buildings, twin.dwellings, all_rejected, quality)
    log.info("twin build took %.1f s", time.perf_counter() - t0)
    return twin


def run_metadata(inputs: TwinOptions, twin: Twin) -> dict[str, Any]:
    """What a twin folder records about how it was made."""
    return {
        "wijkreno_version": __version__,
        "nis_code": inputs.nis_code,
        "seed": inputs.seed,
        "calibration": twin.quality["typology"].attrs.get("calibration", ""),
        "inputs": {k: str(v) for k, v in inputs.model_dump().items()
                   if isinstance(v, Path)},
        "n_buildings": len(twin.buildings),
        "n_main_buildings": int((twin.buildings["building_role"] == "main").sum()),
        "n_dwellings": len(twin.dwellings),
        "n_rejected": len(twin.rejected),
    }
