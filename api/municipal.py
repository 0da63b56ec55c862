"""The municipality's name and the counts its LEKP targets scale with, found in the workspace.

The LEKP targets scale with the municipality's inhabitants, private households and housing
units (Statbel). The web service never asks for them as query parameters: it takes each figure,
with its source and date, from the first of

1. a value an admin entered on the LEKP page (kept in ``<data_dir>/lekp/municipalities.json``
   with who and when, and written to the register's audit trail by the route);
2. the Statbel tables in the workspace, looked up in the folders the twin was built from (its
   manifest's inputs), ``<data_dir>/statbel/``, ``<data_dir>/sources/`` and ``<data_dir>``:

   - housing units: the gebouwenpark table in long layout (``gebouwenpark.csv`` or
     ``gebouwenpark_2025_long.csv``), statistic T8 summed over R1-R6 — the same rule as
     ``wijkreno indicators --statbel``
     (:func:`wijkreno.io.municipal.housing_units_from_gebouwenpark`);
   - households: ``huishoudens_gemeente.csv`` with ``codebook_refnis.csv``
     (:func:`wijkreno.io.municipal.read_households`);
   - inhabitants: ``inwoners.csv`` or ``inhabitants.csv`` (``nis_code, inhabitants``);
   - the name: the statistical sectors the twin used (``TX_MUNTY_DESCR_NL``), else the REFNIS
     codebook;
3. households and housing units only: the number of dwellings of the municipality in the
   twin, marked as an estimate.

A figure found nowhere is ``missing``: the page says so and offers the admin the form.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io.atomic import write_text_atomic

log = logging.getLogger(__name__)

COUNT_KEYS: tuple[str, ...] = ("inhabitants", "households", "housing_units")
"""The counts the LEKP targets scale with (``scaling_base`` of the goal file)."""
FACT_KEYS: tuple[str, ...] = ("name", *COUNT_KEYS)

OVERRIDES_FILE = Path("lekp") / "municipalities.json"
"""Where admins' values are kept, relative to the workspace folder."""

GEBOUWENPARK_NAMES = ("gebouwenpark.csv", "gebouwenpark_2025_long.csv")
HOUSEHOLD_NAMES = ("huishoudens_gemeente.csv",)
REFNIS_NAMES = ("codebook_refnis.csv",)
INHABITANT_NAMES = ("inwoners.csv", "inhabitants.csv")
SECTOR_NAMES = ("sectoren.gpkg", "sectors.gpkg")

_LOCK = threading.Lock()
_CACHE: dict[tuple[Any, ...], Any] = {}


@dataclass(frozen=True)
class Fact:
    """One figure with where it comes from.

    Attributes
    ----------
    value : int, str or None
        The count (or the name); None when missing.
    origin : str
        ``admin`` (entered on the LEKP page), ``statbel`` (a Statbel table of the workspace),
        ``estimate`` (from the twin) or ``missing``.
    source : str
        The source in Dutch (table and file name, or who entered it).
    date : str or None
        Reference date of the source (ISO), or when the admin entered it.
    """

    value: int | str | None
    origin: str
    source: str
    date: str | None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _cached(key: tuple[Any, ...], make: Any) -> Any:
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    value = make()
    with _LOCK:
        _CACHE[key] = value
    return value


def _file_date(path: Path) -> str:
    return dt.date.fromtimestamp(_mtime(path)).isoformat()


# -- where the tables are ----------------------------------------------------------------------
def _twin_inputs(data_dir: Path) -> dict[str, Path]:
    """The files the twin stage read: label (``gebouwenpark``, ``sectors``...) → path, from its
    manifest's inputs and file options."""
    manifest = data_dir / "twin" / "manifest.json"
    if not manifest.is_file():
        return {}

    def read() -> dict[str, Path]:
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = [(k, e.get("path")) for k, e in (doc.get("inputs") or {}).items()
                   if isinstance(e, dict)]
        entries += [(k, v) for k, v in (doc.get("options") or {}).items() if isinstance(v, str)]
        found: dict[str, Path] = {}
        for label, text in entries:
            if not isinstance(text, str) or not text or label in found:
                continue
            path = Path(text)
            for candidate in (path, data_dir / path, data_dir.parent / path):
                if candidate.is_file():
                    found[label] = candidate.resolve()
                    break
        return found

    return _cached(("twin_inputs", str(manifest), _mtime(manifest)), read)


def _folders(data_dir: Path) -> list[Path]:
    folders = [p.parent for p in _twin_inputs(data_dir).values()]
    folders += [data_dir / "statbel", data_dir / "sources", data_dir]
    out: list[Path] = []
    for f in folders:
        if f.is_dir() and f not in out:
            out.append(f)
    return out


