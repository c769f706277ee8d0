"""What the use cases need besides the event store: a unit of work, one transaction in which the envelope's stream
and the programme's stream are appended together (an attribution and its reservation on the fund commit together
or not at all)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from kernel.ports import EventStore

UniteDeTravail = Callable[[], AbstractAsyncContextManager[EventStore]]
