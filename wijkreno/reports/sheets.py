"""Per-address klimaattafel sheets: one printable A4 page per dwelling, and street bundles.

:func:`render_address_sheets` renders the twin's dwellings with their renovation trajectory
(:func:`wijkreno.renovate.trajectories.plan_trajectories`) as one page each: address, typology,
construction year (marked "geschat" where imputed), current EPC score and label on the label
colour scale, energy cost and CO2, the steps with their cost, premium, saving and label, a
small chart of the label path, the target and whether it is reached (or why not), and a note
on what is estimated. A street bundle is the sheets of a street's dwellings in one PDF.

The Dutch names of measures, typologies and heating systems live here, in one place
(:data:`MEASURE_NAMES_NL` is read from the catalogue's ``label_nl``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.maps.static_map import EPC_COLOURS
from wijkreno.params.names import EPC_LABELS
from wijkreno.reports import charts
from wijkreno.simulate.basis import BASIS_NAMES_NL as BASIS_NL
from wijkreno.simulate.basis import basis_summary_label
from wijkreno.simulate.expected import CARRIERS

log = logging.getLogger(__name__)

EXTRA_MEASURE_NAMES_NL: dict[str, str] = {
    # names that are not catalogue measures
    "keep": "geen wijziging",
}

TYPOLOGY_NL: dict[str, str] = {
    "detached": "vrijstaande woning (open bebouwing)",
    "semi_detached": "halfopen bebouwing",
    "terraced": "rijwoning (gesloten bebouwing)",
    "apartment_building": "appartement",
    "non_residential": "niet-residentieel gebouw",
}

HEATING_NL: dict[str, str] = {
    "gas_boiler": "gasketel (niet-condenserend)",
    "gas_condensing_boiler": "condensatieketel op gas",
    "oil_boiler": "stookolieketel",
    "electric_resistance": "elektrische weerstandsverwarming",
    "heat_pump_air_water": "lucht-water warmtepomp",
    "heat_pump_ground": "bodem-water warmtepomp",
    "hybrid_heat_pump": "hybride warmtepomp",
}

GROUP_KIND_NL: dict[str, str] = {
    "apartment_building": "appartementsgebouw (de mede-eigenaars beslissen samen)",
    "block": "rij aaneengesloten woningen",
    "street_cluster": "cluster van woningen in dezelfde straat",
    "single": "alleenstaande woning",
}

GROUP_KIND_SHORT_NL: dict[str, str] = {
    "apartment_building": "appartementsgebouw", "block": "rij woningen",
    "street_cluster": "straatcluster", "single": "alleenstaand",
}

DIMENSION_NL: dict[str, str] = {
    "roof": "dak", "wall": "muren", "floor": "vloer", "glazing": "ramen",
    "ventilation": "ventilatie", "heating": "verwarming", "pv": "zonnepanelen",
    "solar_water_heater": "zonneboiler", "dhw": "warm water",
}

COACH_COLUMN_NL: dict[str, str] = {
    "roof_insulated_year": "dak geïsoleerd in", "wall_insulated_year": "muren geïsoleerd in",
    "floor_insulated_year": "vloer geïsoleerd in", "glazing_year": "ramen vervangen in",
    "heating_system": "verwarming",
}

SHEET_KEYS: tuple[str, ...] = ("dwelling_id",)

SHOWN_EUR = 0.5
"""An amount below this [EUR] prints as 0 on the sheet, so a line, a column or a difference of
it is left out (display rounding to whole euros, not a money rule)."""

CARRIER_NL: dict[str, str] = {"gas": "aardgas", "oil": "stookolie", "electricity": "elektriciteit",
                              "wood": "hout"}


def _use_lines(d: pd.Series) -> list[dict[str, str]]:
    """Per carrier in use: the expected use next to the EPC calculation's [kWh per year]."""
    lines = []
    for c in CARRIERS:
        std, exp = d.get(f"final_{c}_kwh"), d.get(f"expected_final_{c}_kwh")
        if std is None or exp is None or not (pd.notna(std) and pd.notna(exp)) or std <= 0:
            continue
        lines.append({"carrier": CARRIER_NL[c],
                      "expected": charts.format_number(float(exp), 0),
                      "standardised": charts.format_number(float(std), 0)})
    return lines

SUMMARY_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "current_epc_score_kwh_per_m2", "current_epc_label", "target_label",
    "target_score_kwh_per_m2", "reached", "explanation",
)

STEP_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "step", "measure", "investment_eur", "premium_eur", "net_cost_eur",
    "cumulative_net_cost_eur", "saving_eur", "epc_score_kwh_per_m2", "epc_label",
)


@functools.cache
def measure_names_nl() -> dict[str, str]:
    """Dutch name of every measure: the catalogue's ``label_nl`` plus register-only measures."""
    from wijkreno.renovate.catalogue import load_catalogue

    names = {name: m.label_nl for name, m in load_catalogue().measures.items()}
    return {**EXTRA_MEASURE_NAMES_NL, **names}


