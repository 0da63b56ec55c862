"""Reading parameter files: the package's own TOML files or a user's file of the same layout.

Every parameter model of wijkreno is loaded the same way: the packaged default under
``wijkreno/params/`` when no path is given, else the user's file; unreadable or invalid TOML is an
:class:`~wijkreno.errors.InputError` that names the file and the layout to follow.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from wijkreno.errors import InputError

PARAMS_PACKAGE = "wijkreno.params"


def read_param_toml(
    path: str | Path | None, default_name: str, *, what: str = "parameter file"
) -> tuple[dict[str, Any], str]:
    """Parse a parameter TOML file.

    Parameters
    ----------
    path : str, Path or None
        The user's file, or None for the packaged ``wijkreno/params/<default_name>``.
    default_name : str
        File name of the packaged default (also the layout a user's file must follow).
    what : str
        How to call the file in error messages (``"priority parameter file"``).

    Returns
    -------
    data : dict
        The parsed TOML.
    where : str
        The file that was read, for later validation messages.
    """
    where = f"wijkreno/params/{default_name}" if path is None else str(path)
    try:
        if path is None:
            text = resources.files(PARAMS_PACKAGE).joinpath(default_name).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return tomllib.loads(text), where
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            f"cannot read the {what} {where}: {exc}. Give a TOML file laid out as "
            f"wijkreno/params/{default_name}."
        ) from None
