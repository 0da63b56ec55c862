"""The ``wijkreno`` command line.

Every command has ``--help``, writes its outputs where ``-o/--out`` says, and exits 0 on
success, 2 on bad input (with a message that says how to fix it) and 1 on anything else.
Sub-commands live in one module each; this module assembles them.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from wijkreno.errors import InputError

console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Map exceptions to the exit codes of the CLI convention (2 bad input, 1 anything else)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            console.print(f"[bold red]Invoer niet bruikbaar / bad input:[/] {exc}")
            raise typer.Exit(code=2) from None
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
            logging.getLogger("wijkreno").debug("unexpected error", exc_info=True)
            console.print(f"[bold red]Fout / error:[/] {type(exc).__name__}: {exc}")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


app = typer.Typer(
    name="wijkreno",
    help="Wijkrenovatietool: digital twin of the building stock and renovation simulator.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    from wijkreno.cli import twin as twin_cli

    app.add_typer(twin_cli.app, name="twin")
    app.command("demo")(twin_cli.demo)


def main() -> None:
    """Entry point of the ``wijkreno`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _register()
    # typer turns its own usage errors into exit code 2 already.
    app(prog_name="wijkreno")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
