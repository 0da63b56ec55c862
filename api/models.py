"""Request and response models of the JSON API (pydantic 2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Health(BaseModel):
    """Service status."""

    status: Literal["ok"] = "ok"
    workspace: str = Field(description="Workspace folder served.")
    workspace_loaded: bool
    n_buildings: int | None = None
    n_dwellings: int | None = None
    area_levels: list[str] = Field(default_factory=list)
    nis_codes: list[str] = Field(default_factory=list)
    reads_prepared: bool = Field(False, description="Whether the street views, trajectories "
                                 "and map layers are prepared (built in the background at "
                                 "start-up; until then a first request of them waits).")


class Feature(BaseModel):
    """A GeoJSON feature (RFC 7946), coordinates lon/lat in EPSG:4326."""

    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (EPSG:4326)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    n_features: int | None = Field(None, description="Number of features returned.")


class ErrorMessage(BaseModel):
    """Error body: a message a person can act on (Dutch first)."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorMessage} for code in (400, 401, 403, 404, 413, 422, 429)}
"""``responses=`` of routes: every error is ``{"detail": "..."}``."""


class LoginRequest(_Frozen):
    """Credentials for ``POST /api/auth/login``."""

    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class LoginResponse(BaseModel):
    """A successful login: the user's roles, a CSRF token (also in the ``wijkreno_csrf``
    cookie) for cookie-authenticated writes, and a bearer token for scripts."""

    username: str
    roles: dict[str, str] = Field(description="Role per NIS code.")
    csrf_token: str
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in_s: int


class Me(BaseModel):
    """The current user (``null`` username when anonymous)."""

    username: str | None
    roles: dict[str, str] = Field(default_factory=dict)


class Overrides(_Frozen):
    """What a coach knows about one dwelling (mirrors :data:`wijkreno.renovate.overrides.
    OVERRIDE_COLUMNS`); missing = no override."""

    roof_insulated_year: int | None = Field(None, ge=1900, le=2100,
                                            description="Year the roof was insulated.")
    wall_insulated_year: int | None = Field(None, ge=1900, le=2100,
                                            description="Year the walls were insulated.")
    floor_insulated_year: int | None = Field(None, ge=1900, le=2100,
                                             description="Year the floor was insulated.")
    glazing_year: int | None = Field(None, ge=1900, le=2100,
                                     description="Year the windows were replaced.")
    heating_system: str | None = Field(None, max_length=64, description="Main heating system "
                                       "(a code of wijkreno.twin.schema.HEATING_SYSTEMS).")
    measured_epc_score_kwh_per_m2: float | None = Field(
        None, ge=-500, le=2000, description="EPC score of a valid certificate [kWh m-2 yr-1].")
    metered_gas_kwh: float | None = Field(None, ge=0, le=1e6,
                                          description="Metered yearly gas use [kWh].")
    metered_electricity_kwh: float | None = Field(
        None, ge=0, le=1e6, description="Metered yearly electricity use [kWh].")
    income_category: int | None = Field(None, ge=1, le=4, description="Mijn VerbouwPremie "
                                        "income category (1 highest incomes, 4 lowest).")
    tenure: Literal["owner", "tenant"] | None = None
    deed_year: int | None = Field(None, ge=1900, le=2100,
                                  description="Year of the purchase deed.")
    note: str | None = Field(None, max_length=2000, description="The coach's note (kept with "
                             "the corrections; not used by the calculation).")


class OverrideChange(BaseModel):
    """One value an override changed."""

    column: str
    old: Any = None
    new: Any = None


class AddressState(BaseModel):
    """One address: twin attributes (with ``*_source`` flags: observed/imputed/…), the
    simulation results and the current label."""

    adres_id: str
    dwelling_id: str
    nis_code: str
    address: str
    lon: float | None
    lat: float | None
    epc_label: str | None
    epc_score_kwh_per_m2: float | None
    twin: dict[str, Any]
    building: dict[str, Any] | None
    results: dict[str, Any] | None
    plan: dict[str, Any] | None
    group_id: str | None = None
    has_overrides: bool = False


class Trajectory(BaseModel):
    """Renovation trajectory of one address: ordered steps and a summary."""

    adres_id: str
    basis: Literal["standard", "overrides"] = Field(
        description="'standard' (the twin) or 'overrides' (with the coach's corrections).")
    steps: list[dict[str, Any]]
    summary: dict[str, Any]
    changes: list[OverrideChange] = Field(default_factory=list)


class GroupList(BaseModel):
    """Collective renovation groups."""

    n_groups: int
    groups: list[dict[str, Any]]


