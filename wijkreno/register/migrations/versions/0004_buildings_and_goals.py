"""Apartment buildings (VME) and the register kinds of the remaining LEKP goals.

- ``renovation.gebouw_id`` and ``renovation.n_units``: works of an apartment building's
  association of co-owners (VME) registered once for the building count for each of its
  ``n_units`` housing units (issue 13). Existing rows keep both empty (one address, one unit).
- ``energy_community_access``, ``charging_point`` and ``own_building_year``: the energy
  community, charging point and own-building goals had no register table, so their indicator
  was never computable.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _common(table: str) -> list[sa.Column | sa.UniqueConstraint]:
    return [
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("upload_id", sa.String(36), sa.ForeignKey("upload.upload_id"), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("natural_key", sa.String(64), nullable=False),
        sa.UniqueConstraint("natural_key", name=f"uq_{table}_natural_key"),
    ]


def upgrade() -> None:
    with op.batch_alter_table("renovation") as batch:
        batch.add_column(sa.Column("gebouw_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("n_units", sa.Integer, nullable=True))
    op.create_table(
        "energy_community_access",
        sa.Column("access_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("community", sa.String(255), nullable=False),
        sa.Column("access_on", sa.Date, nullable=False),
        sa.Column("n_access", sa.Integer, nullable=False),
        *_common("energy_community_access"),
    )
    op.create_index("ix_energy_community_access_nis_code", "energy_community_access",
                    ["nis_code"])
    op.create_table(
        "charging_point",
        sa.Column("charging_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("location", sa.String(255), nullable=False),
        sa.Column("n_points", sa.Integer, nullable=False),
        sa.Column("commissioned_on", sa.Date, nullable=False),
        sa.Column("publicly_accessible", sa.Boolean, nullable=False),
        *_common("charging_point"),
    )
    op.create_index("ix_charging_point_nis_code", "charging_point", ["nis_code"])
    op.create_table(
        "own_building_year",
        sa.Column("own_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("building", sa.String(255), nullable=True),
        sa.Column("co2_kg_co2", sa.Float, nullable=True),
        sa.Column("primary_energy_kwh", sa.Float, nullable=True),
        *_common("own_building_year"),
    )
    op.create_index("ix_own_building_year_nis_code", "own_building_year", ["nis_code"])


def downgrade() -> None:
    for table in ("own_building_year", "charging_point", "energy_community_access"):
        op.drop_index(f"ix_{table}_nis_code", table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("renovation") as batch:
        batch.drop_column("n_units")
        batch.drop_column("gebouw_id")
