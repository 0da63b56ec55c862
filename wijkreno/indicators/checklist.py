"""The LEKP checklist ticked from what the register holds, for the officer's page and the report.

One function, :func:`register_checklist`, serves both the officer's LEKP page (``api/lekp.py``)
and the LEKP report (:func:`wijkreno.reports.render_lekp_report`), so that the page and the
paper tick the same items: the municipality's counts known (when the caller knows where they
come from), one item per register kind (rows held and the latest date) and one per goal (data
registered for it and the indicator computable). It works on frames: the caller reads the
register (``{kind: register.read(kind, nis)}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

COUNT_ORIGINS_KNOWN: tuple[str, ...] = ("statbel", "admin", "given")
"""Where a count may come from to tick the counts item (not an estimate from the twin)."""

COUNT_NAMES_NL: dict[str, str] = {"inhabitants": "inwoners", "households": "huishoudens",
                                  "housing_units": "wooneenheden"}
"""Dutch names of the municipality's counts, in the checklist's order."""

COUNT_ORIGINS_NL: dict[str, str] = {"statbel": "Statbel", "admin": "ingegeven",
                                    "given": "meegegeven", "estimate": "schatting",
                                    "missing": "ontbreekt"}
"""Where a count comes from, in the words of the officer's LEKP page."""

REALISED_SOURCE_NL: dict[str, str] = {
    "renovations": "gemeentelijk renovatieregister (collectieve renovaties)",
    "klimaattafels": "gemeentelijk register: klimaattafels",
    "trajectories": "gemeentelijk register: renovatietrajecten",
    "participative_pv": "gemeentelijk register: participatieve hernieuwbare energie",
    "wvc_milestones": "gemeentelijk register: wijkverbeteringscontracten",
    "energy_communities": "gemeentelijk register: energiegemeenschappen",
    "charging_points": "gemeentelijk register: laadpunten",
    "own_buildings": "gemeentelijk register: eigen gebouwen",
    "none": "niet in het register",
}
"""Where the realised figure of a goal comes from, by the goal's ``register_kind``."""

REGISTER_KINDS_NL: dict[str, str] = {
    "renovations": "renovaties",
    "klimaattafels": "klimaattafels",
    "trajectories": "renovatietrajecten",
    "participative_pv": "participatieve hernieuwbare energie",
    "wvc_milestones": "wijkverbeteringscontracten",
    "energy_communities": "energiegemeenschappen",
    "charging_points": "laadpunten",
    "own_buildings": "eigen gebouwen",
}
"""Plain-Dutch names of the register's kinds (the report's checklist)."""


def realised_source_nl(register_kind: Any) -> str:
    """Where a goal's realised figure comes from, in plain Dutch."""
    return REALISED_SOURCE_NL.get(str(register_kind), "gemeentelijk register")


def _origin_nl(origin: Any) -> str:
    """A count's origin code in Dutch words; 'onbekend' when none is given."""
    if origin is None:
        return "onbekend"
    return COUNT_ORIGINS_NL.get(str(origin), str(origin))


def _current_rows(indicators: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Per goal the indicator row of 'now': the latest of ``year`` or before when given (a
    goal with none has no row), else the latest past row (``is_past``), else the first."""
    ind = indicators.copy()
    ind["year"] = pd.to_numeric(ind["year"], errors="coerce")
    ind = ind.sort_values(["goal_id", "year"], kind="stable")
    if year is not None:
        rows = ind[ind["year"] <= year]
    elif "is_past" in ind.columns:
        past = ind[ind["is_past"].astype(bool)]
        first = ind.groupby("goal_id", sort=False).head(1)
        rows = pd.concat([first[~first["goal_id"].isin(past["goal_id"])], past])
    else:
        rows = ind
    return rows.sort_values(["goal_id", "year"], kind="stable").groupby(
        "goal_id", sort=False).tail(1).set_index("goal_id")


def register_checklist(
    held: Mapping[str, pd.DataFrame],
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    year: int | None = None,
    count_origins: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """What the register holds for the LEKP report, each item ticked when it holds something.

    Parameters
    ----------
    held : mapping of register kind → DataFrame
        The municipality's rows of each register kind (``Register.read(kind, nis)``), in the
        order the checklist lists them.
    targets : DataFrame
        :func:`~wijkreno.indicators.municipality_targets` (``goal_id``, ``title_nl``,
        ``register_kind``; ``title_en`` when the goal file gives one).
    indicators : DataFrame
        :func:`~wijkreno.indicators.compute_indicators` (``goal_id``, ``year``,
        ``computable``; ``is_past``).
    year : int, optional
        The report year: per goal the indicator row of that year or the latest before;
        without it the latest past row (the state today).
    count_origins : mapping, optional
        Where each count (``inhabitants``, ``households``, ``housing_units``) comes from
        (``statbel``, ``admin``, ``given``, ``estimate``...); adds the counts item first,
        its ``detail`` in Dutch words (:data:`COUNT_ORIGINS_NL`).

    Returns
    -------
    list of dict
        Items with ``key`` (``counts``, ``register:<kind>``, ``goal:<goal_id>``), ``done``,
        ``text`` (plain Dutch) and ``detail``; register items add ``kind``, ``n_rows`` and
        ``last`` (ISO date of the latest ``*_on`` date, or None); goal items ``kind``,
        ``goal_id``, ``title_nl`` and ``title_en``.
    """
    items: list[dict[str, Any]] = []
    if count_origins is not None:
        known = [k for k in COUNT_NAMES_NL if count_origins.get(k) in COUNT_ORIGINS_KNOWN]
        items.append({
            "key": "counts", "done": len(known) == len(COUNT_NAMES_NL),
            "text": "Inwoners, huishoudens en wooneenheden uit Statbel of ingegeven",
            "detail": ", ".join(f"{nl}: {_origin_nl(count_origins.get(k))}"
                                for k, nl in COUNT_NAMES_NL.items())})
    n_held: dict[str, int] = {}
    for kind, table in held.items():
        n_held[kind] = len(table)
        dates = [c for c in table.columns if c.endswith("_on")]
        last = None
        if len(table) and dates:
            stamp = pd.to_datetime(table[dates[0]], errors="coerce").max()
            last = None if pd.isna(stamp) else stamp.date().isoformat()
        items.append({"key": f"register:{kind}", "done": len(table) > 0, "kind": kind,
                      "n_rows": len(table), "last": last,
                      "text": f"Register '{REGISTER_KINDS_NL.get(kind, kind)}' bijgehouden",
                      "detail": f"{len(table)} rijen" + (f", laatste {last}" if last else "")})
    now = _current_rows(indicators, year) if len(indicators) else pd.DataFrame()
    for t in targets.itertuples(index=False):
        kind = str(getattr(t, "register_kind", "none"))  # older target tables: none
        computable = (bool(now.loc[t.goal_id, "computable"])
                      if t.goal_id in now.index and "computable" in now.columns else False)
        title_en = getattr(t, "title_en", None)
        items.append({"key": f"goal:{t.goal_id}", "kind": kind, "goal_id": str(t.goal_id),
                      "title_nl": str(t.title_nl),
                      "title_en": str(title_en) if isinstance(title_en, str) and title_en
                      else None,
                      "done": computable and n_held.get(kind, 0) > 0,
                      "text": f"Gegevens voor '{t.title_nl}'",
                      "detail": realised_source_nl(kind)})
    return items


__all__ = ["COUNT_NAMES_NL", "COUNT_ORIGINS_KNOWN", "COUNT_ORIGINS_NL", "REALISED_SOURCE_NL",
           "REGISTER_KINDS_NL", "realised_source_nl", "register_checklist"]
