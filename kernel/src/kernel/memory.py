"""In-memory event store for unit tests of deciders and handlers (same contract as PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

from contracts.base import DomainEvent
from kernel.envelopes import envelop
from kernel.ports import CommandContext, ConcurrencyError, DuplicateEvent, Read, RecordedEvent
from kernel.signing import Signer


class InMemoryEventStore:
    def __init__(self, producer: str = "memory", signer: Signer | None = None) -> None:
        self.producer = producer
        self.signer = signer
        self.identity = uuid.uuid4().hex  # the state cache's key for this store (kernel.command_handler)
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._event_ids: set[str] = set()
        self.log: list[RecordedEvent] = []
        self._lock = asyncio.Lock()

    async def read(self, stream_id: str) -> list[RecordedEvent]:
        return list(self._streams.get(stream_id, []))

    async def read_after(self, stream_id: str, version: int) -> list[RecordedEvent]:
        return list(self._streams.get(stream_id, [])[version:])

    async def read_streams(self, prefix: str) -> dict[str, list[RecordedEvent]]:
        return {sid: list(events) for sid, events in sorted(self._streams.items()) if sid.startswith(prefix)}

    async def append(
        self,
        stream_id: str,
        events: Sequence[DomainEvent],
        expected_version: int,
        context: CommandContext,
        head_hash: str | None = None,
    ) -> list[RecordedEvent]:
        async with self._lock:
            stream = self._streams.setdefault(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError(stream_id, expected_version)
            previous = stream[-1].envelope.hash if stream else None
            if head_hash is not None and head_hash != previous:
                raise ConcurrencyError(stream_id, expected_version)
            sealed = envelop(self.producer, stream_id, events, expected_version, previous, context, self.signer)
            ids = {str(r.envelope.event_id) for r in sealed}
            if ids & self._event_ids:
                raise DuplicateEvent(stream_id)
            stream.extend(sealed)
            self._event_ids |= ids
            self.log.extend(sealed)
            return sealed


class InMemoryAccessLog:
    """The access log for unit tests: reads in a list (wall time for the rate limit)."""

    def __init__(self) -> None:
        self.reads: list[tuple[float, Read]] = []

    async def record(self, read: Read) -> None:
        self.reads.append((time.monotonic(), read))

    async def recent_reads(self, reader_id: str, seconds: float) -> int:
        since = time.monotonic() - seconds
        return sum(1 for at, read in self.reads if at >= since and read.reader.id == reader_id)
