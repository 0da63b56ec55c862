"""Unique natural keys: the database itself refuses a double import.

Before this revision the "already imported" and duplicate checks were the only guard, and two
imports at the same moment both stored their rows. Every table but the audit log gets
``natural_key`` (sha256 of what makes two rows the same realisation, or for an upload of kind,
municipality and file hash) with a unique constraint.

Rows already stored twice are not deleted (a register keeps what was entered): the oldest keeps
the plain key, each later copy gets a key that names its own id and an ``audit_log`` entry with
action ``duplicate`` that names the row it repeats, so that the municipality can review and
correct them.

The key functions are copied here, frozen, from :mod:`wijkreno.register.transaction` as they
were at this revision: a migration must not change when the application code does.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_KEYS = {
    "renovation": ("renovations", "renovation_id",
                   ("nis_code", "_address", "measure", "completed_on")),
    "klimaattafel": ("klimaattafels", "klimaattafel_id", ("nis_code", "_name", "held_on")),
    "trajectory_delivered": ("trajectories", "trajectory_id",
                             ("nis_code", "_address", "delivered_on")),
    "participative_pv": ("participative_pv", "pv_id",
                         ("nis_code", "_project", "commissioned_on")),
    "wvc_milestone": ("wvc_milestones", "milestone_id", ("nis_code", "_contract", "milestone")),
}


def _row_key(kind: str, cols: tuple[str, ...], record: dict) -> str:
    key: list = []
    for col in cols:
        if col == "_address":
            key.append(record.get("dwelling_id") or record.get("adres_id"))
        elif col.startswith("_"):
            key.append(str(record.get(col[1:]) or "").strip().casefold())
        else:
            value = record.get(col)
            if isinstance(value, str) and col.endswith(("_on",)):
                value = value[:10]  # SQLite returns dates as text in a raw select
            key.append(value.isoformat() if isinstance(value, dt.date) else value)
    payload = json.dumps([kind, *key], ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _upload_key(record: dict) -> str:
    text = f"upload|{record['kind']}|{record['nis_code']}|{record['sha256']}"
    return hashlib.sha256(text.encode()).hexdigest()


def _fill(table: str, pk: str, key_of) -> None:  # noqa: ANN001
    conn = op.get_bind()
    t = sa.table(table, sa.column(pk), sa.column("natural_key"))
    rows = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {pk}")).mappings().all()
    first: dict[str, object] = {}
    audit = sa.table("audit_log", sa.column("who"), sa.column("at"), sa.column("action"),
                     sa.column("table_name"), sa.column("row_key"), sa.column("nis_code"),
                     sa.column("upload_id"), sa.column("old_values", sa.JSON),
                     sa.column("new_values", sa.JSON))
    for row in rows:
        record = dict(row)
        key = key_of(record)
        if key in first:
            conn.execute(audit.insert().values(
                who="migration 0003", at=dt.datetime.now(dt.UTC), action="duplicate",
                table_name=table, row_key=str(record[pk]), nis_code=record.get("nis_code"),
                upload_id=None, old_values=None,
                new_values={"duplicate_of": str(first[key])}))
            key = hashlib.sha256(f"{key}|duplicate|{record[pk]}".encode()).hexdigest()
        else:
            first[key] = record[pk]
        conn.execute(t.update().where(t.c[pk] == record[pk]).values(natural_key=key))


def upgrade() -> None:
    tables = {"upload": ("upload_id", _upload_key)}
    for table, (kind, pk, cols) in _KEYS.items():
        tables[table] = (pk, lambda r, kind=kind, cols=cols: _row_key(kind, cols, r))
    for table, (pk, key_of) in tables.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("natural_key", sa.String(64), nullable=True))
        _fill(table, pk, key_of)
        with op.batch_alter_table(table) as batch:
            batch.alter_column("natural_key", existing_type=sa.String(64), nullable=False)
            batch.create_unique_constraint(f"uq_{table}_natural_key", ["natural_key"])


def downgrade() -> None:
    for table in ("upload", *_KEYS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_natural_key", type_="unique")
            batch.drop_column("natural_key")
