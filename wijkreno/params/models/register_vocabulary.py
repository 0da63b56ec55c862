"""Model of ``wijkreno/params/register_vocabulary.toml``: the register's measures and milestones."""

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


class Vocabulary(Frozen):
    """``register_vocabulary.toml``: measures, wijkverbeteringscontract milestones, dates."""

    version: str
    date: dt.date
    dates: DateRange
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
