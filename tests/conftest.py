"""Shared fixtures: the location of the real public extracts in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SHARED_DATA = Path(os.environ.get("WIJKRENO_SHARED_DATA", _DEFAULT)).resolve()


def shared_data(*parts: str) -> Path:
    """Path to a real extract under ../shared/data; skip the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (the ../shared/data folder is absent)")
    return path


# -- a throw-away PostgreSQL cluster for the register tests --------------------------------------
#
# `scripts/install_system_deps.sh` (the README's test command) installs Debian's `postgresql`;
# the session starts one cluster in a temporary folder (initdb + pg_ctl, trust authentication,
# listening on 127.0.0.1 and a unix socket in that folder only), gives every test its own
# database and stops the cluster at the end. PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` system user the Debian package creates.

import getpass  # noqa: E402
import glob  # noqa: E402
import itertools  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

_PG_USER = "wijkreno"
_db_counter = itertools.count()


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="wijkreno-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root without runuser")
            import pwd

            pw = pwd.getpwnam("postgres")  # KeyError: no postgres system user
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.owner = "postgres" if self.prefix else getpass.getuser()

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  _PG_USER, "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=60")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "log"), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running throw-away PostgreSQL cluster, or a skip that says why there is none."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: run "
                    "scripts/install_system_deps.sh (installs Debian's postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -e '.[test]'")
    cluster = _Cluster(bindir)
    try:
        cluster.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log_file = cluster.root / "log"
        detail = log_file.read_text()[-2000:] if log_file.exists() else ""
        stderr = getattr(exc, "stderr", b"") or b""
        cluster.stop()
        raise RuntimeError(f"cannot start PostgreSQL: {exc}\n{stderr.decode()}\n{detail}") \
            from None
    yield cluster
    cluster.stop()


def new_postgres_database(cluster: _Cluster) -> str:
    """Create an empty database in the session's cluster; return its SQLAlchemy URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_db_counter)}"
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user=_PG_USER,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return cluster.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request, tmp_path):
    """An empty register database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.sqlite'}"
    return new_postgres_database(request.getfixturevalue("postgres_cluster"))
