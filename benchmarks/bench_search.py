"""First-query latency of the address search on a city-sized twin (default 250,000 dwellings).

The demo twin is tiled to a city (``make_city_workspace.tile_twin``: a street-name prefix per
tile, a postcode per group of tiles) and written as a twin-only WORKSPACE; then:

- ``build_s``: building the search index of all addresses (what the first query paid for
  before the index was built at start-up);
- ``cold_first_query_s``: index build plus the first query, as the first search of a freshly
  started service paid it before;
- ``service_first_query_s``: through the web app (``TestClient``, start-up included): the
  first ``GET /api/search`` sent once the service answers, while the index is built in the
  background at start-up (``warm_s``: start-up to index ready);
- ``query_p50_ms``, ``query_max_ms``: later queries (exact, typo, number first, missing number);
- with ``--baseline FILE`` (an older ``api/search.py``, e.g. ``git show REV:api/search.py``),
  the same build and first query with that file, for a before/after comparison.

Usage::

    python benchmarks/bench_search.py [--dwellings 250000] [--demo out/demo]
        [--baseline /tmp/search_before.py]

Prints figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_city_workspace import _demo_workspace, tile_twin  # noqa: E402

from wijkreno.io.twin_store import read_twin, write_twin  # noqa: E402

QUERIES = ("Oudkerkstraat 5", "Nieuwkerkstrat 12", "5 Hoogkerkstraat", "Laagkerkstraat 500",
           "Kleinmolenstraat 3 bus 2", "grootdorpsstr 7")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("search_baseline", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _time_build_and_first(build, dwellings, query: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    index = build(dwellings)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index.search(query, 10)
    return build_s, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dwellings", type=int, default=250_000, help="Target dwellings (≥).")
    ap.add_argument("--demo", type=Path, default=None,
                    help="Existing `wijkreno demo` folder to tile (default: run the demo).")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="An older api/search.py to time the same way (before/after).")
    ap.add_argument("--seed", type=int, default=20240101)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    from api.search import build_address_index

    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        demo = _demo_workspace(args.demo, Path(tmp), args.seed)
        buildings, dwellings = read_twin(demo / "twin")
        import geopandas as gpd

        sectors = gpd.read_file(demo / "sources" / "sectoren.gpkg")
        n_tiles = math.ceil(args.dwellings / len(dwellings))
        b, d, _ = tile_twin(buildings, dwellings, sectors, n_tiles)
        figures.update(n_dwellings=len(d), n_addresses=int(d["adres_id"].notna().sum()),
                       n_streets=int(d["street"].nunique()))
        print(f"city: {len(d):,} dwellings, {figures['n_streets']:,} streets")

        if args.baseline is not None:
            old = _load(args.baseline)
            build_s, first_s = _time_build_and_first(old.build_address_index, d, QUERIES[0])
            figures.update(baseline_build_s=round(build_s, 3),
                           baseline_cold_first_query_s=round(build_s + first_s, 3))
            print(f"before: index build {build_s:.2f} s, cold first query "
                  f"{build_s + first_s:.2f} s")

        build_s, first_s = _time_build_and_first(build_address_index, d, QUERIES[0])
        figures.update(build_s=round(build_s, 3), cold_first_query_s=round(build_s + first_s, 3))
        print(f"after: index build {build_s:.2f} s, cold first query {build_s + first_s:.2f} s")

        # through the web app: start-up builds the index in the background
        ws_dir = Path(tmp) / "city"
        write_twin(ws_dir / "twin", b, d, pd.DataFrame({"reason": pd.Series(dtype=str)}), {})
        from fastapi.testclient import TestClient

        import api.routes.search as search_route
        from api.app import create_app
        from api.settings import Settings

        app = create_app(Settings(data_dir=ws_dir, secret_key="bench-secret-not-for-use"))
        t_start = time.perf_counter()
        with TestClient(app) as client:
            ready_s = time.perf_counter() - t_start
            warm = [t for t in threading.enumerate() if t.name == "wijkreno-search-index"]
            for t in warm:
                t.join()
            warm_s = time.perf_counter() - t_start
            t0 = time.perf_counter()
            r = client.get("/api/search", params={"q": QUERIES[0]})
            service_first = time.perf_counter() - t0
            assert r.status_code == 200, r.text
            times = []
            for q in QUERIES * 5:
                t0 = time.perf_counter()
                client.get("/api/search", params={"q": q})
                times.append(time.perf_counter() - t0)
        search_route._INDEXES.clear()
        figures.update(startup_ready_s=round(ready_s, 3), warm_s=round(warm_s, 3),
                       service_first_query_s=round(service_first, 4),
                       query_p50_ms=round(1000 * statistics.median(times), 2),
                       query_max_ms=round(1000 * max(times), 2))
        print(f"service: ready after {ready_s:.2f} s, index ready after {warm_s:.2f} s, first "
              f"search {1000 * service_first:.1f} ms, later p50 "
              f"{figures['query_p50_ms']} ms")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
