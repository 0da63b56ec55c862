"""Load benchmark of the web service: throughput and p50/p99 latency at 50 concurrent clients.

Starts the service (``uvicorn api.app:create_app --factory``, ``--workers`` processes) in a
subprocess on
127.0.0.1 on a free port, serving a WORKSPACE (``--data``; default: ``wijkreno demo`` built in
a temporary folder), waits until it has loaded the workspace, warms every scenario (the service
builds its indexes and caches on first use), then drives it from this process with bounded
concurrent requests (asyncio + httpx, ``--clients`` clients, each with its own keep-alive
connection) and stops by itself. Every request goes to loopback only.

Each simulated client has its own ``httpx.AsyncClient`` (one connection): one client shared by
all, with a 50-connection pool (``--shared-pool``, the first version of this script), cost the
load generator itself several milliseconds of CPU per request in httpcore's pool bookkeeping,
so that on 2 cores it, not the service, set the throughput.

Scenarios (each ``--requests`` requests, or fewer when ``--max-seconds`` runs out):

``sectors``
    ``GET /api/sectors``: the sector GeoJSON with priority scores and indicators (full body,
    no ``If-None-Match``).
``bbox``
    ``GET /api/buildings?bbox=…``: the map's building footprints (``gebouw_id`` and label, what
    the page asks for) in a map viewport at zoom 16 (default 1024 x 768 CSS px with MapLibre's
    512-px tiles: about 770 m x 580 m at 51° N), centred on dwellings drawn at random (seeded).
    The page draws footprints from zoom ``map_footprint_min_zoom`` (15.5) up; a view at 15.5
    holds twice the area (``--zoom 15.5`` measures it).
``dwellings``
    ``GET /api/dwellings?bbox=…``: the dwelling points of the same viewports.
``trajectory``
    ``GET /api/addresses/{adres_id}/trajectory``: one address's stored trajectory, addresses
    drawn at random (seeded) so that no cache of one answer flatters the figure.
``street``
    ``GET /api/streets/{street}?postcode=…``: the coach's street view (its first page of
    dwellings in house-number order, the street's collective groups and totals: what the page
    asks for when a street is picked) of the street of a dwelling drawn at random.
``groups``
    ``GET /api/group-layer?bbox=…``: the collective groups (footprint unions with their costs)
    of the same viewports as ``bbox``.
``streetlines``
    ``GET /api/street-lines?bbox=…``: the street lines and names drawn from the addresses, same
    viewports.

The load generator shares the machine with the service (2 cores here), so the figures are
those of a client and a service on one laptop; a request's latency is measured from just before
it is sent to when its whole body has arrived.

Usage::

    python benchmarks/bench_api.py [--data out/city] [--clients 50] [--requests 1000]
        [--scenarios sectors,bbox,dwellings,trajectory,street,groups,streetlines]
        [--workers 1] [--shared-pool]
        [--profile prof.out]

Prints one line per scenario (requests, errors, req/s, p50, p99, max [ms], mean and largest
body [kB], and the CPU the service and the load generator spent per request [ms]: on a shared
machine those vary less than the latencies, which other processes' load moves); the last line
is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pyproj

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIOS = ("sectors", "bbox", "dwellings", "trajectory", "street", "groups", "streetlines")
TARGET_P99_MS = {"sectors": 200.0, "trajectory": 200.0, "bbox": 200.0, "street": 200.0,
                 "groups": 200.0}
"""Issue 7: p99 under 200 ms for the sector GeoJSON and one address's trajectory; issue 13:
the same for the coach's read routes (footprints per bbox, street view, groups layer)."""
EARTH_CIRCUMFERENCE_M = 40_075_016.686
"""Equatorial circumference of the WGS 84 / Web Mercator sphere [m] (EPSG:3857)."""
MAPLIBRE_TILE_PX = 512
"""MapLibre GL's world is 512 * 2**zoom CSS px wide."""


