"""What a group gains by renovating together: the collective cost and party-wall model.

:func:`collective_costs` takes each dwelling's chosen renovation package
(:func:`wijkreno.renovate.packages.best_packages`) and its
:class:`~wijkreno.renovate.options.MeasureOptions`, and prices the SAME measures twice: each
household alone (the catalogue's invoices as in the plan, a heat pump sized on the design load
after the envelope measures as the plan sizes it, plus one set of project costs per
dwelling) and the group together. The collective effects are explicit and configurable
(``wijkreno/params/collective.toml``):

* **shared fixed costs**: the fixed part of a measure's invoice (the catalogue's
  ``fixed_cost_eur``: scaffolding and site set-up of facade and roof jobs, minimum charges) is
  paid ``group_sets`` times per group and measure, shared by the n dwellings doing that measure,
  plus a per-dwelling part: ``fixed * min(1, group_sets / n + per_dwelling_frac[dimension])``.
  In an apartment building roof, wall and floor fixed costs are already split by floor share in
  the catalogue and are not shared again;
* **project costs** (design, permit, coaching): individually one each per dwelling they apply
  to; collectively ``min(individual, group_eur / n + per_dwelling_eur)``;
* **volume price curve**: the variable part of the invoice is discounted by
  ``min(max, d_ref ln(n) / ln(n_ref))`` for n identical measures in the group;
* **premiums**: each measure's Mijn VerbouwPremie is recomputed on the collective invoice
  (``min(individual premium, cap_share[income category] * collective invoice)``, exact because
  the amount per unit and the absolute cap do not change), and the **burenpremie**
  (``premiums.toml [burenpremie]``: 600 EUR per dwelling when at least 10 dwellings of the
  group take part) is added, at most the dwelling's collective project cost (it pays the
  coach);
* **party walls** (physics, computed with the energy engine
  :func:`wijkreno.simulate.engine.simulate_dwellings` through its ``party_wall_b_frac``
  column): a dwelling that renovates alone keeps losing heat through its party walls to a
  cooler neighbour (``b_neighbour_alone_frac``); when its block's neighbours in the group take
  part too, the factor falls towards ``b_neighbour_renovated_frac`` in proportion to the share
  p of the other dwellings of its block (other buildings, same group) that take part:
  ``b_coll = b_alone - (b_alone - b_renovated) * p``. The individual saving is the plan's
  saving corrected for the cooler neighbour; the collective saving adds the party-wall gain
  ``E(after, b_alone) - E(after, b_coll)`` (energy bill, final energy, both CO2 sets; never
  negative since a lower b never raises the need).

Bills, savings and CO2 are on the plan's money basis (:mod:`wijkreno.simulate.basis`: the
``basis`` and ``basis_use_ratio`` columns of
:func:`~wijkreno.renovate.packages.best_packages`, as for the trajectories): the party-wall
correction and gain, computed with the engine on the EPC's boundary conditions, are scaled by
the same ratio, so that the collective saving is the individual one plus a gain on one basis.
The per-dwelling and per-group tables name it in a ``basis`` column. A plan without those
columns is taken as standardised. The collective effects apply only in
groups with at least ``collective.min_participants`` participating dwellings (a dwelling
participates when its plan is valid, reaches the target and holds at least one measure); for the
others collective equals individual. Collective never costs more than individual for the same
measures: each part is capped at its individual value, and a premium capped at a share of a
lower invoice falls by at most that share of the saving.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkreno.aggregate.groups import CollectiveParams, load_collective_params
from wijkreno.errors import InputError
from wijkreno.renovate.catalogue import Catalogue, Premiums, load_catalogue, load_premiums
from wijkreno.renovate.options import DIMENSIONS, ENVELOPE_DIMENSIONS, MeasureOptions
from wijkreno.simulate.params import default_system_params
from wijkreno.twin.schema import HEATING_SYSTEMS

if TYPE_CHECKING:
    from wijkreno.renovate.packages import Economics
    from wijkreno.simulate.climate import MonthlyClimate
    from wijkreno.simulate.heat_balance import HeatBalanceParams
    from wijkreno.simulate.params import SystemParams

log = logging.getLogger(__name__)

_SHARED_IN_APARTMENTS = ("roof", "wall", "floor")
"""Dimensions whose fixed cost the catalogue already splits among apartments (floor share)."""

_ENERGY = ("eur", "kwh", "co2_flemish_kg_co2", "co2_com_kg_co2")

DWELLING_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "group_id", "group_kind", "group_size", "participating", "collective",
    "measures", "basis",
    "measure_cost_individual_eur", "measure_cost_collective_eur",
    "project_cost_individual_eur", "project_cost_collective_eur",
    "investment_individual_eur", "investment_collective_eur",
    "premium_individual_eur", "premium_collective_eur", "burenpremie_eur",
    "net_cost_individual_eur", "net_cost_collective_eur",
    "saving_individual_eur", "saving_collective_eur",
    "saving_individual_kwh", "saving_collective_kwh",
    "saving_co2_flemish_individual_kg_co2", "saving_co2_flemish_collective_kg_co2",
    "saving_co2_com_individual_kg_co2", "saving_co2_com_collective_kg_co2",
    "party_wall_b_alone_frac", "party_wall_b_collective_frac",
    "party_wall_saving_eur", "party_wall_saving_kwh",
    "collective_gain_eur", "collective_gain_npv_eur", "price_year",
)
"""Columns of the per-dwelling table. Money [EUR] one-off, in prices of ``price_year`` (NA:
each cost at its source's date, unindexed options), savings per year ([EUR/yr],
[kWh/yr] final energy net of PV, [kg CO2/yr] in both factor sets); ``collective_gain_eur`` =
individual minus collective net cost, ``collective_gain_npv_eur`` adds the party-wall saving
over the economics horizon (discounted, with energy-price escalation). ``basis``: the money
basis of the savings (``standardised``, ``expected``, ``calibrated`` or ``metered``)."""

_SUMMED: tuple[str, ...] = tuple(
    c for c in DWELLING_COLUMNS
    if c.endswith(("_eur", "_kwh", "_kg_co2")) and not c.startswith("party_wall_b")
)


def _positions(frame: pd.DataFrame, ids: np.ndarray, what: str) -> np.ndarray:
    """Row positions of ``frame`` for each id (by ``dwelling_id``); every id must be present."""
    if "dwelling_id" not in frame.columns:
        raise InputError(f"the {what} have no dwelling_id column.")
    own = frame["dwelling_id"].astype("string").to_numpy(dtype=object)
    if pd.Series(own).duplicated().any():
        raise InputError(f"the {what} have duplicate dwelling_id values.")
    pos = pd.Series(np.arange(len(own)), index=own).reindex(ids)
    if pos.isna().any():
        missing = pos.index[pos.isna()][:5].tolist()
        raise InputError(
            f"the {what} lack {int(pos.isna().sum())} dwellings of the dwellings table, e.g. "
            f"{missing}; compute them for the same dwellings."
        )
    return pos.to_numpy(dtype=np.int64)


def _option_index(plan: pd.DataFrame, options: MeasureOptions) -> dict[str, np.ndarray]:
    """Per dimension, the index of the plan's chosen option (0 = keep, also for None)."""
    out = {}
    for d in DIMENSIONS:
        lookup = {name: k for k, name in enumerate(options.option_names[d])}
        names = plan[d].astype("object") if d in plan.columns else pd.Series(
            [None] * len(plan))
        unknown = set(names.dropna()) - set(lookup)
        if unknown:
            raise InputError(
                f"the plan's {d} options {sorted(unknown)[:5]} are not options of the measure "
                f"options ({list(options.option_names[d])}); pass the options the plan was "
                "computed with."
            )
        out[d] = names.map(lookup).fillna(0).to_numpy(dtype=np.int64)
    return out


