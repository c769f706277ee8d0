"""What an idempotent consumer keeps in PostgreSQL, beside what it applies: each stream's position (the last version
applied and that event's hash, in `consumer_streams`) and the messages it could not apply (`parked_messages`).

Plain statements on a connection whose transaction the caller holds: the consumer (kernel.adapters.consumer) decides,
operators mend (kernel.adapters.parking), both through these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.envelope import EventEnvelope
from kernel.adapters.postgres import Connection

BLOCKING = ("failed", "unreadable", "broken_chain")  # hold their stream until an operator acts
PENDING = ("gap", "waiting")  # applied by the consumer itself once their turn comes


@dataclass(frozen=True, slots=True)
class Delivery:
    """A Kafka message as the consumer saw it."""

    topic: str
    partition: int
    offset: int
    body: bytes


@dataclass(frozen=True, slots=True)
class Parked:
    """Why a message is not applied now: its kind (see kernel.adapters.consumer) and a reason for people."""

    kind: str
    reason: str


async def position(conn: Connection, consumer: str, stream_id: str) -> tuple[int, str | None]:
    """The last version applied of a stream and its hash, locked until the transaction ends (0, None: nothing)."""
    positions = await claim_positions(conn, consumer, [stream_id])
    return positions[stream_id]


async def claim_positions(conn: Connection, consumer: str, streams: list[str]) -> dict[str, tuple[int, str | None]]:
    """Each stream's last version applied and its hash, locked (in stream order, so two claimants never deadlock)
    until the transaction ends; a stream never seen starts at (0, None)."""
    await conn.execute(
        "INSERT INTO consumer_streams (consumer, stream_id, version) SELECT $1, s, 0 FROM unnest($2::text[]) AS s"
        " ON CONFLICT DO NOTHING",
        consumer,
        streams,
    )
    rows = await conn.fetch(
        "SELECT stream_id, version, hash FROM consumer_streams WHERE consumer = $1 AND stream_id = ANY($2::text[])"
        " ORDER BY stream_id FOR UPDATE",
        consumer,
        streams,
    )
    return {row["stream_id"]: (int(row["version"]), row["hash"]) for row in rows}


async def advance(conn: Connection, consumer: str, moved: Mapping[str, tuple[int, str | None]]) -> None:
    """Move streams (claimed in this transaction) to their new position: version and hash, in one statement."""
    if not moved:
        return
    await conn.execute(
        "UPDATE consumer_streams c SET version = u.version, hash = u.hash"
        " FROM unnest($2::text[], $3::integer[], $4::text[]) AS u(stream_id, version, hash)"
        " WHERE c.consumer = $1 AND c.stream_id = u.stream_id",
        consumer,
        list(moved),
        [version for version, _ in moved.values()],
        [last_hash for _, last_hash in moved.values()],
    )


async def advance_to(conn: Connection, consumer: str, envelope: EventEnvelope) -> None:
    """Move the envelope's stream to it: as if it had just been applied."""
    await advance(conn, consumer, {envelope.stream_id: (envelope.stream_version, envelope.hash)})


async def is_blocked(conn: Connection, consumer: str, stream_id: str) -> bool:
    """Whether a message of the stream waits for an operator (BLOCKING)."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM parked_messages WHERE consumer = $1 AND stream_id = $2 AND released_at IS NULL "
            "AND kind = ANY($3::text[]) LIMIT 1",
            consumer,
            stream_id,
            list(BLOCKING),
        )
    )


async def park(
    conn: Connection, consumer: str, delivery: Delivery, envelope: EventEnvelope | None, parked: Parked
) -> None:
    """Keep a message the consumer does not apply now, with why (a redelivery of it is kept once)."""
    await conn.execute(
        "INSERT INTO parked_messages (consumer, stream_id, stream_version, event_id, topic, kafka_partition,"
        " kafka_offset, reason, body, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT (consumer, topic, kafka_partition, kafka_offset) DO NOTHING",
        consumer,
        envelope.stream_id if envelope else "?",
        envelope.stream_version if envelope else None,
        str(envelope.event_id) if envelope else None,
        delivery.topic,
        delivery.partition,
        delivery.offset,
        parked.reason,
        delivery.body,
        parked.kind,
    )


async def resolve(conn: Connection, parked_id: int, resolution: str, by: str, note: str) -> None:
    """Close a parked message: applied (its turn came), released, skipped or duplicate, by whom, why."""
    await conn.execute(
        "UPDATE parked_messages SET released_at = now(), resolution = $2, resolved_by = $3, resolution_note = $4 "
        "WHERE id = $1",
        parked_id,
        resolution,
        by,
        note,
    )
