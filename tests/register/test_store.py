"""The register store: migrations, reads, add, correct and the audit trail (SQLite in tmp and
PostgreSQL in the session's throw-away cluster)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, inspect, text

from wijkreno.errors import InputError
from wijkreno.register import REGISTER_KINDS, open_register
from wijkreno.register.models import VERSION_TABLE, Base
from wijkreno.register.store import (
    KIND_COLUMNS,
    load_vocabulary,
    migrate_register,
    parse_bool,
    parse_date,
    parse_number,
)
from wijkreno.renovate.catalogue import load_catalogue


@pytest.fixture
def url(register_url):
    """An empty register database, SQLite and PostgreSQL (tests/conftest.py)."""
    return register_url


@pytest.fixture
def reg(url):
    with open_register(url) as r:
        yield r


def _renovations(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame({
        "nis_code": ["99001"] * n,
        "adres_id": [f"A{i}" for i in range(n)],
        "measure": ["roof_insulation", "heat_pump_boiler"][:n],
        "completed_on": [dt.date(2023, 5, 1), "2024-02-29"][:n],
        "collective_project": ["Burenpremie Dorpsstraat", None][:n],
        "fossil_free": [False, True][:n],
        "premium_eur": [1250.5, float("nan")][:n],
    })


def test_migrations_create_every_table_matching_the_models(url):
    with open_register(url) as reg:
        assert reg.revision == "0004"
        insp = inspect(reg.engine)
        for table in Base.metadata.sorted_tables:
            db_cols = {c["name"] for c in insp.get_columns(table.name)}
            assert db_cols == set(table.columns.keys()), table.name
        # alembic's own comparison: migrations and models describe the same schema
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with reg.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(ctx, Base.metadata) == []


def test_reopen_is_idempotent_and_keeps_data(url):
    with open_register(url) as reg:
        reg.add("renovations", _renovations(), user="an")
        before = reg.renovations()
    with open_register(url, create=False) as reg:
        assert reg.revision == "0004"
        pd.testing.assert_frame_equal(reg.renovations(), before)
        with reg.engine.connect() as conn:
            versions = conn.execute(text(f"select * from {VERSION_TABLE}")).all()
        assert versions == [("0004",)]


def test_upgrade_from_first_revision_keeps_rows_and_adds_note(url):
    engine = create_engine(url)
    migrate_register(engine, "0001")
    cols = {c["name"] for c in inspect(engine).get_columns("renovation")}
    assert "note" not in cols
    with engine.begin() as conn:
        conn.execute(text(
            "insert into renovation (nis_code, adres_id, measure, completed_on, fossil_free, "
            "created_by, created_at) values ('99001', 'A1', 'cavity_fill', '2022-06-01', :f, "
            "'old', '2022-06-02 10:00:00')"), {"f": False})
    engine.dispose()
    with open_register(url) as reg:
        assert reg.revision == "0004"
        frame = reg.renovations()
        assert frame.loc[0, "measure"] == "cavity_fill"
        assert frame.loc[0, "completed_on"] == dt.date(2022, 6, 1)
        assert frame.loc[0, "note"] is None
        indexes = {i["name"] for i in inspect(reg.engine).get_indexes("renovation")}
        assert "ix_renovation_lookup" in indexes


def test_create_false_refuses_a_missing_register(tmp_path, url):
    with pytest.raises(InputError, match="no register"):
        open_register(f"sqlite:///{tmp_path / 'absent.sqlite'}", create=False)
    assert not (tmp_path / "absent.sqlite").exists()
    # an empty database (SQLite file or PostgreSQL database) holds no register either
    if url.startswith("postgresql"):
        with pytest.raises(InputError, match="holds no wijkreno register"):
            open_register(url, create=False)
    with pytest.raises(InputError, match="register URL"):
        open_register("nosuchdialect://x")


def test_default_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKRENO_REGISTER_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    with open_register() as reg:
        assert reg.renovations().empty
    assert (tmp_path / "env.sqlite").exists()


def test_add_and_read_renovations(reg):
    ids = reg.add("renovations", _renovations(), user="an", upload_id=None)
    assert ids == [1, 2]
    frame = reg.renovations("99001")
    assert list(frame.columns) == list(KIND_COLUMNS["renovations"])
    assert frame["renovation_id"].tolist() == [1, 2]
    assert frame["completed_on"].tolist() == [dt.date(2023, 5, 1), dt.date(2024, 2, 29)]
    assert frame["fossil_free"].dtype == bool and frame["fossil_free"].tolist() == [False, True]
    assert frame["premium_eur"].dtype == "float64"
    assert frame.loc[0, "premium_eur"] == 1250.5 and pd.isna(frame.loc[1, "premium_eur"])
    assert frame["collective_project"].tolist() == ["Burenpremie Dorpsstraat", None]
    assert frame["dwelling_id"].tolist() == [None, None]
    assert frame["created_by"].tolist() == ["an", "an"]
    assert reg.renovations("12345").empty
    assert list(reg.renovations("12345").columns) == list(KIND_COLUMNS["renovations"])

    audit = reg.audit("99001")
    assert audit["action"].tolist() == ["insert", "insert"]
    assert audit["table"].tolist() == ["renovation", "renovation"]
    assert audit["row_key"].tolist() == ["1", "2"]
    assert audit["who"].tolist() == ["an", "an"]
    new = json.loads(audit.loc[0, "new_values"])
    assert new["measure"] == "roof_insulation" and new["completed_on"] == "2023-05-01"
    assert new["premium_eur"] == 1250.5
    assert audit["old_values"].isna().all()


@pytest.mark.parametrize("kind,rows,check", [
    ("klimaattafels",
     {"nis_code": ["99001"], "held_on": ["2024-05-02"], "name": ["Kerkstraat"],
      "invited_housing_units": [45], "street": ["Kerkstraat"]},
     {"invited_housing_units": 45, "held_on": dt.date(2024, 5, 2)}),
    ("trajectories",
     {"nis_code": ["99001"], "adres_id": ["A1"], "delivered_on": [dt.date(2024, 6, 10)]},
     {"adres_id": "A1", "delivered_on": dt.date(2024, 6, 10)}),
    ("participative_pv",
     {"nis_code": ["99001"], "project": ["Zonnedak"], "kwp": ["36,5"],
      "commissioned_on": ["2024-09-01"], "n_participants": [120]},
     {"kwp": 36.5, "n_participants": 120}),
    ("wvc_milestones",
     {"nis_code": ["99001"], "contract": ["Centrum"], "milestone": ["signed"],
      "reached_on": ["2025-02-20"], "includes_collective_renovation": ["ja"]},
     {"milestone": "signed", "includes_collective_renovation": True}),
])
def test_add_and_read_every_kind(reg, kind, rows, check):
    reg.add(kind, pd.DataFrame(rows), user="an")
    frame = reg.read(kind, "99001")
    assert list(frame.columns) == list(KIND_COLUMNS[kind])
    assert len(frame) == 1
    for col, value in check.items():
        assert frame.loc[0, col] == value, col
    assert reg.audit()["table"].tolist() == [
        {"klimaattafels": "klimaattafel", "trajectories": "trajectory_delivered",
         "participative_pv": "participative_pv", "wvc_milestones": "wvc_milestone"}[kind]]


def test_named_reads_match_interface(reg):
    assert list(reg.klimaattafels().columns)[:6] == [
        "klimaattafel_id", "nis_code", "held_on", "name", "invited_housing_units", "street"]
    assert {"nis_code", "adres_id", "delivered_on", "upload_id"} <= set(
        reg.trajectories_delivered().columns)
    assert {"nis_code", "project", "kwp", "commissioned_on", "n_participants", "upload_id"} <= set(
        reg.participative_pv().columns)
    assert {"nis_code", "contract", "milestone", "reached_on",
            "includes_collective_renovation", "upload_id"} <= set(reg.wvc_milestones().columns)


def test_add_refuses_invalid_rows_and_writes_nothing(reg):
    bad = _renovations()
    bad.loc[1, "measure"] = "swimming_pool"
    with pytest.raises(InputError, match="swimming_pool"):
        reg.add("renovations", bad, user="an")
    with pytest.raises(InputError, match="unknown register kind"):
        reg.add("renovation", _renovations(), user="an")
    with pytest.raises(InputError, match="unknown renovations columns"):
        reg.add("renovations", _renovations().assign(colour="red"), user="an")
    no_address = _renovations().drop(columns="adres_id")
    with pytest.raises(InputError, match="adres_id, dwelling_id and gebouw_id are all empty"):
        reg.add("renovations", no_address, user="an")
    with pytest.raises(InputError, match="NIS5"):
        reg.add("renovations", _renovations().assign(nis_code="9901"), user="an")
    assert reg.renovations().empty and reg.audit().empty


def test_add_is_one_transaction_with_its_audit(reg):
    @event.listens_for(reg.engine, "before_cursor_execute")
    def _fail(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO audit_log"):
            raise RuntimeError("injected database error")

    with pytest.raises(Exception, match="injected"):
        reg.add("renovations", _renovations(), user="an")
    event.remove(reg.engine, "before_cursor_execute", _fail)
    assert reg.renovations().empty and reg.audit().empty


def test_correct_updates_one_row_and_audits_old_and_new(reg):
    reg.add("renovations", _renovations(), user="an")
    reg.correct("renovations", 1, {"premium_eur": "1.500,00", "fossil_free": "ja"}, user="bo")
    frame = reg.renovations()
    assert frame.loc[0, "premium_eur"] == 1500.0 and frame.loc[0, "fossil_free"]
    assert frame.loc[1, "fossil_free"]  # the other row is untouched
    assert frame.loc[1, "measure"] == "heat_pump_boiler"
    last = reg.audit().iloc[-1]
    assert (last["action"], last["who"], last["row_key"]) == ("update", "bo", "1")
    assert json.loads(last["old_values"]) == {"premium_eur": 1250.5, "fossil_free": False}
    assert json.loads(last["new_values"]) == {"premium_eur": 1500.0, "fossil_free": True}
    with pytest.raises(InputError, match="no renovations row with id 9"):
        reg.correct("renovations", 9, {"fossil_free": True}, user="bo")
    with pytest.raises(InputError, match="cannot change"):
        reg.correct("renovations", 1, {"renovation_id": 5}, user="bo")
    with pytest.raises(InputError, match="not one of"):
        reg.correct("renovations", 1, {"measure": "jacuzzi"}, user="bo")
    assert len(reg.audit()) == 3


def test_vocabulary_covers_the_measure_catalogue():
    vocab = load_vocabulary()
    catalogue = load_catalogue()
    names = set(catalogue.measures) if hasattr(catalogue, "measures") else set(catalogue)
    # every catalogue measure can be registered, and nothing else (the heat-pump boiler is a
    # catalogue measure since issue 12)
    assert set(vocab.measures) == names
    assert set(vocab.milestones) == {"approved", "signed", "collective_renovation_started",
                                     "completed"}
    assert vocab.dates.earliest == dt.date(2021, 1, 1)
    assert set(REGISTER_KINDS) == set(KIND_COLUMNS)


def test_parsers_known_values():
    assert parse_number("1.234,56") == 1234.56
    assert parse_number("12,5") == 12.5
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("€ 300") == 300.0
    assert parse_number("1.234.567") == 1234567.0
    assert parse_number("2.5") == 2.5
    assert parse_date("15/03/2023") == dt.date(2023, 3, 15)
    assert parse_date("2023-03-15") == dt.date(2023, 3, 15)
    assert parse_date(dt.datetime(2023, 3, 15, 0, 0)) == dt.date(2023, 3, 15)
    assert parse_bool("Ja") and not parse_bool("nee") and parse_bool(1) and not parse_bool("0")
    for bad, func in (("abc", parse_number), ("31/02/2023", parse_date), ("misschien", parse_bool)):
        with pytest.raises(ValueError):
            func(bad)


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_parse_number_reads_belgian_formatting(value):
    # Belgian spreadsheet text: '.' groups thousands, ',' is the decimal separator
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert parse_number(text) == pytest.approx(float(value), abs=1e-9)


def test_provenance_columns_close_every_register_table():
    """The shared provenance columns come last, in one order, in every table that has them
    (register exports list the table's columns in this order)."""
    from wijkreno.register.models import Provenance

    tail = ["upload_id", "created_by", "created_at", "natural_key"]
    tables = [mapper.class_.__table__ for mapper in Base.registry.mappers
              if issubclass(mapper.class_, Provenance)]
    assert len(tables) == 8
    for table in tables:
        assert list(table.columns.keys())[-4:] == tail, table.name
        assert [fk.target_fullname for fk in table.c.upload_id.foreign_keys] == \
            ["upload.upload_id"], table.name