def process_cpu_s(pid: int) -> float | None:
    """CPU time [s] (user + system) the process ``pid`` has used so far; None where
    ``/proc`` is not available (not Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def viewport_bbox(lon: float, lat: float, zoom: float, width_px: int, height_px: int
                  ) -> tuple[float, float, float, float]:
    """Lon/lat box [deg] of a MapLibre viewport of ``width_px`` x ``height_px`` centred on
    (lon, lat) at ``zoom``: the metres per pixel of Web Mercator at that latitude."""
    m_per_px = EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / (
        MAPLIBRE_TILE_PX * 2.0**zoom)
    half_w_m, half_h_m = width_px * m_per_px / 2, height_px * m_per_px / 2
    dlon = math.degrees(half_w_m / (EARTH_CIRCUMFERENCE_M / (2 * math.pi)
                                    * math.cos(math.radians(lat))))
    dlat = math.degrees(half_h_m / (EARTH_CIRCUMFERENCE_M / (2 * math.pi)))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def request_urls(data: Path, n: int, seed: int, zoom: float, viewport: tuple[int, int]
                 ) -> dict[str, list[str]]:
    """The URLs of each scenario: ``n`` per scenario, addresses and centres drawn (seeded)
    from the workspace's dwellings."""
    from urllib.parse import quote

    import geopandas as gpd

    dw = gpd.read_parquet(data / "twin" / "dwellings.parquet",
                          columns=["adres_id", "street", "postcode", "geometry"])
    rng = np.random.default_rng(seed)
    named = np.flatnonzero(dw["street"].notna().to_numpy())
    pick = rng.integers(0, len(dw), size=n)
    ids = dw["adres_id"].astype(str).to_numpy()[pick]
    on_street = named[rng.integers(0, len(named), size=n)] if len(named) else pick
    streets = [f"/api/streets/{quote(str(s), safe='')}"
               + ("" if pd.isna(p) else f"?postcode={quote(str(p), safe='')}")
               for s, p in zip(dw["street"].to_numpy()[on_street],
                               dw["postcode"].to_numpy()[on_street], strict=True)]
    pts = dw.geometry.iloc[pick]
    lon, lat = pyproj.Transformer.from_crs(dw.crs, "EPSG:4326", always_xy=True).transform(
        pts.x.to_numpy(), pts.y.to_numpy())
    boxes = [",".join(f"{v:.6f}" for v in viewport_bbox(x, y, zoom, *viewport))
             for x, y in zip(lon, lat, strict=True)]
    return {
        "sectors": ["/api/sectors"] * n,
        "bbox": [f"/api/buildings?bbox={b}" for b in boxes],
        "dwellings": [f"/api/dwellings?bbox={b}" for b in boxes],
        "trajectory": [f"/api/addresses/{a}/trajectory" for a in ids],
        "street": streets,
        "groups": [f"/api/group-layer?bbox={b}" for b in boxes],
        "streetlines": [f"/api/street-lines?bbox={b}" for b in boxes],
    }


def start_service(data: Path, port: int, state_dir: Path, profile: Path | None,
                  workers: int = 1) -> subprocess.Popen:
    """Start uvicorn with the service on 127.0.0.1:``port`` (users and register in
    ``state_dir``, never in the workspace); optionally under cProfile."""
    env = {**os.environ,
           "WIJKRENO_DATA_DIR": str(data),
           "WIJKRENO_SECRET_KEY": secrets.token_urlsafe(32),
           "WIJKRENO_USERS_DB": str(state_dir / "users.sqlite"),
           "WIJKRENO_REGISTER_URL": f"sqlite:///{state_dir / 'register.sqlite'}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable]
    if profile is not None:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log",
            "--timeout-keep-alive", "60"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, cwd=str(ROOT))


