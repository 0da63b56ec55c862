"""Bulk upload into the register: templates with Dutch headers, and validated import.

``write_template(kind, path, fmt=...)`` writes an empty CSV or XLSX template with one example row
(the XLSX adds a styled header, column widths and a sheet "Uitleg" with every column and the
allowed values). ``import_file(register, path, kind, ...)`` reads a filled template, checks every
row, stores the good rows and returns the bad ones with a reason in Dutch:

- the address exists in the twin and lies in the municipality imported for: ``adres_id``
  matched against the twin's ``adres_id`` or ``dwelling_id``, or street, house number, box
  (and postcode) resolved with the map's address search
  (:meth:`wijkreno.twin.address_search.AddressIndex.resolve`); an ambiguous or unknown
  address is rejected with the addresses it could be (``candidates``);
- works of an apartment building's association of co-owners (VME) are one renovation row for
  the building (its address without box, or its ``gebouw_id``), stored with ``gebouw_id`` and
  ``n_units`` (the building's housing units in the twin) and counted for every unit; their
  collective project defaults to ``"VME <address>"``;
- dates are dates and lie in the accepted range (2021-01-01 to today by default,
  ``register_vocabulary.toml``);
- measures and milestones are known (Dutch label, alias or code);
- yes/no columns say ``ja``/``nee``/``1``/``0``; numbers may use a decimal comma;
- no row repeats another row of the file or a row already in the register (renovations: same
  address, measure and date) — such rows are skipped and counted as duplicates.

A file whose content (sha256) was imported before for the same kind and municipality changes
nothing. The whole import is one transaction: on a database error, or with ``strict=True`` and
any bad row, the database is left exactly as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from wijkreno.errors import InputError
from wijkreno.register.models import KIND_MODELS, AuditLog, Upload
from wijkreno.register.store import (
    BOOL_DEFAULTS,
    KIND_COLUMNS,
    REGISTER_KINDS,
    Bounds,
    Register,
    Vocabulary,
    _is_blank,
    _normalise,
    _now,
    coerce_record,
    load_vocabulary,
    new_upload_id,
    parse_bool,
    parse_date,
    parse_number,
    term_lookup,
)
from wijkreno.register.transaction import (
    NATURAL_KEYS,
    key_tuple,
    upload_key,
    write_transaction,
)
from wijkreno.twin.address_search import (
    MAX_NEAREST,
    AddressIndex,
    AddressMatch,
    build_address_index,
)

log = logging.getLogger(__name__)

EXAMPLE_NOTE = "VOORBEELD - vervang of verwijder deze rij"
"""Remark of the templates' example row; rows with exactly this remark are skipped on import."""

REJECTED_COLUMNS: tuple[str, ...] = ("row", "column", "value", "reason", "candidates")
"""Columns of :attr:`ImportResult.rejected`: row number as the spreadsheet shows it (header is
row 1), the offending column(s), the value(s), the reason(s) in Dutch and, for an address that
is ambiguous or does not exist, the addresses it could be (``" | "``-separated, else empty)."""


@dataclass(frozen=True)
class UploadField:
    """One column of an upload template.

    Attributes
    ----------
    header : str
        Dutch column header in the template.
    column : str
        Register column the value goes to.
    kind : str
        ``address``, ``measure``, ``milestone``, ``date``, ``bool``, ``number``, ``int`` or
        ``text``.
    required : bool
        Whether a row must fill it.
    example : object
        Value of the example row.
    help_nl : str
        Explanation in the "Uitleg" sheet.
    """

    header: str
    column: str
    kind: str
    required: bool
    example: Any
    help_nl: str


_NOTE = UploadField("opmerking", "note", "text", False, EXAMPLE_NOTE,
                    "Vrije opmerking (optioneel).")

_ADDRESS_PARTS = (
    UploadField("straat", "street", "address_part", False, "",
                "Straatnaam (zoals op de kaart; hoofdletters, accenten en afkortingen als "
                "'str.' mogen)."),
    UploadField("huisnummer", "house_number", "address_part", False, "",
                "Huisnummer, met letter indien nodig (12A)."),
    UploadField("bus", "box_number", "address_part", False, "",
                "Busnummer van een appartement (leeg voor een huis; leeg voor het hele "
                "appartementsgebouw)."),
    UploadField("postcode", "postcode", "address_part", False, "",
                "Postcode (nodig als de straatnaam in twee deelgemeenten voorkomt)."),
)
"""Street, number, box and postcode: a row may give these instead of ``adres_id``; they are
resolved with the map's address search
(:meth:`wijkreno.twin.address_search.AddressIndex.resolve`)."""

ADDRESS_KINDS: tuple[str, ...] = ("address", "address_part", "building")
"""Field kinds that locate a row (resolved together, not stored as given)."""

