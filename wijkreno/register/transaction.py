"""Write transactions of the register that hold under concurrent imports, and natural keys.

Two imports of the same or of overlapping files may run at the same time (a double click in the
web app, two terminals, a cron job beside a person). Every write of the register therefore:

1. runs in one transaction that takes the write lock *before* it reads what is already stored:
   on SQLite ``BEGIN IMMEDIATE`` (the database's single writer lock; a second writer waits up to
   :data:`SQLITE_BUSY_TIMEOUT_S`), on PostgreSQL a transaction-scoped advisory lock per
   (kind, municipality), ``pg_advisory_xact_lock``, released at commit or rollback. Row locks
   (``SELECT … FOR UPDATE``) cannot lock rows that do not exist yet, so an insert-if-absent
   needs this key lock; a correction also locks its row with ``FOR UPDATE``;
2. checks the file hash and the duplicate keys inside that transaction;
3. is backed by unique constraints (``natural_key`` per table, migration 0003), so that even a
   writer that bypasses this module cannot store the same realisation twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_S = 60.0
"""How long an SQLite writer waits for another writer's lock before failing [s]."""

_WRITE_OPTION = "wijkreno_write"

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "renovations": ("nis_code", "_address", "measure", "completed_on"),
    "klimaattafels": ("nis_code", "_name", "held_on"),
    "trajectories": ("nis_code", "_address", "delivered_on"),
    "participative_pv": ("nis_code", "_project", "commissioned_on"),
    "wvc_milestones": ("nis_code", "_contract", "milestone"),
    "energy_communities": ("nis_code", "_community", "access_on"),
    "charging_points": ("nis_code", "_location", "commissioned_on"),
    "own_buildings": ("nis_code", "year", "_building"),
}
"""What makes two rows the same realisation (``_address``: dwelling_id, else adres_id, else
``gebouw:<gebouw_id>`` for works registered for a whole apartment building; ``_name`` etc.:
the text, trimmed and compared case-insensitively)."""


def key_tuple(kind: str, record: Mapping[str, Any]) -> tuple:
    """The natural key of one row of ``kind`` as a tuple of plain values."""
    key: list[Any] = []
    for col in NATURAL_KEYS[kind]:
        if col == "_address":
            # a building row's key differs from every address key (an address row keeps the
            # key it had before buildings existed)
            key.append(record.get("dwelling_id") or record.get("adres_id")
                       or (f"gebouw:{record['gebouw_id']}" if record.get("gebouw_id")
                           else None))
        elif col.startswith("_"):
            key.append(str(record.get(col[1:]) or "").strip().casefold())
        else:
            value = record.get(col)
            key.append(value.isoformat() if isinstance(value, dt.date) else value)
    return tuple(key)


def natural_key(kind: str, record: Mapping[str, Any]) -> str:
    """The stored ``natural_key`` of a row: sha256 (hex) of its key tuple."""
    payload = json.dumps([kind, *key_tuple(kind, record)], ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upload_key(kind: str, nis_code: str, sha256: str) -> str:
    """The ``natural_key`` of an upload: one file per kind and municipality."""
    return hashlib.sha256(f"upload|{kind}|{nis_code}|{sha256}".encode()).hexdigest()


def configure_engine(engine: Engine) -> None:
    """Let :func:`write_transaction` start SQLite transactions with ``BEGIN IMMEDIATE``.

    pysqlite starts transactions lazily and never with IMMEDIATE; SQLAlchemy's documented recipe
    turns that off and emits ``BEGIN`` itself. Reads keep a plain (deferred) ``BEGIN``.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _lock_id(name: str) -> int:
    # a signed 64-bit key for pg_advisory_xact_lock, stable across processes
    value = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return value - (1 << 64) if value >= (1 << 63) else value


@contextmanager
def write_transaction(engine: Engine, *lock_names: str) -> Iterator[Connection]:
    """One write transaction holding the register's write lock for ``lock_names``.

    SQLite: ``BEGIN IMMEDIATE`` (the whole database). PostgreSQL: one advisory transaction lock
    per name, taken in sorted order (no deadlock between two writers). Commits on success,
    rolls back on any exception.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                for name in sorted(set(lock_names)):
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                 {"k": _lock_id(name)})
            yield conn


__all__ = ["NATURAL_KEYS", "SQLITE_BUSY_TIMEOUT_S", "configure_engine", "key_tuple",
           "natural_key", "upload_key", "write_transaction"]