def stop_service(proc: subprocess.Popen) -> None:
    """Ask uvicorn to shut down (SIGINT: graceful, lets cProfile write) and wait."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(base: str, proc: subprocess.Popen, timeout_s: float) -> dict:
    """Poll ``/api/health`` until the workspace is loaded and the read routes the service
    prepares in the background at start-up are ready (``reads_prepared``; a service without
    that field counts as ready once loaded): a scenario then never shares the CPU with that
    preparation. The health body."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with code {proc.returncode} while starting")
        try:
            r = httpx.get(f"{base}/api/health", timeout=timeout_s)
            if (r.status_code == 200 and r.json().get("workspace_loaded")
                    and r.json().get("reads_prepared", True)):
                return r.json()
            last = r.text[:200]
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.5)
    raise RuntimeError(f"the service was not ready after {timeout_s:.0f} s: {last}")


async def drive(base: str, urls: list[str], clients: int, max_seconds: float,
                shared_pool: bool = False) -> dict:
    """Send ``urls`` with ``clients`` concurrent clients (each its own connection, or one
    ``httpx.AsyncClient`` with a pool of ``clients`` when ``shared_pool``); latencies [ms]
    and counts."""
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[int, int] = {}
    failures: dict[str, int] = {}
    queue = iter(urls)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    deadline = time.perf_counter() + max_seconds

    async def worker(client: httpx.AsyncClient) -> None:
        for url in queue:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                r = await client.get(url)
            except httpx.HTTPError as exc:  # counted, reported, never fatal
                key = type(exc).__name__
                failures[key] = failures.get(key, 0) + 1
                continue
            latencies.append((time.perf_counter() - t0) * 1e3)
            sizes.append(len(r.content))
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    n_pools = 1 if shared_pool else clients
    if not shared_pool:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pools = [httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0)
             for _ in range(n_pools)]
    try:
        t_start, cpu_start = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(pools[i % n_pools]) for i in range(clients)))
        wall = time.perf_counter() - t_start
        client_cpu = time.process_time() - cpu_start
    finally:
        for pool in pools:
            await pool.aclose()
    lat = np.asarray(latencies)
    n = len(lat)
    return {
        "requests": n,
        "errors": int(sum(c for s, c in statuses.items() if s != 200) + sum(failures.values())),
        "statuses": {**{str(k): v for k, v in sorted(statuses.items())}, **failures},
        "wall_s": round(wall, 3),
        "client_cpu_frac": round(client_cpu / wall, 2) if wall > 0 else None,
        "throughput_rps": round(n / wall, 1) if wall > 0 else None,
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if n else None,
        "p99_ms": round(float(np.percentile(lat, 99)), 1) if n else None,
        "max_ms": round(float(lat.max()), 1) if n else None,
        "mean_body_kb": round(float(np.mean(sizes)) / 1024, 1) if n else None,
        "max_body_kb": round(float(np.max(sizes)) / 1024, 1) if n else None,
        "client_cpu_ms_per_req": round(client_cpu / n * 1e3, 2) if n else None,
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None,
                    help="WORKSPACE to serve (default: `wijkreno demo` in a temporary folder).")
    ap.add_argument("--clients", type=int, default=50, help="Concurrent clients.")
    ap.add_argument("--requests", type=int, default=1000, help="Requests per scenario.")
    ap.add_argument("--max-seconds", type=float, default=120.0,
                    help="Stop a scenario after this long even if requests remain [s].")
    ap.add_argument("--warmup", type=int, default=50, help="Warm-up requests per scenario.")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help=f"Comma-separated subset of {','.join(SCENARIOS)}.")
    ap.add_argument("--zoom", type=float, default=16.0, help="Map zoom of the bbox viewport.")
    ap.add_argument("--viewport", default="1024x768", help="Viewport WxH [CSS px].")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1,
                    help="uvicorn worker processes of the service (each loads the workspace).")
    ap.add_argument("--shared-pool", action="store_true",
                    help="Drive with one httpx client and a pool of --clients connections (the "
                    "first version; its pool bookkeeping loads the client's CPU).")
    ap.add_argument("--ready-timeout", type=float, default=600.0,
                    help="Longest wait for the service to load the workspace [s].")
    ap.add_argument("--profile", type=Path, default=None,
                    help="Run the service under cProfile and write its stats here (the event-loop "
                    "thread only: sync routes run in worker threads cProfile does not see).")
    args = ap.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        ap.error(f"unknown scenarios {unknown}; choose from {','.join(SCENARIOS)}")
    width, height = (int(v) for v in args.viewport.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="wijkreno-bench-api-") as tmp:
        tmp_path = Path(tmp)
        data = args.data
        if data is None:
            from wijkreno.cli.twin import demo

            data = tmp_path / "demo"
            demo(out=data, seed=20240101)
        data = data.resolve()
        n_dwellings = len(pd.read_parquet(data / "twin" / "dwellings.parquet",
                                          columns=["adres_id"]))
        urls = request_urls(data, args.requests + args.warmup, args.seed, args.zoom,
                            (width, height))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        (tmp_path / "state").mkdir()
        t0 = time.perf_counter()
        proc = start_service(data, port, tmp_path / "state", args.profile, args.workers)
        try:
            health = wait_ready(base, proc, args.ready_timeout)
            ready_s = time.perf_counter() - t0
            print(f"service ready in {ready_s:.1f} s: {health.get('n_dwellings')} dwellings, "
                  f"{health.get('n_buildings')} buildings ({data})", flush=True)
            results: dict[str, dict] = {}
            for name in scenarios:
                warm, timed = urls[name][:args.warmup], urls[name][args.warmup:]
                t1 = time.perf_counter()
                for url in warm[:5]:  # first use builds the indexes, one request at a time
                    httpx.get(base + url, timeout=args.ready_timeout)
                asyncio.run(drive(base, warm[5:], args.clients, args.max_seconds,
                                  args.shared_pool))
                warm_s = time.perf_counter() - t1
                cpu0 = process_cpu_s(proc.pid) if args.workers == 1 else None
                res = asyncio.run(drive(base, timed, args.clients, args.max_seconds,
                                        args.shared_pool))
                cpu1 = process_cpu_s(proc.pid) if cpu0 is not None else None
                res["server_cpu_ms_per_req"] = (round((cpu1 - cpu0) / res["requests"] * 1e3, 2)
                                                if cpu1 is not None and res["requests"] else None)
                res["warmup_s"] = round(warm_s, 2)
                target = TARGET_P99_MS.get(name)
                if target is not None and res["p99_ms"] is not None:
                    res["target_p99_ms"] = target
                    res["target_met"] = bool(res["p99_ms"] < target)
                results[name] = res
                print(f"{name:<11} {res['requests']:>6} req  {res['errors']:>4} err  "
                      f"{res['throughput_rps']:>8.1f} req/s  p50 {res['p50_ms']:>8.1f} ms  "
                      f"p99 {res['p99_ms']:>8.1f} ms  max {res['max_ms']:>8.1f} ms  "
                      f"{res['mean_body_kb']:>7.1f} kB (max {res['max_body_kb']:.0f})  cpu/req "
                      f"service {res['server_cpu_ms_per_req']} ms, client "
                      f"{res['client_cpu_ms_per_req']} ms"
                      + ("" if target is None else
                         f"  target p99 < {target:.0f} ms: "
                         f"{'met' if res['target_met'] else 'MISSED'}"), flush=True)
        finally:
            stop_service(proc)

    figures = {"workspace": str(args.data or "demo (temporary)"), "n_dwellings": n_dwellings,
               "n_buildings": health.get("n_buildings"), "clients": args.clients,
               "viewport_px": [width, height], "zoom": args.zoom,
               "service_ready_s": round(ready_s, 1), "cpu_count": os.cpu_count(),
               "workers": args.workers, "shared_pool": args.shared_pool,
               "scenarios": results}
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
