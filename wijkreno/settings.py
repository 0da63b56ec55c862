"""Runtime settings: one pydantic-settings class, environment variables ``WIJKRENO_<NAME>``.

Used by the CLI (``wijkreno serve``, ``wijkreno users``), the pipeline and the web service; the
service reads it through the cached dependency :func:`api.settings.get_settings` (tests override
it with ``app.dependency_overrides[get_settings]`` or pass a :class:`Settings` to
``create_app``). Compute functions never see it.
"""

from __future__ import annotations

import functools
import logging
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

_PROCESS_SECRET = secrets.token_urlsafe(48)
"""Per-process random secret used when ``WIJKRENO_SECRET_KEY`` is not set: sessions and tokens
then end when the process restarts. Never a constant in the repository."""


class Settings(BaseSettings):
    """Settings of wijkreno's service and commands (environment variables ``WIJKRENO_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="WIJKRENO_", extra="ignore")

    data_dir: Path = Field(Path("out/demo"), description="Workspace folder written by "
                           "`wijkreno demo` or the pipeline (twin/, simulate/, trajectories/ …).")
    register_url: str | None = Field(None, description="SQLAlchemy URL of the register (also "
                                     "holds the users). Default: sqlite file in data_dir.")
    users_db: Path | None = Field(None, description="SQLite file of users, roles and coach "
                                  "overrides. Default: users.sqlite in data_dir.")
    secret_key: str | None = Field(None, description="Signing key of sessions and tokens. When "
                                   "unset a random key per process is used (sessions end at "
                                   "restart).")
    session_max_age_s: int = Field(8 * 3600, ge=1, description="Session/token lifetime [s].")
    cookie_secure: bool = Field(True, description="Send the session cookies over HTTPS only; "
                                "set false explicitly only for local use over plain HTTP.")
    max_bbox_area_km2: float = Field(4.0, gt=0, description="Largest bounding box [km2].")
    max_features: int = Field(5000, ge=1, description="Most features in one GeoJSON response.")
    max_page_size: int = Field(500, ge=1, description="Largest page of a register listing.")
    max_footprints: int = Field(3000, ge=1, description="Most building footprints in one "
                                "GET /api/buildings answer; more answers 413 'zoom in', which "
                                "the map page shows. 3,000 holds the densest view of the "
                                "250,000-dwelling benchmark city at map_footprint_min_zoom on "
                                "a 1440 x 900 px map (about 2,600 footprints, 0.5 MB).")
    map_footprint_min_zoom: float = Field(15.5, ge=0, le=22, description="Map zoom from which "
                                          "the map page requests and draws building footprints "
                                          "(MapLibre zoom, 512-px tiles: 1.1 m per px at 51 "
                                          "deg N); below it the sectors and streets only.")
    street_page_size: int = Field(50, ge=1, description="Dwellings in the first page of a "
                                  "street view (GET /api/streets/{name}); the page's "
                                  "'meer tonen' asks for the next one. A long street of a "
                                  "city holds over a thousand addresses, more than a coach "
                                  "reads at once.")
    max_street_page_size: int = Field(500, ge=1, description="Largest `limit` of a street "
                                      "view page.")
    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1, description="Largest upload [bytes].")
    max_body_bytes: int = Field(1024 * 1024, ge=1, description="Largest request body of "
                                "every route but uploads [bytes].")
    max_jobs_per_user: int = Field(2, ge=1, description="Scenario jobs one user may have "
                                   "queued or running at once.")
    scenarios_dir: Path | None = Field(None, description="Folder of scenario TOML files an "
                                       "admin registered (name = file stem). Default: "
                                       "scenarios/ in data_dir.")
    login_free_failures: int = Field(5, ge=1, description="Failed logins per user name or "
                                     "client before back-off starts.")
    login_max_backoff_s: float = Field(900.0, gt=0, description="Longest wait imposed after "
                                       "repeated failed logins [s] (doubles per failure).")
    map_background: bool = Field(False, description="Show the online background map "
                                 "(map_background_url) under the map page's layers; off by "
                                 "default: the page then needs no network and draws streets "
                                 "and footprints from the twin itself.")
    map_background_url: str = Field(
        "https://geo.api.vlaanderen.be/GRB/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=grb_bsk&STYLE=&FORMAT=image/png&TILEMATRIXSET=GoogleMapsVL"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        description="Raster tile URL template ({z}, {x}, {y}; Web Mercator) of the background "
        "map: Digitaal Vlaanderen's GRB basiskaart WMTS by default (check the layer and tile "
        "matrix set against the service's GetCapabilities).")
    map_background_attribution: str = Field(
        "Achtergrond: GRB-basiskaart © Digitaal Vlaanderen", description="Attribution shown "
        "with the background map.")
    register_poll_s: float = Field(30.0, gt=0, description="Seconds between two looks of "
                                   "the web service at the register for renovations another "
                                   "process wrote (a terminal import), and between two tries "
                                   "to open an unreachable register; a write by the service "
                                   "itself is seen at the next request [s].")
    map_dwelling_min_zoom: float = Field(15.0, ge=0, le=22, description="Map zoom around "
                                         "which the map page turns from the sectors to the "
                                         "dwellings (MapLibre zoom): dwelling points from half "
                                         "a zoom below it, the groups from one above it. At 15 "
                                         "a 1440 x 900 px view spans about 2.2 x 1.4 km, a "
                                         "neighbourhood.")
    map_street_min_zoom: float = Field(15.0, ge=0, le=22, description="Map zoom of the "
                                       "street names (MapLibre zoom); the street lines and "
                                       "every request of the map start one zoom below it.")
    job_workers: int = Field(2, ge=1, description="Threads that run scenario jobs.")
    max_jobs: int = Field(20, ge=1, description="Jobs kept in memory (oldest finished dropped).")

    def effective_secret(self) -> str:
        """Return the configured secret key or the per-process random one (with a warning)."""
        if self.secret_key:
            return self.secret_key
        log.warning("WIJKRENO_SECRET_KEY is not set: using a random key for this process; "
                    "sessions end when the service restarts.")
        return _PROCESS_SECRET

    def effective_users_db(self) -> Path:
        """Return the users database file, defaulting to ``users.sqlite`` in the data folder."""
        return Path(self.users_db) if self.users_db else Path(self.data_dir) / "users.sqlite"

    def effective_register_url(self) -> str:
        """Return the register URL, defaulting to ``register.sqlite`` in the data folder."""
        if self.register_url:
            return self.register_url
        return _default_register_url(Path(self.data_dir).absolute())


@functools.lru_cache(maxsize=32)
def _default_register_url(data_dir: Path) -> str:
    """``register.sqlite`` in the absolute folder ``data_dir`` as an SQLAlchemy URL, resolved
    (symbolic links followed) once per folder: the web service asks for it per request."""
    return f"sqlite:///{(data_dir / 'register.sqlite').resolve()}"
