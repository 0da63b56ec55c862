"""The two base models of every parameter file: a frozen model and a value with its source.

Every parameter file of wijkreno is read into frozen pydantic models that reject unknown fields
(a typo in a user's file is an error, not a silently ignored value). A number that comes from a
publication, a regulation or a judgment is a :class:`Sourced` value: the number with its unit,
source and date, flagged ``placeholder`` while it is an order of magnitude waiting for a better
Flemish figure. Range constraints are fields of the model (:class:`Fraction`,
:class:`Efficiency`, ...), so a validation error can state the allowed range.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Frozen(BaseModel):
    """Base of every parameter model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen):
    """A number with its unit, source and date; ``placeholder`` says it is not a published value.

    Attributes
    ----------
    value : float
        The number (``inf`` allowed where the file says so, never NaN).
    unit : str
        Its unit, for the reader (``""`` when the file gives none).
    source : str
        Where it comes from (non-empty).
    date : datetime.date, str or None
        Date of the source or of the estimate, as the file writes it.
    placeholder : bool
        True for an order of magnitude that is not a published Flemish figure.
    replace_with : str or None
        What would replace a placeholder.
    """

    value: float
    unit: str = ""
    source: str = Field(min_length=1)
    date: dt.date | str | None = None
    placeholder: bool = False
    replace_with: str | None = None

    @model_validator(mode="after")
    def _not_nan(self) -> Sourced:
        if math.isnan(self.value):
            raise ValueError("value must not be NaN")
        return self


class Fraction(Sourced):
    """A sourced share between 0 and 1."""

    value: float = Field(ge=0.0, le=1.0)


class Efficiency(Sourced):
    """A sourced efficiency (useful over final energy); a COP may exceed 1."""

    value: float = Field(gt=0.0, le=10.0)


def iter_sourced(obj: Any, path: str = "") -> list[tuple[str, Sourced]]:
    """Every :class:`Sourced` value inside a model, with its key path (``a.b.c``)."""
    out: list[tuple[str, Sourced]] = []
    if isinstance(obj, Sourced):
        out.append((path, obj))
    elif isinstance(obj, BaseModel):
        for name, field in type(obj).model_fields.items():
            key = field.alias or name
            out += iter_sourced(getattr(obj, name), f"{path}.{key}" if path else key)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            out += iter_sourced(value, f"{path}.{key}" if path else str(key))
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            out += iter_sourced(value, f"{path}[{i}]")
    return out


def require_dated_placeholders(model: BaseModel) -> None:
    """Check the stricter rules of the policy and price files on every sourced value.

    Every value carries a date, and a placeholder says what would replace it
    (``replace_with``). Raises ``ValueError`` naming the key paths that break a rule.
    """
    undated = [p for p, v in iter_sourced(model) if v.date is None]
    if undated:
        raise ValueError(f"every value needs a date; missing at {undated}")
    unsaid = [
        p for p, v in iter_sourced(model) if v.placeholder and not (v.replace_with or "").strip()
    ]
    if unsaid:
        raise ValueError(
            f"a placeholder must say what would replace it (replace_with); missing at {unsaid}"
        )