def measure_name_nl(measure: str) -> str:
    """Dutch name of a measure (the name itself when unknown)."""
    return measure_names_nl().get(str(measure), str(measure))


def _is_imputed(row: pd.Series, column: str) -> bool:
    return str(row.get(f"{column}_source", "")) == "imputed"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _address(row: pd.Series) -> str:
    street, number = _text(row.get("street")), _text(row.get("house_number"))
    box, postcode = _text(row.get("box_number")), _text(row.get("postcode"))
    text = f"{street} {number}".strip() or f"woning {row.get('dwelling_id')}"
    if box:
        text += f" bus {box}"
    if postcode:
        text += f", {postcode}"
    return text


def _current_co2(summary: pd.DataFrame, steps: pd.DataFrame,
                 dwellings: pd.DataFrame) -> pd.DataFrame:
    """Current CO2 per dwelling [kg CO2 per year], both factor sets, NaN when unknown.

    From the summary or the dwellings when they carry it, else from the first step: the state
    after a step plus the cumulative saving against the current state is the current state.
    """
    out = pd.DataFrame(index=summary["dwelling_id"].astype(str).to_numpy())
    for kind in ("flemish", "com"):
        col = f"co2_{kind}_kg_co2"
        value = pd.Series(np.nan, index=out.index)
        for frame, name in ((summary, f"current_{col}"), (dwellings, col),
                            (dwellings, f"current_{col}")):
            if name in frame.columns:
                have = pd.Series(pd.to_numeric(frame[name], errors="coerce").to_numpy(),
                                 index=frame["dwelling_id"].astype(str).to_numpy())
                have = have[~have.index.duplicated()]
                value = value.fillna(have.reindex(out.index))
        saving = f"cumulative_saving_co2_{kind}_kg_co2"
        if len(steps) and {col, saving} <= set(steps.columns):
            first = steps.sort_values("step").groupby(steps["dwelling_id"].astype(str)).first()
            value = value.fillna((first[col] + first[saving]).reindex(out.index))
        out[col] = value.to_numpy()
    return out


def _eur(value: Any) -> str:
    """``€ 1 234`` (thin spaces), or ``–`` when unknown."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if not np.isfinite(number):
        return "–"
    # no line break inside an amount: no-break space after €, narrow no-break thousands
    return f"€\u00a0{charts.format_number(number, 0)}".replace("\u2009", "\u202f")


def short_measure_name_nl(measure: str) -> str:
    """The Dutch name without its explanation in brackets (``lucht-water warmtepomp met
    lagetemperatuurafgifte``), for lines where space is short."""
    return measure_name_nl(measure).split(" (")[0]


def _group_measures_nl(text: str) -> str:
    """A dwelling's group package (``roof_insulation+cavity_fill``) in Dutch."""
    names = [short_measure_name_nl(m.strip()) for m in str(text or "").split("+") if m.strip()]
    return ", ".join(names)


@functools.cache
def _dimension_of() -> dict[str, str]:
    from wijkreno.renovate.catalogue import load_catalogue

    return {name: m.dimension for name, m in load_catalogue().measures.items()}


def _group_dimensions_nl(text: str) -> str:
    """A group's measure counts (``roof_insulation×3, attic_floor_insulation×2, pv×2``) per
    element in Dutch: ``dak 5, zonnepanelen 2`` (the measures per dwelling are on its sheet)."""
    counts: dict[str, int] = {}
    for item in str(text or "").split(","):
        name, _, count = item.strip().partition("×")
        if not name:
            continue
        dim = _dimension_of().get(name, "")
        counts[dim] = counts.get(dim, 0) + (int(count) if count.isdigit() else 1)
    from wijkreno.twin.renovated import DONE_DIMENSIONS

    return ", ".join(f"{DIMENSION_NL.get(d, d)} {counts[d]}" for d in DONE_DIMENSIONS
                     if d in counts)


def _done_lines(d: pd.Series) -> list[str]:
    """What the register says is done at this dwelling (as-renovated layer), oldest first."""
    from wijkreno.twin.renovated import DONE_DIMENSIONS

    done = []
    for dim in DONE_DIMENSIONS:
        measure, date = _text(d.get(f"done_{dim}_measure")), _text(d.get(f"done_{dim}_date"))
        if not measure:
            continue
        when = date[:4] if len(date) >= 4 else "?"
        done.append((date, f"{short_measure_name_nl(measure)} ({when}, register van de "
                           "gemeente)"))
    return [text for _, text in sorted(done)]


