"""Users of the web service, their roles per municipality, and the coach's stored overrides.

Storage choice: a separate SQLite file (``Settings.users_db``, default ``users.sqlite`` in the
workspace) reached with the standard library's ``sqlite3``, not a new Alembic revision of the
register: accounts are the service's concern, not the register's, and the register stays free
of login data when it is shared as a PostgreSQL database. The register's ``audit_log`` still
records every write the service makes (``api.auth.audit``). Used by the web service and
``wijkreno users``.

Passwords are hashed with scrypt (``hashlib.scrypt``, RFC 7914) with a random 16-byte salt per
user; the stored text is ``scrypt$n$r$p$salt_hex$hash_hex``. Roles are ``viewer`` < ``coach``
< ``admin``, one per (user, NIS code).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wijkreno.errors import InputError

ROLES: tuple[str, ...] = ("viewer", "coach", "admin")
"""Roles, weakest first: a role includes the rights of the ones before it."""

# scrypt cost parameters: n = 2**14, r = 8, p = 1 is the interactive-login setting of
# RFC 7914 §2 / the Python docs' example (≈ 16 MiB, tens of ms per hash).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_user (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_role (
    username TEXT NOT NULL REFERENCES api_user(username) ON DELETE CASCADE,
    nis_code TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (username, nis_code)
);
CREATE TABLE IF NOT EXISTS api_session (
    sid TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES api_user(username) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS coach_override (
    adres_id TEXT PRIMARY KEY,
    nis_code TEXT NOT NULL,
    overrides TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


PASSWORD_MIN_CHARS = 12
"""Shortest accepted password (OWASP ASVS 4.0 V2.1.1: at least 12 characters)."""

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common_passwords.txt"


@functools.lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text("utf-8").splitlines()
    return frozenset(x.strip().casefold() for x in lines if x.strip() and not x.startswith("#"))


def check_password_policy(password: str, username: str = "") -> None:
    """InputError unless ``password`` is long enough and not a common or trivial one.

    Rules (ASVS V2.1.1, V2.1.7): at least :data:`PASSWORD_MIN_CHARS` characters; not in the
    shipped list of common passwords (also not with digits or ``!`` appended); not the user
    name; not one character repeated.
    """
    if len(password) < PASSWORD_MIN_CHARS:
        raise InputError(f"the password has {len(password)} characters; choose one of at least "
                         f"{PASSWORD_MIN_CHARS} (a sentence of a few words is easy to remember).")
    folded = password.casefold()
    if folded in _common_passwords() or folded.rstrip("0123456789!") in _common_passwords():
        raise InputError("this password is on the list of common passwords; choose another.")
    if username and username.casefold() in folded:
        raise InputError("the password contains the user name; choose another.")
    if len(set(password)) <= 2:
        raise InputError("the password repeats one or two characters; choose another.")


def hash_password(password: str) -> str:
    """Hash ``password`` with scrypt and a fresh random salt (text to store)."""
    if not password:
        raise InputError("the password is empty; give at least 8 characters.")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        algo, n, r, p, salt_hex, hash_hex = stored.split("$")
        if algo != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex),
                                n=int(n), r=int(r), p=int(p), dklen=len(hash_hex) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash checked for unknown user names, so that they cost one scrypt like known ones."""
    return hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    """A logged-in user and their role per NIS code."""

    username: str
    roles: dict[str, str] = field(default_factory=dict)

    def has_role(self, nis_code: str, role: str = "viewer") -> bool:
        """Whether the user holds ``role`` (or a stronger one) for ``nis_code``."""
        held = self.roles.get(str(nis_code))
        return held is not None and ROLES.index(held) >= ROLES.index(role)


