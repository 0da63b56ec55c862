"""The parameter layer: versioned parameter files, each value with its source, and their models.

The TOML and CSV files in this folder hold every physics, policy and money figure of wijkreno.
This package sits at the bottom of the stack (it imports only :mod:`wijkreno.errors`, pydantic,
numpy and the standard library) and offers:

- :mod:`wijkreno.params.base`: the frozen base model and the one value-with-source model
  (:class:`Sourced`, with range-constrained variants such as :class:`Fraction`);
- :mod:`wijkreno.params.reader`: the one reader, cached loads, and validation errors that name
  the file, the key and the allowed range;
- :mod:`wijkreno.params.models`: one model module per file, with its loader;
- :mod:`wijkreno.params.registry`: which model reads which file, and
  :func:`~wijkreno.params.registry.list_parameters` (``wijkreno params list``).
"""

from wijkreno.params.base import Efficiency, Fraction, Frozen, Sourced
from wijkreno.params.reader import clear_cache, load_model, read_toml

__all__ = [
    "Efficiency", "Fraction", "Frozen", "Sourced", "clear_cache", "load_model", "read_toml",
]
