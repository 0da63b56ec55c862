"""The register of realised renovations: :func:`open_register` and :class:`Register`.

The register lives in an SQL database reached through an SQLAlchemy URL: an embedded SQLite
file by default, PostgreSQL with ``postgresql+psycopg://user:pass@host/db`` (the ``postgres``
extra). Opening a register runs the Alembic migrations in ``wijkreno/register/migrations`` to
head, so an older file is upgraded in place and a new one is created.

Every write goes through one transaction that also writes the audit trail (who, when, which
upload, the values before and after); a failed write leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, create_engine, insert, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from wijkreno.errors import InputError
from wijkreno.params.models.register_vocabulary import (
    Bounds,
    Term,
    Vocabulary,
    load_vocabulary,
)
from wijkreno.register.models import (
    KIND_MODELS,
    VERSION_TABLE,
    AuditLog,
    Base,
    Upload,
)
from wijkreno.register.transaction import (
    configure_engine,
    key_tuple,
    natural_key,
    write_transaction,
)

log = logging.getLogger(__name__)

REGISTER_KINDS: tuple[str, ...] = (
    "renovations", "klimaattafels", "trajectories", "participative_pv", "wvc_milestones",
    "energy_communities", "charging_points", "own_buildings",
)
"""What the register holds; the ``kind`` argument of :meth:`Register.add` and the uploads."""

DEFAULT_URL = "sqlite:///wijkreno_register.sqlite"
URL_ENV_VAR = "WIJKRENO_REGISTER_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "renovations": ("renovation_id", "nis_code", "adres_id", "dwelling_id", "measure",
                    "completed_on", "collective_project", "fossil_free", "premium_eur", "note",
                    "upload_id", "created_by", "gebouw_id", "n_units"),
    "klimaattafels": ("klimaattafel_id", "nis_code", "held_on", "name",
                      "invited_housing_units", "street", "note", "upload_id", "created_by"),
    "trajectories": ("trajectory_id", "nis_code", "adres_id", "dwelling_id", "delivered_on",
                     "note", "upload_id", "created_by"),
    "participative_pv": ("pv_id", "nis_code", "project", "kwp", "commissioned_on",
                         "n_participants", "note", "upload_id", "created_by"),
    "wvc_milestones": ("milestone_id", "nis_code", "contract", "milestone", "reached_on",
                       "includes_collective_renovation", "note", "upload_id", "created_by"),
    "energy_communities": ("access_id", "nis_code", "community", "access_on", "n_access",
                           "note", "upload_id", "created_by"),
    "charging_points": ("charging_id", "nis_code", "location", "n_points", "commissioned_on",
                        "publicly_accessible", "note", "upload_id", "created_by"),
    "own_buildings": ("own_id", "nis_code", "year", "building", "co2_kg_co2",
                      "primary_energy_kwh", "note", "upload_id", "created_by"),
}
"""Columns of each read, in order; the first is the row id that :meth:`Register.correct` takes."""

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "renovations": ("nis_code", "measure", "completed_on"),
    "klimaattafels": ("nis_code", "held_on", "name", "invited_housing_units"),
    "trajectories": ("nis_code", "delivered_on"),
    "participative_pv": ("nis_code", "project", "kwp", "commissioned_on"),
    "wvc_milestones": ("nis_code", "contract", "milestone", "reached_on"),
    "energy_communities": ("nis_code", "community", "access_on", "n_access"),
    "charging_points": ("nis_code", "location", "n_points", "commissioned_on"),
    "own_buildings": ("nis_code", "year"),
}
"""Columns :meth:`Register.add` needs per kind (renovations also need ``adres_id``,
``dwelling_id`` or ``gebouw_id``, trajectories ``adres_id`` or ``dwelling_id``, own-building
years ``co2_kg_co2`` or ``primary_energy_kwh``)."""

BOOL_DEFAULTS: dict[str, bool] = {"fossil_free": False, "includes_collective_renovation": False,
                                  "publicly_accessible": True}
"""Boolean columns and their value when a row leaves them empty."""

AUDIT_COLUMNS: tuple[str, ...] = ("audit_id", "who", "when", "action", "table", "row_key",
                                  "nis_code", "upload_id", "old_values", "new_values")

_SYSTEM_COLUMNS = ("upload_id", "created_by", "created_at")


# --------------------------------------------------------------------------------------------
# vocabulary

def _normalise(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-_]+", "", text.strip().lower())


def term_lookup(terms: Mapping[str, Term]) -> dict[str, str]:
    """Map every code, Dutch label and alias (normalised) to its code."""
    out: dict[str, str] = {}
    for code, term in terms.items():
        for name in (code, term.label_nl, *term.aliases):
            out[_normalise(name)] = code
    return out


# --------------------------------------------------------------------------------------------
# value parsing shared with the upload


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
_TRUE = {"ja", "j", "1", "true", "waar", "yes", "y", "1.0"}
_FALSE = {"nee", "n", "0", "false", "onwaar", "no", "0.0"}


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):
        return True
    return isinstance(value, str) and not value.strip()


def parse_date(value: Any) -> dt.date:
    """A date from a date, datetime or text (ISO ``2023-05-01`` or Belgian ``1/5/2023``).

    Raises ``ValueError`` with a Dutch message when the value is not a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if " " in text and re.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$", text):
        text = text.split(" ")[0]  # a spreadsheet's date cell read as text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"geen geldige datum (verwacht JJJJ-MM-DD of DD/MM/JJJJ): {value!r}")


