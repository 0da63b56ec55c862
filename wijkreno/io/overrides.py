"""Reader of a renovation coach's overrides file (CSV).

One row per dwelling, keyed by ``adres_id`` (the Adressenregister id) or ``woning_id`` (the
twin's ``dwelling_id``); empty cells mean "no override". Headers are Dutch (as below) or the
house names in brackets; case, accents, spaces and hyphens in headers do not matter
(``Dak geïsoleerd jaar`` = ``dak_geisoleerd_jaar``). Separator ``,`` or ``;`` (as Excel
writes it in Belgium) and a decimal comma are accepted; UTF-8 with or without BOM.

================================  ==================================  ==========================
header                            house name                          values
================================  ==================================  ==========================
``adres_id``                      ``adres_id``                        Adressenregister id
``woning_id``                     ``dwelling_id``                     the twin's dwelling id
``dak_geisoleerd_jaar``           ``roof_insulated_year``             year (1900 - this year)
``muur_geisoleerd_jaar``          ``wall_insulated_year``             year
``vloer_geisoleerd_jaar``         ``floor_insulated_year``            year
``ramen_vervangen_jaar``          ``glazing_year``                    year
``verwarming``                    ``heating_system``                  see below
``epc_score``                     ``measured_epc_score_kwh_per_m2``   kWh/m² per year
``gasverbruik_kwh``               ``metered_gas_kwh``                 kWh per year
``elektriciteitsverbruik_kwh``    ``metered_electricity_kwh``         kWh per year
``inkomenscategorie``             ``income_category``                 1 (highest incomes) - 4
``eigenaar_of_huurder``           ``tenure``                          eigenaar / huurder
``aktejaar``                      ``deed_year``                       year of the purchase deed
``opmerking``                     ``note``                            free text, kept, not used
================================  ==================================  ==========================

``verwarming`` takes the house names of :data:`wijkreno.twin.schema.HEATING_SYSTEMS` or the
Dutch words in :data:`HEATING_WORDS` (``gasketel``, ``condensatieketel``, ``stookolieketel``,
``elektrische verwarming``, ``lucht-water warmtepomp``, ``bodemwarmtepomp``,
``hybride warmtepomp``). ``eigenaar_of_huurder`` takes ``eigenaar``/``huurder`` or
``owner``/``tenant``.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io._common import require_file
from wijkreno.twin.schema import OVERRIDE_COLUMNS, check_overrides
from wijkreno.twin.schema import OVERRIDE_KEY_COLUMNS as KEY_COLUMNS

log = logging.getLogger(__name__)

HEADERS: dict[str, str] = {
    "adres_id": "adres_id",
    "woning_id": "dwelling_id",
    "dak_geisoleerd_jaar": "roof_insulated_year",
    "muur_geisoleerd_jaar": "wall_insulated_year",
    "vloer_geisoleerd_jaar": "floor_insulated_year",
    "ramen_vervangen_jaar": "glazing_year",
    "verwarming": "heating_system",
    "epc_score": "measured_epc_score_kwh_per_m2",
    "gasverbruik_kwh": "metered_gas_kwh",
    "elektriciteitsverbruik_kwh": "metered_electricity_kwh",
    "inkomenscategorie": "income_category",
    "eigenaar_of_huurder": "tenure",
    "aktejaar": "deed_year",
    "opmerking": "note",
}
"""Dutch header → house name (the house names themselves are accepted too)."""

HEATING_WORDS: dict[str, str] = {
    "gasketel": "gas_boiler",
    "condensatieketel": "gas_condensing_boiler",
    "hr ketel": "gas_condensing_boiler",
    "stookolieketel": "oil_boiler",
    "mazoutketel": "oil_boiler",
    "elektrische verwarming": "electric_resistance",
    "elektrisch": "electric_resistance",
    "lucht-water warmtepomp": "heat_pump_air_water",
    "warmtepomp lucht-water": "heat_pump_air_water",
    "bodemwarmtepomp": "heat_pump_ground",
    "warmtepomp bodem": "heat_pump_ground",
    "hybride warmtepomp": "hybrid_heat_pump",
}
"""Dutch words for the heating systems (lower case) → house names."""

TENURE_WORDS: dict[str, str] = {"eigenaar": "owner", "huurder": "tenant",
                                "owner": "owner", "tenant": "tenant"}

_HOUSE_NAMES = {c.name for c in OVERRIDE_COLUMNS} | set(KEY_COLUMNS) | {"note"}
_KIND = {c.name: c.kind for c in OVERRIDE_COLUMNS}


def _normalise_header(text: str) -> str:
    """Lower case, no accents, words joined by '_' (``'Dak geïsoleerd jaar'`` → ``dak_...``)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", plain.strip().lower()).strip("_")


