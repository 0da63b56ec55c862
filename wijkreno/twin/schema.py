"""Schema of the tables handed between stages: the twin's ``buildings`` and ``dwellings``.

Also the vocabulary the readers and the stages share: typologies, heating systems, the Statbel
building types and construction periods, and the overrides table of a renovation coach
(:data:`OVERRIDE_COLUMNS`, :func:`check_overrides`), read by :mod:`wijkreno.io` and used by the
compute stages: io needs nothing else of the stages.

Every column has a dtype, a unit and a description. Every attribute that is not read straight
from a source has a companion ``<name>_source`` column whose value says where the figure comes
from (:data:`SOURCE_VALUES`):

``observed``
    read from a source file or service (a register, a height raster, an address list);
``derived``
    computed from observed data by geometry or arithmetic (area, party walls, orientation);
``imputed``
    guessed from statistics (Statbel counts, TABULA archetypes, parameter defaults).

A value derived from an imputed input is itself ``imputed``.

The schema object validates a frame where one stage hands it to the next
(:func:`validate_table`), and it writes itself as documentation (:func:`schema_markdown`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkreno.crs import CRS_EPSG, require_lambert72
from wijkreno.errors import InputError, SchemaError
from wijkreno.params.names import HEATING_SYSTEMS, TABULA_PERIODS, TYPOLOGIES

SOURCE_VALUES: tuple[str, ...] = ("observed", "derived", "imputed")


BUILDING_ROLES: tuple[str, ...] = ("main", "annex")

ORIENTATIONS: tuple[str, ...] = ("n", "e", "s", "w")


STATBEL_BUILDING_TYPES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "R6")
"""Statbel building types of the building-stock table ("gebouwenpark"), read by
:mod:`wijkreno.io.statbel` and used by the twin's imputation."""

STATBEL_PERIODS: dict[str, tuple[int, int]] = {
    "T3.1": (1850, 1899),
    "T3.2": (1900, 1918),
    "T3.3": (1919, 1945),
    "T3.4": (1946, 1961),
    "T3.5": (1962, 1970),
    "T3.6": (1971, 1981),
    "T3.7.1": (1982, 1991),
    "T3.7.2": (1992, 2001),
    "T3.7.3": (2002, 2011),
    "T3.7.4": (2012, 2024),
}
"""Statbel construction-period classes (codebook_stat_type.csv) with the years the twin draws
from. Statbel's open ends (before 1900, after 2011) are closed at 1850 and 2024 (the last full
year before the 2025 count)."""