def parse_bool(value: Any) -> bool:
    """``ja``/``nee``, ``1``/``0``, ``true``/``false`` (and Python/NumPy booleans)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"geen geldige ja/nee-waarde (verwacht ja, nee, 1 of 0): {value!r}")


def parse_number(value: Any) -> float:
    """A number from a number or text with a decimal comma (``1.234,5``) or point (``12.5``).

    When both ``.`` and ``,`` occur, the last one is the decimal separator and the other groups
    thousands; a lone ``,`` is a decimal comma (Belgian spreadsheets); a lone ``.`` is a decimal
    point (``2.000`` reads as 2, write ``2000`` or ``2.000,00``); several ``.`` group thousands.
    """
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"geen getal: {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        text = re.sub(r"[\s€\u00a0]", "", str(value)).replace("EUR", "")
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif "," in text:
            text = text.replace(",", ".")
        elif text.count(".") > 1:  # 1.234.567: several dots can only group thousands
            text = text.replace(".", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"geen geldig getal: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"geen eindig getal: {value!r}")
    return number


def _parse_int(value: Any) -> int:
    number = parse_number(value)
    if number != int(number):
        raise ValueError(f"geen geheel getal: {value!r}")
    return int(number)


def _jsonable(value: Any) -> Any:
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# --------------------------------------------------------------------------------------------
# row validation


def _column_types(kind: str) -> dict[str, Any]:
    table = KIND_MODELS[kind].__table__
    return {c.name: c.type for c in table.columns}


def coerce_record(kind: str, record: Mapping[str, Any],
                  vocabulary: Vocabulary | None = None,
                  date_range: tuple[dt.date, dt.date] | None = None) -> dict[str, Any]:
    """Check and convert one row of ``kind`` (English column names) to storable values.

    The same rules as an upload's: types, known measures and milestones, dates within
    ``date_range`` (default the vocabulary's, 2021-01-01 to today), numbers and texts within
    the vocabulary's plausibility bounds.

    Raises
    ------
    InputError
        Listing every problem of the row (missing value, unknown measure, negative number...).
    """
    vocabulary = vocabulary or load_vocabulary()
    earliest, latest = date_range or (vocabulary.dates.earliest, vocabulary.latest_date())
    bounds = vocabulary.bounds
    types = _column_types(kind)
    data_columns = [c for c in KIND_COLUMNS[kind][1:] if c not in _SYSTEM_COLUMNS]
    out: dict[str, Any] = {}
    problems: list[str] = []
    for col in data_columns:
        value = record.get(col)
        if _is_blank(value):
            out[col] = BOOL_DEFAULTS.get(col)
            if col in REQUIRED_COLUMNS[kind]:
                problems.append(f"{col} is empty")
            continue
        ctype = types[col]
        try:
            if isinstance(ctype, Date):
                out[col] = parse_date(value)
                if not earliest <= out[col] <= latest:
                    problems.append(f"{col} {out[col]} lies outside {earliest} … {latest}")
            elif isinstance(ctype, Boolean):
                out[col] = parse_bool(value)
            elif isinstance(ctype, Integer):
                out[col] = _parse_int(value)
            elif isinstance(ctype, Float):
                out[col] = parse_number(value)
            else:
                out[col] = str(value).strip()
                longest = min(bounds.max_chars(col), getattr(ctype, "length", None) or 10**9)
                if len(out[col]) > longest:
                    problems.append(f"{col} is {len(out[col]):,} characters long (at most "
                                    f"{longest:,})")
        except ValueError as exc:
            problems.append(f"{col}: {exc}")
            out[col] = None
    nis = out.get("nis_code")
    if nis is not None and not re.fullmatch(r"\d{5}", nis):
        problems.append(f"nis_code {nis!r} is not a NIS5 code (5 digits, e.g. '13002')")
    if kind == "trajectories" and out.get("adres_id") is None \
            and out.get("dwelling_id") is None:
        problems.append("adres_id and dwelling_id are both empty; give at least one")
    if kind == "renovations":
        if out.get("adres_id") is None and out.get("dwelling_id") is None \
                and out.get("gebouw_id") is None:
            problems.append("adres_id, dwelling_id and gebouw_id are all empty; give the "
                            "address, or the building for works of a VME")
        if out.get("n_units") is not None and out["n_units"] < 1:
            problems.append(f"n_units must be at least 1, got {out['n_units']}")
        if out.get("n_units") is not None and out["n_units"] > 1 \
                and out.get("gebouw_id") is None:
            problems.append("n_units above 1 needs the gebouw_id of the apartment building")
    if kind == "own_buildings":
        if out.get("co2_kg_co2") is None and out.get("primary_energy_kwh") is None:
            problems.append("co2_kg_co2 and primary_energy_kwh are both empty; give at least "
                            "one")
        year = out.get("year")
        if year is not None and not vocabulary.dates.earliest_own_buildings_year <= year \
                <= latest.year:
            problems.append(f"year {year} lies outside "
                            f"{vocabulary.dates.earliest_own_buildings_year} … {latest.year}")
    if kind == "renovations" and out.get("measure") is not None \
            and out["measure"] not in vocabulary.measures:
        problems.append(f"measure {out['measure']!r} is not one of "
                        f"{sorted(vocabulary.measures)}")
    if kind == "wvc_milestones" and out.get("milestone") is not None \
            and out["milestone"] not in vocabulary.milestones:
        problems.append(f"milestone {out['milestone']!r} is not one of "
                        f"{sorted(vocabulary.milestones)}")
    for col in ("premium_eur", "kwp", "invited_housing_units", "n_participants", "n_access",
                "n_points", "co2_kg_co2", "primary_energy_kwh", "n_units"):
        if col in out and out[col] is not None and out[col] < 0:
            problems.append(f"{col} is negative ({out[col]})")
        upper = bounds.upper(col)
        if col in out and out[col] is not None and upper is not None and out[col] > upper:
            problems.append(f"{col} {out[col]:,} is above the plausible maximum {upper:,} "
                            "(register_vocabulary.toml [bounds])")
    if problems:
        raise InputError(f"{kind} row not valid: " + "; ".join(problems))
    return out


# --------------------------------------------------------------------------------------------
# the register


def migrate_register(engine: Engine, revision: str = "head") -> None:
    """Run the register's Alembic migrations up to ``revision`` in one transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # under the write lock: two processes opening a new register at once migrate one by one
    with write_transaction(engine, "migrate") as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InputError(
            f"cannot use the register URL {url!r}: {exc}. Give an SQLAlchemy URL such as "
            "'sqlite:///register.sqlite' or 'postgresql+psycopg://user:pass@host/db' (install "
            "the 'postgres' extra for PostgreSQL)."
        ) from None
    configure_engine(engine)
    return engine


def open_register(url: str | None = None, *, create: bool = True) -> Register:
    """Open (and create or upgrade) the register at an SQLAlchemy URL.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL. Default: the ``WIJKRENO_REGISTER_URL`` environment variable, else
        ``sqlite:///wijkreno_register.sqlite`` (a file in the working directory).
    create : bool
        When False, refuse to create a register that does not exist yet (an existing one is
        still upgraded to the current schema).

    Returns
    -------
    Register

    Raises
    ------
    InputError
        When the URL cannot be used, or ``create=False`` and there is no register there.
    """
    url = url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL
    engine = _make_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            if not create and not path.exists():
                engine.dispose()
                raise InputError(f"no register at {url!r} (file {path} does not exist); "
                                 "check the URL or open it with create=True.")
            if not path.parent.exists():
                engine.dispose()
                raise InputError(f"the folder of the register file {path} does not exist; "
                                 "create it or give another URL.")
    if not create:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                engine.dispose()
                raise InputError(f"{url!r} holds no wijkreno register (no {VERSION_TABLE} "
                                 "table); check the URL or open it with create=True.")
    migrate_register(engine)
    return Register(engine)


def _check_kind(kind: str) -> str:
    if kind not in REGISTER_KINDS:
        raise InputError(f"unknown register kind {kind!r}; use one of {list(REGISTER_KINDS)}.")
    return kind


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Register:
    """A register of realised renovations in an SQL database.

    Open one with :func:`open_register`. Reads return new DataFrames (dates as
    :class:`datetime.date`, missing text as None, missing numbers as NaN); writes are one
    transaction each, audit trail included.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        Engine of a database already migrated to head.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.vocabulary = load_vocabulary()

    def __repr__(self) -> str:
        return f"Register({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def revision(self) -> str | None:
        """Alembic revision the database is at."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            return ctx.get_current_revision()

    # ---------------------------------------------------------------- reads

    def _read(self, kind: str, nis_code: str | None) -> pd.DataFrame:
        model = KIND_MODELS[kind]
        table = model.__table__
        cols = KIND_COLUMNS[kind]
        stmt = select(*[table.c[c] for c in cols]).order_by(table.c[cols[0]])
        if nis_code is not None:
            stmt = stmt.where(table.c.nis_code == str(nis_code))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        # column by column with object dtype first: pandas 3 would infer its "str" dtype and
        # turn None into NaN
        values = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
        frame = pd.DataFrame({c: pd.Series(list(v), dtype=object)
                              for c, v in zip(cols, values, strict=True)})
        types = _column_types(kind)
        for col in cols:
            ctype = types[col]
            if isinstance(ctype, Boolean):
                frame[col] = frame[col].astype(bool)
            elif isinstance(ctype, Float):
                frame[col] = pd.to_numeric(frame[col]).astype("float64")
            elif isinstance(ctype, Integer):
                if col == cols[0] or not table.c[col].nullable:
                    frame[col] = frame[col].astype("int64")
                else:
                    frame[col] = frame[col].astype("Int64")
        return frame

    def renovations(self, nis_code: str | None = None) -> pd.DataFrame:
        """Realised measures, one row per measure and address.

        Returns
        -------
        pandas.DataFrame
            ``renovation_id`` (int), ``nis_code``, ``adres_id``, ``dwelling_id``, ``measure``
            (catalogue name or ``heat_pump_boiler``), ``completed_on`` (date),
            ``collective_project`` (str or None), ``fossil_free`` (bool), ``premium_eur``
            (float, NaN when unknown) [EUR], ``note``, ``upload_id``, ``created_by``.
        """
        return self._read("renovations", nis_code)

    def klimaattafels(self, nis_code: str | None = None) -> pd.DataFrame:
        """Klimaattafels: ``klimaattafel_id``, ``nis_code``, ``held_on`` (date), ``name``,
        ``invited_housing_units`` (int), ``street`` (or None), ``note``, ``upload_id``,
        ``created_by``."""
        return self._read("klimaattafels", nis_code)

    def trajectories_delivered(self, nis_code: str | None = None) -> pd.DataFrame:
        """Renovation trajectories handed to households: ``trajectory_id``, ``nis_code``,
        ``adres_id``, ``dwelling_id``, ``delivered_on`` (date), ``note``, ``upload_id``,
        ``created_by``."""
        return self._read("trajectories", nis_code)

    def participative_pv(self, nis_code: str | None = None) -> pd.DataFrame:
        """Participative PV projects: ``pv_id``, ``nis_code``, ``project``, ``kwp`` [kWp],
        ``commissioned_on`` (date), ``n_participants`` (Int64, NA when unknown), ``note``,
        ``upload_id``, ``created_by``."""
        return self._read("participative_pv", nis_code)

    def wvc_milestones(self, nis_code: str | None = None) -> pd.DataFrame:
        """Wijkverbeteringscontract milestones: ``milestone_id``, ``nis_code``, ``contract``,
        ``milestone`` (approved, signed, collective_renovation_started, completed),
        ``reached_on`` (date), ``includes_collective_renovation`` (bool), ``note``,
        ``upload_id``, ``created_by``."""
        return self._read("wvc_milestones", nis_code)

    def energy_communities(self, nis_code: str | None = None) -> pd.DataFrame:
        """Energy communities opened to residents: ``access_id``, ``nis_code``,
        ``community``, ``access_on`` (date), ``n_access`` (int: households or inhabitants
        given access), ``note``, ``upload_id``, ``created_by``."""
        return self._read("energy_communities", nis_code)

    def charging_points(self, nis_code: str | None = None) -> pd.DataFrame:
        """Charging sites: ``charging_id``, ``nis_code``, ``location``, ``n_points`` (int),
        ``commissioned_on`` (date), ``publicly_accessible`` (bool), ``note``, ``upload_id``,
        ``created_by``."""
        return self._read("charging_points", nis_code)

    def own_buildings(self, nis_code: str | None = None) -> pd.DataFrame:
        """The municipality's own buildings per year: ``own_id``, ``nis_code``, ``year``
        (int), ``building`` (None for the whole patrimony), ``co2_kg_co2`` [kg CO2 a-1],
        ``primary_energy_kwh`` [kWh a-1] (NaN when not given), ``note``, ``upload_id``,
        ``created_by``."""
        return self._read("own_buildings", nis_code)

    def read(self, kind: str, nis_code: str | None = None) -> pd.DataFrame:
        """The read of one register kind by name (``renovations``, ``trajectories``...)."""
        return self._read(_check_kind(kind), nis_code)

    def audit(self, nis_code: str | None = None) -> pd.DataFrame:
        """The audit trail, oldest first.

        Returns
        -------
        pandas.DataFrame
            ``audit_id``, ``who``, ``when`` (UTC datetime), ``action`` (insert, update),
            ``table``, ``row_key`` (the row id as text), ``nis_code``, ``upload_id``,
            ``old_values`` and ``new_values`` (JSON text, None when absent).
        """
        t = AuditLog.__table__
        stmt = select(t.c.audit_id, t.c.who, t.c.at, t.c.action, t.c.table_name, t.c.row_key,
                      t.c.nis_code, t.c.upload_id, t.c.old_values, t.c.new_values
                      ).order_by(t.c.audit_id)
        if nis_code is not None:
            stmt = stmt.where(t.c.nis_code == str(nis_code))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(AUDIT_COLUMNS)
        data = dict(zip(AUDIT_COLUMNS, values, strict=True))
        for col in ("old_values", "new_values"):
            data[col] = [None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
                         for v in data[col]]
        frame = pd.DataFrame({c: pd.Series(list(v), dtype=object) for c, v in data.items()})
        frame["audit_id"] = frame["audit_id"].astype("int64")
        frame["when"] = pd.to_datetime(frame["when"])
        return frame

    def uploads(self, nis_code: str | None = None) -> pd.DataFrame:
        """Imported files: ``upload_id``, ``nis_code``, ``kind``, ``file_name``, ``sha256``,
        ``user_name``, ``uploaded_at``, ``n_rows``, ``n_accepted``, ``n_rejected``,
        ``n_duplicates``."""
        t = Upload.__table__
        stmt = select(t).order_by(t.c.uploaded_at)
        if nis_code is not None:
            stmt = stmt.where(t.c.nis_code == str(nis_code))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in t.columns])

    # ---------------------------------------------------------------- writes

    def add(self, kind: str, rows: pd.DataFrame, *, user: str,
            upload_id: str | None = None) -> list[int]:
        """Add rows of one kind, with an audit entry per row, in one transaction.

        Parameters
        ----------
        kind : str
            One of :data:`REGISTER_KINDS`.
        rows : pandas.DataFrame
            English column names as the reads return them, without the row id and system
            columns; must include ``nis_code`` and the columns of :data:`REQUIRED_COLUMNS`.
            Measures and milestones are codes (``roof_insulation``, ``signed``).
        user : str
            Who adds the rows (kept in ``created_by`` and the audit trail).
        upload_id : str or None
            The upload the rows come from, when they come from one.

        Returns
        -------
        list of int
            The new row ids, in the order of ``rows``.

        Raises
        ------
        InputError
            On an unknown kind, unknown columns or any invalid row (nothing is written).
        """
        records = self.validate_rows(kind, rows)
        with write_transaction(self.engine, *lock_names(kind, records)) as conn:
            return self._insert(conn, kind, records, user=user, upload_id=upload_id)

    def validate_rows(self, kind: str, rows: pd.DataFrame) -> list[dict[str, Any]]:
        """Check rows for :meth:`add`; return them as storable records or raise InputError."""
        _check_kind(kind)
        if not isinstance(rows, pd.DataFrame):
            raise InputError(f"rows must be a pandas DataFrame, got {type(rows).__name__}.")
        allowed = [c for c in KIND_COLUMNS[kind][1:] if c not in _SYSTEM_COLUMNS]
        unknown = [c for c in rows.columns if c not in allowed]
        if unknown:
            raise InputError(f"unknown {kind} columns {unknown}; allowed are {allowed}.")
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in rows.columns]
        if missing:
            raise InputError(f"{kind} rows lack the columns {missing}; they need "
                             f"{list(REQUIRED_COLUMNS[kind])}.")
        records, problems = [], []
        for pos, record in enumerate(rows.to_dict("records")):
            try:
                records.append(coerce_record(kind, record, self.vocabulary))
            except InputError as exc:
                problems.append(f"row {pos}: {exc}")
        if problems:
            raise InputError(f"{len(problems)} of {len(rows)} {kind} rows are not valid, nothing "
                             "was added:\n- " + "\n- ".join(problems[:20]))
        return records

    def _insert(self, conn: Connection, kind: str, records: list[dict[str, Any]], *,
                user: str, upload_id: str | None) -> list[int]:
        if not records:
            return []
        if not user or not str(user).strip():
            raise InputError("user is empty; say who adds the rows (a name or e-mail).")
        table = KIND_MODELS[kind].__table__
        pk = table.c[KIND_COLUMNS[kind][0]]
        now = _now()
        keys = [natural_key(kind, r) for r in records]
        self._refuse_duplicates(conn, kind, records, keys)
        # one set of keys for all rows: an executemany insert takes its columns from the first
        # row, so a column only some rows fill (gebouw_id of a VME row) would be dropped
        columns = {c for r in records for c in r}
        values = [{**dict.fromkeys(columns), **r, "upload_id": upload_id, "created_by": user,
                   "created_at": now, "natural_key": k}
                  for r, k in zip(records, keys, strict=True)]
        result = conn.execute(insert(table).returning(pk, sort_by_parameter_order=True), values)
        ids = [int(r[0]) for r in result.all()]
        audit = [
            {"who": user, "at": now, "action": "insert", "table_name": table.name,
             "row_key": str(i), "nis_code": r.get("nis_code"), "upload_id": upload_id,
             "old_values": None,
             "new_values": {k: _jsonable(v) for k, v in r.items()}}
            for i, r in zip(ids, records, strict=True)
        ]
        conn.execute(insert(AuditLog.__table__), audit)
        return ids

    def _refuse_duplicates(self, conn: Connection, kind: str, records: list[dict[str, Any]],
                           keys: list[str], *, except_id: int | None = None) -> None:
        """InputError when a record repeats another one or a row already stored (same natural
        key); called inside the write transaction, so the answer holds until commit."""
        seen: dict[str, int] = {}
        problems = []
        for pos, key in enumerate(keys):
            if key in seen:
                problems.append(f"row {pos} repeats row {seen[key]} "
                                f"{key_tuple(kind, records[pos])}")
            seen[key] = pos
        table = KIND_MODELS[kind].__table__
        pk = table.c[KIND_COLUMNS[kind][0]]
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            stmt = select(pk, table.c.natural_key).where(table.c.natural_key.in_(chunk))
            for row_id, key in conn.execute(stmt).all():
                if row_id != except_id:
                    pos = keys.index(key)
                    problems.append(f"row {pos} {key_tuple(kind, records[pos])} is already "
                                    f"in the register as {kind} {row_id}")
        if problems:
            raise InputError(f"{len(problems)} {kind} rows would be stored twice, nothing was "
                             "written:\n- " + "\n- ".join(problems[:20]))

    def correct(self, kind: str, row_id: int, changes: Mapping[str, Any], *, user: str,
                dwellings: pd.DataFrame | None = None,
                date_range: tuple[dt.date, dt.date] | None = None) -> None:
        """Change one row's values; the audit trail keeps the old and new values.

        The corrected row passes the same checks as an imported one: types, vocabulary, dates
        in range, plausibility bounds, no duplicate of another row and, when ``dwellings`` is
        given, an address that exists in the twin and lies in the row's municipality.

        Parameters
        ----------
        kind : str
            One of :data:`REGISTER_KINDS`.
        row_id : int
            The row's id (first column of the kind's read).
        changes : mapping
            Column → new value (text is parsed as in an upload: ``ja``/``nee``, decimal comma,
            ``2023-05-01``). Ids and the upload/creator columns cannot be changed.
        user : str
            Who corrects.
        dwellings : pandas.DataFrame or None
            The twin's dwellings (``dwelling_id``, ``adres_id``, ``nis_code``); a changed
            address must be one of them (its ``dwelling_id`` is filled in). None skips the
            address check, as the import does.
        date_range : (date, date) or None
            Accepted dates, inclusive; default the vocabulary's (2021-01-01 to today).

        Raises
        ------
        InputError
            Unknown kind, row or column, or a value that makes the row invalid.
        """
        _check_kind(kind)
        if not user or not str(user).strip():
            raise InputError("user is empty; say who corrects the row (a name or e-mail).")
        allowed = [c for c in KIND_COLUMNS[kind][1:] if c not in _SYSTEM_COLUMNS]
        bad = [c for c in changes if c not in allowed]
        if bad:
            raise InputError(f"cannot change {bad} of {kind}; changeable columns are {allowed}.")
        if not changes:
            raise InputError("no changes given; pass at least one column=value.")
        table = KIND_MODELS[kind].__table__
        pk = table.c[KIND_COLUMNS[kind][0]]
        try:
            key = int(row_id)
        except (TypeError, ValueError):
            raise InputError(f"row id {row_id!r} is not an integer.") from None
        changes = dict(changes)
        with self.engine.connect() as conn:
            stored = conn.execute(select(table.c.nis_code).where(pk == key)).first()
        if stored is None:
            raise InputError(f"there is no {kind} row with id {key}; list them with "
                             f"`wijkreno register list {kind}`.")
        with write_transaction(self.engine, f"{kind}|{stored[0]}",
                               f"{kind}|{changes.get('nis_code', stored[0])}") as conn:
            # row lock on PostgreSQL (SQLite holds the database lock already)
            row = conn.execute(select(*[table.c[c] for c in allowed]).where(pk == key)
                               .with_for_update()).mappings().first()
            if row is None:
                raise InputError(f"there is no {kind} row with id {key}; it was removed.")
            old = dict(row)
            if dwellings is not None and ({"adres_id", "dwelling_id"} & set(changes)):
                changes.update(_twin_address(changes, dwellings,
                                             changes.get("nis_code", old["nis_code"])))
            elif "adres_id" in changes and "dwelling_id" in old \
                    and "dwelling_id" not in changes:
                changes["dwelling_id"] = None  # the old twin match belongs to the old address
            merged = coerce_record(kind, {**old, **changes}, self.vocabulary, date_range)
            new = {c: merged[c] for c in changes}
            nk = natural_key(kind, merged)
            self._refuse_duplicates(conn, kind, [merged], [nk], except_id=key)
            conn.execute(table.update().where(pk == key).values(**new, natural_key=nk))
            conn.execute(insert(AuditLog.__table__), [{
                "who": user, "at": _now(), "action": "update", "table_name": table.name,
                "row_key": str(key), "nis_code": merged.get("nis_code"), "upload_id": None,
                "old_values": {c: _jsonable(old[c]) for c in changes},
                "new_values": {c: _jsonable(v) for c, v in new.items()},
            }])


