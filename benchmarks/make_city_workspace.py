"""Build a synthetic city-sized WORKSPACE (default 250,000 dwellings) for the API benchmark.

The demo neighbourhood ("Demowijk", 532 dwellings on about 720 m x 580 m) is tiled on a grid
across a city-sized extent: every tile is a translated copy of the demo twin with new building,
dwelling and address ids, its own three statistical sectors (new ``sector_code``s) and its own
street names (a prefix per tile, a postcode per group of tiles), so that address search and
bounding-box queries see a city, not 470 copies of one village. The real pipeline steps then
run on the tiled twin exactly as ``wijkreno demo`` runs them: simulate, trajectories, groups,
uncertainty (fewer draws by default) and aggregate to sectors, writing the same folder layout::

    sources/sectoren.gpkg   twin/   simulate/   trajectories/   groups/   uncertainty/
    aggregate/sector/areas.parquet (+ priority)

The tiling is a benchmark fixture, not a model of a real city: the building stock of every tile
is the demo's. The folder is the ``--data`` of ``benchmarks/bench_api.py``.

Usage::

    python benchmarks/make_city_workspace.py -o out/city [--dwellings 250000]
        [--demo out/demo] [--draws 10] [--seed 20240101]

Prints the time of each step; the last line is one JSON object (dwellings, buildings, sectors,
seconds per step).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wijkreno.io.twin_store import read_twin, write_twin  # noqa: E402

log = logging.getLogger("make_city_workspace")

TILE_MARGIN_M = 40.0
"""Gap [m] between neighbouring tiles' sector polygons."""
STREET_PREFIXES = (
    "Oud", "Nieuw", "Hoog", "Laag", "Groot", "Klein", "Noord", "Zuid", "Oost", "West",
    "Boven", "Onder", "Binnen", "Buiten", "Lang", "Kort", "Breed", "Heide", "Berg", "Dal",
    "Beek", "Veld", "Bos", "Meer", "Hof", "Kapel", "Linde", "Wilgen", "Populieren", "Hazel",
)
"""One prefix per tile within a postcode: "Oudkerkstraat", "Nieuwkerkstraat", ..."""
POSTCODE_BASE = 2900


def _demo_workspace(demo: Path | None, tmp: Path, seed: int) -> Path:
    """The demo WORKSPACE to tile: the given one, or a fresh ``wijkreno demo`` run."""
    if demo is not None:
        return demo
    from wijkreno.pipeline import DemoOptions, Workspace, run_demo

    out = tmp / "demo"
    run_demo(Workspace(out), DemoOptions(seed=seed))
    return out


def _grid(n_tiles: int) -> tuple[int, int]:
    n_cols = math.ceil(math.sqrt(n_tiles))
    return n_cols, math.ceil(n_tiles / n_cols)


