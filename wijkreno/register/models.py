"""Tables of the register of realised renovations (SQLAlchemy 2 declarative).

Portable column types only (``String``, ``Integer``, ``Float``, ``Boolean``, ``Date``,
``DateTime``, ``JSON``), so that the same models run on the embedded SQLite file and on
PostgreSQL. The schema is created and changed only by the Alembic migrations in
``wijkreno/register/migrations``; these models must match the head revision (a test checks it).

Tables
------
``upload``                 one row per imported file (who, when, which file, sha256, counts)
``renovation``             one row per measure realised at one address
``klimaattafel``           one row per klimaattafel (street or block meeting)
``trajectory_delivered``   one row per renovation trajectory handed to a household
``participative_pv``       one row per participative renewable-energy (PV) project
``wvc_milestone``          one row per milestone reached by a wijkverbeteringscontract
``energy_community_access`` one row per energy community opened to the municipality's residents
``charging_point``         one row per charging site put into service (its number of points)
``own_building_year``      one row per year (and building) of the municipality's own buildings'
                           CO2 and primary energy
``audit_log``              one row per inserted or corrected row (who, when, old/new values)

Every table but the audit log carries ``natural_key``, unique (revision 0003): the sha256 of
what makes two rows the same realisation (:mod:`wijkreno.register.transaction`), or for an
upload of (kind, municipality, file hash), so the database itself refuses a double import.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

VERSION_TABLE = "wijkreno_register_version"
"""Alembic's version table (named, so the register can share a PostgreSQL database)."""


class Base(DeclarativeBase):
    """Declarative base of the register tables."""


class Provenance:
    """The last columns of every register table but the upload and the audit log: the upload a
    row came from (None when typed in), who registered it and when, and its natural key."""

    upload_id: Mapped[str | None] = mapped_column(ForeignKey("upload.upload_id"))
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    natural_key: Mapped[str] = mapped_column(String(64))


class Upload(Base):
    """An imported file."""

    __tablename__ = "upload"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_upload_natural_key"),)

    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    n_rows: Mapped[int] = mapped_column(Integer)
    n_accepted: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)
    n_duplicates: Mapped[int] = mapped_column(Integer)
    natural_key: Mapped[str] = mapped_column(String(64))


class Renovation(Provenance, Base):
    """A measure realised at one address."""

    __tablename__ = "renovation"
    __table_args__ = (
        UniqueConstraint("natural_key", name="uq_renovation_natural_key"),
        Index("ix_renovation_lookup", "nis_code", "adres_id", "measure", "completed_on"),
    )

    renovation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    adres_id: Mapped[str | None] = mapped_column(String(64))
    dwelling_id: Mapped[str | None] = mapped_column(String(128))
    measure: Mapped[str] = mapped_column(String(64))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    collective_project: Mapped[str | None] = mapped_column(String(255))
    fossil_free: Mapped[bool] = mapped_column(Boolean)
    premium_eur: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    # revision 0004: works of an apartment building's association of co-owners (VME),
    # registered once for the building; n_units is the housing units it counts for
    gebouw_id: Mapped[str | None] = mapped_column(String(64))
    n_units: Mapped[int | None] = mapped_column(Integer)


class Klimaattafel(Provenance, Base):
    """A klimaattafel: a street or block meeting with residents."""

    __tablename__ = "klimaattafel"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_klimaattafel_natural_key"),)

    klimaattafel_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(255))
    invited_housing_units: Mapped[int] = mapped_column(Integer)
    street: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class TrajectoryDelivered(Provenance, Base):
    """A renovation trajectory handed to the household of one address."""

    __tablename__ = "trajectory_delivered"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_trajectory_delivered_natural_key"),)

    trajectory_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    adres_id: Mapped[str | None] = mapped_column(String(64))
    dwelling_id: Mapped[str | None] = mapped_column(String(128))
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class ParticipativePV(Provenance, Base):
    """A participative renewable-energy project (PV with citizen participation)."""

    __tablename__ = "participative_pv"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_participative_pv_natural_key"),)

    pv_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    project: Mapped[str] = mapped_column(String(255))
    kwp: Mapped[float] = mapped_column(Float)
    commissioned_on: Mapped[dt.date] = mapped_column(Date)
    n_participants: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class WVCMilestone(Provenance, Base):
    """A milestone reached by a wijkverbeteringscontract."""

    __tablename__ = "wvc_milestone"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_wvc_milestone_natural_key"),)

    milestone_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    contract: Mapped[str] = mapped_column(String(255))
    milestone: Mapped[str] = mapped_column(String(64))
    reached_on: Mapped[dt.date] = mapped_column(Date)
    includes_collective_renovation: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)


class EnergyCommunityAccess(Provenance, Base):
    """An energy community opened to the municipality's residents (LEKP 2.1 goal)."""

    __tablename__ = "energy_community_access"
    __table_args__ = (UniqueConstraint("natural_key",
                                       name="uq_energy_community_access_natural_key"),)

    access_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    community: Mapped[str] = mapped_column(String(255))
    access_on: Mapped[dt.date] = mapped_column(Date)
    n_access: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class ChargingPoint(Provenance, Base):
    """A charging site put into service: its number of charging points (LEKP goal)."""

    __tablename__ = "charging_point"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_charging_point_natural_key"),)

    charging_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    location: Mapped[str] = mapped_column(String(255))
    n_points: Mapped[int] = mapped_column(Integer)
    commissioned_on: Mapped[dt.date] = mapped_column(Date)
    publicly_accessible: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)


class OwnBuildingYear(Provenance, Base):
    """One year of the municipality's own buildings: CO2 and primary energy (LEKP goals)."""

    __tablename__ = "own_building_year"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_own_building_year_natural_key"),)

    own_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nis_code: Mapped[str] = mapped_column(String(5), index=True)
    year: Mapped[int] = mapped_column(Integer)
    building: Mapped[str | None] = mapped_column(String(255))
    co2_kg_co2: Mapped[float | None] = mapped_column(Float)
    primary_energy_kwh: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class AuditLog(Base):
    """One inserted or corrected row: who, when, what before and after."""

    __tablename__ = "audit_log"

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    who: Mapped[str] = mapped_column(String(255))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(String(64))
    nis_code: Mapped[str | None] = mapped_column(String(5), index=True)
    upload_id: Mapped[str | None] = mapped_column(String(36))
    old_values: Mapped[dict | None] = mapped_column(JSON)
    new_values: Mapped[dict | None] = mapped_column(JSON)


KIND_MODELS: dict[str, type[Base]] = {
    "renovations": Renovation,
    "klimaattafels": Klimaattafel,
    "trajectories": TrajectoryDelivered,
    "participative_pv": ParticipativePV,
    "wvc_milestones": WVCMilestone,
    "energy_communities": EnergyCommunityAccess,
    "charging_points": ChargingPoint,
    "own_buildings": OwnBuildingYear,
}
"""Register kind → model, in the order of :data:`wijkreno.register.REGISTER_KINDS`."""
