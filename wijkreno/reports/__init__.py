"""Reports: the yearly LEKP progress report and the per-address klimaattafel sheets.

- :func:`render_lekp_report`: HTML + PDF report of a municipality's LEKP goals for the
  gemeenteraad, from the outputs of :mod:`wijkreno.indicators` and the register;
- :func:`render_address_sheets`: one printable page per dwelling with its renovation
  trajectory, a street bundle in one PDF.
"""

from __future__ import annotations

from wijkreno.reports.lekp import goal_status, render_lekp_report
from wijkreno.reports.sheets import measure_name_nl, render_address_sheets

__all__ = ["goal_status", "measure_name_nl", "render_address_sheets", "render_lekp_report"]
