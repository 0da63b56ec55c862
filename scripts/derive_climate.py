"""Write wijkreno/params/climate_uccle_monthly.csv from the Uccle TMYx EPW file.

Usage::

    python scripts/derive_climate.py [--epw ../shared/data/climate_uccle/<file>.epw] [--out PATH]

The derivation itself is :func:`wijkreno.simulate.climate.derive_monthly_climate` (pvlib solar
position and transposition per plane class); this script only writes its result with a header
saying where the figures come from. Rerun it after a reviewed change of the climate parameters
(``[climate]`` in ``wijkreno/params/heat_balance.toml``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pvlib

from wijkreno.io.epw import read_epw
from wijkreno.simulate.climate import (
    climate_table_text,
    derive_monthly_climate,
    load_climate_params,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EPW = (
    ROOT / ".." / "shared" / "data" / "climate_uccle" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
)
DEFAULT_OUT = ROOT / "wijkreno" / "params" / "climate_uccle_monthly.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epw", type=Path, default=DEFAULT_EPW.resolve())
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    params = load_climate_params()
    climate = derive_monthly_climate(*read_epw(args.epw), params)
    header = {
        "title": "Monthly climate of Uccle for the wijkreno heat balance",
        "source": (
            "Climate.OneBuilding.org TMYx 2007-2021, station Uccle WMO 064470, via "
            "open-ideas/IDEAS commit 272d82ae: " + climate.source
        ),
        "method": (
            "hours and mean dry-bulb temperature per month; ghi = sum of the EPW global "
            "horizontal irradiation; i_sol_vert_* (tilt 90) and i_sol_roof_* (tilt "
            "roof_tilt_deg) = sum of pvlib get_total_irradiance poa_global, sun at the EPW time "
            "stamp (see sun_position_offset_min), dni_extra and relative air mass from pvlib"
        ),
        "units": "hours_h [h], theta_e_degc [degC], *_kwh_per_m2 [kWh m-2 per month]",
        "pvlib_version": pvlib.__version__,
        "albedo_frac": str(params.albedo_frac),
        "generated": dt.date.today().isoformat(),
        "generator": "scripts/derive_climate.py",
    }
    args.out.write_text(climate_table_text(climate, header), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
