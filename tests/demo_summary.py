"""Build the demo twin and summarise it (shared by the regression test and its regeneration
script, scripts/regenerate_demo_summary.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wijkreno.demo import DEMO_NIS_CODE, generate_demo
from wijkreno.pipeline import TwinInputs, build_twin_from_files
from wijkreno.twin.build import Twin

DEMO_SEED = 20240101


def build_demo_twin(folder: Path) -> tuple[Twin, dict[str, Path]]:
    files = generate_demo(folder / "sources", seed=DEMO_SEED)
    inputs = TwinInputs(
        buildings=files["buildings"], nis_code=DEMO_NIS_CODE, addresses=files["addresses"],
        dsm=files["dsm"], dtm=files["dtm"], sectors=files["sectors"],
        gebouwenpark=files["gebouwenpark"], seed=DEMO_SEED,
    )
    return build_twin_from_files(inputs), files


def twin_summary(twin: Twin) -> dict[str, Any]:
    b, d = twin.buildings, twin.dwellings
    main = b[b["building_role"] == "main"]
    return {
        "n_buildings": int(len(b)),
        "n_main": int(len(main)),
        "n_dwellings": int(len(d)),
        "n_rejected": int(len(twin.rejected)),
        "typology": {str(k): int(v) for k, v in main["typology"].value_counts().items()},
        "dwellings_per_sector": {str(k): int(v)
                                 for k, v in d["sector_code"].value_counts().items()},
        "heated_floor_area_m2": round(float(d["heated_floor_area_m2"].sum()), 1),
        "party_wall_length_m": round(float(main["party_wall_length_m"].sum()), 1),
        "facade_area_m2": round(float(sum(main[f"facade_area_{o}_m2"].sum() for o in "nesw")), 1),
        "mean_construction_year": round(float(main["construction_year"].mean()), 2),
    }