def _translate(geoms: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Translate every geometry by its own (dx, dy) [m] in one vectorised call."""
    n_coords = shapely.get_num_coordinates(geoms)
    shift = np.column_stack([np.repeat(dx, n_coords), np.repeat(dy, n_coords)])
    return shapely.transform(geoms, lambda xy: xy + shift)


def _offset_ids(ids: pd.Series, tile: np.ndarray, step: int) -> pd.Series:
    """Numeric string ids made unique per tile: ``id + tile * step`` (missing stays missing)."""
    num = pd.to_numeric(ids.astype("string"), errors="raise").astype("Int64")
    out = (num + pd.array(tile, dtype="Int64") * step).astype("string")
    return out


def tile_twin(buildings: gpd.GeoDataFrame, dwellings: gpd.GeoDataFrame,
              sectors: gpd.GeoDataFrame, n_tiles: int
              ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Copy the demo twin ``n_tiles`` times on a grid, with new ids, sectors and streets.

    Parameters
    ----------
    buildings, dwellings : GeoDataFrame
        The demo twin (EPSG:31370).
    sectors : GeoDataFrame
        The demo's sector polygons (``CD_SECTOR``, ``TX_SECTOR_DESCR_NL``, ...).
    n_tiles : int
        Number of copies.

    Returns
    -------
    tuple of GeoDataFrame
        Tiled buildings, dwellings and sectors.
    """
    minx, miny, maxx, maxy = sectors.total_bounds
    pitch_x, pitch_y = maxx - minx + TILE_MARGIN_M, maxy - miny + TILE_MARGIN_M
    n_cols, _ = _grid(n_tiles)
    tiles = np.arange(n_tiles)
    tile_dx = (tiles % n_cols) * pitch_x
    tile_dy = (tiles // n_cols) * pitch_y

    code_map = {c: j for j, c in enumerate(sorted(sectors["CD_SECTOR"]))}
    n_sec = len(code_map)
    nis = str(sectors["CD_MUNTY_REFNIS"].iloc[0])

    def sector_codes(codes: pd.Series, tile: np.ndarray) -> np.ndarray:
        idx = tile * n_sec + codes.map(code_map).to_numpy(dtype=np.int64)
        letters = np.array([chr(65 + k) for k in range(26)])[idx // 100]
        return np.char.add(np.char.add(nis, letters),
                           np.char.add(np.char.zfill((idx % 100).astype(str), 2), "-"))

    def repeat(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        n = len(frame)
        tile = np.repeat(tiles, n)
        out = frame.iloc[np.tile(np.arange(n), n_tiles)].reset_index(drop=True)
        geoms = _translate(out.geometry.to_numpy(), tile_dx[tile], tile_dy[tile])
        out = out.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs))
        return out, tile

    b, bt = repeat(buildings)
    b["gebouw_id"] = _offset_ids(b["gebouw_id"], bt, 10**8).astype(buildings["gebouw_id"].dtype)
    b["main_gebouw_id"] = _offset_ids(b["main_gebouw_id"], bt, 10**8).astype(
        buildings["main_gebouw_id"].dtype)
    blocks = b["block_id"].to_numpy()
    n_blocks = int(buildings["block_id"].max()) + 1
    b["block_id"] = np.where(blocks >= 0, blocks + bt * n_blocks, blocks)
    b["sector_code"] = pd.array(sector_codes(b["sector_code"], bt),
                                dtype=buildings["sector_code"].dtype)

    d, dt = repeat(dwellings)
    for col, step in (("dwelling_id", 10**7), ("adres_id", 10**7), ("gebouw_id", 10**8)):
        d[col] = _offset_ids(d[col], dt, step).astype(dwellings[col].dtype)
    d["sector_code"] = pd.array(sector_codes(d["sector_code"], dt),
                                dtype=dwellings["sector_code"].dtype)
    prefix = np.array(STREET_PREFIXES)[dt % len(STREET_PREFIXES)]
    street = np.char.add(prefix, np.char.lower(d["street"].to_numpy(dtype=str)))
    d["street"] = pd.array(street, dtype=dwellings["street"].dtype)
    postcode = (POSTCODE_BASE + dt // len(STREET_PREFIXES)).astype(str)
    d["postcode"] = pd.array(postcode, dtype=dwellings["postcode"].dtype)

    s, st = repeat(sectors)
    s["CD_SECTOR"] = sector_codes(s["CD_SECTOR"], st)
    s["TX_SECTOR_DESCR_NL"] = (s["TX_SECTOR_DESCR_NL"].astype(str) + " "
                               + (st + 1).astype(str))
    return b, d, s


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, required=True, help="WORKSPACE folder to write.")
    ap.add_argument("--dwellings", type=int, default=250_000, help="Target dwellings (≥).")
    ap.add_argument("--demo", type=Path, default=None,
                    help="Existing `wijkreno demo` folder to tile (default: run the demo).")
    ap.add_argument("--draws", type=int, default=10,
                    help="Uncertainty draws per dwelling (0 skips the step; the demo uses 50).")
    ap.add_argument("--seed", type=int, default=20240101)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from wijkreno.pipeline import (
        AggregateOptions,
        UncertaintyOptions,
        Workspace,
        run_aggregate,
        run_groups,
        run_simulate,
        run_trajectories,
        run_uncertainty,
    )

    out: Path = args.out
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        demo = _demo_workspace(args.demo, Path(tmp), args.seed)
        seconds["demo"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        buildings, dwellings = read_twin(demo / "twin")
        sectors = gpd.read_file(demo / "sources" / "sectoren.gpkg")
        n_tiles = math.ceil(args.dwellings / len(dwellings))
        b, d, s = tile_twin(buildings, dwellings, sectors, n_tiles)
        if out.exists():
            shutil.rmtree(out)
        (out / "sources").mkdir(parents=True)
        s.to_file(out / "sources" / "sectoren.gpkg", layer="sectoren", driver="GPKG",
                  engine="pyogrio")
        quality = {p.stem: pd.read_csv(p) for p in sorted((demo / "twin" / "quality").glob(
            "*.csv"))}
        write_twin(out / "twin", b, d, pd.DataFrame({"reason": pd.Series(dtype=str)}), quality,
                   {"synthetic": f"demo twin tiled {n_tiles} times by "
                                 "benchmarks/make_city_workspace.py",
                    "quality_tables": "those of one demo tile"})
        seconds["tile"] = time.perf_counter() - t0
        log.info("tiled %d x: %d buildings, %d dwellings, %d sectors", n_tiles, len(b), len(d),
                 len(s))

        ws = Workspace(out)
        steps = [
            ("simulate", lambda: run_simulate(ws)),
            ("trajectories", lambda: run_trajectories(ws)),
            ("groups", lambda: run_groups(ws)),
        ]
        if args.draws > 0:
            steps.append(("uncertainty", lambda: run_uncertainty(
                ws, UncertaintyOptions(draws=args.draws, seed=args.seed))))
        steps.append(("aggregate", lambda: run_aggregate(
            ws, AggregateOptions(level="sector", areas=out / "sources" / "sectoren.gpkg"))))
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            seconds[name] = time.perf_counter() - t0
            log.info("%s: %.1f s", name, seconds[name])

    figures = {"workspace": str(out), "n_tiles": n_tiles, "n_buildings": len(b),
               "n_dwellings": len(d), "n_sectors": len(s),
               "seconds": {k: round(v, 2) for k, v in seconds.items()}}
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
