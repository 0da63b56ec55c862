"""LEKP indicators over time per municipality: realised against target, trend and projection.

:func:`compute_indicators` reads what was realised from a register
(:class:`wijkreno.register.Register` or any object with the same methods), counts it per goal of
the targets (:func:`wijkreno.indicators.goals.municipality_targets`) and returns one row per
goal and year from the start of the pact (2021) to the goal's deadline year.

Counting per goal (``register_kind`` of the goal file):

renovations
    Collective goals count only rows with a ``collective_project``; the fossil-free goal only
    those marked ``fossil_free``. The counting rule is a setting
    (:func:`count_renovations`): ``vvsg_measure`` (default, VVSG) counts one renovation
    equivalent per countable measure, ``per_dwelling`` one per dwelling, in the year of its
    first countable collective measure. A collective project's dwellings thus feed the goals.
    Works of an apartment building's association of co-owners (VME), registered once for the
    building (``gebouw_id``, ``n_units``), count for each of its ``n_units`` housing units:
    a roof insulated by the VME of a 12-unit building is 12 renovation equivalents
    (``vvsg_measure``) and 12 dwellings (``per_dwelling``).
klimaattafels
    Invited housing units summed by the date the table was held.
trajectories
    Distinct addresses with a delivered trajectory, at their first delivery.
participative_pv
    kWp summed by commissioning date (kWp goals) or distinct projects (project goal).
wvc_milestones
    Distinct contracts that include a collective renovation, counted when first 'signed' (or a
    later milestone: 'collective_renovation_started', 'completed').
own_buildings
    Reduction of the municipality's own buildings' CO2 or primary energy against the goal's base
    year, from an ``own_buildings`` table (``year``, ``co2_kg_co2``, ``primary_energy_kwh``;
    the register's ``own_buildings`` when none is given); not computable without it.
energy_communities
    Households or inhabitants given access to an energy community (``n_access``), summed by
    the date of access.
charging_points
    Publicly accessible charging points (``n_points``) summed by commissioning date.
none
    The tool holds no data: realised is NaN and ``computable`` False.

Time rules (documented choices, not LEKP text):

- ``target_path``: the linear path from 0 at the counting start (1 January 2021) to the
  target at the deadline, evaluated at the end of each year (at ``as_of`` in the year of
  ``as_of``). ``on_track`` is ``realised_cumulative >= target_path`` for years up to ``as_of``,
  ``projected_cumulative >= target_path`` after it.
- ``trend_per_year``: the mean yearly increase over the last three complete years before
  ``as_of`` (the year of ``as_of`` counts as complete on 31 December); with no complete year
  yet, the realised total divided by the years elapsed.
- projection: ``realised(as_of) + trend_per_year * years left``; for the renovation goals, when
  a ``projection`` frame is given (:func:`campaign_projection`), ``realised(as_of)`` plus the
  planned renovation equivalents of the years after ``as_of`` instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.indicators.goals import COUNTING_RULES, Goals, load_goals

log = logging.getLogger(__name__)

INDICATOR_COLUMNS: tuple[str, ...] = (
    "goal_id", "year", "realised_cumulative", "target", "share_achieved_frac", "trend_per_year",
    "projected_at_deadline", "on_track", "co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2",
    "energy_saved_kwh",
    # beyond the interface's columns: context a report needs
    "nis_code", "pact", "title_nl", "unit", "deadline", "target_path", "realised_in_year",
    "projected_cumulative", "projection_basis", "is_past", "computable", "counting_rule",
    "as_of",
)
"""Columns of :func:`compute_indicators`."""

WVC_COUNTED_MILESTONES: tuple[str, ...] = ("signed", "collective_renovation_started",
                                           "completed")
FOSSIL_FREE_HEATING: tuple[str, ...] = ("heat_pump_air_water", "heat_pump_ground")
"""Trajectory heating measures that leave no fossil fuel (a hybrid heat pump keeps gas)."""

_DAYS_PER_YEAR = 365.25
_TREND_YEARS = 3


class RegisterLike(Protocol):
    """What :func:`compute_indicators` reads from a register (``wijkreno.register.Register``)."""

    def renovations(self, nis_code: str | None = None) -> pd.DataFrame: ...
    def klimaattafels(self, nis_code: str | None = None) -> pd.DataFrame: ...
    def trajectories_delivered(self, nis_code: str | None = None) -> pd.DataFrame: ...
    def participative_pv(self, nis_code: str | None = None) -> pd.DataFrame: ...
    def wvc_milestones(self, nis_code: str | None = None) -> pd.DataFrame: ...

    # read when a goal needs them (``getattr``): energy_communities, charging_points and
    # own_buildings; a register without them leaves those goals not computable


# ---------------------------------------------------------------------------------------------
# counting


def _dates(values: Any) -> pd.Series:
    return pd.to_datetime(pd.Series(values), errors="coerce")


def _truthy(values: pd.Series) -> np.ndarray:
    return np.array(values.fillna(False).astype(bool).to_numpy(), dtype=bool)


def _collective(values: pd.Series) -> np.ndarray:
    s = values.astype("string").str.strip()
    return np.array((s.notna() & (s != "")).fillna(False).to_numpy(dtype=bool), dtype=bool)


def count_renovations(
    renovations: pd.DataFrame,
    *,
    rule: str = "vvsg_measure",
    countable_measures: tuple[str, ...] | None = None,
    collective_only: bool = True,
    fossil_free_only: bool = False,
) -> pd.DataFrame:
    """Renovations counted per year with a counting rule.

    Parameters
    ----------
    renovations : pandas.DataFrame
        ``Register.renovations()``: ``measure``, ``completed_on``, ``collective_project``,
        ``fossil_free``, ``adres_id`` / ``dwelling_id``.
    rule : {"vvsg_measure", "per_dwelling"}
        ``vvsg_measure``: one renovation equivalent per countable measure; ``per_dwelling``: one
        per dwelling, in the year of its first counted measure.
    countable_measures : tuple of str, optional
        Measures that count; the goal file's ``[counting] countable_measures`` when None.
    collective_only : bool
        Count only rows with a collective project.
    fossil_free_only : bool
        Count only rows marked fossil-free.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``count`` (one row per year with at least one count, sorted).
    """
    if rule not in COUNTING_RULES:
        raise InputError(f"unknown counting rule {rule!r}; use one of {list(COUNTING_RULES)}.")
    if countable_measures is None:
        countable_measures = load_goals().counting.countable_measures
    r = renovations
    if r.empty:
        return pd.DataFrame({"year": pd.Series(dtype=np.int64),
                             "count": pd.Series(dtype=np.float64)})
    keep = r["measure"].isin(list(countable_measures)).to_numpy().copy()
    if collective_only:
        keep &= _collective(r["collective_project"])
    if fossil_free_only:
        keep &= _truthy(r["fossil_free"])
    r = r[keep]
    dates = _dates(r["completed_on"].to_numpy())
    frame = pd.DataFrame({"date": dates.to_numpy(), "weight": unit_weights(r)})
    if rule == "per_dwelling":
        frame["key"] = _row_keys(r)
        frame = frame.dropna(subset=["key"]).groupby("key", as_index=False).agg(
            date=("date", "min"), weight=("weight", "max"))
    frame = frame.dropna(subset=["date"])
    out = frame.groupby(frame["date"].dt.year)["weight"].sum()
    return pd.DataFrame({"year": out.index.astype(np.int64),
                         "count": out.to_numpy(dtype=np.float64)})


def unit_weights(renovations: pd.DataFrame) -> np.ndarray:
    """Housing units each register row counts for: ``n_units`` of a row registered for a
    whole apartment building (works of its VME), 1 for a row of one address."""
    if "n_units" not in renovations.columns:
        return np.ones(len(renovations), dtype=np.float64)
    n = pd.to_numeric(pd.Series(renovations["n_units"].to_numpy(), dtype=object),
                      errors="coerce").astype("float64").to_numpy()
    return np.where(np.isfinite(n) & (n >= 1), n, 1.0)


def _row_keys(r: pd.DataFrame) -> np.ndarray:
    """What a row is about: its address (adres_id, else dwelling_id), else its building."""
    key = pd.Series(r["adres_id"].to_numpy() if "adres_id" in r else pd.NA, dtype="string")
    if "dwelling_id" in r:
        key = key.fillna(pd.Series(r["dwelling_id"].to_numpy(), dtype="string"))
    if "gebouw_id" in r:
        geb = pd.Series(r["gebouw_id"].to_numpy(), dtype="string")
        key = key.fillna("gebouw:" + geb)
    return key.to_numpy()


COLLECTIVE_PROJECT_COLUMNS: tuple[str, ...] = (
    "collective_project", "n_rows", "n_buildings", "n_addresses", "n_units",
    "renovation_equivalents", "first_completed_on", "last_completed_on", "measures",
)
"""Columns of :func:`collective_projects`."""


def collective_projects(renovations: pd.DataFrame, *,
                        countable_measures: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The register's collective projects, one row each (a VME's works on one building are
    one project, whatever the number of its units).

    Parameters
    ----------
    renovations : pandas.DataFrame
        ``Register.renovations()``.
    countable_measures : tuple of str, optional
        Measures that count as renovation equivalents; the goal file's when None.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLLECTIVE_PROJECT_COLUMNS`: the project's name, its register rows,
        the buildings registered as a whole (VME), the single addresses, the housing units
        it reaches (a building's units plus the addresses), the renovation equivalents it
        counts (``vvsg_measure``: countable measures x units), its first and last completion
        dates and its measures (comma-separated codes). Largest project first.
    """
    if countable_measures is None:
        countable_measures = load_goals().counting.countable_measures
    if renovations.empty or "collective_project" not in renovations.columns:
        return pd.DataFrame(columns=list(COLLECTIVE_PROJECT_COLUMNS))
    r = renovations[_collective(renovations["collective_project"])].copy()
    if r.empty:
        return pd.DataFrame(columns=list(COLLECTIVE_PROJECT_COLUMNS))
    r["_project"] = r["collective_project"].astype(str).str.strip()
    r["_weight"] = unit_weights(r)
    r["_key"] = _row_keys(r)
    r["_building"] = r["_key"].astype(str).str.startswith("gebouw:")
    r["_counted"] = np.where(r["measure"].isin(list(countable_measures)), r["_weight"], 0.0)
    r["_date"] = _dates(r["completed_on"].to_numpy()).to_numpy()
    rows = []
    for name, g in r.groupby("_project", sort=False):
        units = g.drop_duplicates("_key")
        rows.append({
            "collective_project": name,
            "n_rows": len(g),
            "n_buildings": int(units["_building"].sum()),
            "n_addresses": int((~units["_building"]).sum()),
            "n_units": int(units["_weight"].sum()),
            "renovation_equivalents": float(g["_counted"].sum()),
            "first_completed_on": pd.Timestamp(g["_date"].min()).date(),
            "last_completed_on": pd.Timestamp(g["_date"].max()).date(),
            "measures": ", ".join(sorted(g["measure"].astype(str).unique())),
        })
    out = pd.DataFrame(rows, columns=list(COLLECTIVE_PROJECT_COLUMNS))
    return out.sort_values(["n_units", "collective_project"],
                           ascending=[False, True]).reset_index(drop=True)


