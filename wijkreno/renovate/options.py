"""The per-dwelling measure options: the contract between the catalogue and the enumeration.

:func:`wijkreno.renovate.applicability.measure_options` turns the twin's dwellings, the measure
catalogue, the premiums and a coach's overrides into a :class:`MeasureOptions`;
:mod:`wijkreno.renovate.packages` enumerates every combination of one option per dimension with
the energy engine, and :mod:`wijkreno.renovate.trajectories` orders the chosen package into steps.

A renovation package is one option per :data:`DIMENSIONS`. Option 0 of every dimension is
``keep`` (no measure, no cost). Options within one dimension exclude each other (one wall
measure, one heat generator, one ventilation system).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wijkreno.params.names import DIMENSIONS

ENVELOPE_DIMENSIONS: tuple[str, ...] = ("roof", "wall", "floor", "glazing", "ventilation")

EFFECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "roof": ("u_roof_w_per_m2k",),
    "wall": ("u_wall_w_per_m2k",),
    "floor": ("u_floor_w_per_m2k",),
    "glazing": ("u_window_w_per_m2k", "g_window_frac"),
    # infiltration after the airtightness works, and the heat-recovery efficiency of the
    # ventilation system (0 for natural or C, about 0.75-0.9 for D)
    "ventilation": ("infiltration_ach", "heat_recovery_frac"),
    # heating system code (index in wijkreno.twin.schema.HEATING_SYSTEMS, as float) and the
    # maximum design heat load [W m-2] of heated floor area at which it works with the
    # dwelling's emitters (inf = no limit); the emitter supply temperature [degC]
    "heating": ("heating_code", "max_design_load_w_per_m2", "emitter_temperature_degc"),
    # installed peak power [kWp] and yearly yield [kWh]
    "pv": ("pv_kwp", "pv_yield_kwh"),
    # share of the DHW need the solar water heater covers
    "solar_water_heater": ("dhw_solar_frac",),
}
"""Which engine inputs each dimension's options change."""


@dataclass(frozen=True)
class MeasureOptions:
    """Options per dimension for ``n`` dwellings.

    Attributes
    ----------
    option_names : dict of str to tuple of str
        Per dimension, the option names; ``option_names[d][0] == "keep"``.
    applicable : dict of str to ndarray of bool, shape (n, n_options_d)
        Whether option k can be applied to dwelling i (column 0 is always True).
    investment_eur : dict of str to ndarray, shape (n, n_options_d)
        Invoice incl. VAT [EUR] (0 for ``keep``).
    premium_eur : dict of str to ndarray, shape (n, n_options_d)
        Premium for this measure alone [EUR], already capped per measure (share of invoice,
        amount per unit) for the dwelling's income category.
    lifetime_years : dict of str to ndarray, shape (n_options_d,)
        Technical lifetime [years] (inf for ``keep``).
    effect : dict of str to dict of str to ndarray, shape (n, n_options_d)
        Per dimension and :data:`EFFECT_COLUMNS` column, the value after the measure; column 0
        holds the dwelling's current value.
    reason : dict of str to ndarray of object, shape (n, n_options_d)
        Why an option is not applicable ('' when it is), in plain words for the coach.
    heat_pump_sizing : ndarray, shape (n_options_heating, 2), optional
        Per heating option, EUR per kW and the minimum size [kW] of a heat pump sized on the
        design load (0, 0 for options not sized): the enumeration re-prices the invoice on the
        design load after each package's envelope measures. None: no re-pricing.
    """

    option_names: dict[str, tuple[str, ...]]
    applicable: dict[str, np.ndarray]
    investment_eur: dict[str, np.ndarray]
    premium_eur: dict[str, np.ndarray]
    lifetime_years: dict[str, np.ndarray]
    effect: dict[str, dict[str, np.ndarray]]
    reason: dict[str, np.ndarray]
    heat_pump_sizing: np.ndarray | None = None
    # the part of premium_eur a municipality pays on top of Mijn VerbouwPremie (issue 12);
    # None without a municipal premium file
    municipal_premium_eur: dict[str, np.ndarray] | None = None

    @property
    def n_dwellings(self) -> int:
        return int(next(iter(self.applicable.values())).shape[0])

    def n_options(self, dimension: str) -> int:
        return len(self.option_names[dimension])

    def check(self) -> None:
        """Raise ``ValueError`` when shapes or the ``keep`` convention are broken."""
        n = self.n_dwellings
        for d in DIMENSIONS:
            k = self.n_options(d)
            if self.option_names[d][0] != "keep":
                raise ValueError(f"option 0 of {d} must be 'keep'")
            for name, arr in (("applicable", self.applicable[d]),
                              ("investment_eur", self.investment_eur[d]),
                              ("premium_eur", self.premium_eur[d]), ("reason", self.reason[d])):
                if arr.shape != (n, k):
                    raise ValueError(f"{name}[{d}] has shape {arr.shape}, expected {(n, k)}")
            if not self.applicable[d][:, 0].all():
                raise ValueError(f"'keep' must always be applicable ({d})")
            if self.lifetime_years[d].shape != (k,):
                raise ValueError(f"lifetime_years[{d}] must have shape {(k,)}")
            if d == "heating" and self.heat_pump_sizing is not None and (
                    self.heat_pump_sizing.shape != (k, 2)):
                raise ValueError(f"heat_pump_sizing must have shape {(k, 2)}")
            for col in EFFECT_COLUMNS[d]:
                if self.effect[d][col].shape != (n, k):
                    raise ValueError(f"effect[{d}][{col}] must have shape {(n, k)}")
