"""Concurrent imports and corrections hold: threads and CLI processes at the same moment, on
SQLite and PostgreSQL. Every import satisfies rows in = stored + rejected + duplicates, the
register holds each realisation once, and each file is stored once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from wijkreno.errors import InputError
from wijkreno.register import open_register
from wijkreno.register.models import Renovation
from wijkreno.register.store import migrate_register
from wijkreno.register.upload import import_file

NIS = "99001"
N_ADDRESSES = 90


@pytest.fixture
def dwellings() -> pd.DataFrame:
    ids = [f"A{i}" for i in range(N_ADDRESSES)]
    return pd.DataFrame({"dwelling_id": ids, "adres_id": ids, "nis_code": [NIS] * len(ids)})


def _csv(path, first: int, last: int, *, bad_every: int = 0):
    """Renovations of addresses first..last-1 (roof insulation, 1/5/2023); every
    ``bad_every``-th row names an unknown address."""
    lines = ["adres_id;maatregel;datum_uitvoering;premie_eur"]
    for i in range(first, last):
        address = f"NOPE{i}" if bad_every and i % bad_every == 0 else f"A{i}"
        lines.append(f"{address};dakisolatie;01/05/2023;1.000,00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _check_register(reg, expected_rows: int) -> None:
    stored = reg.renovations(NIS)
    keys = Counter(zip(stored["adres_id"], stored["measure"], stored["completed_on"],
                       strict=True))
    assert not [k for k, n in keys.items() if n > 1], "a realisation is stored twice"
    assert len(stored) == expected_rows
    uploads = reg.uploads(NIS)
    assert uploads["sha256"].is_unique, "a file is stored as two uploads"
    assert (uploads["n_rows"] == uploads["n_accepted"] + uploads["n_rejected"]
            + uploads["n_duplicates"]).all()
    assert uploads["n_accepted"].sum() == len(stored)
    per_upload = stored.groupby("upload_id").size()
    assert per_upload.to_dict() == uploads.set_index("upload_id")["n_accepted"].to_dict()


def test_threads_importing_the_same_and_overlapping_files(register_url, dwellings, tmp_path):
    a = _csv(tmp_path / "a.csv", 0, 60, bad_every=7)    # 60 rows, 9 bad
    b = _csv(tmp_path / "b.csv", 30, 90, bad_every=7)   # 60 rows, 8 bad, 30 overlap a
    expected = len({i for i in range(0, 90) if i % 7})  # distinct good addresses
    jobs = [a, b, a, b, a, b]
    results: list = [None] * len(jobs)
    errors: list = []
    with open_register(register_url) as reg:
        barrier = threading.Barrier(len(jobs))

        def run(k: int) -> None:
            barrier.wait()
            try:
                results[k] = import_file(reg, jobs[k], "renovations", nis_code=NIS,
                                         dwellings=dwellings, user=f"user{k}")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        for r in results:
            assert r.n_rows == 60
            assert r.n_rows == r.n_accepted + r.n_rejected + r.duplicates
        stored_by = [r for r in results if not r.already_imported]
        assert len(stored_by) == 2  # each distinct file once; the four others changed nothing
        assert sum(r.n_accepted for r in results) == expected
        _check_register(reg, expected)


def test_cli_processes_importing_at_the_same_moment(register_url, dwellings, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    dwellings.to_parquet(twin / "dwellings.parquet")
    a = _csv(tmp_path / "a.csv", 0, 60, bad_every=7)
    b = _csv(tmp_path / "b.csv", 30, 90, bad_every=7)
    with open_register(register_url):
        pass  # create the schema first, as `wijkreno register` users do with their first import
    # two CLI processes import the same file (the double click) while this process imports an
    # overlapping one; each CLI start costs seconds of imports, so two are enough
    code = "from wijkreno.cli import main; main()"
    procs = [subprocess.Popen(
        [sys.executable, "-c", code, "register", "import", str(a), "--kind", "renovations",
         "--nis", NIS, "--twin", str(twin), "--register", register_url, "--user", f"cli{k}",
         "-o", str(tmp_path / f"rejected{k}.csv")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for k in range(2)]
    with open_register(register_url) as reg:
        here = import_file(reg, b, "renovations", nis_code=NIS, dwellings=dwellings, user="me")
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert here.n_rows == here.n_accepted + here.n_rejected + here.duplicates
    assert sum("al geïmporteerd" in out for out in outputs) == 1, outputs
    expected = len({i for i in range(0, 90) if i % 7})
    with open_register(register_url) as reg:
        _check_register(reg, expected)
        assert len(reg.uploads(NIS)) == 2
        # both list the file's 9 bad rows: the one that imported it and the one that found it
        # imported (the bad rows were never stored, so they are refused again)
        for k in range(2):
            rejected = pd.read_csv(tmp_path / f"rejected{k}.csv")
            assert (rejected["reason"].str.contains("bestaat niet")).sum() == 9


def test_the_database_refuses_a_second_copy_of_a_realisation(register_url):
    """The unique natural key holds even for a writer that skips the register's checks."""
    with open_register(register_url) as reg:
        reg.add("renovations", pd.DataFrame({
            "nis_code": [NIS], "adres_id": ["A1"], "measure": ["roof_insulation"],
            "completed_on": [dt.date(2023, 5, 1)]}), user="an")
        with reg.engine.connect() as conn:
            row = conn.execute(select(Renovation.__table__)).mappings().first()
        copy = {k: v for k, v in dict(row).items() if k != "renovation_id"}
        with pytest.raises(IntegrityError), reg.engine.begin() as conn:
            conn.execute(insert(Renovation.__table__), [copy])
        with pytest.raises(InputError, match="already in the register"):
            reg.add("renovations", pd.DataFrame({
                "nis_code": [NIS], "adres_id": ["a1".upper()], "measure": ["roof_insulation"],
                "completed_on": ["2023-05-01"]}), user="an")
        assert len(reg.renovations()) == 1


