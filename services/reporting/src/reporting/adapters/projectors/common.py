"""What every projector shares: the rows it returns, its signature, and the business date of a timestamp."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.envelope import EventEnvelope

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True, slots=True)
class Row:
    """One fact to insert: a statement (its schema as `{s}`) and its values. Projectors return rows rather than
    writing them, so a batch of events is written with one statement per kind of fact (adapters/projection.py)."""

    statement: str
    values: tuple[Any, ...]
    # what the row touches of the roll-ups (reporting.adapters.rollups): ("jour" | "siren" | "projet", key)
    touches: tuple[tuple[str, tuple[Any, ...]], ...] = ()


# (the event's envelope, the decoded event) → the facts it makes
Projector = Callable[[EventEnvelope, Any], Sequence[Row]]


def paris_date(moment: datetime) -> date:
    """The business date of an instant: its day in Paris (22:30 UTC on 30/09 is 01/10)."""
    return moment.astimezone(PARIS).date()
