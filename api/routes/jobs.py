"""Scenario runs as background jobs (a bounded thread pool) with progress and results.

Access: starting a job needs the role ``coach`` in the municipality it runs for; a job and its
status are visible only to users of that municipality (others get 404, as for a job that does
not exist); a user may have ``max_jobs_per_user`` jobs queued or running. A scenario is named:
a packaged one (``baseline``, ``ambitious``) or one an admin registered as a TOML file in
``scenarios_dir``; names are never read as paths. Scenario TOML text in the request is for
admins only.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from api.auth import CurrentUser, audit, check_role, get_register
from api.models import ERRORS, JobStatus, ScenarioRequest
from api.security import scrub_paths
from api.settings import Settings, get_settings
from api.workspace import Workspace, get_workspace, records
from wijkreno.errors import InputError
from wijkreno.register import Register

router = APIRouter(prefix="/api", tags=["scenario's"])


@dataclass
class _Job:
    job_id: str
    kind: str
    created_by: str
    created_at: str
    nis_code: str | None = None
    status: str = "queued"
    progress_frac: float = 0.0
    message: str = ""
    result: dict[str, Any] | None = None

    def view(self) -> JobStatus:
        return JobStatus(job_id=self.job_id, kind=self.kind, nis_code=self.nis_code,
                         status=self.status,  # type: ignore[arg-type]
                         progress_frac=self.progress_frac, created_by=self.created_by,
                         created_at=self.created_at, message=self.message, result=self.result)


@dataclass
class JobQueue:
    """Jobs of one process: a bounded pool and the latest ``max_jobs`` job records."""

    workers: int
    max_jobs: int
    jobs: dict[str, _Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ThreadPoolExecutor | None = None

    def submit(self, job: _Job, fn: Any, per_user: int | None = None) -> None:
        with self.lock:
            mine = sum(j.status in ("queued", "running") and j.created_by == job.created_by
                       for j in self.jobs.values())
            if per_user is not None and mine >= per_user:
                raise HTTPException(status_code=429, detail=(
                    f"U hebt al {mine} scenario's in de wachtrij of in uitvoering (maximum "
                    f"{per_user}); wacht tot er één klaar is."))
            active = sum(j.status in ("queued", "running") for j in self.jobs.values())
            if active >= self.max_jobs:
                raise HTTPException(status_code=429, detail=(
                    "Te veel scenario's tegelijk in de wachtrij; probeer over enkele minuten "
                    "opnieuw."))
            if len(self.jobs) >= self.max_jobs:  # forget the oldest finished jobs
                for old in [k for k, j in self.jobs.items() if j.status in ("done", "failed")][
                        :len(self.jobs) - self.max_jobs + 1]:
                    del self.jobs[old]
            self.jobs[job.job_id] = job
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=self.workers,
                                               thread_name_prefix="wijkreno-job")
        self.pool.submit(fn)


_QUEUES: dict[int, JobQueue] = {}
_QUEUES_LOCK = threading.Lock()


def get_queue(settings: Annotated[Settings, Depends(get_settings)]) -> JobQueue:
    """FastAPI dependency: the job queue (one per process and settings object)."""
    with _QUEUES_LOCK:
        key = id(settings)
        if key not in _QUEUES:
            _QUEUES[key] = JobQueue(workers=settings.job_workers, max_jobs=settings.max_jobs)
        return _QUEUES[key]


def _run(job: _Job, ws: Workspace, scenario: Any) -> None:
    from wijkreno.scenario.model import run_scenario, summarise_years

    job.status, job.progress_frac, job.message = "running", 0.1, "trajecten plannen"
    try:
        result = run_scenario(ws.dwellings, scenario)
        job.progress_frac = 0.9
        by_year = summarise_years(result.by_sector)
        job.result = {"scenario": getattr(scenario, "name", str(scenario)),
                      "by_year": records(by_year)}
        job.status, job.progress_frac, job.message = "done", 1.0, "klaar"
    except Exception as exc:  # noqa: BLE001 - a failed job reports, the service goes on
        job.status, job.message = "failed", scrub_paths(f"{type(exc).__name__}: {exc}")[:500]


SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _job_municipality(user: Any, requested: str | None) -> str:
    if requested is not None:
        return requested
    if len(user.roles) == 1:
        return next(iter(user.roles))
    raise HTTPException(status_code=422, detail=(
        "Geef 'nis_code': de gemeente waarvoor het scenario loopt (u hebt een rol in "
        f"{len(user.roles)} gemeenten)."))


def _scenario_source(name: str, settings: Settings) -> str | Path:
    """A packaged scenario's name or the file of an admin-registered one; never a path that
    the request chose (the answer says nothing about files)."""
    from wijkreno.scenario.model import PACKAGED_SCENARIOS

    registered_dir = Path(settings.scenarios_dir or Path(settings.data_dir) / "scenarios")
    registered = {}
    if registered_dir.is_dir():
        registered = {p.stem: p for p in registered_dir.glob("*.toml")
                      if SCENARIO_NAME.match(p.stem)}
    if SCENARIO_NAME.match(name):
        if name in PACKAGED_SCENARIOS:
            return name
        if name in registered:
            return registered[name]
    known = sorted({*PACKAGED_SCENARIOS, *registered})
    raise HTTPException(status_code=422, detail=(
        f"Onbekend scenario; kies een van {', '.join(known)} (een beheerder kan er een "
        "toevoegen)."))


@router.post("/scenarios", response_model=JobStatus, status_code=202, responses=ERRORS,
             summary="Scenario starten als achtergrondtaak")
def start_scenario(body: ScenarioRequest, user: CurrentUser,
                   ws: Annotated[Workspace, Depends(get_workspace)],
                   queue: Annotated[JobQueue, Depends(get_queue)],
                   register: Annotated[Register, Depends(get_register)],
                   settings: Annotated[Settings, Depends(get_settings)]) -> JobStatus:
    """Validate the scenario (packaged name or TOML text) and run it on the workspace's
    dwellings in the background; poll ``GET /api/jobs/{job_id}``. Needs a login (audited)."""
    from wijkreno.scenario.model import load_scenario

    if (body.scenario is None) == (body.toml is None):
        raise HTTPException(status_code=422, detail=(
            "Geef precies één van 'scenario' (naam, bv. 'baseline') of 'toml' (scenariotekst)."))
    nis = _job_municipality(user, body.nis_code)
    check_role(user, nis, "coach")
    if body.toml is not None:
        check_role(user, nis, "admin")
    source = _scenario_source(body.scenario, settings) if body.scenario is not None else None
    try:
        if source is not None:
            scenario = load_scenario(source)
        else:
            with tempfile.TemporaryDirectory(prefix="wijkreno-scenario-") as tmp:
                path = Path(tmp) / "scenario.toml"
                path.write_text(body.toml or "", encoding="utf-8")
                scenario = load_scenario(path)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=f"Scenario niet bruikbaar: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - TOML or validation errors of user text
        raise HTTPException(status_code=422, detail=(
            f"Scenario niet bruikbaar ({type(exc).__name__}): {str(exc)[:300]}")) from None
    job = _Job(job_id=uuid.uuid4().hex, kind="scenario", created_by=user.username,
               created_at=dt.datetime.now(dt.UTC).isoformat(), nis_code=nis)
    queue.submit(job, lambda: _run(job, ws, scenario), per_user=settings.max_jobs_per_user)
    audit(register, who=user.username, action="job_start", table="job", row_key=job.job_id,
          nis_code=nis, new_values={"scenario": body.scenario or "toml",
                                     "workspace": str(ws.data_dir)})
    return job.view()


@router.get("/jobs/{job_id}", response_model=JobStatus, responses=ERRORS,
            summary="Status en resultaat van een taak")
def job_status(job_id: str, user: CurrentUser,
               queue: Annotated[JobQueue, Depends(get_queue)]) -> JobStatus:
    """Status, progress (0–1) and, when done, the result per year summed over sectors; for
    users of the job's municipality only."""
    job = queue.jobs.get(job_id)
    if job is None or job.nis_code is None or not user.has_role(job.nis_code, "viewer"):
        raise HTTPException(status_code=404, detail=(
            f"Taak '{job_id[:40]}' bestaat niet (meer); start een nieuwe met "
            "POST /api/scenarios."))
    return job.view()
