"""Helpers shared by the CLI modules: the exit-code convention and the consoles."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from wijkreno.errors import InputError

err_console = Console(stderr=True, soft_wrap=True)  # error messages stay greppable
out_console = Console()
F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Map exceptions to the exit codes of the CLI convention (2 bad input, 1 anything else)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]Invoer niet bruikbaar / bad input:[/] {exc}")
            raise typer.Exit(code=2) from None
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
            logging.getLogger("wijkreno").debug("unexpected error", exc_info=True)
            err_console.print(f"[bold red]Fout / error:[/] {type(exc).__name__}: {exc}")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]
