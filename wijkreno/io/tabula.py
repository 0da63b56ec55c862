"""Read the TABULA/EPISCOPE Belgian typology extract (``../shared/data/tabula_be``).

Three files, read by three functions, all renamed to house names through the one mapping
:data:`TABULA_COLUMNS`:

* :func:`read_tabula_typology` - ``tabula_be_episcope.csv``, existing state (variants
  ``.001``): geometry, envelope areas, U-values, b-factors, and TABULA's published results
  (columns ``published_*``);
* :func:`read_tabula_refurbishment` - ``tabula_BE_refurbishment_variant_inputs.csv``, the
  usual (``.002``) and advanced (``.003``) refurbishment inputs (U of element 1 of roof, wall,
  floor and window 1, thermal bridges, infiltration, g);
* :func:`read_tabula_conditions` - ``tabula_BE_climate_and_boundary_conditions.csv``, the BE
  heating-season climate and the boundary conditions EU.SUH / EU.MUH.

Units follow the house suffixes; per-m2 results are per TABULA reference floor area A_C_Ref.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wijkreno.errors import InputError

TYPOLOGY_FILE = "tabula_be_episcope.csv"
REFURBISHMENT_FILE = "tabula_BE_refurbishment_variant_inputs.csv"
CONDITIONS_FILE = "tabula_BE_climate_and_boundary_conditions.csv"

_ELEMENTS = ("Roof_1", "Roof_2", "Wall_1", "Wall_2", "Wall_3", "Floor_1", "Floor_2",
             "Window_1", "Window_2", "Door_1")
_OPAQUE = ("Roof_1", "Roof_2", "Wall_1", "Wall_2", "Wall_3", "Floor_1", "Floor_2")


def _house(element: str) -> str:
    return element.lower()


TABULA_COLUMNS: dict[str, str] = {
    # --- identification (typology, refurbishment) ---------------------------------------
    "Code_BuildingVariant": "variant_code",
    "code": "variant_code",
    "variant": "variant_name",
    "Code_BuildingType": "building_type_code",
    "Code_BuildingSizeClass": "size_class",
    "Code_ConstructionYearClass": "period_code",
    "Year1_Building": "year_from",
    "Year2_Building": "year_to",
    "Code_AttachedNeighbours": "attached_neighbours_code",
    "Code_BoundaryCond": "boundary_condition_code",
    "Code_ClimateRegion": "climate_region_code",
    "A_C_Ref": "reference_floor_area_m2",
    "V_C": "conditioned_volume_m3",
    "n_Apartment": "n_dwellings",
    "n_Storey": "n_floors",
    # --- envelope (typology) ----------------------------------------------------------------
    **{f"A_{e}": f"{_house(e)}_area_m2" for e in _ELEMENTS},
    **{f"U_{e}": f"u_{_house(e)}_w_per_m2k" for e in _ELEMENTS},
    **{f"b_Transmission_{e}": f"b_{_house(e)}_frac" for e in _OPAQUE},
    **{f"R_Add_UnheatedSpace_{e}": f"r_add_{_house(e)}_m2k_per_w" for e in _OPAQUE},
    "A_Window_Horizontal": "window_hor_area_m2",
    "A_Window_North": "window_n_area_m2",
    "A_Window_East": "window_e_area_m2",
    "A_Window_South": "window_s_area_m2",
    "A_Window_West": "window_w_area_m2",
    "g_gl_n_Window_1": "g_window_1_frac",
    "g_gl_n_Window_2": "g_window_2_frac",
    "delta_U_ThermalBridging": "thermal_bridge_w_per_m2k",
    "n_air_infiltration": "infiltration_ach",
    # --- published results (typology) -------------------------------------------------------
    "h_Transmission": "published_h_tr_w_per_m2k",
    "h_Ventilation": "published_h_ve_w_per_m2k",
    "F_red_temp": "published_f_red_frac",
    "q_ht_tr": "published_q_ht_tr_kwh_per_m2",
    "q_ht_ve": "published_q_ht_ve_kwh_per_m2",
    "q_ht": "published_q_ht_kwh_per_m2",
    "q_sol": "published_q_sol_kwh_per_m2",
    "q_int": "published_q_int_kwh_per_m2",
    "tau": "published_tau_h",
    "a_H": "published_a_h",
    "gamma_h_gn": "published_gamma",
    "eta_h_gn": "published_eta_frac",
    "q_h_nd": "published_q_h_nd_kwh_per_m2",
    # --- refurbishment inputs (element 1 of roof, wall, floor; window 1) ------------------
    "U_roof1_W_m2K": "u_roof_1_w_per_m2k",
    "U_wall1_W_m2K": "u_wall_1_w_per_m2k",
    "U_floor1_W_m2K": "u_floor_1_actual_w_per_m2k",
    "U_window1_W_m2K": "u_window_1_w_per_m2k",
    "delta_U_thermal_bridging_actual_W_m2K": "thermal_bridge_w_per_m2k",
    "n_air_infiltration_1_h": "infiltration_ach",
    "g_gl_n_window1": "g_window_1_frac",
    "notes": "notes",
    # --- climate and boundary conditions -----------------------------------------------------
    "Name_ClimateRegion": "climate_region_name",
    "HeatingDays": "heating_days",
    "Theta_e_Base": "theta_e_base_degc",
    "Theta_e": "theta_e_degc",
    "I_Sol_Hor": "i_sol_hor_kwh_per_m2",
    "I_Sol_East": "i_sol_e_kwh_per_m2",
    "I_Sol_South": "i_sol_s_kwh_per_m2",
    "I_Sol_West": "i_sol_w_kwh_per_m2",
    "I_Sol_North": "i_sol_n_kwh_per_m2",
    "theta_i": "theta_int_degc",
    "F_red_htr1": "f_red_at_h_tr_1_frac",
    "F_red_htr4": "f_red_at_h_tr_4_frac",
    "n_air_use": "n_air_use_ach",
    "h_room": "room_height_m",
    "phi_int": "phi_int_w_per_m2",
    "q_w_nd": "dhw_need_kwh_per_m2",
    "F_sh_hor": "f_sh_hor_frac",
    "F_sh_vert": "f_sh_vert_frac",
    "F_f": "f_frame_frac",
    "F_w": "f_w_frac",
    "c_m": "c_m_wh_per_m2k",
}
"""TABULA field names (and the hand-transcribed refurbishment file's names) -> house names.

The refurbishment file's floor U (``u_floor_1_actual_w_per_m2k``) already includes the
resistance of an unheated cellar (TABULA's U_Actual): 1/U - 1/U_actual,existing gives the same
added insulation resistance as for the walls of the same variant, for cellar and slab types
alike. The typology file repeats the climate and boundary-condition fields of its row;
they come out under the same names as in :func:`read_tabula_conditions`.
"""


def _read(folder: str | Path, name: str, what: str) -> pd.DataFrame:
    folder = Path(folder)
    path = folder / name
    if not folder.is_dir():
        raise InputError(
            f"TABULA folder {folder} does not exist; give the folder holding {name} "
            "(e.g. ../shared/data/tabula_be)."
        )
    if not path.is_file():
        raise InputError(f"TABULA {what} file {path} is missing from {folder}.")
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read TABULA {what} file {path}: {exc}") from None


def _rename(frame: pd.DataFrame, required: list[str], path_hint: str) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"TABULA file {path_hint} lacks the fields {missing}.")
    keep = [c for c in frame.columns if c in TABULA_COLUMNS]
    return frame[keep].rename(columns=TABULA_COLUMNS)


def read_tabula_typology(folder: str | Path) -> pd.DataFrame:
    """Existing-state TABULA BE building variants with inputs and published results.

    Parameters
    ----------
    folder : str or Path
        The ``tabula_be`` folder.

    Returns
    -------
    pandas.DataFrame
        One row per variant (36: 35 BE types and one synthetic average), indexed by
        ``variant_code``; areas [m2], U [W m-2 K-1], b [-], added resistance of unheated spaces
        [m2 K W-1], ``published_*`` results per reference floor area [kWh m-2 per season].
    """
    raw = _read(folder, TYPOLOGY_FILE, "typology")
    needed = ["Code_BuildingVariant", "A_C_Ref", "q_h_nd", "U_Wall_1", "A_Wall_1",
              "Code_BoundaryCond", "n_air_infiltration", "delta_U_ThermalBridging"]
    out = _rename(raw, needed, str(Path(folder) / TYPOLOGY_FILE))
    return out.set_index("variant_code", drop=False)


def read_tabula_refurbishment(folder: str | Path) -> pd.DataFrame:
    """Inputs of the TABULA BE refurbishment variants (.002 usual, .003 advanced).

    Parameters
    ----------
    folder : str or Path
        The ``tabula_be`` folder.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``variant_code``; ``base_variant_code`` names the existing-state variant
        (``.001``) the measures apply to. Columns ``u_roof_1_w_per_m2k``,
        ``u_wall_1_w_per_m2k``, ``u_floor_1_actual_w_per_m2k`` (cellar resistance included),
        ``u_window_1_w_per_m2k``, ``thermal_bridge_w_per_m2k``, ``infiltration_ach``,
        ``g_window_1_frac``, ``variant_name``, ``notes``.
    """
    raw = _read(folder, REFURBISHMENT_FILE, "refurbishment")
    needed = ["code", "U_roof1_W_m2K", "U_wall1_W_m2K", "U_floor1_W_m2K", "U_window1_W_m2K",
              "delta_U_thermal_bridging_actual_W_m2K", "n_air_infiltration_1_h",
              "g_gl_n_window1"]
    out = _rename(raw, needed, str(Path(folder) / REFURBISHMENT_FILE))
    out["base_variant_code"] = out["variant_code"].str.slice(0, -4) + ".001"
    return out.set_index("variant_code", drop=False)


def read_tabula_conditions(folder: str | Path) -> pd.DataFrame:
    """TABULA BE heating-season climate and boundary conditions (EU.SUH, EU.MUH).

    Parameters
    ----------
    folder : str or Path
        The ``tabula_be`` folder.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``boundary_condition_code``: ``heating_days``, ``theta_e_degc``,
        ``i_sol_{hor,e,s,w,n}_kwh_per_m2`` (per heating season), ``theta_int_degc``,
        ``f_red_at_h_tr_1_frac``, ``f_red_at_h_tr_4_frac``, ``n_air_use_ach``,
        ``room_height_m``, ``phi_int_w_per_m2``, ``dhw_need_kwh_per_m2``, ``f_sh_hor_frac``,
        ``f_sh_vert_frac``, ``f_frame_frac``, ``f_w_frac``, ``c_m_wh_per_m2k``.
    """
    raw = _read(folder, CONDITIONS_FILE, "boundary-condition")
    needed = ["Code_BoundaryCond", "HeatingDays", "Theta_e", "I_Sol_East", "I_Sol_South",
              "I_Sol_West", "I_Sol_North", "theta_i", "F_red_htr1", "F_red_htr4", "n_air_use",
              "h_room", "phi_int", "F_sh_vert", "F_f", "F_w", "c_m"]
    out = _rename(raw, needed, str(Path(folder) / CONDITIONS_FILE))
    return out.set_index("boundary_condition_code", drop=False)
