"""Derive the package's archetype table from the TABULA/EPISCOPE Belgian typology.

Reads ``tabula_be_episcope.csv`` (all TABULA calculator fields of the 36 Belgian existing-state
variants, see ../shared/data/tabula_be/PROVENANCE.md) and writes
``wijkreno/params/archetypes_tabula_be.csv``: one row per twin typology × TABULA period with
area-weighted U-values, window share, g-value, thermal-bridge surcharge and infiltration.

Run after a reviewed change of the mapping below::

    python scripts/derive_archetypes.py ../shared/data/tabula_be

Mapping of twin typologies to TABULA building types (VITO's Belgian typology):
detached → SFH (single-family house), semi_detached → TH "Semi" (end-of-terrace/semi),
terraced → TH "Gen" (mid-terrace), apartment_building → MFH "Small" (small multi-family
house, 3 storeys, the common Flemish apartment building: Statbel counts about 6.6 dwellings
per R4 building in Flanders; the MFH "Gen" examples have window shares up to 69 % and the AB
"apartment block" type has no period 01 and describes 9–27 storey blocks, rarer than MFH).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

TYPOLOGY_TO_TABULA = {
    "detached": "SFH.{p}.Gen",
    "semi_detached": "TH.{p}.Semi",
    "terraced": "TH.{p}.Gen",
    "apartment_building": "MFH.{p}.Small",
}
PERIODS = ("01", "02", "03", "04", "05", "06")
# U-value of a party wall between two dwellings [W/(m2 K)]. PLACEHOLDER: TABULA has no party
# walls; solid 1-brick walls before 1971, cavity walls after, and the EPB maximum of 1.0 for walls
# between dwellings since 2006 (Energiebesluit bijlage VII), then improving practice.
U_PARTY_WALL = {"01": 2.0, "02": 2.0, "03": 1.5, "04": 1.2, "05": 1.0, "06": 0.6}


def _weighted(row: pd.Series, element: str, n: int) -> float:
    areas = np.array([row.get(f"A_{element}_{i}", 0.0) or 0.0 for i in range(1, n + 1)])
    us = np.array([row.get(f"U_{element}_{i}", 0.0) or 0.0 for i in range(1, n + 1)])
    return float((areas * us).sum() / areas.sum()) if areas.sum() > 0 else float(us[0])


def derive(tabula_dir: Path) -> pd.DataFrame:
    src = pd.read_csv(tabula_dir / "tabula_be_episcope.csv")
    src = src.set_index("Code_BuildingType")
    rows = []
    for typology, pattern in TYPOLOGY_TO_TABULA.items():
        for p in PERIODS:
            code = "BE.N." + pattern.format(p=p)
            r = src.loc[code]
            windows = r["A_Window_1"] + r["A_Window_2"]
            walls = r["A_Wall_1"] + r["A_Wall_2"] + r["A_Wall_3"]
            win_u = (r["A_Window_1"] * r["U_Window_1"] + r["A_Window_2"] * r["U_Window_2"]
                     + r["A_Door_1"] * r["U_Door_1"]) / (windows + r["A_Door_1"])
            rows.append({
                "typology": typology,
                "tabula_period": p,
                "archetype_code": code,
                "u_roof_w_per_m2k": round(_weighted(r, "Roof", 2), 4),
                "u_wall_w_per_m2k": round(_weighted(r, "Wall", 3), 4),
                "u_floor_w_per_m2k": round(_weighted(r, "Floor", 2), 4),
                "u_window_w_per_m2k": round(float(win_u), 4),
                "u_party_wall_w_per_m2k": U_PARTY_WALL[p],
                "g_window_frac": float(r["g_gl_n_Window_1"]),
                "window_to_facade_frac": round(float(windows / (windows + walls)), 4),
                "thermal_bridge_w_per_m2k": float(r["delta_U_ThermalBridging"]),
                "infiltration_ach": float(r["n_air_infiltration"]),
                "cellar_frac": 1.0 if r["Code_CellarCond"] == "N" else 0.0,
                "source": "TABULA/EPISCOPE BE (VITO) via tabula-calculator.xlsx, "
                          f"variant {code}.ReEx.001; party-wall U placeholder",
            })
    return pd.DataFrame(rows)


def main() -> None:
    tabula_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tabula_be")
    out = Path(__file__).resolve().parents[1] / "wijkreno" / "params" / "archetypes_tabula_be.csv"
    table = derive(tabula_dir)
    header = ("# Archetypes of the twin: typology x TABULA period -> envelope defaults.\n"
              "# Derived by scripts/derive_archetypes.py from TABULA/EPISCOPE BE (VITO, IWU "
              "tabula-calculator.xlsx, CC BY 4.0) on 2026-11-23. U in W/(m2 K).\n")
    out.write_text(header + table.to_csv(index=False))
    print(f"wrote {len(table)} archetypes to {out}")


if __name__ == "__main__":
    main()