def find_table(data_dir: Path, names: tuple[str, ...], labels: tuple[str, ...] = ()
               ) -> Path | None:
    """The twin's input of one of ``labels``, else the first file named one of ``names`` among
    the twin's input folders and the workspace's Statbel folders (see the module docstring),
    or None."""
    inputs = _twin_inputs(data_dir)
    for label in labels:
        if label in inputs:
            return inputs[label]
    for path in inputs.values():
        if path.name in names:
            return path
    for folder in _folders(data_dir):
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


# -- each figure ---------------------------------------------------------------------------------
def _housing_units(data_dir: Path, nis: str) -> Fact | None:
    from wijkreno.io.municipal import housing_units_from_gebouwenpark
    from wijkreno.io.statbel import read_gebouwenpark

    path = find_table(data_dir, GEBOUWENPARK_NAMES, ("gebouwenpark",))
    if path is None:
        return None

    def read() -> Fact | None:
        try:
            table = read_gebouwenpark(path, nis)
            value = housing_units_from_gebouwenpark(table, nis)
        except InputError as exc:
            log.info("no housing units for %s in %s: %s", nis, path.name, exc)
            return None
        years = pd.to_numeric(table["year"], errors="coerce").dropna()
        date = f"{int(years.max())}-01-01" if len(years) else _file_date(path)
        return Fact(value, "statbel", f"Statbel gebouwenpark, woongelegenheden (T8, R1–R6), "
                                      f"{path.name}", date)

    return _cached(("housing_units", str(path), _mtime(path), nis), read)


def _households(data_dir: Path, nis: str) -> Fact | None:
    from wijkreno.io.municipal import read_households

    path = find_table(data_dir, HOUSEHOLD_NAMES)
    refnis = find_table(data_dir, REFNIS_NAMES)
    if path is None or refnis is None:
        return None

    def read() -> Fact | None:
        try:
            value = read_households(path, nis, refnis=refnis)
        except InputError as exc:
            log.info("no households for %s in %s: %s", nis, path.name, exc)
            return None
        return Fact(value, "statbel", f"Statbel particuliere huishoudens, {path.name}",
                    _file_date(path))

    return _cached(("households", str(path), _mtime(path), str(refnis), nis), read)


def _inhabitants(data_dir: Path, nis: str) -> Fact | None:
    from wijkreno.io.municipal import read_inhabitants

    path = find_table(data_dir, INHABITANT_NAMES)
    if path is None:
        return None

    def read() -> Fact | None:
        try:
            value = read_inhabitants(path, nis)
        except (InputError, ValueError, KeyError) as exc:
            log.info("no inhabitants for %s in %s: %s", nis, path.name, exc)
            return None
        return Fact(value, "statbel", f"Statbel bevolking, {path.name}", _file_date(path))

    return _cached(("inhabitants", str(path), _mtime(path), nis), read)


def _name(data_dir: Path, nis: str) -> Fact | None:
    sectors = find_table(data_dir, SECTOR_NAMES, ("sectors", "boundary"))
    if sectors is not None:
        def read_sectors() -> Fact | None:
            import pyogrio

            try:
                frame = pyogrio.read_dataframe(sectors, read_geometry=False,
                                               columns=["CD_MUNTY_REFNIS", "TX_MUNTY_DESCR_NL"])
            except Exception as exc:  # noqa: BLE001 - another layout: try the next source
                log.info("no municipality names in %s: %s", sectors.name, exc)
                return None
            codes = frame["CD_MUNTY_REFNIS"].astype(str).str.strip().str.zfill(5)
            hit = frame.loc[codes == nis, "TX_MUNTY_DESCR_NL"].dropna()
            if hit.empty:
                return None
            return Fact(str(hit.iloc[0]).strip(), "statbel",
                        f"Statbel statistische sectoren, {sectors.name}", _file_date(sectors))

        fact = _cached(("name_sectors", str(sectors), _mtime(sectors), nis), read_sectors)
        if fact is not None:
            return fact
    refnis = find_table(data_dir, REFNIS_NAMES)
    if refnis is not None:
        def read_refnis_name() -> Fact | None:
            from wijkreno.io.municipal import read_refnis

            try:
                codes = read_refnis(refnis)
            except InputError:
                return None
            hit = codes.loc[codes["nis_code"] == nis, "municipality_name"]
            if hit.empty:
                return None
            # the codebook writes names in capitals: BERLAAR, SINT-GENESIUS-RODE
            return Fact(str(hit.iloc[0]).strip().title(), "statbel",
                        f"Statbel REFNIS-codeboek, {refnis.name}", _file_date(refnis))

        return _cached(("name_refnis", str(refnis), _mtime(refnis), nis), read_refnis_name)
    return None