UPLOAD_FIELDS: dict[str, tuple[UploadField, ...]] = {
    "renovations": (
        UploadField("adres_id", "adres_id", "address", False, "VOORBEELD-ADRES-1",
                    "Adres-id uit het Adressenregister (of de dwelling_id van de tweeling). "
                    "Leeg laten mag: geef dan straat, huisnummer (en bus, postcode), of het "
                    "gebouw_id voor werken van een VME."),
        *_ADDRESS_PARTS,
        UploadField("gebouw_id", "gebouw_id", "building", False, "",
                    "Gebouw-id (Gebouwenregister) voor werken van een vereniging van "
                    "mede-eigenaars (VME) aan het hele appartementsgebouw: één rij voor het "
                    "gebouw telt voor elke wooneenheid. Hetzelfde doet het adres zonder "
                    "busnummer van een gebouw met appartementen."),
        UploadField("maatregel", "measure", "measure", True, "dakisolatie",
                    "Uitgevoerde maatregel; zie de lijst hieronder (Nederlandse naam of code)."),
        UploadField("datum_uitvoering", "completed_on", "date", True, dt.date(2024, 3, 15),
                    "Datum waarop de maatregel klaar was (JJJJ-MM-DD of DD/MM/JJJJ)."),
        UploadField("collectief_project", "collective_project", "text", False,
                    "Burenpremie Dorpsstraat",
                    "Naam van het collectieve project (burenpremie, klimaattafel, VME...); leeg "
                    "als de renovatie niet collectief georganiseerd was."),
        UploadField("fossielvrij", "fossil_free", "bool", False, "nee",
                    "ja als de woning na deze renovatie fossielvrij verwarmd wordt, anders nee "
                    "(leeg = nee)."),
        UploadField("premie_eur", "premium_eur", "number", False, "1.250,00",
                    "Uitbetaalde premie in euro (komma als decimaalteken mag)."),
        _NOTE,
    ),
    "klimaattafels": (
        UploadField("naam", "name", "text", True, "Klimaattafel Kerkstraat",
                    "Naam van de klimaattafel."),
        UploadField("datum", "held_on", "date", True, dt.date(2024, 5, 2),
                    "Datum van de klimaattafel."),
        UploadField("uitgenodigde_wooneenheden", "invited_housing_units", "int", True, 45,
                    "Aantal uitgenodigde wooneenheden (geheel getal)."),
        UploadField("straat", "street", "text", False, "Kerkstraat",
                    "Straat of blok (optioneel)."),
        _NOTE,
    ),
    "trajectories": (
        UploadField("adres_id", "adres_id", "address", False, "VOORBEELD-ADRES-1",
                    "Adres-id van de woning die een renovatietraject kreeg; leeg laten mag "
                    "als straat en huisnummer (en bus) ingevuld zijn."),
        *_ADDRESS_PARTS,
        UploadField("datum_levering", "delivered_on", "date", True, dt.date(2024, 6, 10),
                    "Datum waarop het traject aan het huishouden bezorgd werd."),
        _NOTE,
    ),
    "participative_pv": (
        UploadField("project", "project", "text", True, "Zonnedak sporthal",
                    "Naam van het participatieve project."),
        UploadField("kwp", "kwp", "number", True, "36,5",
                    "Piekvermogen in kWp (komma als decimaalteken mag)."),
        UploadField("datum_ingebruikname", "commissioned_on", "date", True,
                    dt.date(2024, 9, 1), "Datum van ingebruikname."),
        UploadField("aantal_deelnemers", "n_participants", "int", False, 120,
                    "Aantal deelnemende burgers (optioneel)."),
        _NOTE,
    ),
    "wvc_milestones": (
        UploadField("contract", "contract", "text", True, "Wijkverbeteringscontract Centrum",
                    "Naam van het wijkverbeteringscontract."),
        UploadField("mijlpaal", "milestone", "milestone", True, "ondertekend",
                    "Bereikte mijlpaal; zie de lijst hieronder."),
        UploadField("datum", "reached_on", "date", True, dt.date(2025, 2, 20),
                    "Datum waarop de mijlpaal bereikt werd."),
        UploadField("inclusief_collectieve_renovatie", "includes_collective_renovation",
                    "bool", False, "ja",
                    "ja als het contract een collectieve renovatie omvat (leeg = nee)."),
        _NOTE,
    ),
    "energy_communities": (
        UploadField("energiegemeenschap", "community", "text", True,
                    "Energiegemeenschap Zonnig Dorp",
                    "Naam van de energiegemeenschap."),
        UploadField("datum_toegang", "access_on", "date", True, dt.date(2025, 4, 1),
                    "Datum vanaf wanneer de inwoners toegang hebben (deelnemen kunnen)."),
        UploadField("aantal_toegangen", "n_access", "int", True, 250,
                    "Aantal huishoudens of inwoners dat toegang kreeg (geheel getal); het "
                    "LEKP-doel is 1 toegang per 500 inwoners."),
        _NOTE,
    ),
    "charging_points": (
        UploadField("locatie", "location", "text", True, "Parking Markt",
                    "Plaats van de laadpaal of het laadplein."),
        UploadField("aantal_laadpunten", "n_points", "int", True, 4,
                    "Aantal laadpunten (een paal met twee aansluitingen telt 2)."),
        UploadField("datum_ingebruikname", "commissioned_on", "date", True,
                    dt.date(2024, 11, 15), "Datum van ingebruikname."),
        UploadField("publiek_toegankelijk", "publicly_accessible", "bool", False, "ja",
                    "ja als het laadpunt publiek toegankelijk is (leeg = ja); enkel publieke "
                    "laadpunten tellen voor het LEKP."),
        _NOTE,
    ),
    "own_buildings": (
        UploadField("jaar", "year", "int", True, 2015,
                    "Kalenderjaar van het verbruik (het basisjaar 2015 en 2023 mee "
                    "invullen)."),
        UploadField("gebouw", "building", "text", False, "",
                    "Naam van het gebouw; leeg voor het totaal van het eigen patrimonium. "
                    "Per jaar telt de som van alle rijen."),
        UploadField("co2_kg", "co2_kg_co2", "number", False, "185000",
                    "CO2-uitstoot van het jaar in kg CO2 (niet-ETS; komma als decimaalteken "
                    "mag)."),
        UploadField("primair_energieverbruik_kwh", "primary_energy_kwh", "number", False,
                    "950000", "Primair energieverbruik van het jaar in kWh."),
        _NOTE,
    ),
}
"""Template columns per register kind, in template order."""