def read_overrides(path: str | Path) -> pd.DataFrame:
    """Read a coach's overrides CSV into house names, refusing bad rows with a reason.

    Parameters
    ----------
    path : str or Path
        CSV file with the headers of the module docstring.

    Returns
    -------
    pandas.DataFrame
        One row per data row of the file, in file order: ``row`` (0-based position of the data
        row in the file), the key columns present (``dwelling_id``, ``adres_id`` as strings),
        the override columns present in house names (years and categories ``Int64``, uses and
        scores ``float64``, text ``string``; missing = no override), ``note`` when given, and
        ``reason``: '' for a usable row, else why the row is refused (a value that cannot be
        read or lies out of range). Refused rows are kept, never dropped;
        :func:`wijkreno.renovate.overrides.apply_overrides` lists them as ``rejected``.

    Raises
    ------
    InputError
        When the file is missing, empty or unreadable, a header is unknown (the message names
        it and the allowed headers), two headers mean the same column, or no key column is
        present.

    Examples
    --------
    A file ``overrides.csv``::

        adres_id;dak_geisoleerd_jaar;verwarming;inkomenscategorie;gasverbruik_kwh
        https://data.vlaanderen.be/id/adres/1;2015;;4;14500,5
        https://data.vlaanderen.be/id/adres/2;;bodemwarmtepomp;;
    """
    path = require_file(path, "overrides")
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the overrides file {path}: {exc}. Save it as UTF-8 "
                         "CSV.") from None
    first = text.splitlines()[0] if text.strip() else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"the overrides file {path} is not a readable CSV: {exc}") from None
    names: dict[str, str] = {}
    unknown: list[str] = []
    for h in raw.columns:
        key = _normalise_header(h)
        name = HEADERS.get(key, key if key in _HOUSE_NAMES else None)
        if name is None:
            unknown.append(str(h))
        elif name in names.values():
            raise InputError(f"the overrides file {path} has two columns for {name!r} "
                             f"(one of them is {h!r}); keep one.")
        else:
            names[h] = name
    if unknown:
        raise InputError(
            f"the overrides file {path} has unknown columns {unknown}. Allowed headers: "
            f"{list(HEADERS)} (or the house names {sorted(_HOUSE_NAMES)})."
        )
    frame = raw.rename(columns=names)
    if not any(k in frame.columns for k in KEY_COLUMNS):
        raise InputError(f"the overrides file {path} has no 'adres_id' or 'woning_id' column "
                         "to say which dwelling each row is about.")
    out = pd.DataFrame({"row": np.arange(len(frame), dtype=np.int64)})
    reason = np.full(len(frame), "", dtype=object)
    for col in frame.columns:
        s = frame[col].astype(str).str.strip()
        empty = s.eq("").to_numpy()
        kind = _KIND.get(col, "text")
        if col in KEY_COLUMNS or col == "note":
            out[col] = s.mask(empty).astype("string")
            continue
        if kind in ("year", "int", "float"):
            number = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce")
            unreadable = ~empty & number.isna().to_numpy()
            todo = unreadable & (reason == "")
            reason[todo] = [f"{col} = {v!r} is not a number" for v in s.to_numpy()[todo]]
            if kind == "float":
                out[col] = number.astype("float64")
            else:
                whole = number.where(number == number.round())
                bad = ~empty & ~unreadable & whole.isna().to_numpy()
                todo = bad & (reason == "")
                reason[todo] = [f"{col} = {v!r} is not a whole number"
                                for v in s.to_numpy()[todo]]
                out[col] = whole.astype("Int64")
        else:
            words = HEATING_WORDS if col == "heating_system" else (
                TENURE_WORDS if col == "tenure" else {})
            low = s.str.lower()
            mapped = low.map(words).fillna(s)
            out[col] = mapped.mask(empty).astype("string")
    checked = check_overrides(out.drop(columns=["row"]))
    reason = np.where(reason != "", reason, checked.to_numpy(dtype=object))
    out["reason"] = pd.Series(reason, dtype=object)
    n_bad = int((out["reason"] != "").sum())
    if n_bad:
        log.warning("overrides %s: %d of %d rows refused (see the 'reason' column)",
                    path, n_bad, len(out))
    return out