def lock_names(kind: str, records: list[dict[str, Any]]) -> list[str]:
    """Names of the write locks a write of ``records`` takes: one per (kind, municipality)."""
    return sorted({f"{kind}|{r.get('nis_code')}" for r in records}) or [kind]


def _twin_address(changes: Mapping[str, Any], dwellings: pd.DataFrame,
                  nis_code: str) -> dict[str, Any]:
    """The adres_id and dwelling_id of a corrected address, checked against the twin."""
    key = changes.get("adres_id") or changes.get("dwelling_id")
    if _is_blank(key):
        return {}
    key = str(key).strip()
    hits = dwellings.iloc[0:0]
    if "adres_id" in dwellings.columns:  # an adres_id wins over a dwelling_id spelled the same
        hits = dwellings.loc[dwellings["adres_id"].astype(str) == key]
    if hits.empty:
        hits = dwellings.loc[dwellings["dwelling_id"].astype(str) == key]
    if hits.empty:
        raise InputError(f"address {key!r} does not exist in the twin; give an adres_id of "
                         "the municipality's dwellings.")
    hit = hits.iloc[0]
    hit_nis = hit.get("nis_code")
    if not _is_blank(hit_nis) and str(hit_nis) != str(nis_code):
        raise InputError(f"address {key!r} lies in municipality {hit_nis}, not in {nis_code}.")
    adres = hit.get("adres_id")
    return {"adres_id": None if _is_blank(adres) else str(adres),
            "dwelling_id": str(hit["dwelling_id"])}


def new_upload_id() -> str:
    """A fresh upload id (UUID4 text)."""
    return str(uuid.uuid4())


__all__ = [
    "AUDIT_COLUMNS", "Base", "DEFAULT_URL", "KIND_COLUMNS", "REGISTER_KINDS",
    "REQUIRED_COLUMNS", "Bounds", "Register", "Vocabulary", "coerce_record", "load_vocabulary",
    "migrate_register", "new_upload_id", "open_register", "parse_bool", "parse_date",
    "parse_number", "term_lookup",
]
