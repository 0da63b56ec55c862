"""Model of ``wijkreno/params/register_vocabulary.toml``: the register's measures, milestones,
dates and value bounds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wijkreno.params.base import Frozen
from wijkreno.params.reader import load_model

VOCABULARY_FILE = "register_vocabulary.toml"


class Term(Frozen):
    """One allowed value: its Dutch label, other accepted spellings and the source."""

    label_nl: str
    aliases: tuple[str, ...] = ()
    source: str


class DateRange(Frozen):
    """The dates an upload accepts; ``latest = "today"`` means the day of the import."""

    earliest: dt.date
    earliest_source: str
    latest: str
    latest_source: str
    earliest_own_buildings_year: int
    earliest_own_buildings_year_source: str


class Bounds(Frozen):
    """Plausibility bounds of stored values, each with its source (issue 14)."""

    premium_eur_max: float
    premium_eur_max_source: str
    kwp_max: float
    kwp_max_source: str
    invited_housing_units_max: int
    invited_housing_units_max_source: str
    n_participants_max: int
    n_participants_max_source: str
    n_access_max: int
    n_access_max_source: str
    n_points_max: int
    n_points_max_source: str
    n_units_max: int
    n_units_max_source: str
    co2_kg_co2_max: float
    co2_kg_co2_max_source: str
    primary_energy_kwh_max: float
    primary_energy_kwh_max_source: str
    text_max_chars: int
    text_max_chars_source: str
    note_max_chars: int
    note_max_chars_source: str

    def upper(self, column: str) -> float | None:
        """The largest accepted value of a numeric column (None: no bound)."""
        return getattr(self, f"{column}_max", None)

    def max_chars(self, column: str) -> int:
        """The longest accepted text of a column."""
        return self.note_max_chars if column == "note" else self.text_max_chars


class Vocabulary(Frozen):
    """``register_vocabulary.toml``: measures, wijkverbeteringscontract milestones, dates and
    the plausibility bounds of values."""

    version: str
    date: dt.date
    dates: DateRange
    bounds: Bounds
    measures: dict[str, Term]
    milestones: dict[str, Term]

    def latest_date(self, today: dt.date | None = None) -> dt.date:
        """Latest accepted date: ``today`` (default the system date) or the file's date."""
        if self.dates.latest == "today":
            return today or dt.date.today()
        return dt.date.fromisoformat(self.dates.latest)


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Read the register vocabulary (default: the one shipped in ``wijkreno/params``; cached)."""
    return load_model(Vocabulary, VOCABULARY_FILE, path, what="register vocabulary")
