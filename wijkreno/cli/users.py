"""``wijkreno users``: accounts of the web service (roles per municipality).

The lead registers it as ``app.add_typer(users.app, name="users")``. The password comes from
``WIJKRENO_PASSWORD`` or a hidden prompt, never from the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError

app = typer.Typer(help="Gebruikers van de webdienst / web service users.", no_args_is_help=True,
                  add_completion=False)


@app.callback()
def _group() -> None:
    """Gebruikers van de webdienst / web service users."""


@app.command("add")
@handle_errors
def add(
    username: Annotated[str, typer.Option("--username", help="Login name.")],
    nis: Annotated[list[str], typer.Option("--nis", help="NIS5 code (repeatable).")],
    role: Annotated[str, typer.Option("--role", help="viewer, coach or admin.")] = "viewer",
    data: Annotated[Path | None, typer.Option(
        "--data", help="Workspace folder (users.sqlite lives there); default "
        "$WIJKRENO_DATA_DIR.")] = None,
    users_db: Annotated[Path | None, typer.Option(
        "--users-db", help="Users database file (default <data>/users.sqlite or "
        "$WIJKRENO_USERS_DB).")] = None,
) -> None:
    """Voeg een gebruiker toe of wijzig zijn rol / add a user or change its role."""
    from wijkreno.settings import Settings
    from wijkreno.users import UserStore

    kwargs: dict[str, object] = {}
    if data is not None:
        kwargs["data_dir"] = data
    if users_db is not None:
        kwargs["users_db"] = users_db
    settings = Settings(**kwargs)  # type: ignore[arg-type]
    password = os.environ.get("WIJKRENO_PASSWORD")
    if not password:
        password = typer.prompt("Wachtwoord / password", hide_input=True,
                                confirmation_prompt=True)
    if not password:
        raise InputError("no password: set WIJKRENO_PASSWORD or type one at the prompt.")
    store = UserStore(settings.effective_users_db())
    try:
        user = store.add_user(username, password, {n.strip(): role for n in nis})
    finally:
        store.close()
    roles = ", ".join(f"{k}: {v}" for k, v in sorted(user.roles.items()))
    out_console.print(f"Gebruiker / user [bold]{user.username}[/] ({roles}) in "
                      f"{settings.effective_users_db()}")
