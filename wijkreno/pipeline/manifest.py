"""Stage manifests: what a stage was computed from, so that a rerun can skip it.

Each stage folder holds ``manifest.json``::

    {
      "stage": "simulate",
      "wijkreno_version": "0.1.0",
      "created": "2026-12-06T05:12:00+00:00",
      "seed": null,
      "options": {...},                          # the stage's typed options, serialised
      "inputs": {"twin/dwellings": {"path": ..., "sha256": ...}, ...},
      "parameter_files": {"heat_balance.toml": {"path": ..., "sha256": ..., "packaged": true}},
      "overrides": {"heat_params": {"path": ..., "sha256": ...}},
      "outputs": {"results.parquet": "<sha256>", ...},
      "metadata": {...},                         # what the stage reports about its run
      "fingerprint": "<sha256 of version, options, inputs, parameter files and overrides>"
    }

A stage is *stale* when it has no manifest, when its fingerprint differs (an input file, a
parameter file, an override, an option or the package version changed), or when an output
is missing or its bytes changed. Downstream stages read the upstream outputs as inputs, so a
change anywhere makes everything after it stale and nothing before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from wijkreno import __version__
from wijkreno.io.tables import file_sha256

PARAMS_PACKAGE = "wijkreno.params"

STAGE_PARAMETER_FILES: dict[str, tuple[str, ...]] = {
    "twin": ("twin.toml", "archetypes_tabula_be.csv", "geometry.toml", "heights.toml"),
    "simulate": ("heat_balance.toml", "energy_systems.toml", "climate_uccle_monthly.csv"),
    "trajectories": ("heat_balance.toml", "energy_systems.toml", "climate_uccle_monthly.csv",
                     "measures.toml", "premiums.toml", "renovation.toml", "price_sets.toml"),
    "groups": ("heat_balance.toml", "energy_systems.toml", "climate_uccle_monthly.csv",
               "measures.toml", "premiums.toml", "renovation.toml", "collective.toml",
               "price_sets.toml"),
    "uncertainty": ("heat_balance.toml", "energy_systems.toml", "climate_uccle_monthly.csv",
                    "uncertainty.toml"),
    "aggregate": ("priority.toml", "energy_systems.toml"),
    "indicators": ("lekp_goals.toml", "heat_balance.toml", "energy_systems.toml",
                   "climate_uccle_monthly.csv", "measures.toml", "premiums.toml",
                   "renovation.toml", "price_sets.toml"),
    "reports": ("lekp_goals.toml",),
}
"""Packaged parameter files each stage's computation reads (hashed into its manifest, so
editing one reruns the stages that use it)."""


def packaged_parameter_files(stage: str) -> dict[str, Path]:
    """The packaged parameter files of ``stage`` that exist in this installation."""
    root = resources.files(PARAMS_PACKAGE)
    out: dict[str, Path] = {}
    for name in STAGE_PARAMETER_FILES.get(stage, ()):
        entry = root.joinpath(name)
        if entry.is_file():
            out[name] = Path(str(entry))
    return out


def describe_files(files: Mapping[str, Path | None]) -> dict[str, dict[str, str]]:
    """``{label: {"path": ..., "sha256": ...}}`` of the files that are given and exist."""
    return {label: {"path": str(path), "sha256": file_sha256(path)}
            for label, path in files.items() if path is not None and Path(path).is_file()}


def fingerprint(parts: Mapping[str, Any]) -> str:
    """SHA-256 of what decides a stage's outputs.

    Paths are left out (files count by their hash), so a workspace that is moved or copied,
    sources included, stays current.
    """
    def strip(entries: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        return {k: v["sha256"] for k, v in entries.items()}

    doc = {"stage": parts["stage"], "wijkreno_version": parts["wijkreno_version"],
           "options": _options_without_paths(parts), "seed": parts.get("seed"),
           "inputs": strip(parts["inputs"]), "parameter_files": strip(parts["parameter_files"]),
           "overrides": strip(parts["overrides"]), "always_run": parts.get("always_run")}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _options_without_paths(parts: Mapping[str, Any]) -> dict[str, Any]:
    """The options with every file option replaced by ``"<file>"``: a file counts by its hash
    (in ``inputs``/``overrides``), not by its path."""
    hashed = set(parts.get("inputs") or {}) | set(parts.get("overrides") or {})
    return {k: "<file>" if k in hashed else v for k, v in (parts.get("options") or {}).items()}


def build_manifest(
    stage: str,
    *,
    options: Mapping[str, Any],
    inputs: Mapping[str, Path | None],
    overrides: Mapping[str, Path | None],
    seed: int | None = None,
    always_run: str | None = None,
) -> dict[str, Any]:
    """The manifest of a stage run before it runs (outputs and metadata are added after).

    Parameters
    ----------
    stage : str
        Stage name.
    options : mapping
        The stage's options, JSON-ready (``model_dump(mode="json")``).
    inputs : mapping of label → Path
        Source files and upstream outputs the stage reads (missing ones are left out).
    overrides : mapping of label → Path
        User parameter files that replace packaged ones (or other files the user gives).
    seed : int, optional
        Seed of a stochastic stage.
    always_run : str, optional
        Why the stage cannot be skipped (it reads a database); None when it can.
    """
    parts: dict[str, Any] = {
        "stage": stage,
        "wijkreno_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "options": dict(options),
        "inputs": describe_files(inputs),
        "parameter_files": {name: {**entry, "packaged": "true"} for name, entry in
                            describe_files(packaged_parameter_files(stage)).items()},
        "overrides": describe_files(overrides),
        "always_run": always_run,
    }
    parts["fingerprint"] = fingerprint(parts)
    return parts


def describe_outputs(folder: Path, paths: Iterable[Path]) -> dict[str, str]:
    """``{path relative to the stage folder: sha256}`` of the files a stage wrote."""
    out: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        if path.is_file():
            try:
                key = str(path.relative_to(folder))
            except ValueError:
                key = str(path)
            out[key] = file_sha256(path)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Freshness:
    """Whether a stage's outputs are current, and if not, why."""

    fresh: bool
    reason: str


def check_fresh(previous: Mapping[str, Any] | None, current: Mapping[str, Any],
                folder: Path) -> Freshness:
    """Compare the manifest on disk with the one this run would write.

    Parameters
    ----------
    previous : mapping or None
        The manifest in the stage folder.
    current : mapping
        :func:`build_manifest` of this run.
    folder : Path
        The stage folder (outputs are relative to it).
    """
    if previous is None:
        return Freshness(False, "no manifest")
    if current.get("always_run"):
        return Freshness(False, str(current["always_run"]))
    if previous.get("fingerprint") != current["fingerprint"]:
        changed = [key for key in ("wijkreno_version", "options", "seed", "inputs",
                                   "parameter_files", "overrides")
                   if (_options_without_paths(previous) != _options_without_paths(current)
                       if key == "options"
                       else _comparable(previous.get(key)) != _comparable(current.get(key)))]
        return Freshness(False, "changed: " + (", ".join(changed) or "fingerprint"))
    outputs = previous.get("outputs") or {}
    if not outputs:
        return Freshness(False, "no outputs recorded")
    for rel, digest in outputs.items():
        path = folder / rel
        if not path.is_file():
            return Freshness(False, f"output {rel} is missing")
        if file_sha256(path) != digest:
            return Freshness(False, f"output {rel} was changed")
    return Freshness(True, "up to date")


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: (v.get("sha256") if isinstance(v, Mapping) and "sha256" in v
                    else _comparable(v)) for k, v in value.items()}
    return value
