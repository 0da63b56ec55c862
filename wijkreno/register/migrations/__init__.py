"""Alembic migrations of the register (run programmatically by ``open_register``)."""
