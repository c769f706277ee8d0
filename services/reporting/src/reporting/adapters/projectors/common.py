"""What every projector shares: its signature and the business date of a timestamp (Europe/Paris)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.envelope import EventEnvelope
from kernel.adapters.postgres import Connection
from reporting.adapters.schema import Schema

PARIS = ZoneInfo("Europe/Paris")

# (connection, target schema, the event's envelope, the decoded event) → facts written
Projector = Callable[[Connection, Schema, EventEnvelope, Any], Awaitable[None]]


def paris_date(moment: datetime) -> date:
    """The business date of an instant: its day in Paris (22:30 UTC on 30/09 is 01/10)."""
    return moment.astimezone(PARIS).date()
