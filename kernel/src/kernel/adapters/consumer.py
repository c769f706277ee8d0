"""Idempotent, exactly-once-into-PostgreSQL consumption of another service's events, in stream order.

Each message is applied in one PostgreSQL transaction together with the consumer's record of its stream: the last
version applied and that event's hash. A consumer applies exactly version last+1, and only if the event proves its
origin (its hash matches its content, its producer's signature matches its hash) and its place (its previous_hash is
the hash of the version applied last). Otherwise the message is parked, with its kind and reason:

- lower version: a duplicate (a redelivery or a republish), absorbed;
- higher version (a gap: the broker lost or reordered something): parked as `gap`, and the missing versions are asked
  for again (`request_replay`); once they arrive, the parked ones are applied in order by themselves;
- not proven (bad hash or signature, unknown producer): parked as `forged`; it is not part of the stream, which goes on;
- unreadable payload (a newer event type or version), a broken chain, or a failure that outlives a bounded retry:
  parked as blocking; the later versions of its stream wait behind it (`waiting`) until an operator releases
  (retries with today's code) or skips it (kernel.adapters.parking).

Messages come in batches (`handle_batch`): one transaction for the batch, each message decided as alone, and the
batch split into single messages when one of them fails. The Kafka offsets are committed only after the transaction
(kernel.adapters.kafka.subscribe)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import structlog

from contracts.catalog import UnknownEventType, decode
from contracts.codec import ReceivedEvent
from contracts.envelope import EventEnvelope
from kernel.adapters.consumer_records import (
    BLOCKING,
    PENDING,
    Delivery,
    Parked,
    advance,
    advance_to,
    claim_positions,
    is_blocked,
    park,
    position,
    resolve,
)
from kernel.adapters.postgres import Connection
from kernel.adapters.proof import open_and_prove
from kernel.signing import Verifier

log = structlog.get_logger(__name__)

# The events of a transaction that are next in their streams, in order: applied together (a projection writes them
# set-based), inside the consumer's transaction.
Apply = Callable[[Connection, Sequence[ReceivedEvent]], Awaitable[None]]
ApplyOne = Callable[[Connection, ReceivedEvent], Awaitable[None]]
DeadLetter = Callable[[dict[str, Any]], Awaitable[None]]
RequestReplay = Callable[[str, int], Awaitable[None]]  # (stream_id, from_version): ask the producer to republish


class RetryLater(Exception):
    """Processing failed; the message must be redelivered (nack) after a backoff."""


@dataclass
class IdempotentConsumer:
    name: str
    pool: asyncpg.Pool
    apply: Apply
    verifier: Verifier
    max_attempts: int = 5
    backoff_seconds: float = 0.2
    dead_letter: DeadLetter | None = None
    request_replay: RequestReplay | None = None
    parked_by_kind: Counter[str] = field(default_factory=Counter)  # since start, for metrics and tests
    last_applied_recorded_at: datetime | None = None  # when the last event applied was recorded (projection lag)
    _attempts: dict[tuple[str, int, int], int] = field(default_factory=dict)

    @property
    def unknown_event_types(self) -> int:
        return self.parked_by_kind["unknown_event_type"]

    async def handle(self, delivery: Delivery) -> str:
        """Process one delivery; returns applied|duplicate|parked, raises RetryLater."""
        outcomes: dict[int, str] = {}
        proven = await self._prove([delivery], outcomes)
        if not proven:
            return outcomes[0]
        ((_, _, envelope),) = proven
        structlog.contextvars.bind_contextvars(
            event_id=str(envelope.event_id), stream_id=envelope.stream_id, correlation_id=envelope.correlation_id
        )
        key = (delivery.topic, delivery.partition, delivery.offset)
        try:
            outcome, replay_from = await self._apply_in_order(delivery, envelope)
        except Exception as error:  # noqa: BLE001 - any failure: bounded retry, then park
            attempts = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempts
            if attempts < self.max_attempts:
                log.warning("consumer.retry", consumer=self.name, attempt=attempts, error=repr(error))
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempts - 1))
                raise RetryLater(repr(error)) from error
            await self._park(delivery, envelope, Parked("failed", f"failed {attempts} times: {error!r}"))
            outcome, replay_from = "parked", None
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "stream_id", "correlation_id")
        self._attempts.pop(key, None)
        if replay_from is not None:
            await self._ask_replay(envelope.stream_id, replay_from)
        return outcome

    async def _prove(
        self, deliveries: Sequence[Delivery], outcomes: dict[int, str]
    ) -> list[tuple[int, Delivery, EventEnvelope]]:
        """Decode each delivery once and prove its origin (kernel.adapters.proof.open_and_prove); what is not an
        envelope or not proven is parked now, its outcome set."""
        proven, refused = await open_and_prove(self.verifier, [delivery.body for delivery in deliveries])
        for refusal in sorted(refused, key=lambda r: r.index):
            await self._park(deliveries[refusal.index], refusal.envelope, Parked(refusal.kind, refusal.reason))
            outcomes[refusal.index] = "parked"
        return [(index, deliveries[index], envelope) for index, envelope in proven]

    async def handle_batch(self, deliveries: Sequence[Delivery]) -> list[str]:
        """Process a batch of deliveries (in their order) in ONE PostgreSQL transaction; returns each outcome.

        Each message is decoded once and proven before the transaction; inside it, each is decided exactly as
        `handle` decides it (the same stream may come several times: each sees the position the previous left), and
        the events to apply go to `apply` together. If anything fails, the transaction rolls back as a whole and the
        batch is processed again one message at a time through `handle`, with its bounded retry and parking: a batch
        never applies half of itself, and one bad message costs only its own retries. Raises RetryLater as `handle`
        does (the caller nacks the batch)."""
        outcomes: dict[int, str] = {}
        proven = await self._prove(deliveries, outcomes)
        replays: list[tuple[str, int]] = []
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                replays = await self._apply_batch(conn, proven, outcomes)
        except Exception as error:  # noqa: BLE001 - one of them failed: each alone, with its retries and parking
            log.info("consumer.batch_split", consumer=self.name, size=len(proven), error=repr(error))
            for index, delivery, _ in proven:
                outcomes[index] = await self.handle(delivery)
            return [outcomes[index] for index in range(len(deliveries))]
        for stream_id, from_version in replays:
            await self._ask_replay(stream_id, from_version)
        return [outcomes[index] for index in range(len(deliveries))]

    async def _apply_batch(
        self, conn: Connection, proven: list[tuple[int, Delivery, EventEnvelope]], outcomes: dict[int, str]
    ) -> list[tuple[str, int]]:
        """Inside the caller's transaction, set-based: the positions of the batch's streams claimed (locked) in two
        statements, their parked flags read in one; each message decided in order from its stream's position
        (duplicate, waiting behind a parked one, a gap, a refusal, or applied, then what waited for it drained); the
        new positions written in one statement. Returns the versions to ask again for (gaps)."""
        streams = sorted({envelope.stream_id for _, _, envelope in proven})
        positions = await claim_positions(conn, self.name, streams)
        flags = await conn.fetch(
            "SELECT stream_id, bool_or(kind = ANY($3::text[])) AS blocked, bool_or(kind = ANY($4::text[])) AS pending"
            " FROM parked_messages WHERE consumer = $1 AND stream_id = ANY($2::text[]) AND released_at IS NULL"
            " GROUP BY stream_id",
            self.name,
            streams,
            list(BLOCKING),
            list(PENDING),
        )
        blocked = {row["stream_id"] for row in flags if row["blocked"]}
        pending = {row["stream_id"] for row in flags if row["pending"]}
        moved: set[str] = set()
        replays: list[tuple[str, int]] = []
        ready: list[ReceivedEvent] = []  # to apply, in the order decided
        for index, delivery, envelope in proven:
            stream_id, version = envelope.stream_id, envelope.stream_version
            current, last_hash = positions[stream_id]
            if version <= current:
                log.info("consumer.duplicate", consumer=self.name, stream_id=stream_id, version=version)
                outcomes[index] = "duplicate"
                continue
            outcomes[index] = "parked"
            if stream_id in blocked:
                parked = Parked("waiting", "waiting behind a parked event of its stream")
                await self._insert_parked(conn, delivery, envelope, parked)
                continue
            if version > current + 1:
                parked = Parked("gap", f"gap: v{current + 1} expected, v{version} received")
                await self._insert_parked(conn, delivery, envelope, parked)
                pending.add(stream_id)
                replays.append((stream_id, current + 1))
                continue
            refusal = self.refusal(envelope, last_hash)
            if isinstance(refusal, Parked):
                await self._insert_parked(conn, delivery, envelope, refusal)
                blocked.add(stream_id)  # every refusal at its turn blocks the stream (BLOCKING)
                continue
            ready.append(refusal)
            positions[stream_id] = (version, envelope.hash)
            moved.add(stream_id)
            outcomes[index] = "applied"
            if stream_id in pending:  # what waited for this version: drained on the stream's written position
                await self._apply(conn, ready)
                await advance(conn, self.name, {stream_id: positions[stream_id]})
                moved.discard(stream_id)
                await self.drain(conn, stream_id)
                positions[stream_id] = await position(conn, self.name, stream_id)
                if await is_blocked(conn, self.name, stream_id):
                    blocked.add(stream_id)
        await self._apply(conn, ready)
        await advance(conn, self.name, {stream_id: positions[stream_id] for stream_id in moved})
        return replays

    async def _apply(self, conn: Connection, ready: list[ReceivedEvent]) -> None:
        """Apply what is ready, in order, and empty the list."""
        if ready:
            await self.apply(conn, ready)
            self.last_applied_recorded_at = ready[-1].envelope.recorded_at
            ready.clear()

    async def _apply_in_order(self, delivery: Delivery, envelope: EventEnvelope) -> tuple[str, int | None]:
        """One message in a transaction of its own: a batch of one; returns its outcome and the version to ask
        again for (a gap)."""
        outcomes: dict[int, str] = {}
        async with self.pool.acquire() as conn, conn.transaction():
            replays = await self._apply_batch(conn, [(0, delivery, envelope)], outcomes)
        return outcomes[0], replays[0][1] if replays else None

    def refusal(self, envelope: EventEnvelope, last_hash: str | None) -> Parked | ReceivedEvent:
        """Why the next event of a stream cannot be applied (its chain, its payload), or the event to apply."""
        if envelope.previous_hash != last_hash:
            return Parked("broken_chain", "broken chain: previous_hash is not the hash of the version applied last")
        try:
            return ReceivedEvent(envelope, decode(envelope.event_type, envelope.schema_version, envelope.data))
        except UnknownEventType:
            self.parked_by_kind["unknown_event_type"] += 1
            log.warning("consumer.unknown_event_type", consumer=self.name, event_type=envelope.event_type)
            return Parked("unreadable", f"unknown event type {envelope.event_type!r}")
        except ValueError as error:  # a newer schema_version, or a payload its model refuses
            return Parked("unreadable", f"undecodable payload: {error}")

    async def apply_and_advance(self, conn: Connection, received: ReceivedEvent) -> None:
        await self._apply(conn, [received])
        await advance_to(conn, self.name, received.envelope)

    async def drain(self, conn: Connection, stream_id: str) -> int:
        """Apply, in order, the parked messages of the stream whose turn has come (inside the caller's transaction,
        after the stream's position was locked); returns how many were applied."""
        rows = await conn.fetch(
            "SELECT id, body, stream_version FROM parked_messages WHERE consumer = $1 AND stream_id = $2 "
            "AND released_at IS NULL AND kind = ANY($3::text[]) ORDER BY stream_version, id FOR UPDATE",
            self.name,
            stream_id,
            list(PENDING),
        )
        applied = 0
        for row in rows:
            current, last_hash = await position(conn, self.name, stream_id)
            if row["stream_version"] <= current:
                await resolve(conn, row["id"], "duplicate", self.name, "its version was applied meanwhile")
                continue
            if row["stream_version"] != current + 1:
                break
            envelope = EventEnvelope.model_validate_json(row["body"])
            refusal = self.refusal(envelope, last_hash)
            if isinstance(refusal, Parked):  # its turn came, but it cannot be applied: it now blocks the stream
                await conn.execute(
                    "UPDATE parked_messages SET kind = $2, reason = $3 WHERE id = $1", row["id"], *_fields(refusal)
                )
                break
            await self.apply_and_advance(conn, refusal)
            await resolve(conn, row["id"], "applied", self.name, "applied once the versions before it were")
            applied += 1
        return applied

    async def _insert_parked(
        self, conn: Connection, delivery: Delivery, envelope: EventEnvelope | None, parked: Parked
    ) -> None:
        await park(conn, self.name, delivery, envelope, parked)
        self.parked_by_kind[parked.kind] += 1
        level = log.info if parked.kind in PENDING else log.error
        level(
            "consumer.parked",
            consumer=self.name,
            kind=parked.kind,
            reason=parked.reason,
            topic=delivery.topic,
            partition=delivery.partition,
            offset=delivery.offset,
        )
        if self.dead_letter is not None and parked.kind not in PENDING:
            await self.dead_letter(
                {
                    "consumer": self.name,
                    "kind": parked.kind,
                    "reason": parked.reason,
                    "topic": delivery.topic,
                    "partition": delivery.partition,
                    "offset": delivery.offset,
                    "stream_id": envelope.stream_id if envelope else None,
                    "event_id": str(envelope.event_id) if envelope else None,
                }
            )

    async def _park(self, delivery: Delivery, envelope: EventEnvelope | None, parked: Parked) -> None:
        async with self.pool.acquire() as conn:
            await self._insert_parked(conn, delivery, envelope, parked)

    async def _ask_replay(self, stream_id: str, from_version: int) -> None:
        if self.request_replay is None:
            return
        try:
            await self.request_replay(stream_id, from_version)
        except Exception as error:  # noqa: BLE001 - the gap watcher asks again later
            log.warning("consumer.replay_request_failed", consumer=self.name, stream_id=stream_id, error=repr(error))

    async def ask_again_for_gaps(self, older_than_seconds: float = 5.0) -> int:
        """Ask again for the missing versions of every stream that has waited on a gap for a while."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT p.stream_id, coalesce(max(c.version), 0) + 1 AS missing FROM parked_messages p "
                "LEFT JOIN consumer_streams c ON c.consumer = p.consumer AND c.stream_id = p.stream_id "
                "WHERE p.consumer = $1 AND p.kind = 'gap' AND p.released_at IS NULL "
                "AND p.parked_at < now() - make_interval(secs => $2) GROUP BY p.stream_id",
                self.name,
                older_than_seconds,
            )
        for row in rows:
            await self._ask_replay(row["stream_id"], row["missing"])
        return len(rows)


def one_by_one(apply: ApplyOne) -> Apply:
    """An `Apply` from a function of one event (a reactor's commands, a test's counter): each in turn."""

    async def apply_each(conn: Connection, events: Sequence[ReceivedEvent]) -> None:
        for received in events:
            await apply(conn, received)

    return apply_each


def _fields(parked: Parked) -> tuple[str, str]:
    return parked.kind, parked.reason
