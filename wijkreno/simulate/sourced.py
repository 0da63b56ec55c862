"""Reading the ``{value, unit, source}`` tables of ``heat_balance.toml``.

Both the heat balance (``[balance]``) and the climate derivation (``[climate]``) read their
parameters from that file; the reader lives here so that neither module imports the other's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wijkreno.errors import InputError
from wijkreno.io.params import read_param_toml

HEAT_BALANCE_FILE = "heat_balance.toml"


def read_sourced_table(
    path: str | Path | None, section: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read one section of a parameter TOML whose entries are ``{value, unit, source}`` tables.

    Parameters
    ----------
    path : str, Path or None
        The TOML file; None for the packaged ``wijkreno/params/heat_balance.toml``.
    section : str
        Top-level table to read (``"balance"`` or ``"climate"``).

    Returns
    -------
    values, sources : dict
        ``{name: value}`` and ``{name: source}``.
    """
    data, where = read_param_toml(path, HEAT_BALANCE_FILE, what="heat-balance parameter file")
    table = data.get(section)
    if not isinstance(table, dict):
        raise InputError(f"parameter file {where} has no [{section}] table.")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, entry in table.items():
        if not isinstance(entry, dict) or "value" not in entry or not entry.get("source"):
            raise InputError(
                f"parameter {section}.{name} in {where} must be a table with 'value' and a "
                f"non-empty 'source' (got {entry!r})."
            )
        values[name] = entry["value"]
        sources[name] = str(entry["source"])
    return values, sources
