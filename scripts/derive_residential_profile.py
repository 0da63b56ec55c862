"""Print the [baseline] shape rows of wijkreno/params/heat_pump_hourly.toml from BDEW H0.

Usage::

    pip download demandlib==0.2.2 --no-deps -d /tmp/dl && unzip -o /tmp/dl/demandlib-*.whl \
        'demandlib/bdew/bdew_data/selp_series.csv' -d /tmp/dl
    python scripts/derive_residential_profile.py /tmp/dl/demandlib/bdew/bdew_data/selp_series.csv

The file holds the BDEW/VDEW standard load profiles per quarter hour for three seasons
(``period``: winter, transition, summer) and day types (``weekday`` 1-5 workday, 6 Saturday,
7 Sunday); the ``h0`` column is the household profile. The rows printed are the hourly means of
its quarter hours, per season and day type, rounded to 4 decimals.
"""

from __future__ import annotations

import sys

import pandas as pd


def main(path: str) -> None:
    d = pd.read_csv(path, index_col=0, parse_dates=True)
    d["hour"] = d.index.hour
    d["daytype"] = d["weekday"].map(lambda w: "saturday" if w == 6 else "sunday" if w == 7
                                    else "workday")
    means = d.groupby(["period", "daytype", "hour"])["h0"].mean()
    for season in ("winter", "transition", "summer"):
        for daytype in ("workday", "saturday", "sunday"):
            row = ", ".join(f"{v:.4f}" for v in means.loc[(season, daytype)].to_numpy())
            sys.stdout.write(f"{season}_{daytype} = [{row}]\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