def expand_buildings(renovations: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """Register rows with a row per housing unit for rows registered for a whole building.

    A VME's row (``gebouw_id`` without address) becomes one row per dwelling of that building
    in ``dwellings`` (its ``adres_id`` and ``dwelling_id`` filled in, ``n_units`` 1), so that
    per-address models (savings, maps) see every unit; other rows are kept as they are.
    """
    if "gebouw_id" not in renovations.columns or "gebouw_id" not in dwellings.columns:
        return renovations
    whole = renovations["gebouw_id"].notna().to_numpy() & (
        renovations["adres_id"].isna().to_numpy() if "adres_id" in renovations.columns
        else np.ones(len(renovations), dtype=bool))
    if not whole.any():
        return renovations
    units = pd.DataFrame({"gebouw_id": dwellings["gebouw_id"].astype(str).to_numpy(),
                          "_adres": dwellings["adres_id"].astype(object).to_numpy()
                          if "adres_id" in dwellings.columns else None,
                          "_dwelling": dwellings["dwelling_id"].astype(str).to_numpy()})
    b = renovations[whole].copy()
    b["gebouw_id"] = b["gebouw_id"].astype(str)
    b = (b.rename_axis("_row").reset_index().merge(units, on="gebouw_id", how="left")
         .set_index("_row"))
    b["adres_id"] = b["_adres"].where(b["_adres"].notna(), None)
    b["dwelling_id"] = b["_dwelling"].where(b["_dwelling"].notna(), None)
    b["n_units"] = 1
    b = b.drop(columns=["_adres", "_dwelling"])
    b.index.name = renovations.index.name
    return pd.concat([renovations[~whole], b]).sort_index(kind="stable")


def _yearly(dates: pd.Series, values: np.ndarray | None = None) -> pd.Series:
    """Sum of ``values`` (1 each when None) per calendar year of ``dates``."""
    d = _dates(dates.to_numpy())
    v = pd.Series(np.ones(len(d)) if values is None else np.asarray(values, dtype=np.float64))
    ok = d.notna().to_numpy()
    return v[ok].groupby(d[ok].dt.year.to_numpy()).sum()


def _first_per_key(frame: pd.DataFrame, key: str, date: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=np.float64)
    f = frame[[key, date]].copy()
    f[date] = _dates(f[date].to_numpy()).to_numpy()
    first = f.dropna().groupby(key)[date].min()
    return _yearly(first.reset_index(drop=True))


def _filter_as_of(frame: pd.DataFrame, col: str, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    if frame.empty:
        return frame
    d = _dates(frame[col].to_numpy())
    ok = ((d >= pd.Timestamp(start)) & (d <= pd.Timestamp(as_of))).to_numpy()
    return frame[ok]


# ---------------------------------------------------------------------------------------------
# time rules


def _year_end(year: int, as_of: dt.date) -> dt.date:
    end = dt.date(year, 12, 31)
    return min(end, as_of) if year == as_of.year else end


def linear_path(target: float, start: dt.date, deadline: dt.date, at: dt.date) -> float:
    """Target path: 0 at ``start``, ``target`` at ``deadline``, linear in days between."""
    total = (deadline - start).days + 1
    done = (at - start).days + 1
    return float(target) * min(max(done / total, 0.0), 1.0)


def trend_per_year(increments: pd.Series, start_year: int, as_of: dt.date,
                   realised: float) -> float:
    """Mean yearly increase over the last three complete years before ``as_of``."""
    last = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    years = [y for y in range(last - _TREND_YEARS + 1, last + 1) if y >= start_year]
    if years:
        return float(np.mean([float(increments.get(y, 0.0)) for y in years]))
    elapsed = ((as_of - dt.date(start_year, 1, 1)).days + 1) / _DAYS_PER_YEAR
    return float(realised) / elapsed if elapsed > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# projection from a scenario


def campaign_projection(
    dwellings: pd.DataFrame,
    scenario: Any,
    *,
    counting_rule: str | None = None,
    goals: Goals | None = None,
    steps: pd.DataFrame | None = None,
    result: Any = None,
    states: Any = None,
) -> pd.DataFrame:
    """Planned collective renovations per year from a scenario's campaigns, in LEKP counts.

    Runs :func:`wijkreno.scenario.run_scenario` (unless ``result`` is given) and turns its
    ``n_campaign_renovations`` per year into renovation equivalents: a dwelling that joins a
    campaign carries out its whole trajectory, so with ``vvsg_measure`` one campaign renovation
    is worth the mean number of countable measures of the trajectories of the campaign's
    dwellings; with ``per_dwelling`` it is worth one. A renovation is fossil-free when its
    trajectory installs a monovalent heat pump (:data:`FOSSIL_FREE_HEATING`).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's dwellings (as for ``run_scenario``).
    scenario : Scenario, str or Path
        The scenario with its campaigns.
    counting_rule : {"vvsg_measure", "per_dwelling"}, optional
        Default: the goal file's.
    goals : Goals, optional
    steps : pandas.DataFrame, optional
        Trajectory steps (:func:`wijkreno.renovate.trajectories.plan_trajectories`, columns
        ``dwelling_id``, ``measure``) of the same dwellings. Without them the number of
        trajectory steps stands in for the countable measures (each step is one measure, but a
        PV step is then counted too) and a heating step for a fossil-free one (a hybrid heat
        pump is then counted fossil-free): an upper estimate.
    result : ScenarioResult, optional
        An existing run of ``scenario`` on ``dwellings``.
    states : TrajectoryStates, optional
        Passed to ``run_scenario``.

    Returns
    -------
    pandas.DataFrame
        One row per scenario year: ``year``, ``n_campaign_renovations``,
        ``equivalents_per_renovation``, ``renovation_equivalents``,
        ``fossil_free_equivalents``, ``counting_rule``.
    """
    from wijkreno.scenario.model import ALL_SECTORS, run_scenario

    g = goals or load_goals()
    rule = counting_rule or g.counting.default_rule
    if rule not in COUNTING_RULES:
        raise InputError(f"unknown counting rule {rule!r}; use one of {list(COUNTING_RULES)}.")
    res = result if result is not None else run_scenario(dwellings, scenario, states=states)
    sc = res.scenario
    n = len(dwellings)
    sectors = (dwellings["sector_code"].astype("string").fillna("onbekend").to_numpy()
               if "sector_code" in dwellings.columns else np.full(n, "onbekend"))
    in_campaign = np.zeros(n, dtype=bool)
    for c in sc.campaigns:
        in_campaign |= (np.ones(n, dtype=bool) if ALL_SECTORS in c.sectors
                        else np.isin(sectors, list(c.sectors)))
    st = res.states
    n_steps = st.n_steps[st.template]
    if steps is not None:
        ids = (dwellings["dwelling_id"].astype(str).to_numpy() if "dwelling_id" in dwellings
               else np.asarray(dwellings.index).astype(str))
        s = steps.assign(dwelling_id=steps["dwelling_id"].astype(str))
        counted = s[s["measure"].isin(list(g.counting.countable_measures))]
        per = counted.groupby("dwelling_id").size()
        ff_ids = s.loc[s["measure"].isin(list(FOSSIL_FREE_HEATING)), "dwelling_id"].unique()
        n_measures = pd.Series(ids).map(per).fillna(0).to_numpy(dtype=np.float64)
        fossil_free = np.isin(ids, ff_ids)
    else:
        n_measures = n_steps.astype(np.float64)
        fossil_free = st.heat_step[st.template] >= 0
    pool = in_campaign & (n_steps > 0)
    if rule == "per_dwelling":
        n_measures = (n_measures > 0).astype(np.float64)
    mean_eq = float(n_measures[pool].mean()) if pool.any() else 0.0
    ff_eq = float((n_measures * fossil_free)[pool].mean()) if pool.any() else 0.0
    by_year = res.by_year
    n_camp = by_year["n_campaign_renovations"].to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "year": by_year["year"].to_numpy(dtype=np.int64),
        "n_campaign_renovations": n_camp,
        "equivalents_per_renovation": mean_eq,
        "renovation_equivalents": n_camp * mean_eq,
        "fossil_free_equivalents": n_camp * ff_eq,
        "counting_rule": rule,
    })