def test_concurrent_corrections_cannot_make_two_rows_equal(register_url):
    with open_register(register_url) as reg:
        reg.add("renovations", pd.DataFrame({
            "nis_code": [NIS] * 3, "adres_id": ["A1", "A2", "A3"],
            "measure": ["roof_insulation"] * 3,
            "completed_on": [dt.date(2023, 5, 1)] * 3}), user="an")
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def move(row_id: int) -> None:
            barrier.wait()
            try:
                reg.correct("renovations", row_id, {"adres_id": "A9"}, user="an")
                outcomes.append("ok")
            except InputError:
                outcomes.append("refused")

        threads = [threading.Thread(target=move, args=(i,)) for i in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(outcomes) == ["ok", "refused"]
        assert sorted(reg.renovations()["adres_id"]) in (["A1", "A3", "A9"],
                                                          ["A2", "A3", "A9"])


def test_migration_0003_flags_rows_stored_twice_before_it(register_url):
    engine = create_engine(register_url)
    migrate_register(engine, "0002")
    with engine.begin() as conn:
        for _ in range(2):
            conn.execute(text(
                "insert into renovation (nis_code, adres_id, measure, completed_on, "
                "fossil_free, created_by, created_at) values ('99001', 'A1', 'cavity_fill', "
                "'2022-06-01', :f, 'old', '2022-06-02 10:00:00')"), {"f": False})
    engine.dispose()
    with open_register(register_url) as reg:
        assert reg.revision == "0004"
        assert len(reg.renovations()) == 2  # nothing deleted
        flagged = reg.audit().query("action == 'duplicate'")
        assert flagged[["table", "row_key"]].values.tolist() == [["renovation", "2"]]
        assert '"duplicate_of": "1"' in flagged["new_values"].iloc[0]
