"""LEKP figures of one municipality for the web service: targets, indicators, checklist, CSV.

Shared by the LEKP report route (``GET /api/reports/{nis}/lekp.{html,pdf}``) and the officer's
LEKP page (:mod:`api.routes.officer`): the municipality's name and counts come from
:mod:`api.municipal` (Statbel tables of the workspace or an admin's values, never a required
query parameter), the targets from :func:`wijkreno.indicators.municipality_targets` and the
indicators from :func:`wijkreno.indicators.compute_indicators` on the register.

A goal whose scaling base is missing (no inhabitants table and no admin value) keeps no
target: its status is "doel onbekend" and the report is refused with a message that says
where to enter the figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import HTTPException

from api.municipal import COUNT_KEYS, Fact, municipality_facts
from api.workspace import Workspace
from wijkreno.errors import InputError
from wijkreno.indicators.checklist import realised_source_nl
from wijkreno.indicators.checklist import register_checklist as shared_checklist
from wijkreno.register import REGISTER_KINDS, Register
from wijkreno.reports.lekp import counting_rule_nl

COUNT_NAMES_NL = {"inhabitants": "inwoners", "households": "huishoudens",
                  "housing_units": "wooneenheden", "name": "naam"}

STATUS_UNKNOWN_TARGET = "doel onbekend"
STATUS_NO_DATA = "geen gegevens"

PACTPORTAAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nis_code", "NIS-code van de gemeente (5 cijfers)"),
    ("gemeente", "naam van de gemeente"),
    ("pact", "versie van het Lokaal Energie- en Klimaatpact (1.0, 2.0, 2.1)"),
    ("doelstelling_id", "code van de doelstelling in wijkreno (lekp_goals.toml)"),
    ("doelstelling", "doelstelling zoals in het Pactportaal"),
    ("indicator", "wat geteld wordt"),
    ("eenheid", "eenheid van doel en realisatie"),
    ("schaalbasis", "waarmee het doel schaalt: inwoners, huishoudens, wooneenheden, vast of "
                    "eigen gebouwen"),
    ("schaalwaarde", "het aantal inwoners/huishoudens/wooneenheden dat gebruikt is"),
    ("doel", "doel van de gemeente tegen de deadline"),
    ("deadline", "deadline (JJJJ-MM-DD)"),
    ("peildatum", "datum waarop gerealiseerd geteld is (JJJJ-MM-DD)"),
    ("gerealiseerd", "cumulatief gerealiseerd sinds 1 januari 2021 tot de peildatum"),
    ("aandeel_bereikt_pct", "gerealiseerd als percentage van het doel"),
    ("doelpad_peildatum", "waar het lineaire doelpad op de peildatum ligt"),
    ("prognose_deadline", "verwachte realisatie op de deadline bij het huidige tempo"),
    ("status", "behaald, op schema, achter op schema, niet gehaald (deadline voorbij), geen "
               "gegevens of doel onbekend"),
    ("telregel", "hoe een realisatie geteld wordt (renovaties: één renovatie-equivalent per "
                 "maatregel in een collectief project, VVSG)"),
    ("bron_doel", "bron en datum van de doelstelling"),
    ("bron_realisatie", "waar het gerealiseerde vandaan komt"),
)
"""Columns of the Pactportaal CSV export, with their meaning (also in
``docs/officer_pages.md``)."""

SCALING_BASE_NL: dict[str, str] = {
    "inhabitants": "inwoners", "households": "huishoudens", "housing_units": "wooneenheden",
    "fixed": "vast", "own_buildings": "eigen gebouwen",
}
"""The ``schaalbasis`` column in the words its description uses (the goal file's codes)."""



@dataclass
class LekpState:
    """Everything the LEKP page and report show of one municipality."""

    nis_code: str
    facts: dict[str, Fact]
    counts: dict[str, int | None]
    missing: list[str]
    targets: pd.DataFrame
    indicators: pd.DataFrame
    dwellings: pd.DataFrame
    pact: str
    as_of: dt.date

    @property
    def name(self) -> str:
        """The municipality's name (its NIS code when no table names it)."""
        value = self.facts["name"].value
        return str(value) if value else self.nis_code

    def municipality(self) -> dict[str, Any]:
        """The ``municipality`` argument of :func:`wijkreno.reports.render_lekp_report`."""
        return {"nis_code": self.nis_code, "name": self.name, "pact": self.pact,
                **self.counts}

    def missing_for_goals(self) -> list[str]:
        """The missing counts that some goal of the pact scales with."""
        bases = set(self.targets["scaling_base"].astype(str))
        return [k for k in self.missing if k in bases]


def check_nis(nis: str) -> None:
    """400 unless ``nis`` is five digits."""
    if not (len(nis) == 5 and nis.isdigit()):
        raise HTTPException(status_code=400, detail=(
            f"'{nis[:20]}' is geen NIS-code: geef de vijf cijfers van de gemeente (bv. 13002)."))


def municipal_dwellings(ws: Workspace, nis: str) -> pd.DataFrame:
    """The twin's dwellings of ``nis``; 404 (naming the workspace's municipalities) if none."""
    check_nis(nis)
    dwellings = ws.dwellings.iloc[ws.nis_rows.get(nis, [])]
    if dwellings.empty:
        raise HTTPException(status_code=404, detail=(
            f"Gemeente {nis} zit niet in deze werkruimte (wel: "
            f"{', '.join(sorted(ws.nis_codes))})."))
    return dwellings


def lekp_state(ws: Workspace, register: Register, nis: str, *, pact: str = "2.1",
               as_of: dt.date | None = None,
               given: dict[str, int | None] | None = None) -> LekpState:
    """Targets and indicators of ``nis`` with the counts of :mod:`api.municipal`.

    ``given`` (query parameters of scripts) replaces a count for this request only.
    """
    from wijkreno.indicators import compute_indicators, municipality_targets

    dwellings = municipal_dwellings(ws, nis)
    facts = municipality_facts(ws.data_dir, nis, len(dwellings))
    for key, value in (given or {}).items():
        if value is not None:
            facts[key] = Fact(int(value), "given", "meegegeven in de aanvraag", None)
    counts: dict[str, int | None] = {
        k: (int(facts[k].value) if facts[k].value is not None else None) for k in COUNT_KEYS}
    missing = [k for k in COUNT_KEYS if counts[k] is None]
    as_of = as_of or dt.date.today()
    try:
        targets = municipality_targets(nis_code=nis, pact=pact,
                                       **{k: counts[k] or 0 for k in COUNT_KEYS})
        if missing:
            unknown = targets["scaling_base"].isin(missing)
            targets.loc[unknown, "target"] = np.nan
        table = compute_indicators(register, targets, nis_code=nis, as_of=as_of,
                                   dwellings=dwellings)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=f"Indicatoren niet berekend: {exc}") from None
    return LekpState(nis_code=nis, facts=facts, counts=counts, missing=missing,
                     targets=targets, indicators=table, dwellings=dwellings, pact=pact,
                     as_of=as_of)


