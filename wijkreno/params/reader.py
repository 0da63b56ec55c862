"""The one reader of parameter files: parse, validate, cache, and explain what is wrong.

Every parameter file is read here, the packaged default under ``wijkreno/params/`` or a user's
file of the same layout, and validated by the same model. Loads are cached on the file's
resolved path, modification time and size: the packaged defaults are parsed once per process,
and a user's file is read again when it changes. Models are frozen, so the cached object can be
shared.

An unreadable file, invalid TOML or a value the model refuses is an
:class:`~wijkreno.errors.InputError` that names the file, the key path
(``heating_systems.gas_boiler.generation_efficiency.value``), what was received, the allowed
range or type, and how to fix it.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from wijkreno.errors import InputError

PARAMS_DIR = Path(__file__).resolve().parent
"""Folder of the packaged parameter files."""

M = TypeVar("M", bound=BaseModel)


def packaged_path(name: str) -> Path:
    """Path of a packaged parameter file (``energy_systems.toml``, ``scenarios/baseline.toml``)."""
    return PARAMS_DIR / name


def _display(path: Path) -> str:
    """``wijkreno/params/<name>`` for a packaged file, else the path as given."""
    try:
        return f"wijkreno/params/{path.relative_to(PARAMS_DIR).as_posix()}"
    except ValueError:
        return str(path)


def resolve(path: str | Path | None, default_name: str, *, what: str = "parameter file") -> Path:
    """The file to read: ``path``, or the packaged ``default_name`` when None.

    Raises
    ------
    InputError
        When ``path`` is not an existing file.
    """
    if path is None:
        return packaged_path(default_name)
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise InputError(
            f"cannot read the {what} {path}: it was not found (it does not exist or is not a "
            "file). Give a TOML file laid out as "
            f"wijkreno/params/{default_name} (`wijkreno params list` shows every value)."
        )
    return p


def read_toml(
    path: str | Path | None, default_name: str, *, what: str = "parameter file"
) -> tuple[dict[str, Any], str]:
    """Parse a parameter TOML file (not cached; see :func:`load_model` for validated loads).

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
        The file that was read, for validation messages.
    """
    p = resolve(path, default_name, what=what)
    where = _display(p)
    try:
        return tomllib.loads(p.read_text("utf-8")), where
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"cannot read the {what} {where}: it is not valid TOML ({exc}). Give a TOML file "
            "laid out as "
            f"wijkreno/params/{default_name}."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the {what} {where}: {exc}. Give a TOML file laid out as "
            f"wijkreno/params/{default_name}."
        ) from None


def read_text(path: str | Path | None, default_name: str, *, what: str = "parameter table") -> str:
    """Text of a tabular parameter file (CSV), the packaged ``default_name`` when None."""
    p = resolve(path, default_name, what=what)
    try:
        return p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {what} {_display(p)}: {exc}") from None


# ---------------------------------------------------------------------------------------------
# validation errors that say where and what is allowed


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _field_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The pydantic ``FieldInfo`` at an error location, or None when it cannot be followed."""
    annotation: Any = model
    field = None
    for part in loc:
        cls = annotation if isinstance(annotation, type) else None
        if cls is not None and issubclass(cls, BaseModel):
            fields = cls.model_fields
            field = fields.get(str(part)) or next(
                (f for f in fields.values() if f.alias == part), None
            )
            if field is None:
                return None
            annotation = field.annotation
            continue
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (dict, Mapping) or (origin is not None and args and origin is Mapping):
            annotation = args[-1]
        elif origin in (list, tuple) and args:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            inner = _model_of(annotation)
            if inner is None:
                return field
            annotation = inner
            if isinstance(part, str) and part not in inner.model_fields:
                continue  # the union member's tag in the location
            field = inner.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        else:
            return field
    return field


