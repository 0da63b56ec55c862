"""Tests of the renovation stage; :func:`hand_dwellings` builds dwellings with known answers."""

from __future__ import annotations

from typing import Any

import pandas as pd

# A terraced house of 1955 (TABULA period 02): 60 m2 footprint, pitched roof 80 m2, 30 m2 of
# opaque wall and 8 m2 of windows north and south, half of the floor over a cellar.
TERRACED_1955: dict[str, Any] = {
    "dwelling_id": "T1955",
    "adres_id": "adr-1",
    "gebouw_id": "G1",
    "street": "Kerkstraat",
    "house_number": "1",
    "typology": "terraced",
    "tabula_period": "02",
    "construction_year": 1955,
    "floor_share_frac": 1.0,
    "heated_floor_area_m2": 120.0,
    "volume_m3": 360.0,
    "n_floors": 2,
    "roof_area_m2": 80.0,
    "ground_floor_area_m2": 60.0,
    "wall_area_n_m2": 30.0,
    "wall_area_e_m2": 0.0,
    "wall_area_s_m2": 30.0,
    "wall_area_w_m2": 0.0,
    "window_area_n_m2": 8.0,
    "window_area_e_m2": 0.0,
    "window_area_s_m2": 8.0,
    "window_area_w_m2": 0.0,
    "party_wall_area_m2": 120.0,
    "annex_wall_area_m2": 0.0,
    "u_roof_w_per_m2k": 1.9,
    "u_wall_w_per_m2k": 1.7,
    "u_floor_w_per_m2k": 0.85,
    "u_window_w_per_m2k": 4.8,
    "u_party_wall_w_per_m2k": 2.0,
    "g_window_frac": 0.75,
    "thermal_bridge_w_per_m2k": 0.1,
    "infiltration_ach": 0.4,
    "cellar_frac": 0.5,
    "heating_system": "gas_boiler",
    "u_roof_w_per_m2k_source": "imputed",
    "u_wall_w_per_m2k_source": "imputed",
    "u_floor_w_per_m2k_source": "imputed",
    "u_window_w_per_m2k_source": "imputed",
    "heating_system_source": "imputed",
}


def hand_dwellings(*changes: dict[str, Any], index: Any = None) -> pd.DataFrame:
    """One row per ``changes`` dict: :data:`TERRACED_1955` with those values replaced."""
    rows = [{**TERRACED_1955, "dwelling_id": f"D{k}", "adres_id": f"adr-{k}", **c}
            for k, c in enumerate(changes or ({},))]
    frame = pd.DataFrame(rows)
    if index is not None:
        frame.index = index
    return frame
