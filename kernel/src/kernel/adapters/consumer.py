"""Idempotent, exactly-once-into-PostgreSQL consumption of another service's events.

Each message is applied in one PostgreSQL transaction together with its dedup record (the last
version applied of its stream, per consumer). The Kafka offset is committed only after that
transaction (kernel.adapters.kafka.subscribe). A message that keeps failing is parked with its
reason; later messages of the same stream are parked behind it, never applied out of order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from contracts.catalog import UnknownEventType, decode
from contracts.codec import ReceivedEvent, decode_message
from contracts.envelope import EventEnvelope
from kernel.adapters.postgres import Connection

log = structlog.get_logger(__name__)

Apply = Callable[[Connection, ReceivedEvent], Awaitable[None]]
DeadLetter = Callable[[dict[str, Any]], Awaitable[None]]

# Records that this consumer applied (stream_id, version); returns NULL when it already had.
CLAIM_STREAM_VERSION = (
    "INSERT INTO consumer_streams (consumer, stream_id, version) VALUES ($1, $2, $3) "
    "ON CONFLICT (consumer, stream_id) DO UPDATE SET version = EXCLUDED.version "
    "WHERE consumer_streams.version < EXCLUDED.version RETURNING version"
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A Kafka message as the consumer saw it."""

    topic: str
    partition: int
    offset: int
    body: bytes


class RetryLater(Exception):
    """Processing failed; the message must be redelivered (nack) after a backoff."""


@dataclass
class IdempotentConsumer:
    name: str
    pool: asyncpg.Pool
    apply: Apply
    max_attempts: int = 5
    backoff_seconds: float = 0.2
    dead_letter: DeadLetter | None = None
    unknown_event_types: int = 0  # messages parked because this code does not know their type
    _attempts: dict[tuple[str, int, int], int] = field(default_factory=dict)

    async def handle(self, delivery: Delivery) -> str:
        """Process one delivery; returns applied|duplicate|parked, raises RetryLater.

        A message whose payload this code cannot read (an event type or a schema version written by a newer
        producer, an invalid payload) is never skipped: it is parked, and blocks the later events of its
        stream, until an operator releases it with a reader that knows it."""
        try:
            envelope = EventEnvelope.model_validate_json(delivery.body)
        except ValueError as error:  # pydantic's ValidationError included
            await self._park(delivery, None, f"undecodable envelope: {error}")
            return "parked"
        try:
            received = ReceivedEvent(envelope, decode(envelope.event_type, envelope.schema_version, envelope.data))
        except UnknownEventType:
            self.unknown_event_types += 1
            log.warning(
                "consumer.unknown_event_type",
                consumer=self.name,
                event_type=envelope.event_type,
                stream_id=envelope.stream_id,
                version=envelope.stream_version,
            )
            await self._park(delivery, envelope, f"unknown event type {envelope.event_type!r}")
            return "parked"
        except ValueError as error:  # a newer schema_version, or a payload its model refuses
            await self._park(delivery, envelope, f"undecodable payload: {error}")
            return "parked"
        structlog.contextvars.bind_contextvars(
            event_id=str(envelope.event_id), stream_id=envelope.stream_id, correlation_id=envelope.correlation_id
        )
        key = (delivery.topic, delivery.partition, delivery.offset)
        try:
            outcome = await self._apply_once(delivery, received)
        except Exception as error:  # noqa: BLE001 - any failure: bounded retry, then park
            attempts = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempts
            if attempts < self.max_attempts:
                log.warning("consumer.retry", consumer=self.name, attempt=attempts, error=repr(error))
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempts - 1))
                raise RetryLater(repr(error)) from error
            await self._park(delivery, envelope, f"failed {attempts} times: {error!r}")
            outcome = "parked"
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "stream_id", "correlation_id")
        self._attempts.pop(key, None)
        return outcome

    async def _apply_once(self, delivery: Delivery, received: ReceivedEvent) -> str:
        envelope = received.envelope
        async with self.pool.acquire() as conn, conn.transaction():
            if await self._is_blocked(conn, envelope.stream_id):
                await self._insert_parked(conn, delivery, envelope, "waiting behind a parked event of its stream")
                return "parked"
            claimed = await conn.fetchval(CLAIM_STREAM_VERSION, self.name, envelope.stream_id, envelope.stream_version)
            if claimed is None:
                log.info("consumer.duplicate", consumer=self.name, version=envelope.stream_version)
                return "duplicate"
            await self.apply(conn, received)
        return "applied"

    async def _is_blocked(self, conn: Connection, stream_id: str) -> bool:
        return bool(
            await conn.fetchval(
                "SELECT 1 FROM parked_messages WHERE consumer = $1 AND stream_id = $2 AND released_at IS NULL LIMIT 1",
                self.name,
                stream_id,
            )
        )

    async def _insert_parked(
        self, conn: Connection, delivery: Delivery, envelope: EventEnvelope | None, reason: str
    ) -> None:
        await conn.execute(
            "INSERT INTO parked_messages (consumer, stream_id, stream_version, event_id, topic, kafka_partition,"
            " kafka_offset, reason, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (consumer, topic, kafka_partition, kafka_offset) DO NOTHING",
            self.name,
            envelope.stream_id if envelope else "?",
            envelope.stream_version if envelope else None,
            str(envelope.event_id) if envelope else None,
            delivery.topic,
            delivery.partition,
            delivery.offset,
            reason,
            delivery.body,
        )
        log.error(
            "consumer.parked",
            consumer=self.name,
            reason=reason,
            topic=delivery.topic,
            partition=delivery.partition,
            offset=delivery.offset,
        )

    async def _park(self, delivery: Delivery, envelope: EventEnvelope | None, reason: str) -> None:
        async with self.pool.acquire() as conn:
            await self._insert_parked(conn, delivery, envelope, reason)
        if self.dead_letter is not None:
            await self.dead_letter(
                {
                    "consumer": self.name,
                    "reason": reason,
                    "topic": delivery.topic,
                    "partition": delivery.partition,
                    "offset": delivery.offset,
                    "stream_id": envelope.stream_id if envelope else None,
                    "event_id": str(envelope.event_id) if envelope else None,
                    "body": delivery.body.decode(errors="replace"),
                }
            )

    async def release(self, stream_id: str) -> int:
        """Retry the parked messages of a stream in order; stop at the first that still fails."""
        async with self.pool.acquire() as conn:
            parked = await conn.fetch(
                "SELECT id, topic, kafka_partition, kafka_offset, body FROM parked_messages "
                "WHERE consumer = $1 AND stream_id = $2 AND released_at IS NULL ORDER BY stream_version, id",
                self.name,
                stream_id,
            )
        released = 0
        for row in parked:
            try:
                received = decode_message(row["body"])
                async with self.pool.acquire() as conn, conn.transaction():
                    await conn.execute("UPDATE parked_messages SET released_at = now() WHERE id = $1", row["id"])
                    claimed = await conn.fetchval(
                        CLAIM_STREAM_VERSION, self.name, stream_id, received.envelope.stream_version
                    )
                    if claimed is not None:
                        await self.apply(conn, received)
            except Exception as error:  # noqa: BLE001 - stays parked, with the new reason
                async with self.pool.acquire() as conn:
                    await conn.execute(
                        "UPDATE parked_messages SET reason = $2 WHERE id = $1", row["id"], f"release failed: {error!r}"
                    )
                break
            released += 1
        return released