@dataclass(frozen=True)
class Column:
    """One column of a twin table.

    Parameters
    ----------
    name : str
        House name of the column (official keys keep their official name).
    dtype : str
        One of ``string``, ``float64``, ``int64``, ``bool``, ``category``, ``geometry``.
    unit : str
        Physical unit, ``-`` for none.
    description : str
        What the value means, in one sentence.
    nullable : bool
        Whether missing values are allowed.
    has_source : bool
        Whether a companion ``<name>_source`` column says observed / derived / imputed.
    categories : tuple of str
        Allowed values for ``category`` columns.
    min_value, max_value : float or None
        Inclusive bounds for numeric columns.
    """

    name: str
    dtype: str
    unit: str
    description: str
    nullable: bool = False
    has_source: bool = False
    categories: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class TableSchema:
    """Columns of one twin table, with the geometry type it carries."""

    name: str
    columns: tuple[Column, ...]
    geometry_types: tuple[str, ...] = field(default=())

    def column_names(self) -> list[str]:
        """All column names in order, each ``<name>_source`` companion right after its column."""
        names: list[str] = []
        for col in self.columns:
            names.append(col.name)
            if col.has_source:
                names.append(f"{col.name}_source")
        return names

    def __getitem__(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _facades(kind: str, unit: str, what: str, has_source: bool) -> tuple[Column, ...]:
    words = {"n": "north", "e": "east", "s": "south", "w": "west"}
    return tuple(
        Column(
            f"{kind}_{o}_{unit}",
            "float64",
            unit.replace("m2", "m²"),
            f"{what} facing {words[o]} (outward normal within 45° of {words[o]}).",
            has_source=has_source,
            min_value=0.0,
        )
        for o in ORIENTATIONS
    )


BUILDINGS = TableSchema(
    name="buildings",
    geometry_types=("Polygon", "MultiPolygon"),
    columns=(
        Column("gebouw_id", "string", "-",
               "Official building id (Gebouwenregister objectId or GRB OIDN), unique."),
        Column("geometry", "geometry", "EPSG:31370", "Footprint polygon (gebouw aan de grond)."),
        Column("nis_code", "string", "-", "NIS5 code of the municipality."),
        Column("sector_code", "string", "-",
               "Statbel statistical sector (CD_SECTOR, 9 characters) holding the footprint's "
               "representative point; missing when no sector layer was given.", nullable=True),
        Column("footprint_area_m2", "float64", "m²", "Area of the footprint polygon.",
               min_value=0.0),
        Column("perimeter_m", "float64", "m", "Length of the footprint's exterior ring.",
               min_value=0.0),
        Column("building_role", "category", "-",
               "'main' for a building that counts as a building in Statbel's sense, 'annex' for "
               "a garage, veranda, shed or other outbuilding.",
               has_source=True, categories=BUILDING_ROLES),
        Column("main_gebouw_id", "string", "-",
               "For an annex, the main building it belongs to (missing for a free-standing "
               "shed); for a main building, its own id.", nullable=True),
        Column("block_id", "int64", "-",
               "Connected component of the party-wall graph between main buildings (a row of "
               "terraced houses shares one block_id); -1 for annexes.", min_value=-1),
        Column("n_party_walls", "int64", "-",
               "Number of main buildings this main building shares a wall with.", min_value=0),
        Column("party_wall_length_m", "float64", "m",
               "Length of footprint boundary shared with other main buildings.", min_value=0.0),
        Column("annex_wall_length_m", "float64", "m",
               "Length of a main building's boundary shared with annexes (garage, veranda).",
               min_value=0.0),
        *_facades("exposed_wall", "m", "Length of exterior (not shared) footprint boundary",
                  False),
        Column("typology", "category", "-",
               "detached (R3), semi_detached (R2), terraced (R1), apartment_building (R4) or "
               "non_residential (R5/R6); missing for annexes.",
               nullable=True, has_source=True, categories=TYPOLOGIES),
        Column("height_m", "float64", "m", "Height of the building above ground (eaves/roof "
               "mean for a raster, register value when given).", has_source=True,
               min_value=0.0, max_value=200.0),
        Column("n_floors", "int64", "-", "Number of above-ground storeys (full floors).",
               has_source=True, min_value=1, max_value=60),
        Column("construction_year", "int64", "year",
               "Year the building was completed (imputed within the Statbel period when the "
               "source has none); missing for a free-standing shed.", has_source=True,
               nullable=True, min_value=1000, max_value=2100),
        Column("statbel_period", "category", "-",
               "Statbel construction period class (T3.x) the construction year falls in.",
               categories=(), nullable=True),
        Column("roof_area_m2", "float64", "m²", "Area of the roof surface (pitched roofs: "
               "footprint divided by the cosine of the pitch).", has_source=True,
               min_value=0.0),
        Column("ground_floor_area_m2", "float64", "m²",
               "Area of the ground floor slab (equal to the footprint).", min_value=0.0),
        Column("heated_floor_area_m2", "float64", "m²",
               "Heated (conditioned) floor area, all storeys (EPB: bruikbare vloeroppervlakte).",
               has_source=True, min_value=0.0),
        Column("volume_m3", "float64", "m³", "Heated volume (footprint × height).",
               has_source=True, min_value=0.0),
        *_facades("facade_area", "m2",
                  "Gross exterior facade area (windows included)", False),
        Column("party_wall_area_m2", "float64", "m²",
               "Area of walls shared with a neighbouring main building.", min_value=0.0),
        Column("annex_wall_area_m2", "float64", "m²",
               "Area of walls shared with annexes (walls to an unheated space).", min_value=0.0),
        Column("n_addresses", "int64", "-",
               "Number of addresses (housing units) linked to the building in the address "
               "source; 0 when none.", min_value=0),
        Column("n_dwellings", "int64", "-", "Number of dwellings (housing units).",
               has_source=True, min_value=0),
    ),
)

DWELLINGS = TableSchema(
    name="dwellings",
    geometry_types=("Point",),
    columns=(
        Column("dwelling_id", "string", "-",
               "Unique id of the housing unit: the adres_id when the address is known, else "
               "'<gebouw_id>/w<k>' for a dwelling imputed from floor area."),
        Column("adres_id", "string", "-", "Official Adressenregister id, when known.",
               nullable=True),
        Column("gebouw_id", "string", "-", "Building the dwelling lies in."),
        Column("geometry", "geometry", "EPSG:31370",
               "Address position, or the building's representative point for imputed dwellings."),
        Column("street", "string", "-", "Street name (Dutch).", nullable=True),
        Column("house_number", "string", "-", "House number (huisnummer).", nullable=True),
        Column("box_number", "string", "-", "Box number (busnummer) of an apartment.",
               nullable=True),
        Column("postcode", "string", "-", "Postal code.", nullable=True),
        Column("nis_code", "string", "-", "NIS5 code of the municipality."),
        Column("sector_code", "string", "-", "Statbel statistical sector (CD_SECTOR).",
               nullable=True),
        Column("typology", "category", "-", "Typology of the building.",
               has_source=True, categories=TYPOLOGIES),
        Column("construction_year", "int64", "year", "Construction year of the building.",
               has_source=True, min_value=1000, max_value=2100),
        Column("tabula_period", "category", "-",
               "TABULA BE construction period: 01 ≤1945, 02 1946–70, 03 1971–90, 04 1991–2005, "
               "05 2006–11, 06 ≥2012.", categories=TABULA_PERIODS),
        Column("archetype_code", "string", "-",
               "TABULA BE building type whose envelope defaults were used "
               "(e.g. BE.N.TH.02.Gen)."),
        Column("floor_share_frac", "float64", "-",
               "Dwelling's share of its building's heated floor area (1 for a house).",
               min_value=0.0, max_value=1.0),
        Column("heated_floor_area_m2", "float64", "m²", "Heated floor area of the dwelling.",
               has_source=True, min_value=0.0),
        Column("volume_m3", "float64", "m³", "Heated volume of the dwelling.", min_value=0.0),
        Column("n_floors", "int64", "-", "Storeys of the building.", min_value=1),
        Column("roof_area_m2", "float64", "m²",
               "Roof area attributed to the dwelling (share of the building's).", min_value=0.0),
        Column("ground_floor_area_m2", "float64", "m²",
               "Ground-floor slab area attributed to the dwelling.", min_value=0.0),
        *_facades("wall_area", "m2", "Opaque exterior wall area of the dwelling", False),
        *_facades("window_area", "m2", "Window area of the dwelling", False),
        Column("party_wall_area_m2", "float64", "m²",
               "Wall area shared with a neighbouring building.", min_value=0.0),
        Column("annex_wall_area_m2", "float64", "m²",
               "Wall area shared with an annex (garage, veranda): a wall to an unheated space.",
               min_value=0.0),
        Column("u_roof_w_per_m2k", "float64", "W/(m²·K)", "U-value of the roof.",
               has_source=True, min_value=0.0, max_value=10.0),
        Column("u_wall_w_per_m2k", "float64", "W/(m²·K)", "U-value of exterior walls.",
               has_source=True, min_value=0.0, max_value=10.0),
        Column("u_floor_w_per_m2k", "float64", "W/(m²·K)", "U-value of the ground floor.",
               has_source=True, min_value=0.0, max_value=10.0),
        Column("u_window_w_per_m2k", "float64", "W/(m²·K)", "U-value of windows.",
               has_source=True, min_value=0.0, max_value=10.0),
        Column("u_party_wall_w_per_m2k", "float64", "W/(m²·K)",
               "U-value of party walls (the energy engine applies an adjustment factor for "
               "the neighbour's state).", min_value=0.0, max_value=10.0),
        Column("g_window_frac", "float64", "-", "Total solar energy transmittance of glazing.",
               min_value=0.0, max_value=1.0),
        Column("thermal_bridge_w_per_m2k", "float64", "W/(m²·K)",
               "Thermal-bridge surcharge ΔU_tb on the whole envelope area.", min_value=0.0),
        Column("infiltration_ach", "float64", "1/h", "Infiltration air change rate.",
               has_source=True, min_value=0.0, max_value=5.0),
        Column("cellar_frac", "float64", "-",
               "Share of the ground floor above an unheated cellar (b-factor of the floor).",
               min_value=0.0, max_value=1.0),
        Column("heating_system", "category", "-", "Main heating system.",
               has_source=True, categories=HEATING_SYSTEMS),
    ),
)

REJECTED_COLUMNS: tuple[str, ...] = ("input", "row", "id", "reason", "wkt")
"""Columns of the ``rejected`` table: which input, which row (0-based position in the file),
the row's id when it has one, why it was refused, and its geometry as WKT."""


def _geometry_check(frame: pd.DataFrame, schema: TableSchema, problems: list[str]) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        problems.append(f"expected a GeoDataFrame, got {type(frame).__name__}")
        return
    require_lambert72(frame, f"the {schema.name} table")
    if len(frame):
        types = set(frame.geometry.geom_type.dropna().unique())
        bad = types - set(schema.geometry_types)
        if bad:
            problems.append(
                f"geometry types {sorted(bad)} not allowed (expected {list(schema.geometry_types)})"
            )
        if frame.geometry.isna().any() or frame.geometry.is_empty.any():
            problems.append("missing or empty geometries")


def _dtype_ok(series: pd.Series, dtype: str) -> bool:
    if dtype == "string":
        return pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)
    if dtype == "float64":
        return pd.api.types.is_float_dtype(series)
    if dtype == "int64":
        return pd.api.types.is_integer_dtype(series)
    if dtype == "bool":
        return pd.api.types.is_bool_dtype(series)
    if dtype == "category":
        return isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(
            series
        ) or pd.api.types.is_string_dtype(series)
    return True