# -- admins' values ----------------------------------------------------------------------------
def overrides_path(data_dir: Path) -> Path:
    """The file of the values admins entered (``<data_dir>/lekp/municipalities.json``)."""
    return Path(data_dir) / OVERRIDES_FILE


def read_overrides(data_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{nis: {key: {"value", "who", "at"}}}`` of the values admins entered."""
    path = overrides_path(data_dir)
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s); ignoring the entered values", path, exc)
        return {}
    return doc if isinstance(doc, dict) else {}


def save_overrides(data_dir: Path, nis: str, changes: dict[str, Any], who: str
                   ) -> dict[str, dict[str, Any]]:
    """Store an admin's values for ``nis`` (None removes one, back to the tables).

    Returns the old entries of the changed keys (for the audit trail).

    Raises
    ------
    InputError
        An unknown key, a count that is not a whole number from 1 to 10 million, or an empty
        or over-long name.
    """
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in FACT_KEYS:
            raise InputError(f"onbekend gegeven {key!r}; kies uit {', '.join(FACT_KEYS)}.")
        if value is None or (isinstance(value, str) and not value.strip()):
            clean[key] = None
        elif key == "name":
            text = str(value).strip()
            if len(text) > 80:
                raise InputError(f"naam van {len(text)} tekens is te lang (maximum 80).")
            clean[key] = text
        else:
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise InputError(f"{key}: {value!r} is geen geheel getal.") from None
            if isinstance(value, float) and value != number or not 1 <= number <= 10_000_000:
                raise InputError(f"{key}: {value!r} moet een geheel getal van 1 tot 10.000.000 "
                                 "zijn.")
            clean[key] = number
    with _LOCK:
        doc = read_overrides(data_dir)
        entry = doc.setdefault(nis, {})
        old = {k: entry.get(k) for k in clean}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for key, value in clean.items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = {"value": value, "who": who, "at": now}
        path = overrides_path(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
    return old


# -- together ------------------------------------------------------------------------------------
def municipality_facts(data_dir: str | Path, nis: str, n_twin_dwellings: int
                       ) -> dict[str, Fact]:
    """Name, inhabitants, households and housing units of ``nis`` with their sources.

    Parameters
    ----------
    data_dir : str or Path
        The workspace folder.
    nis : str
        NIS5 code.
    n_twin_dwellings : int
        Dwellings of the municipality in the twin (the households' estimate of last resort).

    Returns
    -------
    dict of str → Fact
        Keys :data:`FACT_KEYS`.
    """
    data_dir = Path(data_dir)
    entered = read_overrides(data_dir).get(nis, {})
    found = {"name": _name(data_dir, nis), "inhabitants": _inhabitants(data_dir, nis),
             "households": _households(data_dir, nis),
             "housing_units": _housing_units(data_dir, nis)}
    out: dict[str, Fact] = {}
    for key in FACT_KEYS:
        mine = entered.get(key)
        if isinstance(mine, dict) and mine.get("value") is not None:
            out[key] = Fact(mine["value"], "admin",
                            f"ingegeven door {mine.get('who', '?')} op de LEKP-pagina",
                            str(mine.get("at", ""))[:10] or None)
        elif found[key] is not None:
            out[key] = found[key]
        elif key in ("households", "housing_units") and n_twin_dwellings > 0:
            table = "huishoudtabel" if key == "households" else "gebouwenparktabel"
            out[key] = Fact(int(n_twin_dwellings), "estimate",
                            "schatting: woningen van de gemeente in de digitale tweeling (geen "
                            f"Statbel-{table} in de werkruimte)", None)
        else:
            out[key] = Fact(None, "missing", "ontbreekt: geen tabel in de werkruimte", None)
    return out


def facts_json(facts: dict[str, Fact]) -> dict[str, dict[str, Any]]:
    """The facts as JSON-ready dicts."""
    return {k: asdict(v) for k, v in facts.items()}


def clear_cache() -> None:
    """Forget the tables read (tests)."""
    with _LOCK:
        _CACHE.clear()


__all__ = ["COUNT_KEYS", "FACT_KEYS", "Fact", "clear_cache", "facts_json", "find_table",
           "municipality_facts", "overrides_path", "read_overrides", "save_overrides"]
