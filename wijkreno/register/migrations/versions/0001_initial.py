"""Initial register: uploads, the five register kinds and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _common() -> list[sa.Column]:
    return [
        sa.Column("upload_id", sa.String(36), sa.ForeignKey("upload.upload_id"), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "upload",
        sa.Column("upload_id", sa.String(36), primary_key=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("n_accepted", sa.Integer, nullable=False),
        sa.Column("n_rejected", sa.Integer, nullable=False),
        sa.Column("n_duplicates", sa.Integer, nullable=False),
    )
    op.create_index("ix_upload_nis_code", "upload", ["nis_code"])
    op.create_index("ix_upload_sha256", "upload", ["sha256"])

    op.create_table(
        "renovation",
        sa.Column("renovation_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("adres_id", sa.String(64), nullable=True),
        sa.Column("dwelling_id", sa.String(128), nullable=True),
        sa.Column("measure", sa.String(64), nullable=False),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.Column("collective_project", sa.String(255), nullable=True),
        sa.Column("fossil_free", sa.Boolean, nullable=False),
        sa.Column("premium_eur", sa.Float, nullable=True),
        *_common(),
    )
    op.create_index("ix_renovation_nis_code", "renovation", ["nis_code"])

    op.create_table(
        "klimaattafel",
        sa.Column("klimaattafel_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("invited_housing_units", sa.Integer, nullable=False),
        sa.Column("street", sa.String(255), nullable=True),
        *_common(),
    )
    op.create_index("ix_klimaattafel_nis_code", "klimaattafel", ["nis_code"])

    op.create_table(
        "trajectory_delivered",
        sa.Column("trajectory_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("adres_id", sa.String(64), nullable=True),
        sa.Column("dwelling_id", sa.String(128), nullable=True),
        sa.Column("delivered_on", sa.Date, nullable=False),
        *_common(),
    )
    op.create_index("ix_trajectory_delivered_nis_code", "trajectory_delivered", ["nis_code"])

    op.create_table(
        "participative_pv",
        sa.Column("pv_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("project", sa.String(255), nullable=False),
        sa.Column("kwp", sa.Float, nullable=False),
        sa.Column("commissioned_on", sa.Date, nullable=False),
        sa.Column("n_participants", sa.Integer, nullable=True),
        *_common(),
    )
    op.create_index("ix_participative_pv_nis_code", "participative_pv", ["nis_code"])

    op.create_table(
        "wvc_milestone",
        sa.Column("milestone_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nis_code", sa.String(5), nullable=False),
        sa.Column("contract", sa.String(255), nullable=False),
        sa.Column("milestone", sa.String(64), nullable=False),
        sa.Column("reached_on", sa.Date, nullable=False),
        sa.Column("includes_collective_renovation", sa.Boolean, nullable=False),
        *_common(),
    )
    op.create_index("ix_wvc_milestone_nis_code", "wvc_milestone", ["nis_code"])

    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("who", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_key", sa.String(64), nullable=False),
        sa.Column("nis_code", sa.String(5), nullable=True),
        sa.Column("upload_id", sa.String(36), nullable=True),
        sa.Column("old_values", sa.JSON, nullable=True),
        sa.Column("new_values", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_nis_code", "audit_log", ["nis_code"])


def downgrade() -> None:
    for table in ("audit_log", "wvc_milestone", "participative_pv", "trajectory_delivered",
                  "klimaattafel", "renovation", "upload"):
        op.drop_table(table)