def validate_table(frame: pd.DataFrame, schema: TableSchema) -> None:
    """Check a twin table against its schema; raise :class:`SchemaError` listing every problem.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The table to check.
    schema : TableSchema
        :data:`BUILDINGS` or :data:`DWELLINGS`.

    Raises
    ------
    SchemaError
        With one line per problem (missing columns, wrong dtypes, nulls, values out of range,
        unknown categories, duplicate ids).
    CRSError
        When the frame has no CRS or another CRS than EPSG:31370.
    """
    problems: list[str] = []
    missing = [c for c in schema.column_names() if c not in frame.columns]
    if missing:
        problems.append(f"missing columns {missing}")
    _geometry_check(frame, schema, problems)
    for col in schema.columns:
        if col.name not in frame.columns or col.dtype == "geometry":
            continue
        s = frame[col.name]
        if not _dtype_ok(s, col.dtype):
            problems.append(f"column {col.name!r} has dtype {s.dtype}, expected {col.dtype}")
            continue
        if not col.nullable and s.isna().any():
            problems.append(f"column {col.name!r} has {int(s.isna().sum())} missing values")
        if col.dtype in ("float64", "int64") and len(s):
            values = s.to_numpy(dtype="float64", na_value=np.nan)
            if col.dtype == "float64" and np.isinf(values).any():
                problems.append(f"column {col.name!r} has infinite values")
            if col.min_value is not None and (values < col.min_value).any():
                problems.append(f"column {col.name!r} has values below {col.min_value}")
            if col.max_value is not None and (values > col.max_value).any():
                problems.append(f"column {col.name!r} has values above {col.max_value}")
        if col.dtype == "category" and col.categories:
            unknown = set(s.dropna().astype(str).unique()) - set(col.categories)
            if unknown:
                problems.append(f"column {col.name!r} has unknown values {sorted(unknown)}")
        if col.has_source:
            src = f"{col.name}_source"
            if src in frame.columns:
                unknown = set(frame[src].dropna().astype(str).unique()) - set(SOURCE_VALUES)
                if unknown:
                    problems.append(f"column {src!r} has unknown values {sorted(unknown)}")
    key = schema.columns[0].name
    if key in frame.columns and frame[key].duplicated().any():
        dups = frame.loc[frame[key].duplicated(), key].head(5).tolist()
        problems.append(f"duplicate {key} values, e.g. {dups}")
    if problems:
        raise SchemaError(
            f"the {schema.name} table does not match the twin schema:\n- "
            + "\n- ".join(problems)
            + "\nBuild the table with wijkreno.twin.build_twin, or see docs/twin_schema.md."
        )


