"""Alembic revisions of the register, oldest first."""