def _conflict_lines(d: pd.Series, conflicts: pd.DataFrame | None) -> list[str]:
    """The register/coach disagreements of this dwelling, in plain Dutch."""
    from wijkreno.twin.renovated import COACH_COLUMNS

    if conflicts is None or conflicts.empty:
        return []
    mine = conflicts[conflicts["dwelling_id"].astype(str) == str(d.get("dwelling_id"))]
    lines = []
    for c in mine.itertuples(index=False):
        column = str(c.column)
        dim = COACH_COLUMNS.get(column, "")
        coach = str(c.new)
        if column == "heating_system":
            coach = HEATING_NL.get(coach, coach)
        measure = measure_name_nl(_text(d.get(f"done_{dim}_measure")) or "?")
        date = _text(d.get(f"done_{dim}_date"))
        lines.append(
            f"{DIMENSION_NL.get(dim, dim).capitalize()}: het renovatieregister vermeldt "
            f"{measure} ({date or 'datum onbekend'}), de coach noteerde "
            f"“{COACH_COLUMN_NL.get(column, column)} {coach}”. Dit blad volgt het register; "
            "laat het register of de coachgegevens verbeteren.")
    return lines


GROUP_NAME_NL: dict[str, str] = {
    "apartment_building": "appartementsgebouw", "block": "blok",
    "street_cluster": "straatcluster",
}
"""First word of a group's readable name (``blok Kerkstraat 1–9``) per group kind."""


def _house_number_key(number: str) -> tuple[int, str]:
    """Sort house numbers by their leading digits (``9`` before ``10``, ``12A`` after ``12``)."""
    digits = number[:len(number) - len(number.lstrip("0123456789"))]
    return (int(digits) if digits else 10**9, number)


def _numbers_nl(numbers: list[str]) -> str:
    """House numbers of one street: ``1``, ``1 en 3``, ``1, 3 en 5`` or the range ``1–9``."""
    nums = sorted(set(numbers), key=_house_number_key)
    if len(nums) <= 3:
        return nums[0] if len(nums) == 1 else ", ".join(nums[:-1]) + " en " + nums[-1]
    return f"{nums[0]}\u2013\u2060{nums[-1]}"  # a word joiner: no line break in the range


def group_names(members: pd.DataFrame | None, dwellings: pd.DataFrame) -> dict[str, str]:
    """A readable name per group from its members' addresses, instead of its internal id:
    ``blok Kerkstraat 1–9``, ``appartementsgebouw Kerkstraat 55``, ``straatcluster Kerkstraat
    2, 4 en 10``. Where some members are not among ``dwellings`` (a sheet of one address),
    the street of those that are: ``blok in de Kerkstraat``.

    Parameters
    ----------
    members : pandas.DataFrame or None
        The groups stage's ``group_members`` (``dwelling_id``, ``group_id``, ``group_kind``).
    dwellings : pandas.DataFrame
        Dwellings with ``dwelling_id``, ``street`` and ``house_number``.

    Returns
    -------
    dict
        ``{group_id: name}`` for the groups with a member among ``dwellings``.
    """
    if members is None or members.empty or "street" not in dwellings.columns:
        return {}
    addr = pd.DataFrame({
        "dwelling_id": dwellings["dwelling_id"].astype(str).to_numpy(),
        "street": [_text(v) for v in dwellings["street"]],
        "number": ([_text(v) for v in dwellings["house_number"]]
                   if "house_number" in dwellings.columns else ""),
    }).drop_duplicates("dwelling_id")
    mem = members.assign(dwelling_id=members["dwelling_id"].astype(str),
                         group_id=members["group_id"].astype(str))
    mem = mem.merge(addr, on="dwelling_id", how="left")
    names = {}
    for gid, part in mem.groupby("group_id", sort=False):
        known = part[part["street"].fillna("") != ""]
        if known.empty:
            continue
        kind = _text(part["group_kind"].iloc[0])
        word = GROUP_NAME_NL.get(kind, GROUP_KIND_SHORT_NL.get(kind, kind))
        streets = list(dict.fromkeys(known["street"]))
        if len(known) < len(part):
            names[gid] = f"{word} in de {' en de '.join(streets)}"
            continue
        names[gid] = word + " " + " en ".join(
            f"{street} {_numbers_nl(known.loc[known['street'] == street, 'number'].tolist())}"
            .strip() for street in streets)
    return names


def _project_cost_items_nl(measures: str) -> list[str]:
    """The project cost items (``collective.toml [project_costs]``: design, permit, coaching)
    that apply to a dwelling's group package, by their Dutch labels."""
    from wijkreno.params.models.collective import load_collective_params
    from wijkreno.renovate.options import ENVELOPE_DIMENSIONS

    names = [m.strip() for m in str(measures or "").split("+") if m.strip()]
    if not names:
        return []
    envelope = any(_dimension_of().get(m, "") in ENVELOPE_DIMENSIONS for m in names)
    items = []
    for item in load_collective_params().project_costs.values():
        applies = (True if item.applies_to == "any" else envelope
                   if item.applies_to == "envelope" else bool(set(item.applies_to) & set(names)))
        if applies:
            items.append(item.label_nl)
    return items


