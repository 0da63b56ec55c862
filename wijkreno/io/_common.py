"""Checks shared by the readers: files that must exist."""

from __future__ import annotations

from pathlib import Path

from wijkreno.errors import InputError


def require_file(path: str | Path, what: str) -> Path:
    """Return ``path`` as a Path; raise :class:`InputError` when it is missing or empty."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"the {what} file {path} is empty.")
    return path

