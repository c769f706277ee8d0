"""The event store port and what flows through it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from contracts.base import DomainEvent
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor

RecordedEvent = ReceivedEvent  # an event as stored: envelope (version, hash, …) + decoded payload


class ConcurrencyError(Exception):
    """Someone appended to the stream since we read it (expected version is stale)."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id} is no longer at version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


class DuplicateEvent(Exception):
    """An event with this event_id is already recorded: the append was a retry."""


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Who asks, when it happened in business time, and which message caused it.

    `idempotency_key` makes event ids deterministic, so a redelivered message appends nothing twice."""

    actor: Actor
    occurred_at: datetime
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None
    idempotency_key: str | None = None

    def event_id(self, index: int) -> uuid.UUID:
        if self.idempotency_key is None:
            return uuid.uuid4()
        return uuid.uuid5(uuid.NAMESPACE_URL, f"rebond:{self.idempotency_key}:{index}")


class EventStore(Protocol):
    """Append-only streams with optimistic concurrency."""

    async def read(self, stream_id: str) -> list[RecordedEvent]: ...

    async def read_after(self, stream_id: str, version: int) -> list[RecordedEvent]:
        """The stream's events after `version`, in order (what a folded state of that version has not seen)."""
        ...

    async def append(
        self,
        stream_id: str,
        events: Sequence[DomainEvent],
        expected_version: int,
        context: CommandContext,
        head_hash: str | None = None,
    ) -> list[RecordedEvent]:
        """Append after `expected_version`. `head_hash`, the hash of that version when the caller knows it (its kept
        state), spares the store reading the head to chain to it; a wrong one is a conflict, never a broken chain."""
        ...


class StreamReader(Protocol):
    """Every stream of one type at once (lists and watchers over a few hundred aggregates)."""

    async def read_streams(self, prefix: str) -> dict[str, list[RecordedEvent]]:
        """stream_id → its events in version order, for every stream whose id starts with `prefix`."""
        ...


@dataclass(frozen=True, slots=True)
class Read:
    """One read of confidential content (a dossier): who, in which role, for what purpose, which version, when."""

    stream_id: str
    version: int
    reader: Actor
    purpose: str
    at: datetime  # business time of the read
    correlation_id: str


class AccessLog(Protocol):
    """Where reads are recorded, apart from the domain streams: a read is a fact for auditors, not a change of the
    thing read, and recording it must not make later commands on that stream slower."""

    async def record(self, read: Read) -> None: ...

    async def recent_reads(self, reader_id: str, seconds: float) -> int:
        """How many reads this reader made in the last `seconds` of wall time (the rate limit)."""
        ...