def _type_name(annotation: Any) -> str:
    if annotation is None:
        return "?"
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def allowed(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The allowed range or type of the field at ``loc`` (``0 ≤ value ≤ 1``), when known."""
    field = _field_at(model, loc)
    if field is None:
        return None
    bounds = []
    for m in field.metadata:  # annotated_types.Ge/Gt/Le/Lt, as pydantic stores Field(ge=...)
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            bound = getattr(m, attr, None)
            if isinstance(bound, int | float):
                bounds.append((sign, bound))
    name = str(loc[-1]) if loc else "value"
    kind = _type_name(field.annotation)
    if not bounds:
        # a table's own checks explain themselves; a bare type is worth stating
        return None if _model_of(field.annotation) is not None else kind
    low = [f"{b[1]:g} {'≤' if b[0] == '≥' else '<'} " for b in bounds if b[0] in ("≥", ">")]
    high = [f" {b[0]} {b[1]:g}" for b in bounds if b[0] in ("≤", "<")]
    return f"{kind}, {''.join(low)}{name}{''.join(high)}"


def explain(
    exc: ValidationError, model: type[BaseModel], where: str, default_name: str,
    *, key_of: Callable[[tuple[Any, ...]], str] | None = None, what: str = "parameter file",
) -> InputError:
    """Turn a pydantic error into an :class:`InputError` naming file, key, value and range."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        key = key_of(loc) if key_of else ".".join(str(p) for p in loc)
        got = err.get("input")
        got_text = "" if err["type"] == "missing" or isinstance(got, dict) else f" = {got!r}"
        if len(got_text) > 80:
            got_text = got_text[:79] + "…"
        msg = err["msg"]
        rng = allowed(model, loc) if loc else None
        if err["type"] == "extra_forbidden":
            rng = None
            msg = f"{msg}: unknown key (check its spelling against the packaged file)"
        line = f"  - {key or '(file)'}{got_text}: {msg}"
        if rng:
            line += f" (allowed: {rng})"
        lines.append(line)
    return InputError(
        f"the {what} {where} is not valid ({len(lines)} "
        f"{'error' if len(lines) == 1 else 'errors'}):\n" + "\n".join(lines) + "\n"
        f"Fix these keys, or start from wijkreno/params/{default_name} and change only the "
        "values (`wijkreno params list` shows every value with its source)."
    )


def validate(
    model: type[M], data: Mapping[str, Any], where: str, default_name: str,
    *, key_of: Callable[[tuple[Any, ...]], str] | None = None, what: str = "parameter file",
) -> M:
    """Validate parsed data with ``model``; errors as :func:`explain` writes them."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, model, where, default_name, key_of=key_of, what=what) from None


# ---------------------------------------------------------------------------------------------
# cached loads


def _stamp(p: Path, packaged: bool) -> tuple[int, int]:
    """Modification time and size of a user's file; packaged files are parsed once per process
    (no ``stat`` on every default load; :func:`clear_cache` after editing one)."""
    if packaged:
        return (0, 0)
    st = p.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=128)
def _load_cached(
    model: type[BaseModel], p: Path, stamp: tuple[int, int], default_name: str, what: str
) -> BaseModel:
    data, where = read_toml(p, default_name, what=what)
    return validate(model, data, where, default_name, what=what)


def load_model(
    model: type[M], default_name: str, path: str | Path | None = None,
    *, what: str = "parameter file",
) -> M:
    """Load and validate a parameter file, cached on its path, modification time and size.

    Parameters
    ----------
    model : type
        The file's pydantic model.
    default_name : str
        The packaged file (``energy_systems.toml``), read when ``path`` is None.
    path : str, Path or None
        A user's file laid out as the packaged one.
    what : str
        How to call the file in error messages.

    Returns
    -------
    pydantic.BaseModel
        The validated model: the same object while the file is unchanged (a user's file is
        read again when its modification time or size changes).
    """
    p = resolve(path, default_name, what=what)
    stamp = _stamp(p, path is None)
    return _load_cached(model, p, stamp, default_name, what)  # type: ignore[return-value]


def flatten_sourced(
    data: Mapping[str, Any], where: str, sections: tuple[str, ...] | None
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Flatten files laid out as one ``{value, unit, source}`` table per parameter.

    ``sections=None`` reads every top-level table but ``[meta]``; otherwise the tables below
    each named section (``[balance.theta_int_degc]``); a section ``"*"`` means every top-level
    table but ``[meta]``, one level down.

    Returns
    -------
    values, sources, keys : dict
        ``{name: value}``, ``{name: source}`` and ``{name: key path in the file}``.
    """
    if sections is None:
        groups = {"": {k: v for k, v in data.items() if k != "meta"}}
    else:
        names = [k for k in data if k != "meta"] if sections == ("*",) else list(sections)
        groups = {}
        for s in names:
            table = data.get(s)
            if not isinstance(table, dict):
                raise InputError(f"parameter file {where} has no [{s}] table.")
            groups[s] = table
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    keys: dict[str, str] = {}
    for section, table in groups.items():
        for name, entry in table.items():
            key = f"{section}.{name}" if section else name
            if not isinstance(entry, dict) or "value" not in entry:
                raise InputError(
                    f"{where}: [{key}] must be a table with keys value, unit, source; "
                    f"got {entry!r}."
                )
            if not str(entry.get("source", "")).strip():
                raise InputError(f"{where}: [{key}] has no source; every value needs one.")
            values[name] = entry["value"]
            sources[name] = str(entry["source"])
            keys[name] = key
    return values, sources, keys


@lru_cache(maxsize=64)
def _load_flat_cached(
    model: type[BaseModel], p: Path, stamp: tuple[int, int], default_name: str, what: str,
    sections: tuple[str, ...] | None, with_sources: bool,
) -> BaseModel:
    data, where = read_toml(p, default_name, what=what)
    values, sources, keys = flatten_sourced(data, where, sections)
    if with_sources:
        values["sources"] = sources
    return validate(model, values, where, default_name, key_of=flat_key_of(keys), what=what)


def flat_key_of(keys: Mapping[str, str]) -> Callable[[tuple[Any, ...]], str]:
    """Key path in the file of a flat model's field (``adjacency.tolerance_m.value``)."""

    def key_of(loc: tuple[Any, ...]) -> str:
        if not loc:
            return ""
        name = str(loc[0])
        return f"{keys[name]}.value" if name in keys else ".".join(str(p) for p in loc)

    return key_of


def load_flat(
    model: type[M], default_name: str, path: str | Path | None = None,
    *, sections: tuple[str, ...] | None = None, with_sources: bool = False,
    what: str = "parameter file",
) -> M:
    """Load a file of ``{value, unit, source}`` tables into a flat model (cached).

    See :func:`flatten_sourced` for ``sections``; ``with_sources`` passes the sources as the
    model's ``sources`` field.
    """
    p = resolve(path, default_name, what=what)
    return _load_flat_cached(  # type: ignore[return-value]
        model, p, _stamp(p, path is None), default_name, what, sections, with_sources
    )


def deep_merge(
    base: Mapping[str, Any], override: Mapping[str, Any], *, source: str = "user override",
    date: str = "run",
) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``.

    A bare number replacing a sourced table keeps the table's layout and records ``source``.
    """
    out = dict(base)
    for key, new in override.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(new, Mapping):
            out[key] = deep_merge(old, new, source=source, date=date)
        elif isinstance(old, dict) and "value" in old and isinstance(new, int | float):
            out[key] = {**old, "value": float(new), "source": source, "date": date,
                        "placeholder": False}
        else:
            out[key] = new
    return out


def clear_cache() -> None:
    """Forget every cached load (tests; a long-running process after editing packaged files)."""
    _load_cached.cache_clear()
    _load_flat_cached.cache_clear()
