"""Free-text remarks (the uploads' ``opmerking``) and the duplicate-lookup index.

Uploads carry a remark column per row; revision 0001 had nowhere to keep it. The importer looks
up existing renovations by municipality, address, measure and date for every row; the composite
index keeps that lookup off a full table scan as the register grows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLES = ("renovation", "klimaattafel", "trajectory_delivered", "participative_pv",
           "wvc_milestone")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("note", sa.Text, nullable=True))
    op.create_index("ix_renovation_lookup", "renovation",
                    ["nis_code", "adres_id", "measure", "completed_on"])


def downgrade() -> None:
    op.drop_index("ix_renovation_lookup", table_name="renovation")
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("note")