class UserStore:
    """Users, roles and coach overrides in one SQLite file (thread-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.parent.exists():
            raise InputError(f"the folder of the users database {self.path} does not exist; "
                             "create it or set WIJKRENO_USERS_DB.")
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(_SCHEMA)
        self._conn.commit()
        _dummy_hash()  # computed now, not during the first login of an unknown name

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

    def add_user(self, username: str, password: str, roles: dict[str, str] | None = None,
                 ) -> User:
        """Create (or replace the password of) ``username`` and set its roles per NIS code.

        All or nothing: the roles are checked before anything is written, and the user, the
        roles and the revocation of the user's sessions (a changed password ends them) are one
        transaction.
        """
        username = username.strip()
        if not username:
            raise InputError("the username is empty.")
        if len(username) > 128:
            raise InputError("the username is longer than 128 characters.")
        check_password_policy(password, username)
        checked = [self._check_role(nis, role) for nis, role in (roles or {}).items()]
        now = dt.datetime.now(dt.UTC).isoformat()
        hashed = hash_password(password)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO api_user (username, password_hash, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash",
                (username, hashed, now))
            self._conn.execute("DELETE FROM api_session WHERE username = ?", (username,))
            for nis, role in checked:
                self._conn.execute(
                    "INSERT INTO api_role (username, nis_code, role) VALUES (?, ?, ?) "
                    "ON CONFLICT(username, nis_code) DO UPDATE SET role = excluded.role",
                    (username, nis, role))
        user = self.get_user(username)
        assert user is not None
        return user

    def set_role(self, username: str, nis_code: str, role: str) -> None:
        """Give ``username`` ``role`` for municipality ``nis_code``."""
        nis_code, role = self._check_role(nis_code, role)
        with self._lock, self._conn:
            if self._conn.execute("SELECT 1 FROM api_user WHERE username = ?",
                                  (username,)).fetchone() is None:
                raise InputError(f"there is no user {username!r}; add it first.")
            self._conn.execute(
                "INSERT INTO api_role (username, nis_code, role) VALUES (?, ?, ?) "
                "ON CONFLICT(username, nis_code) DO UPDATE SET role = excluded.role",
                (username, nis_code, role))

    @staticmethod
    def _check_role(nis_code: str, role: str) -> tuple[str, str]:
        nis_code = str(nis_code).strip()
        if not (len(nis_code) == 5 and nis_code.isdigit()):
            raise InputError(f"NIS code {nis_code!r} is not 5 digits (e.g. 13002).")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}.")
        return nis_code, role

    # -- sessions: a login creates one; logout and a new password end them --------------
    def open_session(self, username: str, max_age_s: float | None = None) -> str:
        """Record a new session of ``username``; return its random id. Sessions older than
        ``max_age_s`` (expired anyway) are forgotten."""
        sid = secrets.token_urlsafe(24)
        with self._lock, self._conn:
            if max_age_s is not None:
                oldest = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=max_age_s)).isoformat()
                self._conn.execute("DELETE FROM api_session WHERE created_at < ?", (oldest,))
            self._conn.execute("INSERT INTO api_session (sid, username, created_at) "
                               "VALUES (?, ?, ?)",
                               (sid, username, dt.datetime.now(dt.UTC).isoformat()))
        return sid

    def session_user(self, sid: str) -> str | None:
        """The user of a live session, None when it was ended or never existed."""
        with self._lock:
            row = self._conn.execute("SELECT username FROM api_session WHERE sid = ?",
                                     (sid,)).fetchone()
        return None if row is None else str(row[0])

    def close_session(self, sid: str) -> None:
        """End one session (logout)."""
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM api_session WHERE sid = ?", (sid,))

    def get_user(self, username: str) -> User | None:
        """The user with its roles, None when unknown."""
        with self._lock:
            row = self._conn.execute("SELECT username FROM api_user WHERE username = ?",
                                     (username,)).fetchone()
            if row is None:
                return None
            roles = dict(self._conn.execute(
                "SELECT nis_code, role FROM api_role WHERE username = ?", (username,)).fetchall())
        return User(username=row[0], roles=roles)

    def password_hash(self, username: str) -> str | None:
        """The stored hash of ``username`` (None when unknown)."""
        with self._lock:
            row = self._conn.execute("SELECT password_hash FROM api_user WHERE username = ?",
                                     (username,)).fetchone()
        return None if row is None else str(row[0])

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when ``password`` is right, else None."""
        stored = self.password_hash(username)
        # one scrypt either way: unknown names take as long as wrong passwords
        ok = verify_password(password, stored if stored is not None else _dummy_hash())
        return self.get_user(username) if ok and stored is not None else None

    def save_overrides(self, adres_id: str, nis_code: str, overrides: dict[str, Any],
                       who: str) -> None:
        """Keep a coach's overrides of one address (replacing earlier ones)."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO coach_override (adres_id, nis_code, overrides, who, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(adres_id) DO UPDATE SET "
                "overrides = excluded.overrides, who = excluded.who, at = excluded.at",
                (adres_id, nis_code, json.dumps(overrides), who, now))

    def load_overrides(self, adres_id: str) -> dict[str, Any] | None:
        """The stored overrides of one address, None when there are none."""
        with self._lock:
            row = self._conn.execute("SELECT overrides FROM coach_override WHERE adres_id = ?",
                                     (adres_id,)).fetchone()
        return None if row is None else json.loads(row[0])
