"""``wijkreno serve``: start the web service (FastAPI + uvicorn) on a workspace folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.pipeline import Workspace


@handle_errors
def serve(
    data: Annotated[Path, typer.Option("--data", help="Workspace folder (written by `wijkreno "
                                       "demo` or the pipeline).")] = Path("out/demo"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Start de webdienst / start the web service (map page and JSON API)."""
    import uvicorn

    if not Workspace(data).folder("twin").is_dir():
        raise InputError(f"{data} is not a workspace (no twin/ folder); run `wijkreno demo -o "
                         f"{data}` first or pass --data.")
    # the service reads its settings from the environment (wijkreno.settings.Settings); the app
    # is imported by uvicorn from its import string, so wijkreno never imports api/
    os.environ["WIJKRENO_DATA_DIR"] = str(data.resolve())
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")
