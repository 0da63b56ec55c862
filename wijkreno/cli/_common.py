"""Helpers shared by the CLI modules: the exit-code convention and the consoles."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
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
        console.print(f"[dim]{result.stage}: berekend / computed ({_reason(result.reason)})[/]")


#: the manifest's reasons for running a stage (wijkreno.pipeline.manifest.check_fresh), Dutch first
_REASONS = {"no manifest": "nog niet berekend / no manifest",
            "no outputs recorded": "geen uitvoer bekend / no outputs recorded",
            "forced": "geforceerd / forced (--force)"}


def _reason(reason: str) -> str:
    if reason in _REASONS:
        return _REASONS[reason]
    if reason.startswith("changed: "):
        return "gewijzigd / " + reason
    if reason.startswith("output ") and reason.endswith((" is missing", " was changed")):
        return "uitvoer ontbreekt of gewijzigd / " + reason
    return reason


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


RenovatedOption = Annotated[Path | None, typer.Option(
    "--renovated",
    help="Map met de tweeling zoals gerenoveerd: de gerealiseerde maatregelen van het "
         "renovatieregister toegepast (standaard: renovated/ naast de tweelingmap, als die "
         "bestaat) / folder of the twin as renovated, the register's realised measures "
         "applied (default: renovated/ beside the twin folder, when there).")]
"""``--renovated`` of the commands that read the twin's dwellings."""

RegisterOption = Annotated[Path | None, typer.Option(
    "--register",
    help="Export van het renovatieregister (`wijkreno register list renovations`, CSV of "
         "Parquet): eerst toepassen op de tweeling en in de --renovated-map schrijven / the "
         "register's export: applied to the twin first and written to the --renovated "
         "folder.")]
"""``--register`` of the commands that read the twin's dwellings."""

AsBuiltOption = Annotated[bool, typer.Option(
    "--as-built",
    help="De tweeling zoals gebouwd, zonder de maatregelen uit het register / the twin as "
         "built, without the register's measures.")]
"""``--as-built`` of the commands that read the twin's dwellings."""


def dwelling_folders(twin: Path, *, renovated: Path | None = None, as_built: bool = False,
                     register: Path | None = None, force: bool = False,
                     console: Console = out_console) -> dict[str, Path]:
    """The stage folders of the dwellings' current state, for a command given a twin folder.

    As in the pipeline (:func:`wijkreno.pipeline.dwellings_stage`): the twin as renovated when
    there is that layer (``renovated``, by default ``renovated/`` beside the twin folder as a
    workspace lays it out), made first from ``register`` when given; the twin as built with
    ``as_built``. Says on ``console`` which one the command reads.
    """
    from wijkreno.pipeline import RenovatedOptions, Workspace, run_renovated

    if as_built and (renovated is not None or register is not None):
        raise InputError("--as-built reads the twin as built; leave out --renovated and "
                         "--register, or leave out --as-built.")
    folders = {"twin": twin}
    if as_built:
        console.print("[dim]Woningen / dwellings: de tweeling zoals gebouwd / the twin as "
                      f"built ({twin})[/]")
        return folders
    candidate = renovated if renovated is not None else _beside(twin, "renovated")
    ws = Workspace(folders={"twin": twin, "renovated": candidate})
    if register is not None:
        print_stage(run_renovated(ws, RenovatedOptions(register_export=register), force=force),
                    console)
    elif not ws.exists("renovated", "dwellings"):
        if renovated is not None:
            raise InputError(
                f"{renovated} holds no twin as renovated (dwellings.parquet); give the folder "
                "the renovated stage wrote (renovated/ of a workspace), apply a register "
                "export with --register, or use --as-built.")
        console.print("[dim]Woningen / dwellings: de tweeling zoals gebouwd, geen "
                      f"renovated/-map naast {twin} / the twin as built (no renovated layer)[/]")
        return folders
    console.print("[dim]Woningen / dwellings: zoals gerenoveerd, de maatregelen uit het register "
                  f"toegepast / as renovated ({candidate}; --as-built for the twin as built)[/]")
    return {**folders, "renovated": candidate}


def _beside(twin: Path, stage: str) -> Path:
    """The folder of ``stage`` in the workspace the twin folder belongs to (the workspace
    knows the layout)."""
    from wijkreno.pipeline import Workspace

    return Workspace(twin.resolve().parent).folder(stage)


def simulate_folder(twin: Path, simulate: Path | None) -> dict[str, Path]:
    """The simulation results a command plans its money on (the expected and calibrated use,
    :mod:`wijkreno.simulate.basis`): ``simulate``, by default ``simulate/`` beside the twin
    folder when it holds results; none (standardised use) otherwise."""
    from wijkreno.pipeline import Workspace

    candidate = simulate if simulate is not None else _beside(twin, "simulate")
    if Workspace(folders={"simulate": candidate}).exists("simulate", "results"):
        return {"simulate": candidate}
    if simulate is not None:
        raise InputError(f"{simulate} holds no simulation results (results.parquet); give the "
                         "folder `wijkreno simulate` wrote.")
    return {}


SimulateFolderOption = Annotated[Path | None, typer.Option(
    "--simulate",
    help="Map met de simulatieresultaten: het verwachte en gekalibreerde verbruik waarop "
         "facturen en besparingen rusten (standaard: simulate/ naast de tweelingmap, als die "
         "bestaat; anders de EPC-berekening) / folder of the simulation results, the expected "
         "and calibrated use bills and savings rest on (default: simulate/ beside the twin "
         "folder, when there; else the EPC calculation).")]
"""``--simulate`` of the commands that plan money on the simulation's basis."""


BasisOption = Annotated[str, typer.Option(
    "--basis",
    help="Basis van facturen en besparing / basis of bills and savings: auto (gekalibreerd "
         "waar beschikbaar, anders verwacht / calibrated where available, else expected), "
         "calibrated, expected of/or standardised.")]
"""``--basis`` of the commands that plan money (trajectories, groups)."""

PriceYearOption = Annotated[int | None, typer.Option(
    "--price-year",
    help="Prijsjaar / price year: premies, energieprijzen en kostenniveau van dat jaar "
         "(wijkreno/params/price_sets.toml; standaard het huidige jaar / premiums, energy "
         "prices and cost level of that year; default the current year).")]
"""``--price-year`` of the commands that plan money (trajectories, groups)."""


def check_money_options(basis: str, price_year: int | None) -> None:
    """Refuse (``InputError``, exit 2) a ``--basis`` or ``--price-year`` the planning does not
    know, before any stage runs."""
    from wijkreno.simulate.basis import BASIS_CHOICES

    if basis not in BASIS_CHOICES:
        raise InputError(f"--basis must be one of {list(BASIS_CHOICES)}, got {basis!r}")
    if price_year is not None:
        from wijkreno.params.models.price_sets import load_price_sets

        load_price_sets().resolve_year(price_year)  # an unknown year is bad input (exit 2)