def _collective(d: pd.Series, members: pd.DataFrame | None,
                groups: pd.DataFrame | None,
                names: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The collective offer of this dwelling's group (groups stage), display-ready."""
    if members is None or members.empty:
        return None
    key = str(d.get("dwelling_id"))
    mine = members[members["dwelling_id"].astype(str) == key]
    if mine.empty:
        return None
    m = mine.iloc[0]
    gid = _text(m.get("group_id"))
    kind = _text(m.get("group_kind"))
    if not gid or kind == "single":
        return None
    g = None
    if groups is not None and not groups.empty:
        hit = groups[groups["group_id"].astype(str) == gid]
        g = hit.iloc[0] if len(hit) else None
    size = int(m.get("group_size") or (g["n_dwellings"] if g is not None else 0) or 0)
    n_part = int(g["n_participating"]) if g is not None else None
    participating = bool(m.get("participating", False))
    party_wall = float(m.get("party_wall_saving_eur") or 0.0)
    bases = [b for b in (_text(m.get("basis")) or "standardised").split(";") if b]
    project = float(m.get("project_cost_individual_eur") or 0.0)
    return {
        "group_id": gid,
        # a readable name from the members' addresses, never the internal id
        "name": (names or {}).get(gid) or GROUP_KIND_SHORT_NL.get(kind, kind),
        "kind": GROUP_KIND_NL.get(kind, kind),
        "size": size,
        "n_participating": n_part,
        "participating": participating,
        "collective": bool(m.get("collective", False)),
        "measures": _group_measures_nl(_text(m.get("measures"))),
        "investment_individual": _eur(m.get("investment_individual_eur")),
        "investment_collective": _eur(m.get("investment_collective_eur")),
        # the project costs in the investment (the trajectory has none): 'apart' is more
        # than the trajectory's invoices of the same measures by this much
        "has_project_cost": project > SHOWN_EUR,
        "project_individual": _eur(project),
        "project_collective": _eur(m.get("project_cost_collective_eur")),
        "project_items": ", ".join(_project_cost_items_nl(_text(m.get("measures")))),
        "premium_individual": _eur(m.get("premium_individual_eur")),
        "premium_collective": _eur(m.get("premium_collective_eur")),
        "burenpremie": _eur(m.get("burenpremie_eur")),
        "has_burenpremie": float(m.get("burenpremie_eur") or 0.0) > 0,
        "net_individual": _eur(m.get("net_cost_individual_eur")),
        "net_collective": _eur(m.get("net_cost_collective_eur")),
        "saving_individual": _eur(m.get("saving_individual_eur")),
        "saving_collective": _eur(m.get("saving_collective_eur")),
        # the basis of the savings (the trajectories' money basis, groups stage)
        "basis_nl": basis_summary_label(bases),
        "gain": _eur(m.get("collective_gain_eur")),
        "gain_positive": float(m.get("collective_gain_eur") or 0.0) > SHOWN_EUR,
        "party_wall": _eur(party_wall),
        "has_party_wall": party_wall > SHOWN_EUR,
        "group_investment_individual": _eur(g["investment_individual_eur"]) if g is not None
        else "–",
        "group_investment_collective": _eur(g["investment_collective_eur"]) if g is not None
        else "–",
    }


def _total(frame: pd.DataFrame, column: str) -> float:
    if column not in frame.columns:
        return float("nan")
    return float(pd.to_numeric(frame[column], errors="coerce").sum())


def cover_record(dwellings: pd.DataFrame, summary: pd.DataFrame, members: pd.DataFrame | None,
                 groups: pd.DataFrame | None, title: str) -> dict[str, Any]:
    """The content of a street bundle's cover page: the street, its dwellings and its
    collective renovation groups (dwellings, measures, joint cost, saving, CO2, who gains most).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The dwellings of the bundle (one sheet each).
    summary : pandas.DataFrame
        The trajectories' summary (``dwelling_id``, ``current_epc_label``, ``reached``,
        ``net_cost_eur``, ``saving_eur``).
    members, groups : pandas.DataFrame or None
        The groups stage's tables (``group_members`` and ``groups``); no group table on the
        cover when None.
    title : str
        The bundle's title (the street).
    """
    ids = dwellings["dwelling_id"].astype(str)
    summ = summary[summary["dwelling_id"].astype(str).isin(set(ids))]
    labels = summ["current_epc_label"].astype(str).value_counts()
    label_counts = [{"label": lab, "n": int(labels.get(lab, 0)),
                     "colour": EPC_COLOURS.get(lab, "#ffffff"),
                     "ink": charts.ink_on(EPC_COLOURS.get(lab, "#ffffff"))}
                    for lab in EPC_LABELS if labels.get(lab, 0)]
    address = {k: _address(dwellings.iloc[i]).split(",")[0] for i, k in enumerate(ids)}
    n_done = sum(bool(_done_lines(dwellings.iloc[i])) for i in range(len(dwellings)))
    rows = []
    if members is not None and groups is not None and not members.empty:
        mem = members.assign(did=members["dwelling_id"].astype(str),
                             gain_npv=pd.to_numeric(members["collective_gain_npv_eur"],
                                                    errors="coerce"))
        here = mem[mem["did"].isin(set(ids))]
        names = group_names(members, dwellings)
        first = {k: i for i, k in enumerate(ids)}  # groups in the order of the street
        order = here.assign(pos=here["did"].map(first)).groupby(
            here["group_id"].astype(str))["pos"].min().sort_values(kind="stable")
        # split the tables by group once (not one full-table comparison per group)
        here_by = dict(tuple(here.groupby(here["group_id"].astype(str))))
        mem_by = dict(tuple(mem.groupby(mem["group_id"].astype(str))))
        group_by = {k: v.iloc[0] for k, v in groups.groupby(groups["group_id"].astype(str))}
        for gid in order.index:
            part = here_by[gid]
            kind = _text(part["group_kind"].iloc[0])
            if kind == "single" or gid not in group_by:
                continue
            g = group_by[gid]
            in_group = mem_by[gid]
            best = (in_group[in_group["participating"].astype(bool)]
                    .sort_values(["gain_npv", "did"], ascending=[False, True]))
            best = best[best["did"].isin(set(address))]  # only the bundle's addresses
            winners = [f"{address[r.did]} ({_eur(r.gain_npv)})"
                       for r in best.head(2).itertuples()
                       if np.isfinite(r.gain_npv) and r.gain_npv > 0]
            co2 = float(g.get("saving_co2_flemish_collective_kg_co2", np.nan))
            rows.append({
                "group_id": gid,
                "name": names.get(gid) or GROUP_KIND_SHORT_NL.get(kind, kind),
                "kind": GROUP_KIND_SHORT_NL.get(kind, kind),
                "n_dwellings": int(g["n_dwellings"]),
                "n_here": int(len(part)),
                "n_participating": int(g["n_participating"]),
                "measures": _group_dimensions_nl(_text(g.get("measures"))),
                "investment_individual": _eur(g.get("investment_individual_eur")),
                "investment_collective": _eur(g.get("investment_collective_eur")),
                "net_individual": _eur(g.get("net_cost_individual_eur")),
                "net_collective": _eur(g.get("net_cost_collective_eur")),
                "burenpremie": _eur(g.get("burenpremie_eur")),
                "has_burenpremie": float(g.get("burenpremie_eur") or 0.0) > 0,
                "saving": _eur(g.get("saving_collective_eur")),
                "co2": (charts.format_number(co2 / 1000.0, 1) if np.isfinite(co2) else "–"),
                "winners": winners,
                "basis": _text(g.get("basis")) or "standardised",
            })
    return {
        "title": title,
        "n_dwellings": int(len(dwellings)),
        "label_counts": label_counts,
        "n_reached": int(summ["reached"].astype(bool).sum()) if "reached" in summ else 0,
        "net_cost": _eur(_total(summ, "net_cost_eur")),
        "saving": _eur(_total(summ, "saving_eur")),
        "n_done": n_done,
        "groups": rows,
        # the money basis of the groups' savings (groups stage: the trajectories' basis)
        "groups_basis_nl": basis_summary_label(
            [b for r in rows for b in r["basis"].split(";") if b]),
        "with_groups": members is not None and groups is not None,
    }


def sheet_records(dwellings: pd.DataFrame, steps: pd.DataFrame,
                  summary: pd.DataFrame, *, members: pd.DataFrame | None = None,
                  groups: pd.DataFrame | None = None,
                  conflicts: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """The content of each sheet, one dict per dwelling, in the order of ``dwellings``.

    Parameters
    ----------
    dwellings, steps, summary : pandas.DataFrame
        See :func:`render_address_sheets`.
    members, groups, conflicts : pandas.DataFrame, optional
        See :func:`render_address_sheets`.

    Returns
    -------
    list of dict
        Display-ready values (Dutch, formatted); ``estimated`` lists what is estimated.
    """
    for frame, cols, what in ((dwellings, ("dwelling_id",), "dwellings"),
                              (summary, SUMMARY_COLUMNS, "summary"),
                              (steps, STEP_COLUMNS, "steps")):
        missing = [c for c in cols if c not in frame.columns]
        if missing and not (what == "steps" and frame.empty):
            raise InputError(
                f"the {what} table misses the columns {missing}; it has {list(frame.columns)}. "
                "Give the twin's dwellings and the outputs of 'wijkreno trajectories' "
                "(trajectories.parquet = steps, summary.parquet = summary)."
            )
    ids = dwellings["dwelling_id"].astype(str)
    summ = summary.assign(_id=summary["dwelling_id"].astype(str)).drop_duplicates("_id")
    summ = summ.set_index("_id")
    unknown = sorted(set(ids) - set(summ.index))
    if unknown:
        raise InputError(f"{len(unknown)} dwellings have no trajectory in the summary, e.g. "
                         f"{unknown[:5]}; run 'wijkreno trajectories' on the same dwellings.")
    by_dwelling = ({k: g.sort_values("step") for k, g in
                    steps.groupby(steps["dwelling_id"].astype(str), sort=False)}
                   if len(steps) else {})
    co2 = _current_co2(summ.reset_index(drop=True), steps, dwellings)
    group_label = group_names(members, dwellings)
    records = []
    for pos in range(len(dwellings)):
        d = dwellings.iloc[pos]
        key = ids.iloc[pos]
        s = summ.loc[key]
        st = by_dwelling.get(key, pd.DataFrame(columns=list(STEP_COLUMNS)))
        estimated = []
        year = d.get("construction_year")
        year_txt = charts.format_number(float(year), 0).replace("\u2009", "") if (
            year is not None and pd.notna(year)) else "onbekend"
        if _is_imputed(d, "construction_year"):
            year_txt += " (geschat)"
            estimated.append("bouwjaar")
        typ = TYPOLOGY_NL.get(_text(d.get("typology")), _text(d.get("typology")) or "onbekend")
        if _is_imputed(d, "typology"):
            typ += " (geschat)"
            estimated.append("bouwtype")
        area = d.get("heated_floor_area_m2")
        area_txt = (f"{charts.format_number(float(area), 0)} m²"
                    if area is not None and pd.notna(area) else "onbekend")
        if _is_imputed(d, "heated_floor_area_m2"):
            area_txt += " (geschat)"
            estimated.append("vloeroppervlakte")
        heat = HEATING_NL.get(_text(d.get("heating_system")),
                              _text(d.get("heating_system")) or "onbekend")
        if _is_imputed(d, "heating_system"):
            heat += " (geschat)"
            estimated.append("verwarmingssysteem")
        envelope = [what for col, what in (("u_roof_w_per_m2k", "dak"),
                                           ("u_wall_w_per_m2k", "muren"),
                                           ("u_floor_w_per_m2k", "vloer"),
                                           ("u_window_w_per_m2k", "ramen"))
                    if _is_imputed(d, col)]
        if envelope:
            estimated.append("isolatiepeil van " + ", ".join(envelope))
        cur_label = _text(s.get("current_epc_label"))
        cur_score = float(s.get("current_epc_score_kwh_per_m2", np.nan))
        rows = []
        for r in st.itertuples(index=False):
            planned = getattr(r, "planned_year", None)
            rows.append({
                "step": int(r.step),
                "year": str(int(planned)) if planned is not None and pd.notna(planned) else "",
                # a step a later step replaces (the hybrid on the way to a full heat pump)
                "measure": measure_name_nl(r.measure) + (
                    " (tussenstap)" if bool(getattr(r, "intermediate", False)) else ""),
                "investment": charts.format_number(r.investment_eur, 0),
                # the invoice at the cost level of the planned year, where it differs
                "investment_planned": _planned_invoice(r),
                "premium": charts.format_number(r.premium_eur, 0),
                "net": charts.format_number(r.net_cost_eur, 0),
                "cumulative": charts.format_number(r.cumulative_net_cost_eur, 0),
                "saving": charts.format_number(r.saving_eur, 0),
                "label": _text(r.epc_label),
                "colour": EPC_COLOURS.get(_text(r.epc_label), "#ffffff"),
                "ink": charts.ink_on(EPC_COLOURS.get(_text(r.epc_label), "#ffffff")),
                "score": charts.format_number(r.epc_score_kwh_per_m2, 0),
            })
        scores = [cur_score, *st["epc_score_kwh_per_m2"].astype(float).tolist()]
        labels = [cur_label, *st["epc_label"].astype(str).tolist()]
        names = ["nu", *[f"stap {int(k)}" for k in st["step"]]]
        target_score = float(s.get("target_score_kwh_per_m2", np.nan))
        valid = bool(s.get("valid", True))
        reached = bool(s.get("reached", False))
        target_year = s.get("target_year", np.nan)
        records.append({
            "address": _address(d),
            "dwelling_id": key,
            "adres_id": _text(d.get("adres_id")),
            "typology": typ,
            "construction_year": year_txt,
            "area": area_txt,
            "heating": heat,
            "current_label": cur_label,
            "current_colour": EPC_COLOURS.get(cur_label, "#ffffff"),
            "current_ink": charts.ink_on(EPC_COLOURS.get(cur_label, "#ffffff")),
            "current_score": charts.format_number(cur_score, 0),
            "label_scale": charts.label_scale(cur_label),
            "energy_cost": charts.format_number(float(s.get("current_energy_cost_eur", np.nan)),
                                                0),
            "co2_flemish": charts.format_number(float(co2.loc[key, "co2_flemish_kg_co2"]), 0),
            "co2_com": charts.format_number(float(co2.loc[key, "co2_com_kg_co2"]), 0),
            "steps": rows,
            "totals": {
                "investment": charts.format_number(float(s.get("investment_eur", np.nan)), 0),
                "premium": charts.format_number(float(s.get("premium_eur", np.nan)), 0),
                "net": charts.format_number(float(s.get("net_cost_eur", np.nan)), 0),
                "saving": charts.format_number(float(s.get("saving_eur", np.nan)), 0),
                "price_year": _year_text(s.get("price_year")),
                **_planned_totals(s),
            },
            "chart": jinja2.utils.markupsafe.Markup(
                charts.label_path_svg(scores, labels, names, target_score, height=105)),
            "target_label": _text(s.get("target_label")),
            "fossil_free": bool(s.get("fossil_free", False)) if pd.notna(
                s.get("fossil_free", False)) else False,
            "target_score": charts.format_number(target_score, 0),
            "target_year": (str(int(target_year)) if pd.notna(target_year) else ""),
            "final_label": _text(s.get("final_epc_label")),
            "valid": valid,
            "invalid_reason": _text(s.get("invalid_reason")),
            "reached": reached,
            "explanation": _text(s.get("explanation")),
            "obligation": _obligation_text(s, d, rows),
            # the premium scheme of the price year and the income category assumed
            "premium_scheme": _premium_scheme_text(
                int(s["price_year"]) if pd.notna(s.get("price_year", np.nan)) else None),
            "income_category": _income_text(s, d),
            "calibrated": _text(s.get("basis")) in ("calibrated", "metered"),
            "basis": _text(s.get("basis")) or "standardised",
            "basis_nl": BASIS_NL.get(_text(s.get("basis")) or "standardised",
                                     BASIS_NL["standardised"]),
            "energy_cost_standardised": (
                charts.format_number(float(d.get("energy_cost_eur")), 0)
                if _text(s.get("basis")) not in ("", "standardised")
                and d.get("energy_cost_eur") is not None and pd.notna(d.get("energy_cost_eur"))
                else ""),
            "use_lines": _use_lines(d),
            # the price level of the money figures (price_sets.toml, shown in the note)
            "cost_index": _text(s.get("cost_index")),
            "cost_escalation": (charts.format_number(100 * float(s["cost_escalation_frac"]), 1)
                                + " %" if pd.notna(s.get("cost_escalation_frac", np.nan))
                                else "–"),
            "estimated": estimated,
            "final_heating": HEATING_NL.get(_text(s.get("final_heating_system")),
                                            _text(s.get("final_heating_system"))),
            "done": _done_lines(d),
            "conflicts": _conflict_lines(d, conflicts),
            "collective": _collective(d, members, groups, group_label),
        })
    return records


def _obligation_text(s: pd.Series, d: pd.Series, steps: list[dict[str, Any]]) -> str:
    """The renovation obligation after purchase in one Dutch line ('' without one): its label,
    deadline, the deed year and the step of the trajectory that first meets the label."""
    label = _text(s.get("obligation_label"))
    deadline = s.get("obligation_year")
    if not label or deadline is None or not pd.notna(deadline):
        return ""
    text = f"label {label} tegen {int(deadline)}"
    deed = next((v for v in (d.get("deed_year"), s.get("deed_year"))
                 if v is not None and pd.notna(v)), None)
    if deed is not None:
        text += f" (aankoop {int(deed)})"
    step = s.get("obligation_step")
    if step is not None and pd.notna(step) and int(step) == 0:
        return text + "; de woning haalt dat label nu al"
    if step is None or not pd.notna(step):
        return text + "; het traject haalt dat label niet"
    year = next((r["year"] for r in steps if r["step"] == int(step)), "")
    return text + f"; stap {int(step)}" + (f" ({year})" if year else "") + " haalt dat label"


@functools.cache
def _premium_scheme_text(price_year: int | None) -> str:
    """The Mijn VerbouwPremie scheme of a price year (``price_sets.toml`` premium_date, the
    scheme of ``premiums.toml`` valid then): ``Mijn VerbouwPremie 2026 (regels van
    01-01-2026)``; the scheme's name alone when the price year is unknown or has no set."""
    from wijkreno.params.models.price_sets import load_price_sets
    from wijkreno.params.models.renovation import load_premiums

    sets = load_price_sets()
    if price_year is None or price_year not in sets.years:
        return load_premiums().schemes[0].name
    scheme = load_premiums().scheme(sets.years[price_year].premium_date)
    return f"{scheme.name} (regels van {scheme.valid_from:%d-%m-%Y})"


def _income_text(s: pd.Series, d: pd.Series) -> str:
    """The Mijn VerbouwPremie income category the premiums assume, in Dutch: the plan's
    (summary) or the dwelling's ``income_category``, else renovation.toml's default, said to
    be assumed."""
    from wijkreno.params.models.renovation import load_premiums, load_renovation_params

    labels = load_premiums().income_categories.labels_nl
    known = next((v for v in (s.get("income_category"), d.get("income_category"))
                  if v is not None and pd.notna(v)), None)
    cat = int(known) if known is not None else int(
        load_renovation_params().economics.default_income_category.value)
    name = labels[cat - 1] if 1 <= cat <= len(labels) else "?"
    return (f"inkomenscategorie {cat} ({name})" if known is not None
            else f"inkomenscategorie {cat} ({name}; aangenomen, niet gekend)")


def _year_text(year: Any) -> str:
    return str(int(year)) if year is not None and pd.notna(year) else ""


def _planned_invoice(step: Any) -> str:
    """The step's invoice in its planned year ('' when that is the price year's)."""
    planned = getattr(step, "investment_planned_eur", None)
    if planned is None or not pd.notna(planned) or not np.isfinite(float(planned)):
        return ""
    if abs(float(planned) - float(step.investment_eur)) < SHOWN_EUR:
        return ""
    return charts.format_number(float(planned), 0)


def _planned_totals(s: pd.Series) -> dict[str, str]:
    """Totals of the invoices in their planned years, when a step comes later (else '')."""
    inv = s.get("investment_planned_eur")
    net = s.get("net_cost_planned_eur")
    if inv is None or not pd.notna(inv) or abs(float(inv) - float(
            s.get("investment_eur", np.nan))) < SHOWN_EUR:
        return {"investment_planned": "", "net_planned": ""}
    return {"investment_planned": charts.format_number(float(inv), 0),
            "net_planned": charts.format_number(float(net), 0) if pd.notna(net) else ""}


def render_address_sheets(
    dwellings: pd.DataFrame,
    steps: pd.DataFrame,
    summary: pd.DataFrame,
    out_dir: str | Path,
    *,
    bundle_name: str | None = None,
    members: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """One printable A4 page per dwelling (klimaattafel sheet), all in one HTML and one PDF.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Rows of the twin's ``dwellings`` table (``dwelling_id``, address columns, ``typology``,
        ``construction_year``, ``heated_floor_area_m2``, ``heating_system`` and their
        ``*_source`` companions); one page each, in this order.
    steps : pandas.DataFrame
        Steps of :func:`wijkreno.renovate.trajectories.plan_trajectories` (money [EUR],
        savings per year, scores [kWh m-2 yr-1]).
    summary : pandas.DataFrame
        Summary of the same call; every dwelling must have a row.
    out_dir : str or Path
        Output folder (created).
    bundle_name : str, optional
        Title of the bundle (e.g. the street) and stem of the file names; default
        ``"klimaattafel"``.
    members, groups : pandas.DataFrame, optional
        The groups stage's ``group_members`` and ``groups``
        (:func:`wijkreno.aggregate.collective.collective_costs`): each sheet shows its
        dwelling's group and the collective versus individual cost of the group's measures,
        and a bundle of more than one dwelling opens with a cover page for the street and its
        groups.
    conflicts : pandas.DataFrame, optional
        The trajectories' ``register_conflicts`` (register versus coach); a line on the sheet.

    Dwellings of the as-renovated layer (``done_<dimension>_*`` columns) list what the
    register says is done.

    Returns
    -------
    dict
        ``{"pdf": Path, "html": Path}``.
    """
    from weasyprint import HTML

    if len(dwellings) == 0:
        raise InputError("no dwellings to print; check the street or address selection.")
    records = sheet_records(dwellings, steps, summary, members=members, groups=groups,
                            conflicts=conflicts)
    title = bundle_name or "Klimaattafel"
    cover = (cover_record(dwellings, summary, members, groups, title)
             if len(dwellings) > 1 else None)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("wijkreno.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    css = (Path(__file__).parent / "templates" / "print.css").read_text(encoding="utf-8")
    page = env.get_template("sheet.html.j2").render(
        css=jinja2.utils.markupsafe.Markup(css), title=title, sheets=records, cover=cover,
        made_on=dt.date.today().strftime("%d-%m-%Y"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in
                   (bundle_name or "klimaattafel").strip().lower()) or "klimaattafel"
    html_path, pdf_path = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
    html_path.write_text(page, encoding="utf-8")
    HTML(string=page, base_url=str(out_dir)).write_pdf(pdf_path)
    log.info("klimaattafel sheets %s: %d pages", stem, len(records))
    return {"pdf": pdf_path, "html": html_path}


__all__ = ["GROUP_KIND_NL", "GROUP_NAME_NL", "HEATING_NL", "TYPOLOGY_NL", "cover_record",
           "group_names", "measure_name_nl", "measure_names_nl", "render_address_sheets",
           "sheet_records", "short_measure_name_nl"]
