"""What the projects' use cases need besides the event store: a unit of work, one transaction in which a census
sheet's projects are recorded (each its own stream), read against one view of the mission."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from kernel.ports import EventStore

UniteDeTravail = Callable[[], AbstractAsyncContextManager[EventStore]]