DUPLICATE_KEYS = NATURAL_KEYS
"""What makes two rows the same realisation (see :mod:`wijkreno.register.transaction`)."""


@dataclass
class ImportResult:
    """What an import did.

    Attributes
    ----------
    upload_id : str or None
        Id of the upload (of the earlier one when the file was already imported; None when
        nothing was stored because ``dry_run``).
    n_rows : int
        Data rows in the file (the template's example row not counted).
    accepted : pandas.DataFrame
        Rows stored: ``row`` plus the register columns, with the new row id.
    rejected : pandas.DataFrame
        Rows refused, one per row: :data:`REJECTED_COLUMNS`.
    duplicates : int
        Rows skipped because they repeat a row of the file or of the register.
    duplicate_rows : pandas.DataFrame
        Those rows: ``row``, ``reason``.
    already_imported : bool
        True when the same file (sha256) was imported before: nothing changed; its refused
        rows are in ``rejected`` again (they were never stored), the others are duplicates.
    message : str
        One line in Dutch for the user.
    """

    upload_id: str | None
    n_rows: int
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: int
    duplicate_rows: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "reason"]))
    already_imported: bool = False
    message: str = ""

    @property
    def n_accepted(self) -> int:
        """Number of rows stored."""
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        """Number of rows refused (duplicates not counted)."""
        return len(self.rejected)


def _check_kind(kind: str) -> None:
    if kind not in REGISTER_KINDS:
        raise InputError(f"unknown register kind {kind!r}; use one of {list(REGISTER_KINDS)}.")


# --------------------------------------------------------------------------------------------
# templates


def _allowed_values(kind: str, vocabulary: Vocabulary) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    if kind == "renovations":
        rows += [("maatregel", t.label_nl, code) for code, t in vocabulary.measures.items()]
        rows += [("fossielvrij", v, "") for v in ("ja", "nee")]
    if kind == "wvc_milestones":
        rows += [("mijlpaal", t.label_nl, code) for code, t in vocabulary.milestones.items()]
        rows += [("inclusief_collectieve_renovatie", v, "") for v in ("ja", "nee")]
    if kind == "charging_points":
        rows += [("publiek_toegankelijk", v, "") for v in ("ja", "nee")]
    return rows


def write_template(kind: str, path: str | Path, *, fmt: str = "csv") -> Path:
    """Write an upload template for one register kind.

    Parameters
    ----------
    kind : str
        One of :data:`wijkreno.register.REGISTER_KINDS`.
    path : str or Path
        File to write.
    fmt : {"csv", "xlsx"}
        CSV (``;``-separated, UTF-8 with BOM so that Excel shows accents) or XLSX (sheet
        "Gegevens" with styled header and an example row, sheet "Uitleg" with every column and
        the allowed values).

    Returns
    -------
    Path
        The file written.
    """
    _check_kind(kind)
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"template format {fmt!r} is not supported; use 'csv' or 'xlsx'.")
    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"the folder {path.parent} does not exist; create it first.")
    fields = UPLOAD_FIELDS[kind]
    if fmt == "csv":
        example = [f.example.isoformat() if isinstance(f.example, dt.date) else str(f.example)
                   for f in fields]
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow([f.header for f in fields])
            writer.writerow(example)
        return path
    _write_xlsx_template(kind, path, load_vocabulary())
    return path


def _write_xlsx_template(kind: str, path: Path, vocabulary: Vocabulary) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    fields = UPLOAD_FIELDS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = "Gegevens"
    bold_white = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for j, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=j, value=f.header)
        cell.font = bold_white
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        value = ws.cell(row=2, column=j, value=f.example)
        if f.kind == "date":
            value.number_format = "DD/MM/YYYY"
        width = max(len(f.header), len(str(f.example))) + 4
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 14), 60)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 22

    info = wb.create_sheet("Uitleg")
    info.append(["kolom", "verplicht", "betekenis", "voorbeeld"])
    for f in fields:
        example = f.example.strftime("%d/%m/%Y") if isinstance(f.example, dt.date) else f.example
        info.append([f.header, "ja" if f.required else "nee", f.help_nl, example])
    info.append([])
    info.append(["Data: tussen 01/01/2021 en vandaag. De voorbeeldrij (opmerking "
                 f"'{EXAMPLE_NOTE}') wordt bij het importeren overgeslagen."])
    allowed = _allowed_values(kind, vocabulary)
    first_allowed = None
    if allowed:
        info.append([])
        info.append(["kolom", "toegelaten waarde", "code"])
        first_allowed = info.max_row + 1
        for row in allowed:
            info.append(list(row))
    for row in (1, first_allowed - 1 if first_allowed else None):
        if row:
            for cell in info[row]:
                cell.font = bold_white
                cell.fill = fill
    for letter, width in zip("ABCD", (34, 46, 80, 30), strict=True):
        info.column_dimensions[letter].width = width

    # drop-down lists on the data sheet, pointing at the allowed values on "Uitleg"
    if first_allowed:
        by_column: dict[str, list[int]] = {}
        for k, (col, _, _) in enumerate(allowed):
            by_column.setdefault(col, []).append(first_allowed + k)
        for j, f in enumerate(fields, start=1):
            rows = by_column.get(f.header)
            if not rows:
                continue
            dv = DataValidation(type="list", formula1=f"=Uitleg!$B${rows[0]}:$B${rows[-1]}",
                                allow_blank=not f.required)
            dv.error = "Kies een waarde uit de lijst op het blad Uitleg."
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(j)}2:{get_column_letter(j)}5000")
    wb.save(path)


# --------------------------------------------------------------------------------------------
# reading a file


def _decode(content: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"cannot decode {path} as UTF-8 or Windows-1252 text; save it as CSV UTF-8.")