def conform(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Order the columns as the schema lists them and set categorical dtypes.

    Extra columns are kept after the schema's columns.
    """
    names = schema.column_names()
    extra = [c for c in frame.columns if c not in names]
    out = frame[[c for c in names if c in frame.columns] + extra].copy()
    for col in schema.columns:
        if col.name in out.columns and col.dtype == "category" and col.categories:
            out[col.name] = pd.Categorical(out[col.name], categories=list(col.categories))
        if col.has_source and f"{col.name}_source" in out.columns:
            out[f"{col.name}_source"] = pd.Categorical(
                out[f"{col.name}_source"], categories=list(SOURCE_VALUES)
            )
    return out


def schema_markdown(schemas: Sequence[TableSchema] = (BUILDINGS, DWELLINGS)) -> str:
    """Document the schemas as Markdown tables (the text of ``docs/twin_schema.md``)."""
    lines = [
        "# Twin schema",
        "",
        "Generated by `wijkreno twin schema`; do not edit by hand.",
        "",
        f"All geometry in EPSG:{CRS_EPSG}. A column marked *source* has a companion "
        "`<name>_source` column with one of " + ", ".join(f"`{v}`" for v in SOURCE_VALUES) + ".",
        "",
    ]
    for schema in schemas:
        lines += [f"## `{schema.name}`", "", "| column | type | unit | source flag | meaning |",
                  "|---|---|---|---|---|"]
        for c in schema.columns:
            flag = "yes" if c.has_source else ""
            null = " (may be missing)" if c.nullable else ""
            lines.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {flag} | {c.description}{null} |"
            )
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The overrides table: what a renovation coach knows about a dwelling (read by
# wijkreno.io.overrides, applied by wijkreno.renovate.overrides).

TENURES: tuple[str, ...] = ("owner", "tenant")

OVERRIDE_KEY_COLUMNS: tuple[str, ...] = ("dwelling_id", "adres_id")
"""Columns that name the dwelling of an override row (``dwelling_id`` first, else
``adres_id``)."""



@dataclass(frozen=True)
class OverrideColumn:
    """One column a coach can override.

    Attributes
    ----------
    name : str
        House name of the column.
    kind : str
        ``year``, ``int``, ``float`` or ``text``.
    unit : str
        Unit of the value.
    description : str
        What it means.
    check : callable
        ``values -> bool array`` of valid entries (missing values are not checked).
    expected : str
        What a valid value looks like (for messages).
    """

    name: str
    kind: str
    unit: str
    description: str
    check: Callable[[pd.Series], np.ndarray]
    expected: str


def _between(lo: float, hi: float) -> Callable[[pd.Series], np.ndarray]:
    def check(v: pd.Series) -> np.ndarray:
        x = pd.to_numeric(v, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return (x >= lo) & (x <= hi)

    return check


def _whole_between(lo: int, hi: int | None = None) -> Callable[[pd.Series], np.ndarray]:
    def check(v: pd.Series) -> np.ndarray:
        top = dt.date.today().year if hi is None else hi
        x = pd.to_numeric(v, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return (x >= lo) & (x <= top) & (x == np.round(x))

    return check


def _one_of(values: tuple[str, ...]) -> Callable[[pd.Series], np.ndarray]:
    def check(v: pd.Series) -> np.ndarray:
        return v.astype("string").isin(values).fillna(False).to_numpy(dtype=bool)

    return check


OVERRIDE_COLUMNS: tuple[OverrideColumn, ...] = (
    OverrideColumn("roof_insulated_year", "year", "year",
                   "Year the roof (or attic floor) was insulated.",
                   _whole_between(1900), "a year from 1900 to this year"),
    OverrideColumn("wall_insulated_year", "year", "year",
                   "Year the exterior walls were insulated (cavity, outside or inside).",
                   _whole_between(1900), "a year from 1900 to this year"),
    OverrideColumn("floor_insulated_year", "year", "year",
                   "Year the ground floor or cellar ceiling was insulated.",
                   _whole_between(1900), "a year from 1900 to this year"),
    OverrideColumn("glazing_year", "year", "year", "Year the windows were replaced.",
                   _whole_between(1900), "a year from 1900 to this year"),
    OverrideColumn("heating_system", "text", "-", "Main heating system.",
                   _one_of(HEATING_SYSTEMS), "one of " + ", ".join(HEATING_SYSTEMS)),
    OverrideColumn("measured_epc_score_kwh_per_m2", "float", "kWh/m2",
                   "EPC score of a valid EPC certificate.",
                   _between(-500.0, 2000.0), "an EPC score from -500 to 2000 kWh/m2"),
    OverrideColumn("metered_gas_kwh", "float", "kWh", "Metered yearly gas use.",
                   _between(0.0, 1e6), "a yearly use from 0 to 1,000,000 kWh"),
    OverrideColumn("metered_electricity_kwh", "float", "kWh", "Metered yearly electricity use.",
                   _between(0.0, 1e6), "a yearly use from 0 to 1,000,000 kWh"),
    OverrideColumn("income_category", "int", "-",
                   "Mijn VerbouwPremie income category (1 = highest incomes, 4 = lowest).",
                   _whole_between(1, 4), "1, 2, 3 or 4"),
    OverrideColumn("tenure", "text", "-", "'owner' (occupier) or 'tenant'.",
                   _one_of(TENURES), "owner or tenant"),
    OverrideColumn("deed_year", "year", "year",
                   "Year of the purchase deed (renovation obligation).",
                   _whole_between(1900, 2100), "a year from 1900 to 2100"),
)
"""The columns :func:`wijkreno.renovate.overrides.apply_overrides` understands, in order."""

OVERRIDE_NAMES: tuple[str, ...] = tuple(c.name for c in OVERRIDE_COLUMNS)
def check_overrides(overrides: pd.DataFrame) -> pd.Series:
    """Why each override row cannot be used ('' when it can).

    Parameters
    ----------
    overrides : pandas.DataFrame
        Columns from :data:`OVERRIDE_KEY_COLUMNS` (at least one) and :data:`OVERRIDE_NAMES`.

    Returns
    -------
    pandas.Series of str
        Indexed like ``overrides``; the first problem of each row.

    Raises
    ------
    InputError
        When a column is unknown or no key column is present.
    """
    allowed = set(OVERRIDE_KEY_COLUMNS) | set(OVERRIDE_NAMES) | {"row", "reason", "note"}
    unknown = [c for c in overrides.columns if c not in allowed]
    if unknown:
        raise InputError(
            f"unknown override columns {unknown}; allowed are {list(OVERRIDE_KEY_COLUMNS)} and "
            f"{list(OVERRIDE_NAMES)} (plus 'note')."
        )
    keys = [c for c in OVERRIDE_KEY_COLUMNS if c in overrides.columns]
    if not keys:
        raise InputError(
            f"the overrides have no dwelling key: give a 'dwelling_id' or 'adres_id' column "
            f"(got {list(overrides.columns)})."
        )
    reason = np.full(len(overrides), "", dtype=object)
    has_key = np.zeros(len(overrides), dtype=bool)
    for k in keys:
        has_key |= overrides[k].astype("string").str.strip().fillna("").ne("").to_numpy()
    reason[~has_key] = "no dwelling_id or adres_id"
    for col in OVERRIDE_COLUMNS:
        if col.name not in overrides.columns:
            continue
        v = overrides[col.name]
        given = v.notna().to_numpy() & v.astype("string").str.strip().fillna("").ne("").to_numpy()
        bad = given & ~col.check(v)
        todo = bad & (reason == "")
        if todo.any():
            shown = v.astype("string").to_numpy(dtype=object)
            reason[todo] = [f"{col.name} = {s!r} is not {col.expected}" for s in shown[todo]]
    return pd.Series(reason, index=overrides.index, dtype=object)
