"""What the use cases need from the outside: the projection store and the replayable event log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from kernel.ports import EventStore
from reporting.domain.figures import Facts
from reporting.domain.scdl import AideAttribuee


@dataclass
class ReplayCounts:
    """What a replay did with the messages it read.

    Like the live consumer, a replay applies exactly version last+1 of each stream, chained to it and signed by
    its producer: a later version waits in `ahead` until its turn comes; what never proves its origin is not part
    of any stream (`forged`); what cannot be read or does not chain holds its stream back, as it does live."""

    read: int = 0
    applied: int = 0
    duplicates: int = 0
    unreadable: int = 0  # an event type or version this code does not know, or a bad payload
    broken_chain: int = 0  # its previous_hash is not the hash of the version before it
    forged: int = 0  # its hash or its producer's signature does not match
    skipped: int = 0  # skipped by an operator on the live consumer (parked, resolution "skipped"): skipped here too
    ahead: dict[tuple[str, int], bytes] = field(default_factory=dict)

    def add(self, other: ReplayCounts) -> None:
        self.read += other.read
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.unreadable += other.unreadable
        self.broken_chain += other.broken_chain
        self.forged += other.forged
        self.skipped += other.skipped
        self.ahead.update(other.ahead)


@dataclass
class PreparedBatch:
    """A batch of the log made ready without the database (decoded, proven, its facts made): its counts so far and
    its events, in a form only the store that prepared it reads."""

    counts: ReplayCounts
    events: Any


@dataclass(frozen=True)
class FactComparison:
    """The live projection's facts against a rebuild's, as sets of (stream, version): what each lacks."""

    live: int
    rebuilt: int
    only_live: list[tuple[str, int, int]]  # (stream, first version missing from the rebuild, last one live has)
    only_rebuilt: list[tuple[str, int, int]]

    @property
    def identical(self) -> bool:
        return not self.only_live and not self.only_rebuilt


class FactsSource(Protocol):
    async def facts(self, schema: str | None, as_of: date | None, known_at: datetime | None = None) -> Facts:
        """Facts of `schema` (None: the live one) as of the date (None: everything), as the log was known at a
        recording time (None: everything recorded)."""
        ...

    async def aides(
        self, as_of: date | None, known_at: datetime | None = None, schema: str | None = None
    ) -> list[AideAttribuee]:
        """The register of aids (reporting.domain.scdl) of `schema` (None: the live one) as of the date, as known
        at a recording time."""
        ...


class ProjectionStore(FactsSource, Protocol):
    def exclusive(self) -> AbstractAsyncContextManager[bool]:
        """Hold the one-rebuild-at-a-time lock; yields False when another rebuild holds it."""
        ...

    async def live_schema(self) -> str: ...

    async def create_fresh(self) -> str:
        """Drop abandoned rebuild schemas, create an empty new one, return its name."""
        ...

    async def prepare(self, bodies: list[bytes], deferred: bool = False) -> PreparedBatch:
        """A batch of the log made ready without the database (which lets the event loop write the batch before
        meanwhile); `deferred`: signatures proven later, by `unproven_streams`."""
        ...

    async def write(self, schema: str, batch: PreparedBatch) -> ReplayCounts:
        """Apply a prepared batch to `schema`, in one transaction."""
        ...

    async def unproven_streams(self, schema: str) -> list[str]:
        """After a deferred replay: the streams whose last event's signature does not vouch for their chain."""
        ...

    async def compare_facts(self, schema: str) -> FactComparison:
        """Every (stream, version) the live consumer applied against those `schema` applied."""
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


# One transaction in which several streams are appended together (a publication's release and its public copy).
UniteDeTravail = Callable[[], AbstractAsyncContextManager[EventStore]]