def read_upload(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read an upload file (CSV with ``,`` or ``;``, or XLSX) as raw values.

    Returns
    -------
    rows : pandas.DataFrame
        One row per non-empty data row, object dtype, headers normalised to lower case with
        ``_`` for spaces; the index is the row number as a spreadsheet shows it (header = 1).
    sha256 : str
        Hex digest of the file's bytes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"the upload file {path} does not exist; check the path.")
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(content, path)
    elif path.suffix.lower() in (".csv", ".txt"):
        table = _read_csv(_decode(content, path), path)
    else:
        raise InputError(f"cannot import {path.name}: use a .csv or .xlsx file (the templates "
                         "of `wijkreno register template`).")
    table.columns = [_header(c) for c in table.columns]
    blank = table.apply(lambda col: col.map(_is_blank)).all(axis=1)
    return table.loc[~blank], sha


def _header(name: Any) -> str:
    return "_".join(str(name if name is not None else "").strip().lower().split())


def _read_csv(text: str, path: Path) -> pd.DataFrame:
    lines = text.splitlines()
    if not lines:
        raise InputError(f"{path} is empty; fill the template and import it again.")
    head = lines[0]
    sep = ";" if head.count(";") > head.count(",") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"cannot read {path} as CSV ({sep!r}-separated): {exc}") from None
    table.index = pd.RangeIndex(2, 2 + len(table))
    return table.astype(object)