def _num(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def goal_rows(state: LekpState) -> list[dict[str, Any]]:
    """One summary per goal at ``as_of``: target, realised, share, path, projection, status and
    the yearly series (realised, target path, projection)."""
    out = []
    ind = state.indicators
    for t in state.targets.itertuples(index=False):
        rows = ind[ind["goal_id"] == t.goal_id].sort_values("year")
        past = rows[rows["is_past"].astype(bool)]
        now = past.iloc[-1] if len(past) else rows.iloc[0]
        target = _num(t.target)
        computable = bool(now["computable"])
        realised = _num(now["realised_cumulative"]) if computable else None
        deadline = pd.Timestamp(t.deadline).date()
        if target is None:
            status = STATUS_UNKNOWN_TARGET
        elif realised is None:
            status = STATUS_NO_DATA
        elif realised >= target > 0:
            status = "behaald"
        elif deadline < state.as_of:
            status = "niet gehaald"  # the deadline passed: no schedule left to be behind on
        elif bool(now["on_track"]):
            status = "op schema"
        else:
            status = "achter op schema"
        share = realised / target if realised is not None and target else None
        out.append({
            "goal_id": t.goal_id, "title_nl": t.title_nl,
            "title_en": getattr(t, "title_en", None) or t.title_nl, "indicator": t.indicator,
            "unit": t.unit, "scaling_base": t.scaling_base, "base_value": _num(t.base_value),
            "target": target, "deadline": deadline.isoformat(),
            "realised": realised, "share_achieved_frac": share,
            "target_path_now": _num(now["target_path"]) if target is not None else None,
            "projected_at_deadline": (_num(now["projected_at_deadline"])
                                      if computable and target is not None else None),
            "trend_per_year": _num(now["trend_per_year"]) if computable else None,
            "on_track": bool(now["on_track"]) if computable and target is not None else None,
            "status": status, "computable": computable,
            "register_kind": t.register_kind, "counting_rule": counting_rule_nl(t.counting_rule),
            "source": t.source, "realised_source": realised_source_nl(t.register_kind),
            "series": [{"year": int(r["year"]),
                        "realised": _num(r["realised_cumulative"]),
                        "target_path": _num(r["target_path"]) if target is not None else None,
                        "projected": _num(r["projected_cumulative"])}
                       for _, r in rows.iterrows()],
        })
    return out


def register_checklist(state: LekpState, register: Register, *,
                       year: int | None = None) -> list[dict[str, Any]]:
    """What the register holds for the report, each item ticked when it holds something:
    :func:`wijkreno.indicators.checklist.register_checklist` (the page and the report tick
    the same) with the counts' origins (Statbel or an admin, not an estimate); the goals at
    ``as_of`` or, with ``year``, at the end of that report year."""
    return shared_checklist(register_tables(register, state.nis_code), state.targets,
                            state.indicators, year=year,
                            count_origins={k: state.facts[k].origin for k in COUNT_KEYS})


def register_tables(register: Register, nis: str) -> dict[str, pd.DataFrame]:
    """Every register kind's rows of ``nis``, in :data:`wijkreno.register.REGISTER_KINDS`
    order (what the checklist ticks from)."""
    return {kind: register.read(kind, nis) for kind in REGISTER_KINDS}


def _csv_number(value: float | None, decimals: int = 2) -> str:
    """A number with a decimal comma (Belgian spreadsheets), '' when missing."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def pactportaal_csv(state: LekpState) -> bytes:
    """The Pactportaal export: one row per goal, columns :data:`PACTPORTAAL_COLUMNS`,
    ``;``-separated UTF-8 with BOM (Excel shows the accents), decimal comma."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([c for c, _ in PACTPORTAAL_COLUMNS])
    for g in goal_rows(state):
        share = g["share_achieved_frac"]
        writer.writerow([
            state.nis_code, state.name, state.pact, g["goal_id"], g["title_nl"],
            g["indicator"], g["unit"],
            SCALING_BASE_NL.get(str(g["scaling_base"]), str(g["scaling_base"])),
            _csv_number(g["base_value"], 0),
            _csv_number(g["target"]), g["deadline"], state.as_of.isoformat(),
            _csv_number(g["realised"]), _csv_number(None if share is None else 100 * share, 1),
            _csv_number(g["target_path_now"]), _csv_number(g["projected_at_deadline"]),
            g["status"], g["counting_rule"], g["source"], g["realised_source"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def report_sources(state: LekpState, ws: Workspace, register: Register) -> list[dict[str, str]]:
    """The report's sources: the twin, the register, and each count with its source and date."""
    twin = Path(ws.data_dir) / "twin"
    twin_date = (dt.date.fromtimestamp(twin.stat().st_mtime).isoformat() if twin.exists()
                 else "–")
    ren = register.renovations(state.nis_code)
    last = pd.to_datetime(ren.get("completed_on"), errors="coerce") if len(ren) else None
    sources = [{"name": "Digitale tweeling wijkreno", "date": twin_date,
                "licence": "afgeleid van open data (Digitaal Vlaanderen, Statbel)"},
               {"name": "Gemeentelijk renovatieregister (wijkreno)",
                "date": (last.max().date().isoformat() if last is not None
                         and pd.notna(last.max()) else "–"),
                "licence": "gemeentelijke gegevens"}]
    for key in ("name", *COUNT_KEYS):
        fact = state.facts[key]
        sources.append({"name": f"{COUNT_NAMES_NL[key].capitalize()}: {fact.source}",
                        "date": fact.date or "–",
                        "licence": "Statbel open data" if fact.origin == "statbel" else "–"})
    return sources


__all__ = ["LekpState", "PACTPORTAAL_COLUMNS", "check_nis", "goal_rows", "lekp_state",
           "municipal_dwellings", "pactportaal_csv", "register_checklist", "register_tables",
           "report_sources"]
