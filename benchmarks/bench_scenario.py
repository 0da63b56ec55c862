"""Benchmark: a 2050 scenario for a synthetic stock the size of Flanders (3.3 M dwellings).

The stock is the demo twin's dwellings (``wijkreno.demo``, built once in a temporary folder)
resampled with replacement to ``--n`` rows, with weights raked (iterative proportional
fitting) so that the typology shares follow Statbel's Flemish dwelling counts (2018: terraced
695k, semi-detached 589k, detached 902k, apartments 821k; DOMAIN.md section 7) and about 60 %
of the dwellings predate 1970 (TABULA periods 01-02), and perturbed: every row's areas and
volume are scaled by one of ``SCALES`` (a smaller or larger dwelling of the same type). Rows
are spread over ``--sectors`` statistical sectors (Flanders has about 9,200).

Design: planning runs at about 17,000 dwellings per second, so planning 3.3 M trajectories
would take over three minutes on its own. :func:`wijkreno.scenario.plan_states` plans each
distinct archetype row once and maps it back (``deduplicate``); the perturbation is discrete
so that the stock holds about ``len(SCALES)`` x 520 distinct rows, as a stock built from
archetypes does. The yearly simulation then touches only arrays (a numba kernel for the moves,
bincounts per sector). Timed: planning, the 2025-2050 baseline run with yearly steps, and the
whole.

What this measures, then: about 1,560 distinct trajectories planned and mapped onto 3.3 million
rows, i.e. a stock of about 1,560 distinct dwellings (``n_distinct_dwellings``, counted as the
unique rows of the planning inputs, is printed next to the row count). A real stock does not
collapse like that; ``bench_flanders.py`` runs a stock of over a million distinct dwellings
through twin, simulation and trajectories without de-duplication.

Usage: ``python benchmarks/bench_scenario.py [--n 3300000] [--sectors 9200]``. Prints wall
times and peak memory (``resource.getrusage``); the last line is one JSON object. Target on a
2-core machine: under 5 minutes and under 16 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.demo_summary import build_demo_twin  # noqa: E402
from wijkreno.scenario import load_scenario, plan_states, run_scenario  # noqa: E402
from wijkreno.scenario.model import IDENTITY_COLUMNS  # noqa: E402

AREA_COLUMNS = (
    "heated_floor_area_m2", "volume_m3", "roof_area_m2", "ground_floor_area_m2",
    "wall_area_n_m2", "wall_area_e_m2", "wall_area_s_m2", "wall_area_w_m2",
    "window_area_n_m2", "window_area_e_m2", "window_area_s_m2", "window_area_w_m2",
    "party_wall_area_m2", "annex_wall_area_m2",
)
SCALES = (0.85, 1.0, 1.2)
TYPOLOGY_DWELLINGS = {"terraced": 695_000, "semi_detached": 589_000, "detached": 902_000,
                      "apartment_building": 821_000}
"""Statbel 2018 dwellings per typology in Flanders (DOMAIN.md section 7)."""
PRE_1970_FRAC = 0.60
"""About 60 % of Flemish dwellings predate 1970 (DOMAIN.md section 7)."""


def flanders_stock(n: int, n_sectors: int, seed: int = 0) -> pd.DataFrame:
    """The demo twin's dwellings resampled to n rows with Flemish typology and age shares."""
    with tempfile.TemporaryDirectory() as tmp:
        twin, _ = build_demo_twin(Path(tmp))
    base = pd.DataFrame(twin.dwellings.drop(columns="geometry"))
    base = base[base["typology"].isin(list(TYPOLOGY_DWELLINGS))].reset_index(drop=True)
    typ = base["typology"].astype(str).to_numpy()
    old = base["tabula_period"].astype(str).isin(["01", "02"]).to_numpy()
    total = sum(TYPOLOGY_DWELLINGS.values())
    w = np.ones(len(base))
    for _ in range(50):  # raking on two margins converges in a few rounds
        for t, count in TYPOLOGY_DWELLINGS.items():
            sel = typ == t
            w[sel] *= count / total / w[sel].sum() * w.sum()
        for sel, share in ((old, PRE_1970_FRAC), (~old, 1 - PRE_1970_FRAC)):
            w[sel] *= share / w[sel].sum() * w.sum()
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(base), size=n, p=w / w.sum())
    keep = [c for c in base.columns if c not in IDENTITY_COLUMNS]
    out = base[keep].iloc[idx].reset_index(drop=True)
    for c in out.columns:  # text as categoricals: 3.3 M Python strings are not needed
        if out[c].dtype == object or str(out[c].dtype) in ("str", "string"):
            out[c] = out[c].astype("category")
    scale = np.asarray(SCALES)[rng.integers(0, len(SCALES), n)]
    for c in AREA_COLUMNS:
        out[c] = out[c].to_numpy(dtype=float) * scale
    codes = rng.integers(0, n_sectors, n)
    names = np.array([f"S{k:05d}" for k in range(n_sectors)], dtype=object)
    out["sector_code"] = pd.Categorical.from_codes(codes, categories=names)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3_300_000)
    ap.add_argument("--sectors", type=int, default=9_200)
    ap.add_argument("--scenario", default="baseline")
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    stock = flanders_stock(args.n, args.sectors)
    t_stock = time.perf_counter() - t0
    t0 = time.perf_counter()
    states = plan_states(stock)
    t_plan = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = run_scenario(stock, scenario, states=states)
    t_run = time.perf_counter() - t0
    t_total = time.perf_counter() - t_all
    # counted outside the timings: unique rows of what planning reads (all but identity columns)
    planning_cols = [c for c in stock.columns if c not in IDENTITY_COLUMNS and c != "sector_code"]
    n_distinct = int(pd.util.hash_pandas_object(stock[planning_cols], index=False).nunique())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first, last = res.by_year.iloc[0], res.by_year.iloc[-1]
    a_or_better = (last["n_label_aplus"] + last["n_label_a"]) / last["n_dwellings"]
    result = {
        "n_dwellings": args.n,
        "n_sectors": args.sectors,
        "n_trajectories_planned": int(len(states.n_steps)),
        "n_distinct_dwellings": n_distinct,
        "deduplicated": True,
        "scenario": scenario.name,
        "years": f"{scenario.start_year}-{scenario.end_year}",
        "threads": numba.get_num_threads(),
        "seconds_build_stock": round(t_stock, 2),
        "seconds_plan": round(t_plan, 2),
        "seconds_run": round(t_run, 2),
        "seconds_total": round(t_total, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "renovations": int(res.by_year["n_renovations"].sum()),
        "co2_flemish_start_kt": round(float(first["co2_flemish_kg_co2"]) / 1e6, 1),
        "co2_flemish_2050_kt": round(float(last["co2_flemish_kg_co2"]) / 1e6, 1),
        "label_a_or_better_2050_frac": round(float(a_or_better), 4),
        "rows_by_sector": int(len(res.by_sector)),
    }
    print(f"stock: {args.n:,} dwellings in {args.sectors:,} sectors, built in {t_stock:.1f} s")
    print(f"planning: {result['n_trajectories_planned']:,} distinct trajectories in "
          f"{t_plan:.1f} s, mapped onto {args.n:,} rows: the stock holds "
          f"{n_distinct:,} distinct dwellings (archetype rows x {len(SCALES)} sizes; a real "
          "stock does not de-duplicate like this, see bench_flanders.py)")
    print(f"scenario {scenario.name} {result['years']} (yearly): {t_run:.1f} s on "
          f"{result['threads']} threads")
    print(f"total wall time: {t_total:.1f} s, peak memory (RSS): {peak_mb:,.0f} MB")
    print(f"CO2 (Flemish factors): {result['co2_flemish_start_kt']:,.0f} kt -> "
          f"{result['co2_flemish_2050_kt']:,.0f} kt; label A or better in 2050: "
          f"{100 * a_or_better:.1f} %")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