def _income_category(dwellings: pd.DataFrame) -> np.ndarray:
    from wijkreno.renovate.catalogue import load_renovation_params

    default = int(load_renovation_params().economics.default_income_category.value)
    if "income_category" not in dwellings.columns:
        return np.full(len(dwellings), default, dtype=np.int64)
    cat = pd.to_numeric(dwellings["income_category"], errors="coerce").fillna(default)
    return np.clip(cat.to_numpy(dtype=np.int64), 1, 4)


def _per_group_count(group: np.ndarray, key: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, how many rows with ``mask`` share its (group, key)."""
    frame = pd.DataFrame({"g": group, "k": key, "m": mask.astype(np.int64)})
    return frame.groupby(["g", "k"])["m"].transform("sum").to_numpy(dtype=np.int64)


def _states_frame(dw: pd.DataFrame, options: MeasureOptions, rows: np.ndarray,
                  k: dict[str, np.ndarray], n_use_ach: float) -> pd.DataFrame:
    """The dwellings ``rows`` with the envelope and systems of options ``k`` (engine input)."""
    e = options.effect
    out = dw.iloc[rows].copy()

    def pick(d: str, col: str) -> np.ndarray:
        return np.asarray(e[d][col], dtype=np.float64)[rows, k[d][rows]]

    out["u_roof_w_per_m2k"] = pick("roof", "u_roof_w_per_m2k")
    out["u_wall_w_per_m2k"] = pick("wall", "u_wall_w_per_m2k")
    out["u_floor_w_per_m2k"] = pick("floor", "u_floor_w_per_m2k")
    out["u_window_w_per_m2k"] = pick("glazing", "u_window_w_per_m2k")
    out["g_window_frac"] = pick("glazing", "g_window_frac")
    # Heat recovery enters as a lower infiltration (packages module docstring); the engine's
    # input check refuses negative values, so the effective rate is clipped at 0 here (this
    # only shifts the utilisation of gains a little, in both states compared).
    out["infiltration_ach"] = np.maximum(
        pick("ventilation", "infiltration_ach")
        - pick("ventilation", "heat_recovery_frac") * n_use_ach, 0.0)
    code = pick("heating", "heating_code")
    code = np.where(np.isfinite(code), code, 0).astype(np.int64)
    out["heating_system"] = np.asarray(HEATING_SYSTEMS, dtype=object)[
        np.clip(code, 0, len(HEATING_SYSTEMS) - 1)]
    out["emitter_temperature_degc"] = pick("heating", "emitter_temperature_degc")
    out["dhw_solar_frac"] = np.nan_to_num(pick("solar_water_heater", "dhw_solar_frac"))
    if "dhw_system" in out.columns:  # a new heat generator brings its own hot-water default
        out["dhw_system"] = out["dhw_system"].astype("object").where(k["heating"][rows] == 0)
    own = pick("solar_water_heater", "dhw_system_code")  # a heat-pump boiler (keep heating)
    if (own >= 0).any():
        dhw_names = np.asarray(default_system_params().dhw_system_names, dtype=object)
        dhw = (out["dhw_system"].astype("object").to_numpy(copy=True)
               if "dhw_system" in out.columns else np.full(len(out), None, dtype=object))
        has = np.isfinite(own) & (own >= 0)
        dhw[has] = dhw_names[own[has].astype(np.int64)]
        out["dhw_system"] = dhw
    return out


def _party_wall_effects(
    dwellings: pd.DataFrame, options: MeasureOptions, k: dict[str, np.ndarray],
    rows: np.ndarray, b0: np.ndarray, b_alone: np.ndarray, b_coll: np.ndarray, *,
    climate: MonthlyClimate | None, heat_params: HeatBalanceParams | None,
    system_params: SystemParams | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Engine runs for ``rows``: the correction of the individual saving for a cooler
    neighbour and the party-wall gain of renovating together, per energy figure."""
    from wijkreno.simulate.engine import simulate_dwellings
    from wijkreno.simulate.heat_balance import load_heat_balance_params

    hp = heat_params or load_heat_balance_params()
    keep = {d: np.zeros_like(v) for d, v in k.items()}
    current = _states_frame(dwellings, options, rows, keep, hp.n_air_use_ach)
    after = _states_frame(dwellings, options, rows, k, hp.n_air_use_ach)
    runs = [(current, b0), (after, b0), (current, b_alone), (after, b_alone), (after, b_coll)]
    frames = []
    for frame, b in runs:
        f = frame.copy()
        f["party_wall_b_frac"] = b
        frames.append(f)
    allf = pd.concat(frames, ignore_index=True)
    res = simulate_dwellings(allf, climate=climate, heat_params=hp,
                             system_params=system_params)
    m = len(rows)
    final = sum(res[f"final_{c}_kwh"].to_numpy(dtype=np.float64)
                for c in ("gas", "oil", "electricity", "wood"))
    metric = {
        "eur": res["energy_cost_eur"].to_numpy(dtype=np.float64),
        "kwh": final,
        "co2_flemish_kg_co2": res["co2_flemish_kg_co2"].to_numpy(dtype=np.float64),
        "co2_com_kg_co2": res["co2_com_kg_co2"].to_numpy(dtype=np.float64),
    }
    correction, gain = {}, {}
    for name, v in metric.items():
        cur0, aft0, cur1, aft1, aftc = (v[j * m:(j + 1) * m] for j in range(5))
        corr = (cur1 - aft1) - (cur0 - aft0)
        g = np.maximum(aft1 - aftc, 0.0)  # rounding below 0 only
        correction[name] = np.where(np.isfinite(corr), corr, 0.0)
        gain[name] = np.where(np.isfinite(g), g, 0.0)
    return correction, gain


def collective_costs(
    dwellings: pd.DataFrame,
    groups: pd.DataFrame,
    plan: pd.DataFrame,
    options: MeasureOptions,
    *,
    params: CollectiveParams | None = None,
    premiums: Premiums | None = None,
    catalogue: Catalogue | None = None,
    economics: Economics | None = None,
    top_n: int = 3,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Individual versus collective cost, premiums and savings of the same measures per group.

    Parameters
    ----------
    dwellings : DataFrame or GeoDataFrame
        The twin's dwellings (the engine's envelope columns, ``dwelling_id``, ``typology``;
        optional ``floor_share_frac``, ``income_category``, ``party_wall_b_frac``,
        ``street``, ``sector_code``).
    groups : DataFrame
        :func:`wijkreno.aggregate.groups.find_groups` for these dwellings (joined on
        ``dwelling_id``; ``block_id`` used for party-wall neighbours when present, else the
        group is taken as the neighbourhood).
    plan : DataFrame
        :func:`wijkreno.renovate.packages.best_packages` for these dwellings and ``options``
        (joined on ``dwelling_id``): the chosen option per dimension and the package's
        ``investment_eur``, ``premium_eur``, ``saving_eur`` [EUR/yr], ``saving_kwh`` [kWh/yr],
        ``saving_co2_flemish_kg_co2``, ``saving_co2_com_kg_co2`` [kg/yr], and (optional)
        the money ``basis`` with its ``basis_use_ratio``: the party-wall figures are scaled by
        that ratio so that every saving is on the plan's basis.
    options : MeasureOptions
        The options the plan was computed with (rows in the order of ``dwellings``). Where
        they are priced in a year (``options.price_year``, options built with
        ``measure_options(..., money=money_params(year))`` or an indexed catalogue), every
        cost here is in that year: the catalogue's fixed costs and the shared project costs
        of ``collective.toml`` are indexed to it from their sources' dates
        (:meth:`~wijkreno.params.models.collective.CollectiveParams.indexed`) and the premium
        scheme is the year's.
    params : CollectiveParams, optional
        ``collective.toml`` when None (indexed to the options' price year, see above).
    premiums : Premiums, optional
        ``premiums.toml`` when None (the burenpremie and the premium caps; the price year's
        scheme when the options have one).
    catalogue : Catalogue, optional
        ``measures.toml`` when None (the fixed part of each measure's invoice; the price
        year's indexed catalogue when the options have one). Must be quoted in the options'
        price year.
    economics : Economics, optional
        For the present value of the party-wall saving; ``renovation.toml`` when None.
    top_n : int
        How many dwellings ``top_dwelling_ids`` lists per group.
    climate, heat_params, system_params : optional
        As in :func:`wijkreno.simulate.engine.simulate_dwellings`.

    Returns
    -------
    group_table : pandas.DataFrame
        One row per group (sorted by ``group_id``): ``group_id``, ``group_kind``,
        ``n_dwellings``, ``n_participating``, ``collective`` (the effects apply),
        ``burenpremie_eligible``, ``street`` and ``sector_code`` (most frequent, when given),
        ``measures`` (``name×count`` joined with ', '), ``basis`` (the money basis of its
        dwellings' savings, ';'-joined when they differ), ``n_<measure>`` per catalogue
        measure, the sums of the money, saving and CO2 columns of the dwelling table, and
        ``top_dwelling_ids`` (';'-joined ids of the participants with the highest
        ``collective_gain_npv_eur``).
    dwelling_table : pandas.DataFrame
        Indexed like ``dwellings``, columns :data:`DWELLING_COLUMNS`.

    Raises
    ------
    InputError
        When the tables do not describe the same dwellings or columns are missing.
    """
    from wijkreno.renovate.packages import load_economics

    if top_n < 1:
        raise InputError(f"top_n must be at least 1, got {top_n}")
    price_year = options.price_year
    if catalogue is not None and catalogue.price_year != price_year:
        def _year(y: int | None) -> str:
            return str(y) if y is not None else "the years of their sources"

        raise InputError(
            f"the catalogue is quoted in {_year(catalogue.price_year)} but the measure options "
            f"in {_year(price_year)}; pass the catalogue the options were built with "
            "(money_params(year).catalogue).")
    cp = params or load_collective_params()
    if price_year is not None:
        from wijkreno.renovate.catalogue import money_params

        money = money_params(price_year)
        catalogue = catalogue or money.catalogue
        premiums = premiums or money.premiums
        try:
            cp = cp.indexed(money.cost_index, price_year)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    prem = premiums or load_premiums()
    cat = catalogue or load_catalogue()
    econ = load_economics(economics)
    n = len(dwellings)
    if options.n_dwellings != n:
        raise InputError(
            f"the measure options hold {options.n_dwellings} dwellings, the dwellings table "
            f"{n}; build them with measure_options(dwellings)."
        )
    if "dwelling_id" not in dwellings.columns:
        raise InputError("the dwellings table has no dwelling_id column.")
    ids = dwellings["dwelling_id"].astype("string").to_numpy(dtype=object)
    plan = plan.iloc[_positions(plan, ids, "plan")].reset_index(drop=True)
    grp = groups.iloc[_positions(groups, ids, "groups")].reset_index(drop=True)
    need = ["investment_eur", "premium_eur", "saving_eur", "saving_kwh",
            "saving_co2_flemish_kg_co2", "saving_co2_com_kg_co2", "reached", "valid"]
    missing = [c for c in need if c not in plan.columns]
    if missing:
        raise InputError(f"the plan lacks {missing}; pass best_packages(...)'s result.")

    group = grp["group_id"].astype("string").to_numpy(dtype=object)
    k = _option_index(plan, options)
    valid = plan["valid"].to_numpy(dtype=bool) & plan["reached"].to_numpy(dtype=bool)
    has_measure = np.zeros(n, dtype=bool)
    for d in DIMENSIONS:
        has_measure |= k[d] > 0
    part = valid & has_measure
    for d in DIMENSIONS:  # a dwelling that does not take part does nothing
        k[d] = np.where(part, k[d], 0)
    rows = np.arange(n)
    n_part = _per_group_count(group, np.zeros(n, dtype=np.int64), part)
    collective = part & (n_part >= cp.collective.min_participants.value)

    apartment = (dwellings["typology"].astype("string") == "apartment_building").fillna(
        False).to_numpy(dtype=bool)
    share = np.ones(n)
    if "floor_share_frac" in dwellings.columns:
        share = np.clip(pd.to_numeric(dwellings["floor_share_frac"], errors="coerce")
                        .fillna(1.0).to_numpy(dtype=np.float64), 0.0, 1.0)
    income = _income_category(dwellings)
    scheme = prem.scheme()
    vd = cp.volume_discount

    # the plan prices a heat pump on the design load after its envelope measures (packages
    # module: heat-pump sizing); the options hold today's. What the plan's invoice and premium
    # differ from the options' sum is the heating measure's re-sizing: it goes to the heating
    # invoice, so that "alone" is the plan's (and the trajectory's) price of the same measures
    picked_inv = {d: np.nan_to_num(np.asarray(options.investment_eur[d],
                                               dtype=np.float64)[rows, k[d]])
                  for d in DIMENSIONS}
    picked_prem = {d: np.nan_to_num(np.asarray(options.premium_eur[d],
                                                dtype=np.float64)[rows, k[d]])
                   for d in DIMENSIONS}
    option_inv = np.sum([picked_inv[d] for d in DIMENSIONS], axis=0)
    option_prem = np.sum([picked_prem[d] for d in DIMENSIONS], axis=0)
    resized = part & (k["heating"] > 0)
    heat_inv_adjust = np.where(resized, np.nan_to_num(
        pd.to_numeric(plan["investment_eur"], errors="coerce").to_numpy(np.float64))
        - option_inv, 0.0)
    heat_prem_adjust = np.where(resized, np.nan_to_num(
        pd.to_numeric(plan["premium_eur"], errors="coerce").to_numpy(np.float64))
        - option_prem, 0.0)

    inv_ind = np.zeros(n)
    inv_coll = np.zeros(n)
    prem_ind = np.zeros(n)
    prem_coll = np.zeros(n)
    measure_name = {}
    offset = 0
    counts: dict[str, np.ndarray] = {}
    # one pass per dimension (8), vectorised over dwellings
    for d in DIMENSIONS:
        names = options.option_names[d]
        kd = k[d]
        inv, pr = picked_inv[d], picked_prem[d]
        if d == "heating":
            inv = np.maximum(inv + heat_inv_adjust, 0.0)
            pr = np.clip(pr + heat_prem_adjust, 0.0, inv)
        fixed_opt = np.array([0.0] + [cat.measures[nm].fixed_cost_eur.value
                                      for nm in names[1:]])
        already = apartment & (d in _SHARED_IN_APARTMENTS)
        fixed = np.clip(fixed_opt[kd] * np.where(already, share, 1.0), 0.0, inv)
        doing = kd > 0
        n_same = _per_group_count(group, offset + kd, doing)
        offset += len(names)
        fs = cp.fixed_costs
        fixed_factor = np.minimum(
            1.0, fs.group_sets.value / np.maximum(n_same, 1)
            + fs.per_dwelling_frac[d].value)
        f_coll = np.where(collective & ~already, fixed * fixed_factor, fixed)
        disc = vd.discount_frac(n_same) if d in vd.dimensions else np.zeros(n)
        v_coll = (inv - fixed) * (1.0 - np.where(collective, disc, 0.0))
        ic = np.where(doing, f_coll + v_coll, 0.0)
        # a measure may fall under another measure's premium rule (measures.toml premium_rule)
        cap = np.array([[0.0] * 4] + [
            list(scheme.measures[cat.measures[nm].premium_rule or nm].cap_share_frac)
            for nm in names[1:]])
        pc = np.minimum(pr, cap[kd, income - 1] * ic)
        inv_ind += inv
        inv_coll += ic
        prem_ind += pr
        prem_coll += pc
        measure_name[d] = np.asarray(names, dtype=object)[kd]
        for j, nm in enumerate(names[1:], start=1):
            counts[nm] = (kd == j)
    prem_ind = np.minimum(prem_ind, inv_ind)
    prem_coll = np.minimum(prem_coll, inv_coll)

    # project costs
    envelope = np.zeros(n, dtype=bool)
    for d in ENVELOPE_DIMENSIONS:
        envelope |= k[d] > 0
    proj_ind = np.zeros(n)
    proj_coll = np.zeros(n)
    for name, item in cp.project_costs.items():
        if item.applies_to == "any":
            applies = part.copy()
        elif item.applies_to == "envelope":
            applies = envelope.copy()
        else:
            unknown = set(item.applies_to) - set(cat.measures)
            if unknown:
                raise InputError(
                    f"collective.toml project_costs.{name}.applies_to names measures "
                    f"{sorted(unknown)} that are not in the catalogue."
                )
            applies = np.zeros(n, dtype=bool)
            for m in item.applies_to:
                applies |= counts.get(m, np.zeros(n, dtype=bool))
        n_item = _per_group_count(group, np.zeros(n, dtype=np.int64), applies)
        ind = np.where(applies, item.individual_eur.value, 0.0)
        coll = np.minimum(ind, item.group_eur.value / np.maximum(n_item, 1)
                          + item.per_dwelling_eur.value)
        proj_ind += ind
        proj_coll += np.where(collective, coll, ind)

    bp = prem.burenpremie
    eligible = collective & (n_part >= bp.min_dwellings)
    buren = np.where(eligible, np.minimum(bp.amount_eur_per_dwelling, proj_coll), 0.0)

    # party walls: engine runs for participants with party walls
    b0 = np.full(n, np.nan)
    if "party_wall_b_frac" in dwellings.columns:
        b0 = pd.to_numeric(dwellings["party_wall_b_frac"], errors="coerce").to_numpy(
            dtype=np.float64)
    pw = cp.party_walls
    b_alone = np.where(np.isfinite(b0), np.maximum(b0, pw.b_neighbour_alone_frac.value),
                       pw.b_neighbour_alone_frac.value)
    block = (grp["block_id"].to_numpy(dtype=np.int64) if "block_id" in grp.columns
             else np.full(n, -2))
    gebouw = (dwellings["gebouw_id"].astype("string").to_numpy(dtype=object)
              if "gebouw_id" in dwellings.columns else ids)
    # neighbours: the other dwellings of the block (other buildings); a dwelling without block
    # information takes its group as the block
    nb_key = np.where(block >= 0, block.astype(str), "g:" + group.astype(str))
    frame = pd.DataFrame({"nb": nb_key, "g": group, "b": gebouw})
    n_nb = (frame.groupby("nb")["nb"].transform("size").to_numpy()
            - frame.groupby(["nb", "b"])["nb"].transform("size").to_numpy())
    p_nb = (_per_group_count(nb_key, group, collective)
            - _per_group_count(nb_key.astype(str) + "|" + gebouw.astype(str), group,
                               collective))
    share_nb = np.divide(p_nb, n_nb, out=np.zeros(n), where=n_nb > 0)
    b_coll = b_alone - (b_alone - pw.b_neighbour_renovated_frac.value) * np.where(
        collective, share_nb, 0.0)
    b_coll = np.minimum(b_coll, b_alone)
    pw_area = pd.to_numeric(dwellings["party_wall_area_m2"], errors="coerce").fillna(
        0).to_numpy(dtype=np.float64) if "party_wall_area_m2" in dwellings.columns else \
        np.zeros(n)
    sel = np.flatnonzero(part & (pw_area > 0))
    correction = {e: np.zeros(n) for e in _ENERGY}
    gain = {e: np.zeros(n) for e in _ENERGY}
    if sel.size:
        b0_sel = np.where(np.isfinite(b0[sel]), b0[sel], np.nan)
        corr_s, gain_s = _party_wall_effects(
            dwellings, options, k, sel, b0_sel, b_alone[sel], b_coll[sel], climate=climate,
            heat_params=heat_params, system_params=system_params)
        for e in _ENERGY:
            correction[e][sel] = corr_s[e]
            gain[e][sel] = gain_s[e]
    # the engine's party-wall figures are standardised; the plan's savings are on its money
    # basis (bill, final energy and CO2 scaled by basis_use_ratio): scale them alike
    ratio = np.ones(n)
    if "basis_use_ratio" in plan.columns:
        r = pd.to_numeric(plan["basis_use_ratio"], errors="coerce").to_numpy(dtype=np.float64)
        ratio = np.where(np.isfinite(r) & (r >= 0), r, 1.0)
    for e in _ENERGY:
        correction[e] *= ratio
        gain[e] *= ratio
    basis = (plan["basis"].astype("object").fillna("standardised").to_numpy(dtype=object)
             if "basis" in plan.columns else np.full(n, "standardised", dtype=object))

    def plan_col(c: str) -> np.ndarray:
        v = pd.to_numeric(plan[c], errors="coerce").to_numpy(dtype=np.float64)
        return np.where(part, np.nan_to_num(v), 0.0)

    out = pd.DataFrame(index=dwellings.index)
    out["dwelling_id"] = ids
    out["group_id"] = group
    out["group_kind"] = grp["group_kind"].astype("string").to_numpy(dtype=object)
    out["group_size"] = grp["group_size"].to_numpy(dtype=np.int64)
    out["participating"] = part
    out["collective"] = collective
    text = np.full(n, "", dtype=object)
    for d in DIMENSIONS:
        nm = measure_name[d]
        add = nm != "keep"
        text = np.where(add & (text != ""), text + "+" + nm.astype(str),
                        np.where(add, nm.astype(str), text))
    out["measures"] = text
    out["basis"] = basis
    out["measure_cost_individual_eur"] = inv_ind
    out["measure_cost_collective_eur"] = inv_coll
    out["project_cost_individual_eur"] = proj_ind
    out["project_cost_collective_eur"] = proj_coll
    out["investment_individual_eur"] = inv_ind + proj_ind
    out["investment_collective_eur"] = inv_coll + proj_coll
    out["premium_individual_eur"] = prem_ind
    out["premium_collective_eur"] = prem_coll + buren
    out["burenpremie_eur"] = buren
    out["net_cost_individual_eur"] = inv_ind + proj_ind - prem_ind
    out["net_cost_collective_eur"] = inv_coll + proj_coll - prem_coll - buren
    pairs = {"eur": "saving_eur", "kwh": "saving_kwh",
             "co2_flemish_kg_co2": "saving_co2_flemish_kg_co2",
             "co2_com_kg_co2": "saving_co2_com_kg_co2"}
    names_out = {"eur": ("saving_individual_eur", "saving_collective_eur"),
                 "kwh": ("saving_individual_kwh", "saving_collective_kwh"),
                 "co2_flemish_kg_co2": ("saving_co2_flemish_individual_kg_co2",
                                        "saving_co2_flemish_collective_kg_co2"),
                 "co2_com_kg_co2": ("saving_co2_com_individual_kg_co2",
                                    "saving_co2_com_collective_kg_co2")}
    for e, col in pairs.items():
        ind_s = plan_col(col) + correction[e]
        out[names_out[e][0]] = ind_s
        out[names_out[e][1]] = ind_s + gain[e]
    out["party_wall_b_alone_frac"] = np.where(pw_area > 0, b_alone, np.nan)
    out["party_wall_b_collective_frac"] = np.where(pw_area > 0, b_coll, np.nan)
    out["party_wall_saving_eur"] = gain["eur"]
    out["party_wall_saving_kwh"] = gain["kwh"]
    out["collective_gain_eur"] = out["net_cost_individual_eur"] - out["net_cost_collective_eur"]
    out["collective_gain_npv_eur"] = (out["collective_gain_eur"]
                                      + gain["eur"] * econ.annuity_factor())
    out["price_year"] = pd.array([price_year] * n, dtype="Int64")
    return _group_table(out, dwellings, counts, cat, bp.min_dwellings, top_n), out


def _group_table(dw: pd.DataFrame, dwellings: pd.DataFrame, counts: dict[str, np.ndarray],
                 cat: Catalogue, min_buren: int, top_n: int) -> pd.DataFrame:
    """Sum the per-dwelling table per group."""
    t = dw.reset_index(drop=True)
    g = t.groupby("group_id", sort=True)
    out = pd.DataFrame({
        "group_kind": g["group_kind"].first(),
        "n_dwellings": g.size(),
        "n_participating": g["participating"].sum().astype(np.int64),
        "collective": g["collective"].any(),
    })
    out["burenpremie_eligible"] = g["burenpremie_eur"].sum() > 0
    out["burenpremie_eligible"] |= out["collective"] & (out["n_participating"] >= min_buren)
    for col in ("street", "sector_code"):
        if col in dwellings.columns:
            v = pd.DataFrame({"group_id": t["group_id"],
                              "v": dwellings[col].astype("string").to_numpy(dtype=object)})
            c = v.dropna().groupby(["group_id", "v"]).size().reset_index(name="n")
            c = c.sort_values(["group_id", "n", "v"], ascending=[True, False, True])
            out[col] = c.drop_duplicates("group_id").set_index("group_id")["v"].reindex(
                out.index)
    measure_counts = pd.DataFrame(
        {f"n_{m}": counts.get(m, np.zeros(len(t), dtype=bool)).astype(np.int64)
         for m in cat.measures}, index=t.index)
    mc = measure_counts.groupby(t["group_id"]).sum()
    text = pd.Series("", index=mc.index, dtype=object)
    for m in cat.measures:
        c = mc[f"n_{m}"]
        part = np.where(c > 0, m + "×" + c.astype(str), "")
        text = np.where((text != "") & (part != ""), text + ", " + part,
                        np.where(part != "", part, text))
    out["measures"] = pd.Series(text, index=mc.index).reindex(out.index)
    out["basis"] = g["basis"].agg(lambda s: ";".join(sorted(set(map(str, s)))))
    out = out.join(mc)
    out = out.join(g[list(_SUMMED)].sum())
    ranked = t[t["participating"]].sort_values(
        ["group_id", "collective_gain_npv_eur", "dwelling_id"],
        ascending=[True, False, True])
    top = ranked.groupby("group_id").head(top_n).groupby("group_id")["dwelling_id"].agg(
        lambda s: ";".join(map(str, s)))
    out["top_dwelling_ids"] = top.reindex(out.index).fillna("")
    out["price_year"] = g["price_year"].first()
    return out.reset_index()


__all__ = ["DWELLING_COLUMNS", "collective_costs"]
