"""The per-dwelling measure options: the contract between the catalogue and the enumeration.

:func:`wijkreno.renovate.applicability.measure_options` turns the twin's dwellings, the measure
catalogue, the premiums and a coach's overrides into a :class:`MeasureOptions`;
:mod:`wijkreno.renovate.packages` enumerates every combination of one option per dimension with
the energy engine, and :mod:`wijkreno.renovate.trajectories` orders the chosen package into steps.

A renovation package is one option per :data:`DIMENSIONS`. Option 0 of every dimension is
``keep`` (no measure, no cost). Options within one dimension exclude each other (one wall
measure, one heat generator, one ventilation system, one hot-water measure: the dimension
``solar_water_heater`` holds the hot-water measures, the solar water heater and the heat-pump
boiler). A hot-water option that installs a hot-water system of its own (``dhw_system_code``
>= 0, the heat-pump boiler) goes only with ``keep`` of the heating dimension: a new heat pump
for the space heating makes the hot water itself.

A heating option may also serve as an intermediate step ('tussenstap') of a trajectory on its
way to a full heat pump (``interim_*``, the hybrid heat pump): applicable as a step even where
it is not an end state the household asked for.
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
    # share of the DHW need the solar water heater covers; the hot-water system the option
    # installs (index in the system parameters' dhw_system_names, as float; -1 = the one of the
    # heating option: today's where the heating is kept, the new heat pump's otherwise)
    "solar_water_heater": ("dhw_solar_frac", "dhw_system_code"),
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
    interim_applicable : ndarray of bool, shape (n, n_options_heating), optional
        Whether heating option k can be an intermediate step of dwelling i's trajectory
        (``renovation.toml [applicability.heating] intermediate_systems``); None: none can.
    interim_investment_eur, interim_premium_eur : ndarray, shape (n, n_options_heating), optional
        Invoice and premium of option k as an intermediate step [EUR] (0 where it cannot be).
    """

    option_names: dict[str, tuple[str, ...]]
    applicable: dict[str, np.ndarray]
    investment_eur: dict[str, np.ndarray]
    premium_eur: dict[str, np.ndarray]
    lifetime_years: dict[str, np.ndarray]
    effect: dict[str, dict[str, np.ndarray]]
    reason: dict[str, np.ndarray]
    heat_pump_sizing: np.ndarray | None = None
    interim_applicable: np.ndarray | None = None
    interim_investment_eur: np.ndarray | None = None
    interim_premium_eur: np.ndarray | None = None
    # the part of premium_eur a municipality pays on top of Mijn VerbouwPremie (issue 12);
    # None without a municipal premium file
    municipal_premium_eur: dict[str, np.ndarray] | None = None
    price_year: int | None = None
    """Year the invoices are quoted in (the catalogue's ``price_year``); None: each cost at its
    source's date (the catalogue as in ``measures.toml``)."""

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
        kh = self.n_options("heating")
        for name in ("interim_applicable", "interim_investment_eur", "interim_premium_eur"):
            arr = getattr(self, name)
            if arr is not None and arr.shape != (n, kh):
                raise ValueError(f"{name} has shape {arr.shape}, expected {(n, kh)}")
