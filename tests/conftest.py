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