def _read_xlsx(content: bytes, path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's input
        raise InputError(f"cannot read {path} as an Excel workbook: {exc}") from None
    ws = wb["Gegevens"] if "Gegevens" in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        raise InputError(f"{path} has an empty first sheet; fill the template's sheet Gegevens.")
    def width(row: tuple) -> int:
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        return len(cells)

    # as wide as the widest of the first rows: a title row above the headers is narrower
    n_cols = max(width(r) for r in rows[:11])
    header = [f"kolom_{j + 1}" if v is None else v
              for j, v in enumerate(list(rows[0][:n_cols]) + [None] * (n_cols - len(rows[0])))]
    data = [list(r[:n_cols]) + [None] * (n_cols - len(r)) for r in rows[1:]]
    return pd.DataFrame(data, columns=header, index=pd.RangeIndex(2, 2 + len(data)),
                        dtype=object)


# --------------------------------------------------------------------------------------------
# validation


def _address_lookup(dwellings: pd.DataFrame) -> dict[str, tuple[str | None, str, str | None]]:
    """Map adres_id and dwelling_id to (adres_id, dwelling_id, nis_code)."""
    for col in ("dwelling_id",):
        if col not in dwellings.columns:
            raise InputError(f"the dwellings table has no column {col!r}; pass the twin's "
                             "dwellings (wijkreno.io.twin_store.read_table).")
    n = len(dwellings)
    adres = (dwellings["adres_id"].astype(object) if "adres_id" in dwellings.columns
             else pd.Series([None] * n, dtype=object))
    nis = (dwellings["nis_code"].astype(object) if "nis_code" in dwellings.columns
           else pd.Series([None] * n, dtype=object))
    out: dict[str, tuple[str | None, str, str | None]] = {}
    # plain lists: Series.map would give pandas' string dtype, turning None back into NaN
    # (stored as NULL by SQLite but as the text 'NaN' by PostgreSQL)
    entries = list(zip([None if _is_blank(v) else str(v) for v in adres],
                       dwellings["dwelling_id"].astype(str),
                       [None if _is_blank(v) else str(v) for v in nis], strict=True))
    for a, d, c in entries:
        out[d] = (a, d, c)
    for a, d, c in entries:  # an adres_id wins over a dwelling_id spelled the same
        if a is not None:
            out[a] = (a, d, c)
    return out


@dataclass
class _Twin:
    """What the import knows of the twin: the id lookup, the address search and the units of
    each building."""

    ids: dict[str, tuple[str | None, str, str | None]]
    index: AddressIndex | None
    units: dict[str, int]
    building_nis: dict[str, str | None]
    building_dwelling: dict[str, tuple[str | None, str]]
    dwelling_building: dict[str, str]


def _twin_for_import(dwellings: pd.DataFrame, index: AddressIndex | None) -> _Twin:
    """The lookups of the twin's dwellings an import needs (built once per import)."""
    units: dict[str, int] = {}
    building_nis: dict[str, str | None] = {}
    building_dwelling: dict[str, tuple[str | None, str]] = {}
    dwelling_building: dict[str, str] = {}
    if "gebouw_id" in dwellings.columns:
        dwelling_building = dict(zip(dwellings["dwelling_id"].astype(str),
                                     dwellings["gebouw_id"].astype(str), strict=True))
        geb = dwellings["gebouw_id"].astype("string")
        units = {str(k): int(v) for k, v in geb.value_counts().items()}
        first = dwellings.loc[~geb.duplicated() & geb.notna()]
        nis = first["nis_code"] if "nis_code" in first.columns else pd.Series(None,
                                                                               index=first.index)
        adres = (first["adres_id"] if "adres_id" in first.columns
                 else pd.Series(None, index=first.index))
        for g, n, a, d in zip(first["gebouw_id"].astype(str), nis, adres,
                              first["dwelling_id"].astype(str), strict=True):
            building_nis[g] = None if _is_blank(n) else str(n)
            building_dwelling[g] = (None if _is_blank(a) else str(a), d)
    if index is None and {"street", "house_number"} <= set(dwellings.columns) \
            and "adres_id" in dwellings.columns:
        index = build_address_index(dwellings)
    return _Twin(_address_lookup(dwellings), index, units, building_nis, building_dwelling,
                 dwelling_building)


def _validate_rows(kind: str, table: pd.DataFrame, *, nis_code: str,
                   addresses: _Twin | None, earliest: dt.date, latest: dt.date,
                   vocabulary: Vocabulary) -> tuple[list[tuple[int, dict]], list[dict]]:
    # one Python pass per row: uploads are hundreds of rows, and each cell needs its own Dutch
    # reason, which a vectorised parse would lose
    fields = UPLOAD_FIELDS[kind]
    measures = term_lookup(vocabulary.measures)
    milestones = term_lookup(vocabulary.milestones)
    locating = [f for f in fields if f.kind in ADDRESS_KINDS]
    good: list[tuple[int, dict]] = []
    bad: list[dict] = []
    for row_number, raw in table.iterrows():
        record: dict[str, Any] = {"nis_code": nis_code}
        problems: list[tuple[str, str, str]] = []
        candidates: tuple[str, ...] = ()
        for f in fields:
            if f.kind in ADDRESS_KINDS:
                continue
            value = raw.get(f.header) if f.header in raw.index else None
            if _is_blank(value):
                if f.required:
                    problems.append((f.header, "", "verplichte waarde ontbreekt"))
                record[f.column] = BOOL_DEFAULTS.get(f.column, False) if f.kind == "bool" \
                    else None
                continue
            try:
                record.update(_parse_field(f, value, earliest=earliest, latest=latest,
                                           measures=measures, milestones=milestones,
                                           bounds=vocabulary.bounds))
            except ValueError as exc:
                problems.append((f.header, str(value), str(exc)))
        if locating:
            given = {f.column: ("" if _is_blank(raw.get(f.header)) or f.header not in raw.index
                                else str(raw.get(f.header)).strip()) for f in locating}
            try:
                located = _locate(kind, given, nis_code=nis_code, twin=addresses)
                label = located.pop("_label", "")
                record.update(located)
                if located.get("gebouw_id") and _is_blank(record.get("collective_project")):
                    # works of a VME are collectively organised by definition (VVSG)
                    record["collective_project"] = f"VME {label}"[:255]
            except _LocateError as exc:
                headers = [f.header for f in locating if given.get(f.column)]
                problems.append((", ".join(headers) or "adres_id",
                                 " ".join(v for v in given.values() if v), str(exc)))
                candidates = exc.candidates
        if problems:
            bad.append({"row": int(row_number),
                        "column": ", ".join(p[0] for p in problems),
                        "value": " | ".join(p[1] for p in problems),
                        "reason": "; ".join(p[2] for p in problems),
                        "candidates": " | ".join(candidates)})
        else:
            good.append((int(row_number), record))
    return good, bad


class _LocateError(ValueError):
    """A row's address could not be located; ``candidates`` are what it could be."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


def _locate(kind: str, given: dict[str, str], *, nis_code: str,
            twin: _Twin | None) -> dict[str, Any]:
    """``adres_id``, ``dwelling_id`` (and for a whole building ``gebouw_id``, ``n_units``) of a
    row from its ``adres_id``, its street/number/box/postcode or its ``gebouw_id``."""
    key = given.get("adres_id", "")
    street, number = given.get("street", ""), given.get("house_number", "")
    box, postcode = given.get("box_number", ""), given.get("postcode", "")
    building = given.get("gebouw_id", "")
    if not (key or street or number or building):
        raise _LocateError("adres ontbreekt: vul adres_id in, of straat en huisnummer"
                           + (", of gebouw_id" if "gebouw_id" in given else ""))
    if twin is None:
        if key:
            return {"adres_id": key, "dwelling_id": None}
        raise _LocateError("zonder digitale tweeling kan een adres enkel met adres_id "
                           "opgegeven worden")
    found: dict[str, Any] | None = None
    if key:
        hit = twin.ids.get(key)
        if hit is None:
            raise _LocateError(f"adres {key!r} bestaat niet in de tweeling")
        _same_municipality(key, hit[2], nis_code)
        found = {"adres_id": hit[0], "dwelling_id": hit[1]}
    if street or number:
        if twin.index is None:
            raise _LocateError("de tweeling heeft geen straatnamen; geef adres_id")
        match = twin.index.resolve(street, number, box, postcode)
        if match.status in ("not_found", "ambiguous"):
            raise _LocateError(f"adres '{_given_label(given)}': {match.reason_nl}",
                               match.candidates)
        _same_municipality(match.label, match.nis_code, nis_code)
        if match.status == "building":
            if kind != "renovations":
                raise _LocateError(
                    f"'{match.label}' is een appartementsgebouw met {len(match.adres_ids)} "
                    "wooneenheden; vul het busnummer in", tuple(
                        f"{match.label.split(',')[0]} bus {b}" for b in _boxes(match, twin)))
            by_address = _building(match.gebouw_id or "", twin, nis_code, match.label)
        else:
            by_address = {"adres_id": match.adres_ids[0], "dwelling_id": match.dwelling_ids[0]}
        if found is not None and (found["adres_id"], found["dwelling_id"]) != (
                by_address.get("adres_id"), by_address.get("dwelling_id")):
            raise _LocateError(f"adres_id {key!r} en '{_given_label(given)}' wijzen naar "
                               "verschillende adressen; laat er één weg of verbeter")
        found = by_address
    if building:
        by_building = _building(building, twin, nis_code, f"gebouw {building}")
        if found is None:
            found = by_building
        elif (found.get("gebouw_id")
              or twin.dwelling_building.get(str(found.get("dwelling_id")))) != building:
            raise _LocateError(f"gebouw_id {building!r} en het adres wijzen naar "
                               "verschillende gebouwen; laat er één weg of verbeter")
    assert found is not None
    return found


def locate_address(kind: str, *, nis_code: str, dwellings: pd.DataFrame,
                   address_index: AddressIndex | None = None, adres_id: str = "",
                   street: str = "", house_number: str = "", box_number: str = "",
                   postcode: str = "", gebouw_id: str = "") -> dict[str, Any]:
    """Where a register row of ``kind`` is, by the rules of the import (for a correction form).

    Parameters
    ----------
    kind : {"renovations", "trajectories"}
        The register kind (a whole building is accepted for renovations only).
    nis_code : str
        The municipality the row belongs to.
    dwellings : pandas.DataFrame
        The twin's dwellings, as for :func:`import_file`.
    address_index : AddressIndex, optional
        The map's address search of the same dwellings (built when None).
    adres_id, street, house_number, box_number, postcode, gebouw_id : str
        What the user gave (empty strings for nothing).

    Returns
    -------
    dict
        ``adres_id``, ``dwelling_id`` and, for a whole apartment building, ``gebouw_id`` and
        ``n_units``: the values to store (e.g. as the changes of :meth:`Register.correct`).

    Raises
    ------
    InputError
        The address is unknown or ambiguous; the message (Dutch) names the candidates.
    """
    _check_kind(kind)
    twin = _twin_for_import(dwellings, address_index)
    given = {"adres_id": adres_id, "street": street, "house_number": house_number,
             "box_number": box_number, "postcode": postcode}
    if kind == "renovations":
        given["gebouw_id"] = gebouw_id
    given = {k: ("" if _is_blank(v) else str(v).strip()) for k, v in given.items()}
    try:
        found = _locate(kind, given, nis_code=str(nis_code), twin=twin)
    except _LocateError as exc:
        more = f" Kandidaten: {' | '.join(exc.candidates)}." if exc.candidates else ""
        raise InputError(f"{exc}.{more}") from None
    found.pop("_label", None)
    return found


def _given_label(given: dict[str, str]) -> str:
    text = " ".join(v for v in (given.get("street", ""), given.get("house_number", "")) if v)
    if given.get("box_number"):
        text += f" bus {given['box_number']}"
    if given.get("postcode"):
        text += f", {given['postcode']}"
    return text


def _boxes(match: AddressMatch, twin: _Twin) -> list[str]:
    assert twin.index is not None
    f = twin.index.frame
    rows = f[f["adres_id"].isin(match.adres_ids)].sort_values("box_sort")
    return [b for b in rows["box_number"].astype(str) if b][:MAX_NEAREST]


def _same_municipality(what: str, hit_nis: str | None, nis_code: str) -> None:
    if hit_nis and hit_nis != nis_code:
        raise _LocateError(f"adres {what!r} ligt in gemeente {hit_nis}, niet in {nis_code}")


def _building(gebouw_id: str, twin: _Twin, nis_code: str, label: str) -> dict[str, Any]:
    """A building row (works of a VME), or the one dwelling of a one-unit building."""
    n_units = twin.units.get(gebouw_id)
    if not n_units:
        raise _LocateError(f"gebouw {gebouw_id!r} bestaat niet in de tweeling of heeft geen "
                           "wooneenheden")
    _same_municipality(label, twin.building_nis.get(gebouw_id), nis_code)
    if n_units == 1:  # a house: the row is its address
        adres, dwelling = twin.building_dwelling[gebouw_id]
        return {"adres_id": adres, "dwelling_id": dwelling, "_label": label}
    return {"adres_id": None, "dwelling_id": None, "gebouw_id": gebouw_id,
            "n_units": n_units, "_label": label}


def _parse_field(f: UploadField, value: Any, *, earliest: dt.date, latest: dt.date,
                 measures: dict[str, str], milestones: dict[str, str],
                 bounds: Bounds) -> dict[str, Any]:
    if f.kind in ("measure", "milestone"):
        lookup = measures if f.kind == "measure" else milestones
        code = lookup.get(_normalise(value))
        if code is None:
            what = "maatregel" if f.kind == "measure" else "mijlpaal"
            raise ValueError(f"onbekende {what} {str(value).strip()!r} (zie blad Uitleg)")
        return {f.column: code}
    if f.kind == "date":
        day = parse_date(value)
        if day < earliest:
            raise ValueError(f"datum {day:%d/%m/%Y} ligt voor {earliest:%d/%m/%Y}")
        if day > latest:
            raise ValueError(f"datum {day:%d/%m/%Y} ligt in de toekomst (na {latest:%d/%m/%Y})")
        return {f.column: day}
    if f.kind == "bool":
        return {f.column: parse_bool(value)}
    if f.kind in ("number", "int"):
        number = parse_number(value)
        if number < 0:
            raise ValueError(f"negatief getal: {value!r}")
        upper = bounds.upper(f.column)
        if upper is not None and number > upper:
            raise ValueError(f"{number:,.0f} is onwaarschijnlijk groot (maximum {upper:,.0f}); "
                             "controleer de eenheid")
        if f.kind == "int":
            if number != int(number):
                raise ValueError(f"geen geheel getal: {value!r}")
            number = int(number)
        return {f.column: number}
    text = str(value).strip()
    if len(text) > bounds.max_chars(f.column):
        raise ValueError(f"tekst van {len(text):,} tekens is te lang (maximum "
                         f"{bounds.max_chars(f.column):,})")
    return {f.column: text}


def _dup_key(kind: str, record: dict[str, Any]) -> tuple:
    return key_tuple(kind, record)


def _register_keys(conn: Connection, kind: str, nis_code: str) -> set[tuple]:
    table = KIND_MODELS[kind].__table__
    wanted = {c.lstrip("_") for c in NATURAL_KEYS[kind]} | {"adres_id", "dwelling_id",
                                                              "gebouw_id"}
    cols = [c for c in table.columns.keys() if c in wanted]
    stmt = select(*[table.c[c] for c in cols]).where(table.c.nis_code == nis_code)
    keys: set[tuple] = set()
    for row in conn.execute(stmt).mappings():
        record = dict(row)
        keys.add(_dup_key(kind, record))
        if record.get("adres_id") and record.get("dwelling_id"):
            # rows stored without a twin match carry only adres_id: match those too
            keys.add(_dup_key(kind, {**record, "dwelling_id": None}))
    return keys


# --------------------------------------------------------------------------------------------
# import


def import_file(register: Register, path: str | Path, kind: str, *, nis_code: str,
                dwellings: pd.DataFrame | None, user: str, strict: bool = False,
                date_range: tuple[dt.date, dt.date] | None = None,
                address_index: AddressIndex | None = None) -> ImportResult:
    """Import a filled template into the register.

    Parameters
    ----------
    register : Register
        The register to write to.
    path : str or Path
        CSV (``,`` or ``;``, UTF-8 with or without BOM) or XLSX file with the template's
        Dutch headers (the register's English column names are accepted too).
    kind : str
        One of :data:`wijkreno.register.REGISTER_KINDS`.
    nis_code : str
        NIS5 code of the municipality the rows belong to.
    dwellings : pandas.DataFrame or None
        The twin's dwellings (``dwelling_id``, ``adres_id``, ``nis_code``, and for rows that
        give street, number and box or a building: ``gebouw_id``, ``street``,
        ``house_number``, ``box_number``, ``postcode``); addresses are checked against them
        and ``dwelling_id`` filled in. None skips the address check (logged as a warning;
        rows must then give ``adres_id``).
    user : str
        Who imports (kept on the upload, the rows and the audit trail).
    strict : bool
        When True, any invalid row aborts the import and nothing is stored.
    date_range : (date, date) or None
        Accepted dates, inclusive; default from ``register_vocabulary.toml`` (2021-01-01 to
        today).
    address_index : AddressIndex, optional
        The map's address search of the same dwellings
        (:func:`wijkreno.twin.address_search.build_address_index`), reused so an import does
        not build it again; built from ``dwellings`` when None.

    Returns
    -------
    ImportResult
        A row that gives street and number is resolved as the map's search resolves it
        (:meth:`~wijkreno.twin.address_search.AddressIndex.resolve`); an ambiguous or unknown
        address is rejected with its ``candidates``. A renovation row for an apartment
        building (its address without box, or its ``gebouw_id``) is stored once with
        ``gebouw_id`` and ``n_units`` (the building's housing units in the twin) and counts
        for every unit (:func:`wijkreno.indicators.count_renovations`); its collective
        project defaults to ``"VME <address>"``.

    Raises
    ------
    InputError
        Unreadable file, unknown or missing columns, bad ``nis_code``, or ``strict`` with
        invalid rows (the database is left unchanged).
    """
    _check_kind(kind)
    nis_code = str(nis_code).strip()
    if not (len(nis_code) == 5 and nis_code.isdigit()):
        raise InputError(f"nis_code {nis_code!r} is not a NIS5 code (5 digits, e.g. '13002').")
    if not user or not str(user).strip():
        raise InputError("user is empty; say who imports the file (a name or e-mail).")
    path = Path(path)
    vocabulary = register.vocabulary
    earliest, latest = date_range or (vocabulary.dates.earliest, vocabulary.latest_date())
    table, sha = read_upload(path)
    table = _map_headers(kind, table, path)
    if "opmerking" in table.columns:
        table = table.loc[table["opmerking"].map(lambda v: str(v).strip() != EXAMPLE_NOTE)]
    n_rows = len(table)
    fields = UPLOAD_FIELDS[kind]
    out_columns = ["row", *{f.column: None for f in fields if f.kind not in ADDRESS_KINDS}]

    upload_t = Upload.__table__
    addresses = None
    if dwellings is None:
        if any(f.kind == "address" for f in fields):
            log.warning("no twin dwellings given: addresses of %s are not checked", path.name)
    else:
        addresses = _twin_for_import(dwellings, address_index)
    good, bad = _validate_rows(kind, table, nis_code=nis_code, addresses=addresses,
                               earliest=earliest, latest=latest, vocabulary=vocabulary)
    passed: list[tuple[int, dict]] = []
    for row_number, record in good:  # the rules of Register.add: bounds, text lengths
        try:
            coerce_record(kind, record, vocabulary, (earliest, latest))
        except InputError as exc:
            bad.append({"row": row_number, "column": "", "value": "",
                        "reason": str(exc).split(": ", 1)[-1], "candidates": ""})
        else:
            passed.append((row_number, record))
    good = passed
    bad.sort(key=lambda b: b["row"])
    rejected = pd.DataFrame(bad, columns=list(REJECTED_COLUMNS))
    # the same file again: nothing is stored, but its refused rows are refused again (they were
    # never stored, so the officer can still correct them); the others are already in
    earlier = _earlier_upload(register.engine, kind, nis_code, sha)
    if earlier is not None:
        return _already_imported(earlier, path, n_rows, out_columns, rejected, good)
    if strict and bad:
        lines = [f"rij {b['row']}: {b['reason']}" for b in bad[:20]]
        raise InputError(f"{len(bad)} of {n_rows} rows of {path.name} are not valid and "
                         "--strict is set, so nothing was imported:\n- " + "\n- ".join(lines))

    upload_id = new_upload_id()
    with write_transaction(register.engine, f"{kind}|{nis_code}") as conn:
        # the file hash and the duplicates are looked up inside the transaction that writes,
        # under the write lock, so two imports of the same or overlapping files at the same
        # moment run one after the other; the unique natural keys back this up
        earlier = _earlier_upload(conn, kind, nis_code, sha)
        if earlier is not None:
            return _already_imported(earlier, path, n_rows, out_columns, rejected, good)
        seen = _register_keys(conn, kind, nis_code)
        first_in_file: dict[tuple, int] = {}
        keep: list[tuple[int, dict]] = []
        dups: list[dict] = []
        for row_number, record in good:
            key = _dup_key(kind, record)
            if key in first_in_file:
                dups.append({"row": row_number, "reason": "dubbele rij in het bestand (zelfde "
                             f"als rij {first_in_file[key]})"})
            elif key in seen:
                dups.append({"row": row_number, "reason": "staat al in het register"})
            else:
                first_in_file[key] = row_number
                keep.append((row_number, record))
        now = _now()
        conn.execute(insert(upload_t), [{
            "upload_id": upload_id, "nis_code": nis_code, "kind": kind,
            "file_name": path.name[:255], "sha256": sha, "user_name": user, "uploaded_at": now,
            "n_rows": n_rows, "n_accepted": len(keep), "n_rejected": len(bad),
            "n_duplicates": len(dups), "natural_key": upload_key(kind, nis_code, sha)}])
        conn.execute(insert(AuditLog.__table__), [{
            "who": user, "at": now, "action": "insert", "table_name": "upload",
            "row_key": upload_id, "nis_code": nis_code, "upload_id": upload_id,
            "old_values": None,
            "new_values": {"file_name": path.name, "sha256": sha, "kind": kind,
                           "n_rows": n_rows, "n_accepted": len(keep), "n_rejected": len(bad),
                           "n_duplicates": len(dups)}}])
        ids = register._insert(conn, kind, [r for _, r in keep], user=user,
                               upload_id=upload_id)
    accepted = pd.DataFrame([{"row": n, **r} for n, r in keep])
    if len(accepted):
        accepted.insert(1, KIND_COLUMNS[kind][0], ids)
    message = (f"{path.name}: {n_rows} rijen, {len(keep)} aanvaard, {len(bad)} geweigerd, "
               f"{len(dups)} dubbel.")
    log.info(message)
    return ImportResult(upload_id=upload_id, n_rows=n_rows, accepted=accepted,
                        rejected=rejected, duplicates=len(dups),
                        duplicate_rows=pd.DataFrame(dups, columns=["row", "reason"]),
                        message=message)


def _earlier_upload(conn: Engine | Connection, kind: str, nis_code: str,
                   sha: str) -> tuple | None:
    t = Upload.__table__
    stmt = select(t.c.upload_id, t.c.uploaded_at).where(
        t.c.natural_key == upload_key(kind, nis_code, sha))
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return c.execute(stmt).first()
    return conn.execute(stmt).first()


def _already_imported(earlier: tuple, path: Path, n_rows: int, out_columns: list[str],
                      rejected: pd.DataFrame, good: list[tuple[int, dict]]) -> ImportResult:
    """The result of a file imported before: its valid rows are in (duplicates), its refused
    rows are refused again with their reasons (the file's rows validated anew)."""
    when = f"{earlier[1]:%d/%m/%Y %H:%M}"
    message = (f"{path.name} is al geïmporteerd op {when} (upload {earlier[0]}); 0 nieuwe "
               f"rijen, {len(rejected)} geweigerd.")
    log.info(message)
    dups = [{"row": n, "reason": f"al ingelezen met dit bestand op {when}"} for n, _ in good]
    return ImportResult(upload_id=earlier[0], n_rows=n_rows,
                        accepted=pd.DataFrame(columns=out_columns), rejected=rejected,
                        duplicates=len(dups),
                        duplicate_rows=pd.DataFrame(dups, columns=["row", "reason"]),
                        already_imported=True, message=message)


def _header_row_below(table: pd.DataFrame, names: dict[str, str]) -> int | None:
    """The spreadsheet row (header = 1) among the first ten that holds most of the template's
    headers, when a title row pushed them down; None when there is none."""
    wanted = set(names)
    for row_number, values in table.head(10).iterrows():
        cells = {_header(v) for v in values if not _is_blank(v)}
        if len(cells & wanted) >= 2:
            return int(row_number)
    return None


def _map_headers(kind: str, table: pd.DataFrame, path: Path) -> pd.DataFrame:
    fields = UPLOAD_FIELDS[kind]
    names: dict[str, str] = {}
    for f in fields:
        names[f.header] = f.header
        names[f.column] = f.header  # the register's English names are accepted too
    unknown = [c for c in table.columns if c not in names]
    if unknown:
        header_row = _header_row_below(table, names)
        if header_row is not None:
            raise InputError(
                f"{path.name}: de kolomkoppen staan op rij {header_row}, niet op rij 1; "
                f"verwijder de titelrij(en) erboven en importeer opnieuw / the column headers "
                f"are on row {header_row}: remove the title row(s) above them.")
        raise InputError(f"{path.name} has columns {unknown} that the {kind} template does not "
                         f"know; the template's columns are {[f.header for f in fields]}.")
    table = table.rename(columns=names)
    if table.columns.duplicated().any():
        raise InputError(f"{path.name} names a column twice: {list(table.columns)}.")
    missing = [f.header for f in fields if f.required and f.header not in table.columns]
    if missing:
        raise InputError(f"{path.name} lacks the columns {missing}; start from "
                         f"`wijkreno register template {kind}`.")
    return table


__all__ = ["ADDRESS_KINDS", "EXAMPLE_NOTE", "ImportResult", "REJECTED_COLUMNS", "UPLOAD_FIELDS",
           "import_file", "locate_address", "read_upload", "write_template"]
