"""What the use cases need from the outside: the projection store and the replayable event log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from reporting.domain.figures import Facts


@dataclass
class ReplayCounts:
    """What a replay did with the messages it read."""

    read: int = 0
    applied: int = 0
    duplicates: int = 0
    unreadable: int = 0  # not applied: an event type or version this code does not know, or a bad payload

    def add(self, other: ReplayCounts) -> None:
        self.read += other.read
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.unreadable += other.unreadable


class FactsSource(Protocol):
    async def facts(self, schema: str | None, as_of: date | None) -> Facts:
        """Facts of `schema` (None: the live one) as of the date (None: everything)."""
        ...


class ProjectionStore(FactsSource, Protocol):
    def exclusive(self) -> AbstractAsyncContextManager[bool]:
        """Hold the one-rebuild-at-a-time lock; yields False when another rebuild holds it."""
        ...

    async def live_schema(self) -> str: ...

    async def create_fresh(self) -> str:
        """Drop abandoned rebuild schemas, create an empty new one, return its name."""
        ...

    async def apply(self, schema: str, bodies: list[bytes]) -> ReplayCounts:
        """Decode and project messages into `schema`, deduplicated on (stream_id, version)."""
        ...

    async def swap(self, schema: str) -> str | None:
        """Make `schema` live if it holds everything the live consumer applied; the previous name, else None."""
        ...

    async def drop(self, schema: str) -> None: ...


class LogReader(Protocol):
    def until_end(self) -> AsyncIterator[list[bytes]]:
        """Batches of messages from the beginning up to each partition's end as of the start."""
        ...

    async def more(self, timeout: float) -> list[bytes]:
        """Messages published after that end (the catch-up before a swap)."""
        ...


EventLog = AbstractAsyncContextManager[LogReader]
