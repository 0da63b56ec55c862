"""Exceptions of wijkreno.

Every exception the library raises on purpose derives from :class:`WijkrenoError`. Errors caused
by the user's input (a file that cannot be read, a frame without CRS, a table missing columns)
are :class:`InputError`; the CLI maps them to exit code 2. Messages say what was received and
what to do about it.
"""


class WijkrenoError(Exception):
    """Base class of all wijkreno errors."""


class InputError(WijkrenoError, ValueError):
    """The input cannot be used as given; the message says how to fix it."""


class SchemaError(InputError):
    """A table handed between stages does not match its schema."""


class CRSError(InputError):
    """A geometry frame has no CRS, or one that cannot be used."""
