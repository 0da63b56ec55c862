"""The ``wijkreno`` command line.

Every command has ``--help``, writes its outputs where ``-o/--out`` says, and exits 0 on
success, 2 on bad input (with a message that says how to fix it) and 1 on anything else.
Sub-commands live in one module each; this module assembles them.
"""

from __future__ import annotations

import logging

import typer

from wijkreno.cli import aggregate as aggregate_cli
from wijkreno.cli import groups as groups_cli
from wijkreno.cli import indicators as indicators_cli
from wijkreno.cli import map as map_cli
from wijkreno.cli import params as params_cli
from wijkreno.cli import peaks as peaks_cli
from wijkreno.cli import register as register_cli
from wijkreno.cli import report as report_cli
from wijkreno.cli import run as run_cli
from wijkreno.cli import scenario as scenario_cli
from wijkreno.cli import serve as serve_cli
from wijkreno.cli import simulate as simulate_cli
from wijkreno.cli import statistical as statistical_cli
from wijkreno.cli import trajectories as trajectories_cli
from wijkreno.cli import twin as twin_cli
from wijkreno.cli import uncertainty as uncertainty_cli
from wijkreno.cli import users as users_cli
from wijkreno.cli import validate as validate_cli
from wijkreno.cli._common import handle_errors

__all__ = ["app", "handle_errors", "main"]

app = typer.Typer(
    name="wijkreno",
    help="Wijkrenovatietool: digital twin of the building stock and renovation simulator.",
    no_args_is_help=True,
    add_completion=False,
)
twin_cli.app.command("statistical")(statistical_cli.statistical)
app.add_typer(twin_cli.app, name="twin")
app.command("demo")(twin_cli.demo)
app.command("simulate")(simulate_cli.simulate)
app.command("trajectories")(trajectories_cli.trajectories)
app.command("groups")(groups_cli.groups)
app.command("aggregate")(aggregate_cli.aggregate)
app.command("map")(map_cli.map_)
app.command("scenario")(scenario_cli.scenario)
app.command("indicators")(indicators_cli.indicators)
app.command("uncertainty")(uncertainty_cli.uncertainty)
app.command("peaks")(peaks_cli.peaks)
app.add_typer(register_cli.app, name="register")
app.add_typer(report_cli.app, name="report")
app.command("run")(run_cli.run)
app.command("serve")(serve_cli.serve)
app.add_typer(users_cli.app, name="users")
app.add_typer(validate_cli.app, name="validate")
app.add_typer(params_cli.app, name="params")


def main() -> None:
    """Entry point of the ``wijkreno`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app(prog_name="wijkreno")