# ---------------------------------------------------------------------------------------------
# the indicators


def _realised_increments(
    kind: str, indicator: str, goal_id: str, register: RegisterLike, nis_code: str,
    start: dt.date, as_of: dt.date, rule: str, countable: tuple[str, ...],
    cache: dict[str, pd.DataFrame],
) -> tuple[pd.Series, pd.DataFrame | None]:
    """Yearly increments of one goal's indicator (index: year) and the rows it counted."""

    def table(name: str, col: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = getattr(register, name)(nis_code)
        return _filter_as_of(cache[name], col, start, as_of)

    if kind in ("energy_communities", "charging_points") and not hasattr(register, kind):
        raise _NoTable(kind)

    if kind == "renovations":
        r = table("renovations", "completed_on")
        ff = goal_id == "collective_renovations_fossil_free" or "fossil_free" in indicator
        counts = count_renovations(r, rule=rule, countable_measures=countable,
                                   collective_only=True, fossil_free_only=ff)
        rows = r[_collective(r["collective_project"])] if not r.empty else r
        if ff and not rows.empty:
            rows = rows[_truthy(rows["fossil_free"])]
        return pd.Series(counts["count"].to_numpy(), index=counts["year"].to_numpy()), rows
    if kind == "klimaattafels":
        k = table("klimaattafels", "held_on")
        if k.empty:
            return pd.Series(dtype=np.float64), None
        return _yearly(k["held_on"], k["invited_housing_units"].fillna(0).to_numpy()), None
    if kind == "trajectories":
        t = table("trajectories_delivered", "delivered_on")
        if t.empty:
            return pd.Series(dtype=np.float64), None
        key = pd.Series(t["adres_id"].to_numpy(), dtype="string")
        if "dwelling_id" in t.columns:
            key = key.fillna(pd.Series(t["dwelling_id"].to_numpy(), dtype="string"))
        t = pd.DataFrame({"key": key.to_numpy(), "delivered_on": t["delivered_on"].to_numpy()})
        return _first_per_key(t, "key", "delivered_on"), None
    if kind == "participative_pv":
        p = table("participative_pv", "commissioned_on")
        if p.empty:
            return pd.Series(dtype=np.float64), None
        if "kwp" in indicator:
            return _yearly(p["commissioned_on"], p["kwp"].fillna(0).to_numpy()), None
        return _first_per_key(p, "project", "commissioned_on"), None
    if kind == "wvc_milestones":
        w = table("wvc_milestones", "reached_on")
        if w.empty:
            return pd.Series(dtype=np.float64), None
        w = w[w["milestone"].isin(WVC_COUNTED_MILESTONES).to_numpy()
              & _truthy(w["includes_collective_renovation"])]
        return _first_per_key(w, "contract", "reached_on"), None
    if kind == "energy_communities":
        e = table("energy_communities", "access_on")
        if e.empty:
            return pd.Series(dtype=np.float64), None
        return _yearly(e["access_on"], e["n_access"].fillna(0).to_numpy()), None
    if kind == "charging_points":
        c = table("charging_points", "commissioned_on")
        if c.empty:
            return pd.Series(dtype=np.float64), None
        c = c[_truthy(c["publicly_accessible"])]
        return _yearly(c["commissioned_on"], c["n_points"].fillna(0).to_numpy()), None
    raise InputError(f"no counting for register kind {kind!r}")


class _NoTable(LookupError):
    """The register object has no table of this kind (an older register-like object)."""


def _own_building_levels(own: pd.DataFrame | None, indicator: str, base_year: int,
                         years: np.ndarray, as_of: dt.date) -> np.ndarray | None:
    """Reduction fraction against ``base_year`` at the end of each year (NaN after as_of)."""
    if own is None or own.empty:
        return None
    col = "co2_kg_co2" if "co2" in indicator else "primary_energy_kwh"
    if not {"year", col} <= set(own.columns):
        raise InputError(f"the own-buildings table needs columns year, {col}; got "
                         f"{list(own.columns)}.")
    s = own.dropna(subset=[col]).groupby("year")[col].sum()
    if base_year not in s.index or not s.loc[base_year] > 0:
        log.warning("own buildings: no %s for base year %d; indicator not computable",
                    col, base_year)
        return None
    red = 1.0 - s / s.loc[base_year]
    red = red[red.index <= as_of.year]
    full = red.reindex(np.union1d(red.index.to_numpy(), years)).ffill()
    out = np.array(full.reindex(years).to_numpy(dtype=np.float64))
    out[years > as_of.year] = np.nan
    return out


def compute_indicators(
    register: RegisterLike,
    targets: pd.DataFrame,
    *,
    nis_code: str,
    as_of: dt.date,
    dwellings: pd.DataFrame | None = None,
    projection: pd.DataFrame | None = None,
    counting_rule: str | None = None,
    goals: Goals | None = None,
    own_buildings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """LEKP indicators per goal and year: realised, target, share, trend, projection.

    Parameters
    ----------
    register : Register
        ``wijkreno.register.open_register(...)`` or an object with the same read methods.
    targets : pandas.DataFrame
        :func:`wijkreno.indicators.goals.municipality_targets` of the municipality.
    nis_code : str
        NIS5 code; the register is read for it.
    as_of : datetime.date
        Date of the report: realisations after it are ignored, years after it are projected.
    dwellings : pandas.DataFrame, optional
        The twin's dwellings: with it the renovation goals carry the CO2 [kg CO2 a-1] and
        final energy [kWh a-1] saved by the realised measures
        (:func:`wijkreno.indicators.savings.realised_savings`; register rows not in the twin
        are logged and left out of the savings, not of the counts).
    projection : pandas.DataFrame, optional
        :func:`campaign_projection`: planned renovation equivalents per year.
    counting_rule : {"vvsg_measure", "per_dwelling"}, optional
        Default: the goal file's ``[counting] default_rule``.
    goals : Goals, optional
        The goal definitions the targets came from (own-building base years, countable
        measures); packaged when None.
    own_buildings : pandas.DataFrame, optional
        The municipality's own buildings per year: ``year``, ``co2_kg_co2``,
        ``primary_energy_kwh`` (including the goals' base years); the register's
        ``own_buildings()`` when None.

    Returns
    -------
    pandas.DataFrame
        One row per goal x year (counting start year to deadline year), columns
        :data:`INDICATOR_COLUMNS`. ``realised_cumulative`` and the savings are NaN for years
        after ``as_of`` and for goals that are not ``computable``.
    """
    if not isinstance(as_of, dt.date):
        raise InputError(f"as_of must be a date, got {as_of!r}")
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    g = goals or load_goals()
    rule = counting_rule or g.counting.default_rule
    if rule not in COUNTING_RULES:
        raise InputError(f"unknown counting rule {rule!r}; use one of {list(COUNTING_RULES)}.")
    need = {"goal_id", "pact", "target", "deadline", "register_kind", "indicator"}
    if not need <= set(targets.columns):
        raise InputError(f"targets lack {sorted(need - set(targets.columns))}; make them with "
                         "wijkreno.indicators.municipality_targets.")
    nis = str(nis_code).zfill(5)
    countable = g.counting.countable_measures
    cache: dict[str, pd.DataFrame] = {}
    savings_cache: dict[tuple, Any] = {}
    frames = []
    for t in targets.itertuples(index=False):
        goal = next((x for x in g.goals if x.goal_id == t.goal_id and t.pact in x.pacts), None)
        start = pd.Timestamp(getattr(t, "start_date", None) or g.counting_start).date()
        deadline = pd.Timestamp(t.deadline).date()
        years = np.arange(start.year, deadline.year + 1)
        target = float(t.target)
        kind = t.register_kind
        computable = True
        rows_counted = None
        level: np.ndarray | None = None
        inc = pd.Series(dtype=np.float64)
        if kind == "none":
            computable = False
        elif kind == "own_buildings":
            base_year = goal.base_year if goal is not None else 2015
            own = own_buildings
            if own is None and hasattr(register, "own_buildings"):
                if "own_buildings" not in cache:
                    cache["own_buildings"] = register.own_buildings(nis)
                own = cache["own_buildings"]
            level = _own_building_levels(own, t.indicator, int(base_year), years, as_of)
            computable = level is not None
        else:
            try:
                inc, rows_counted = _realised_increments(kind, t.indicator, t.goal_id,
                                                         register, nis, start, as_of, rule,
                                                         countable, cache)
            except _NoTable:
                computable = False
        past = years <= as_of.year
        in_year = np.array([float(inc.get(y, 0.0)) for y in years])
        if level is not None:
            realised = level
            in_year = np.diff(np.concatenate([[0.0], np.nan_to_num(level)]))
        elif computable:
            realised = np.cumsum(in_year)
        else:
            realised = np.full(len(years), np.nan)
        realised = np.where(past, realised, np.nan)
        in_year = np.where(past & computable, in_year, np.nan)
        now_idx = int(np.flatnonzero(past)[-1]) if past.any() else None
        realised_now = (float(realised[now_idx]) if now_idx is not None and computable
                        else (0.0 if computable else np.nan))
        if level is not None:
            steps = pd.Series(np.diff(np.concatenate([[0.0], np.nan_to_num(level)])), index=years)
            trend = trend_per_year(steps, max(start.year, (goal.base_year or start.year) + 1)
                                   if goal else start.year, as_of, realised_now)
        elif computable:
            trend = trend_per_year(inc, start.year, as_of, realised_now)
        else:
            trend = np.nan
        # projection
        basis = "trend"
        planned_col = None
        if projection is not None and kind == "renovations":
            planned_col = ("fossil_free_equivalents"
                           if t.goal_id == "collective_renovations_fossil_free"
                           else "renovation_equivalents")
            if planned_col not in projection.columns:
                planned_col = None
        projected = np.full(len(years), np.nan)
        for i, y in enumerate(years):
            if y <= as_of.year:
                projected[i] = realised[i]
                continue
            if not computable:
                continue
            if planned_col is not None:
                p = projection[(projection["year"] > as_of.year) & (projection["year"] <= y)]
                projected[i] = realised_now + float(p[planned_col].sum())
                basis = "scenario"
            else:
                left = (dt.date(int(y), 12, 31) - as_of).days / _DAYS_PER_YEAR
                projected[i] = realised_now + trend * left
        if deadline <= as_of:
            basis = "realised"
        projected_at_deadline = float(projected[-1]) if computable else np.nan
        path = np.array([linear_path(target, start, deadline, _year_end(int(y), as_of))
                         for y in years])
        tol = 1e-9 * max(1.0, abs(target))
        value = np.where(past, realised, projected)
        on_track = np.where(np.isnan(value), False, value + tol >= path).astype(bool)
        share = realised / target if target > 0 else np.full(len(years), np.nan)
        frame = pd.DataFrame({
            "goal_id": t.goal_id,
            "year": years.astype(np.int64),
            "realised_cumulative": realised,
            "target": target,
            "share_achieved_frac": share,
            "trend_per_year": trend,
            "projected_at_deadline": projected_at_deadline,
            "on_track": on_track,
            "co2_saved_flemish_kg_co2": np.nan,
            "co2_saved_com_kg_co2": np.nan,
            "energy_saved_kwh": np.nan,
            "nis_code": nis,
            "pact": t.pact,
            "title_nl": getattr(t, "title_nl", t.goal_id),
            "unit": getattr(t, "unit", ""),
            "deadline": deadline,
            "target_path": path,
            "realised_in_year": in_year,
            "projected_cumulative": projected,
            "projection_basis": basis,
            "is_past": past,
            "computable": computable,
            "counting_rule": rule if kind == "renovations" else "",
            "as_of": as_of,
        })
        if (dwellings is not None and kind == "renovations" and rows_counted is not None
                and not rows_counted.empty):
            from wijkreno.indicators.savings import realised_savings

            key = tuple(rows_counted.index)
            if key not in savings_cache:
                savings_cache[key] = realised_savings(
                    expand_buildings(rows_counted, dwellings), dwellings)
            sv = savings_cache[key].cumulative_by_year(years)
            for c in ("co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2", "energy_saved_kwh"):
                frame[c] = np.where(past, sv[c].to_numpy(), np.nan)
        elif dwellings is not None and kind == "renovations":
            for c in ("co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2", "energy_saved_kwh"):
                frame[c] = np.where(past, 0.0, np.nan)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=list(INDICATOR_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(INDICATOR_COLUMNS)]


__all__ = [
    "COLLECTIVE_PROJECT_COLUMNS",
    "FOSSIL_FREE_HEATING",
    "INDICATOR_COLUMNS",
    "RegisterLike",
    "campaign_projection",
    "collective_projects",
    "compute_indicators",
    "count_renovations",
    "expand_buildings",
    "linear_path",
    "trend_per_year",
    "unit_weights",
]
