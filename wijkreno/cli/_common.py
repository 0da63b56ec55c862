"""Helpers shared by the CLI modules: the exit-code convention and the consoles."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from wijkreno.errors import InputError

if TYPE_CHECKING:
    from wijkreno.pipeline import StageResult

err_console = Console(stderr=True, soft_wrap=True)  # error messages stay greppable
out_console = Console()
F = TypeVar("F", bound=Callable[..., Any])

ForceOption = Annotated[bool, typer.Option(
    "--force", help="Rerun even when the stage's manifest says nothing changed.")]
"""``--force`` of every stage command."""


def print_stage(result: StageResult, console: Console = out_console) -> None:
    """Say whether a stage ran or was skipped because its outputs are current."""
    if result.skipped:
        console.print(f"[dim]{result.stage}: ongewijzigd, overgeslagen / up to date, skipped "
                      "(--force to rerun)[/]")
    else:
        console.print(f"[dim]{result.stage}: berekend / computed ({result.reason})[/]")


def handle_errors(func: F) -> F:
    """Map exceptions to the exit codes of the CLI convention (2 bad input, 1 anything else)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]Invoer niet bruikbaar / bad input:[/] {exc}")
            raise typer.Exit(code=2) from None
        except ValidationError as exc:  # options the pipeline's models refuse
            err_console.print(f"[bold red]Invoer niet bruikbaar / bad input:[/] {exc}")
            raise typer.Exit(code=2) from None
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
            logging.getLogger("wijkreno").debug("unexpected error", exc_info=True)
            err_console.print(f"[bold red]Fout / error:[/] {type(exc).__name__}: {exc}")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]
