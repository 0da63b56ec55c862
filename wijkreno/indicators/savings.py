"""CO2 and energy saved by the renovations in the register, from the per-address model.

:func:`realised_savings` applies each dwelling's registered measures to its twin row with the
effects of :func:`wijkreno.renovate.applicability.measure_options` (the same effects the
trajectories use) and simulates the dwelling before and after with
:func:`wijkreno.simulate.engine.simulate_dwellings`: one engine call for the dwellings as they
are in the twin and one for every (dwelling, year) state reached, all rows at once.

A dwelling's state in year ``y`` holds every measure registered for it up to ``y``; two measures
of one dimension (ventilation C, later D) keep the later one. Savings are on expected real use
by default (:func:`wijkreno.simulate.expected.expected_use` of the state before and of the
state after, so the smaller prebound gap of a renovated dwelling counts; ``basis`` column) or
standardised (EPC-style) on request; primary energy saved stays standardised. Both CO2 factor
sets are reported (Flemish consumer
figures and Covenant of Mayors). PV yield is subtracted as in the package enumeration
(:func:`wijkreno.renovate.packages.evaluate_packages_reference`): the yield counts as
electricity not drawn, at the electricity factors.

Nothing is dropped silently: register rows whose address is not in the twin, whose measure the
model does not know (``heat_pump_boiler``: a DHW heat pump, not in the measure catalogue) or
does not apply to the twin's dwelling (the twin says the roof is already insulated), and
dwellings the engine could not simulate, are listed in :attr:`RealisedSavings.unmatched` with a
reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.catalogue import load_catalogue, money_params
from wijkreno.renovate.options import DIMENSIONS, EFFECT_COLUMNS
from wijkreno.simulate.basis import accounts_on_basis, final_energy_on_basis
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.simulate.expected import expected_use
from wijkreno.simulate.heat_balance import load_heat_balance_params
from wijkreno.simulate.params import default_system_params
from wijkreno.twin.schema import HEATING_SYSTEMS

log = logging.getLogger(__name__)

SAVING_COLUMNS: tuple[str, ...] = (
    "co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2", "energy_saved_kwh",
    "primary_energy_saved_kwh",
)
"""Yearly savings [kg CO2 a-1], [kWh a-1] of a dwelling's state against the twin's state."""

REASON_NOT_IN_TWIN = "adres niet in de twin / address not in the twin"
REASON_NOT_MODELLED = "maatregel niet gemodelleerd / measure not in the measure catalogue"
REASON_NOT_APPLICABLE = ("maatregel volgens de twin niet toepasbaar (geen effect) / measure not "
                         "applicable to the twin's dwelling (no effect)")
REASON_NOT_SIMULATED = "woning niet gesimuleerd / dwelling not simulated"

_FINAL = ("final_gas_kwh", "final_oil_kwh", "final_electricity_kwh", "final_wood_kwh")


@dataclass
class RealisedSavings:
    """Outcome of :func:`realised_savings`.

    Attributes
    ----------
    by_dwelling_year : pandas.DataFrame
        One row per dwelling and year in which its registered state changed: ``dwelling_id``,
        ``adres_id``, ``year``, ``measures`` (the modelled measures in force, comma-separated),
        ``valid``, then :data:`SAVING_COLUMNS` (NaN when not valid) and ``basis``.
    unmatched : pandas.DataFrame
        Register rows (``renovation_id``, ``adres_id``, ``dwelling_id``, ``measure``,
        ``completed_on``) with a ``reason``; one row per problem.
    """

    by_dwelling_year: pd.DataFrame
    unmatched: pd.DataFrame

    def cumulative_by_year(self, years: np.ndarray | list[int]) -> pd.DataFrame:
        """Savings of all dwellings in the state reached by the end of each year.

        Returns
        -------
        pandas.DataFrame
            ``year`` and :data:`SAVING_COLUMNS` (totals over dwellings, invalid ones left out).
        """
        years = np.asarray(years, dtype=np.int64)
        t = self.by_dwelling_year
        out = pd.DataFrame({"year": years})
        if t.empty:
            for c in SAVING_COLUMNS:
                out[c] = 0.0
            return out
        for c in SAVING_COLUMNS:
            wide = t.pivot_table(index="year", columns="dwelling_id", values=c, aggfunc="last")
            all_years = np.union1d(years, wide.index.to_numpy())
            wide = wide.reindex(all_years).ffill().fillna(0.0)
            out[c] = wide.sum(axis=1).reindex(years).to_numpy()
        return out


def _match(reg: pd.DataFrame, dwellings: pd.DataFrame) -> np.ndarray:
    """Position in ``dwellings`` of each register row (-1 when not found)."""
    pos = pd.Series(-1, index=reg.index, dtype=np.int64)
    ids = np.arange(len(dwellings))
    for key in ("dwelling_id", "adres_id"):
        if key not in reg.columns or key not in dwellings.columns:
            continue
        lookup = pd.Series(ids, index=dwellings[key].astype("string").to_numpy())
        lookup = lookup[lookup.index.notna()]
        lookup = lookup[~lookup.index.duplicated(keep="first")]
        found = reg[key].astype("string").map(lookup)
        fill = (pos < 0) & found.notna()
        pos[fill] = found[fill].astype(np.int64)
    return pos.to_numpy()


def realised_savings(
    register_renovations: pd.DataFrame,
    dwellings: pd.DataFrame,
    *,
    system_params=None,
    basis: str = "auto",
) -> RealisedSavings:
    """Yearly CO2 and energy saved by the registered measures, per dwelling and year.

    Parameters
    ----------
    register_renovations : pandas.DataFrame
        ``Register.renovations()``: at least ``measure`` and ``completed_on`` and one of
        ``dwelling_id`` / ``adres_id`` (``renovation_id`` is carried into the report).
    dwellings : pandas.DataFrame
        The twin's ``dwellings`` table (what the engine and ``measure_options`` need).
    system_params : SystemParams, optional
        Energy-system parameters (CO2 and primary-energy factors); packaged when None.
    basis : {'auto', 'expected', 'standardised'}
        Basis of the CO2 and energy saved (:mod:`wijkreno.simulate.basis`). ``auto`` and
        ``expected``: expected real use before and after
        (:func:`wijkreno.simulate.expected.expected_use` on both states, so the prebound
        effect of the state after the works is its own); ``standardised``: the EPC
        calculation. Primary energy saved stays standardised. ``calibrated`` is refused here:
        the register's dwellings are simulated afresh and carry no calibration.

    Returns
    -------
    RealisedSavings

    Raises
    ------
    InputError
        When the register frame lacks ``measure``/``completed_on`` or both id columns.
    """
    if basis not in ("auto", "expected", "standardised"):
        raise InputError(
            f"basis {basis!r} is not available for realised savings; choose 'auto' or "
            "'expected' (expected real use) or 'standardised' (the EPC calculation)."
        )
    need = {"measure", "completed_on"}
    if not need <= set(register_renovations.columns) or not (
            {"dwelling_id", "adres_id"} & set(register_renovations.columns)):
        raise InputError(
            "realised_savings needs register renovations with columns measure, completed_on "
            f"and dwelling_id or adres_id; got {list(register_renovations.columns)}."
        )
    sp = system_params or default_system_params()
    reg = register_renovations.reset_index(drop=True).copy()
    for c in ("renovation_id", "adres_id", "dwelling_id"):
        if c not in reg.columns:
            reg[c] = pd.NA
    reg["completed_on"] = pd.to_datetime(reg["completed_on"])
    reg["year"] = reg["completed_on"].dt.year.astype(np.int64)
    report_cols = ["renovation_id", "adres_id", "dwelling_id", "measure", "completed_on"]
    problems: list[pd.DataFrame] = []

    pos = _match(reg, dwellings)
    missing = pos < 0
    if missing.any():
        problems.append(reg.loc[missing, report_cols].assign(reason=REASON_NOT_IN_TWIN))
    catalogue = load_catalogue()
    dim_of = {name: m.dimension for name, m in catalogue.measures.items()}
    modelled = reg["measure"].isin(list(dim_of)).to_numpy()
    bad = ~missing & ~modelled
    if bad.any():
        problems.append(reg.loc[bad, report_cols].assign(reason=REASON_NOT_MODELLED))
    ev = reg[~missing & modelled].copy()
    ev["pos"] = pos[~missing & modelled]

    empty_cols = ["dwelling_id", "adres_id", "year", "measures", "valid", *SAVING_COLUMNS,
                  "basis"]
    if ev.empty:
        return RealisedSavings(pd.DataFrame(columns=empty_cols),
                               _problems(problems, report_cols))

    upos = np.unique(ev["pos"].to_numpy())
    sub = dwellings.iloc[upos].reset_index(drop=True)
    ev["local"] = np.searchsorted(upos, ev["pos"].to_numpy())
    # the effects of the measures (their invoices do not enter the savings), in the price
    # year of the run as every other caller
    opts = measure_options(sub, money=money_params())
    ev["dimension"] = ev["measure"].map(dim_of)
    ev["option"] = [opts.option_names[d].index(m) for d, m in
                    zip(ev["dimension"], ev["measure"], strict=True)]  # one per register row
    ok = np.array([opts.applicable[d][i, k] for d, i, k in
                   zip(ev["dimension"], ev["local"], ev["option"], strict=True)], dtype=bool)
    if (~ok).any():
        problems.append(ev.loc[~ok, report_cols].assign(reason=REASON_NOT_APPLICABLE))

    # The states: every (dwelling, year) in which a measure was registered.
    states = (ev[["local", "year"]].drop_duplicates().sort_values(["year", "local"])
              .reset_index(drop=True))
    n_s = len(states)
    chosen = {d: np.zeros(n_s, dtype=np.int64) for d in DIMENSIONS}
    names = np.full(n_s, "", dtype=object)
    ev = ev.sort_values(["completed_on"], kind="stable")
    for d in DIMENSIONS:
        e = ev[ev["dimension"] == d]
        if e.empty:
            continue
        last = (e.drop_duplicates(["local", "year"], keep="last")[["local", "year", "option"]]
                .sort_values("year"))
        merged = pd.merge_asof(states.reset_index().sort_values("year"), last, on="year",
                               by="local", direction="backward").sort_values("index")
        k = merged["option"].fillna(0).to_numpy(dtype=np.int64)
        chosen[d] = k
        label = np.where(k > 0, np.asarray(opts.option_names[d], dtype=object)[k], "")
        names = np.where(label != "", np.where(names != "", names + "," + label, label), names)

    loc = states["local"].to_numpy()
    after = sub.iloc[loc].reset_index(drop=True).copy()
    hp = load_heat_balance_params()
    pv_delta = np.zeros(n_s)
    for d in DIMENSIONS:
        k = chosen[d]
        changed = k > 0
        if not changed.any():
            continue
        eff = {c: opts.effect[d][c][loc, k] for c in EFFECT_COLUMNS[d]}
        if d in ("roof", "wall", "floor", "glazing"):
            for c in EFFECT_COLUMNS[d]:
                after[c] = np.where(changed, eff[c], after[c].to_numpy(dtype=np.float64))
        elif d == "ventilation":
            # As the package enumeration: heat recovery as a lower equivalent air change.
            inf = np.maximum(eff["infiltration_ach"] - eff["heat_recovery_frac"] * hp.n_air_use_ach,
                             0.0)
            after["infiltration_ach"] = np.where(changed, inf,
                                                 after["infiltration_ach"].to_numpy(np.float64))
        elif d == "heating":
            code = eff["heating_code"].astype(np.int64)
            new = np.asarray(HEATING_SYSTEMS, dtype=object)[np.clip(code, 0, None)]
            after["heating_system"] = np.where(changed, new,
                                               after["heating_system"].astype(str).to_numpy())
            cur = (after["emitter_temperature_degc"].to_numpy(np.float64)
                   if "emitter_temperature_degc" in after.columns else np.full(n_s, np.nan))
            after["emitter_temperature_degc"] = np.where(changed,
                                                         eff["emitter_temperature_degc"], cur)
        elif d == "solar_water_heater":
            cur = (after["dhw_solar_frac"].to_numpy(np.float64)
                   if "dhw_solar_frac" in after.columns else np.zeros(n_s))
            after["dhw_solar_frac"] = np.where(changed, eff["dhw_solar_frac"], cur)
            own = changed & (eff["dhw_system_code"] >= 0)  # a heat-pump boiler
            if own.any():
                dhw_names = np.asarray(sp.dhw_system_names, dtype=object)
                dhw = (after["dhw_system"].astype("object").to_numpy(copy=True)
                       if "dhw_system" in after.columns else np.full(n_s, None, dtype=object))
                dhw[own] = dhw_names[eff["dhw_system_code"][own].astype(np.int64)]
                after["dhw_system"] = dhw
        elif d == "pv":
            y0 = opts.effect[d]["pv_yield_kwh"][loc, 0]
            pv_delta = np.where(changed, eff["pv_yield_kwh"] - y0, 0.0)

    before_res = simulate_dwellings(sub, system_params=sp).reset_index(drop=True)
    after_res = simulate_dwellings(after, system_params=sp).reset_index(drop=True)
    b = before_res.iloc[loc].reset_index(drop=True)
    a = after_res
    if basis != "standardised":
        b, a = _on_basis(b, sp), _on_basis(a, sp)
    valid = b["valid"].to_numpy(bool) & a["valid"].to_numpy(bool)
    f_fl = sp.co2_flemish.electricity
    f_com = sp.co2_com.electricity
    pef = sp.primary_energy_factors.electricity

    def diff(col: str) -> np.ndarray:
        return b[col].to_numpy(np.float64) - a[col].to_numpy(np.float64)

    final_b = sum(b[c].to_numpy(np.float64) for c in _FINAL)
    final_a = sum(a[c].to_numpy(np.float64) for c in _FINAL)
    out = pd.DataFrame({
        "dwelling_id": sub["dwelling_id"].to_numpy()[loc] if "dwelling_id" in sub else loc,
        "adres_id": sub["adres_id"].to_numpy()[loc] if "adres_id" in sub else pd.NA,
        "year": states["year"].to_numpy(np.int64),
        "measures": names,
        "valid": valid,
        "co2_saved_flemish_kg_co2": diff("co2_flemish_kg_co2") + pv_delta * f_fl,
        "co2_saved_com_kg_co2": diff("co2_com_kg_co2") + pv_delta * f_com,
        "energy_saved_kwh": final_b - final_a + pv_delta,
        "primary_energy_saved_kwh": diff("primary_energy_kwh") + pv_delta * pef,
        "basis": "standardised" if basis == "standardised" else "expected",
    })
    out.loc[~valid, list(SAVING_COLUMNS)] = np.nan
    if (~valid).any():
        bad_local = set(loc[~valid].tolist())
        rows = ev[ev["local"].isin(bad_local)]
        problems.append(rows[report_cols].assign(reason=REASON_NOT_SIMULATED))
    result = RealisedSavings(out, _problems(problems, report_cols))
    if len(result.unmatched):
        log.warning("realised savings: %d register rows not (fully) modelled: %s",
                    len(result.unmatched),
                    result.unmatched["reason"].value_counts().to_dict())
    return result


def _on_basis(results: pd.DataFrame, sp) -> pd.DataFrame:
    """Results with final energy and CO2 replaced by expected real use (gas in the engine's
    convention, so that before and after subtract on one calorific value)."""
    full = pd.concat([results, expected_use(results)], axis=1)
    acc = accounts_on_basis(full, "expected", system_params=sp, fallback_standardised=True)
    final = final_energy_on_basis(full, "expected", fallback_standardised=True)
    out = results.copy()
    gross = (full["final_gas_gross_kwh"] / full["final_gas_kwh"]).where(
        full["final_gas_kwh"] > 0, 1.0).to_numpy(dtype=float)
    for c in _FINAL:
        values = final[c].to_numpy(dtype=float)
        if c == "final_gas_kwh":
            values = values / np.where(np.isfinite(gross) & (gross > 0), gross, 1.0)
        out[c] = np.where(np.isfinite(values), values, out[c].to_numpy(dtype=float))
    for c in ("co2_flemish_kg_co2", "co2_com_kg_co2"):
        out[c] = acc[c].to_numpy()
    return out


def _problems(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=[*cols, "reason"])
    return pd.concat(parts, ignore_index=True)


__all__ = ["SAVING_COLUMNS", "RealisedSavings", "realised_savings"]