class GroupDetail(BaseModel):
    """One group with its members."""

    group: dict[str, Any]
    members: list[dict[str, Any]]


class StreetSummary(BaseModel):
    """One street (per postcode) of the twin's address list."""

    street: str
    postcode: str | None = None
    n_dwellings: int
    lon: float | None = None
    lat: float | None = None


class StreetList(BaseModel):
    """Streets whose name matches the query (prefix matches first)."""

    n_streets: int = Field(description="Streets matching, before the limit.")
    streets: list[StreetSummary]


class StreetTotals(BaseModel):
    """Headline figures of a street's dwellings (calculated, standardised)."""

    n_dwellings: int
    label_ef_frac: float | None = Field(None, description="Share of the labelled dwellings "
                                        "with label E or F [0-1].")
    plan_investment_eur: float | None = Field(None, description="Investment of the "
                                              "trajectories to the target [EUR].")
    plan_net_cost_eur: float | None = Field(None, description="Same, after premiums [EUR].")
    co2_flemish_kg_co2: float | None = Field(None, description="Yearly CO2 now, Flemish "
                                             "factors [kg/yr].")


class StreetView(BaseModel):
    """A street for the coach: its dwellings (house-number order) and collective groups."""

    street: str
    postcode: str | None
    bbox: list[float] | None = Field(None, description="minlon, minlat, maxlon, maxlat of "
                                     "the addresses (EPSG:4326).")
    totals: StreetTotals
    offset: int = Field(0, description="Position of the first dwelling of this page in the "
                        "street's house-number order.")
    limit: int | None = Field(None, description="Most dwellings of this page (null: all). The "
                              "street has totals.n_dwellings; ask the next page with "
                              "?offset=offset+limit.")
    dwellings: list[dict[str, Any]] = Field(description="This page's dwellings in house-number "
                                            "order.")
    groups: list[dict[str, Any]] = Field(description="Groups of two or more dwellings with a "
                                         "member on this street (n_on_street of them).")


class StoredOverrides(BaseModel):
    """A coach's stored corrections of one address."""

    adres_id: str
    overrides: dict[str, Any]


class AuditEntry(BaseModel):
    """One row of the audit trail."""

    who: str
    at: str
    action: str
    old_values: dict[str, Any] | None = None
    new_values: dict[str, Any] | None = None


class AuditHistory(BaseModel):
    """The audit trail of one address's corrections, newest first."""

    adres_id: str
    entries: list[AuditEntry]


class ScenarioRequest(_Frozen):
    """A scenario job: a packaged scenario's name or a scenario TOML text."""

    scenario: str | None = Field(None, max_length=100, description="Packaged scenario name "
                                 "(e.g. 'baseline', 'ambitious').")
    toml: str | None = Field(None, max_length=200_000, description="Scenario TOML text "
                             "(admins only).")
    nis_code: str | None = Field(None, pattern=r"^\d{5}$", description="Municipality the job "
                                 "runs for (needs the role coach there); may be left out by a "
                                 "user with a role in one municipality only.")


class JobStatus(BaseModel):
    """A background job."""

    job_id: str
    kind: str
    nis_code: str | None = None
    status: Literal["queued", "running", "done", "failed"]
    progress_frac: float = Field(ge=0, le=1)
    created_by: str
    created_at: str
    message: str = ""
    result: dict[str, Any] | None = None


class RegisterPage(BaseModel):
    """A page of register rows."""

    kind: str
    nis_code: str
    page: int
    page_size: int
    n_rows: int
    rows: list[dict[str, Any]]


class UploadResult(BaseModel):
    """What an upload did."""

    upload_id: str | None
    n_rows: int
    n_accepted: int
    n_rejected: int
    n_duplicates: int
    already_imported: bool
    message: str
    rejected: list[dict[str, Any]]
    accepted: list[dict[str, Any]] = Field(default_factory=list, description=(
        "Rows stored: the file's row number (header = 1) and the new row id."))
    duplicates: list[dict[str, Any]] = Field(default_factory=list, description=(
        "Rows skipped as duplicates: row number and reason."))
    rejected_values: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "The file's values of each rejected row (row number → template column → value), to "
        "correct the row in a form."))


class Correction(_Frozen):
    """Column → new value for ``PATCH /api/register/{nis}/{kind}/{row_id}``."""

    changes: dict[str, str | int | float | bool | None] = Field(min_length=1, max_length=50)


class IndicatorTable(BaseModel):
    """LEKP indicators of one municipality (per goal and year)."""

    nis_code: str
    as_of: str
    with_register: bool
    targets: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
