"""The outbox relay: publishes a service's events table to Kafka in log order, then checkpoints.

No dual write: services only append to PostgreSQL; this relay follows the log in commit order (LOG_AFTER) and
publishes each event to its stream type's topic, keyed by stream_id (per-aggregate order). A crash between
publish and checkpoint republishes the tail, which consumers deduplicate on (stream_id, version).

It also keeps the broker honest. It records, per partition, the last offset the broker gave back: an offset that
goes back means the broker lost what it acknowledged, so the relay republishes its whole log and tells its service
(kernel.adapters.broker_watch does the rest). Its checkpoint is read on every batch and moved by compare-and-set:
an operator who sets it back is obeyed at the next batch, and a second instance that lost its lease cannot move it.
It republishes one stream from a version on request (a consumer found a gap)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog

from contracts.topics import topic_for_stream
from kernel.adapters.postgres import APPEND_CHANNEL, LOG_AFTER, LOG_COUNT_AFTER, Connection
from kernel.adapters.tracing import within_trace

log = structlog.get_logger(__name__)

# publish(topic, key, body, headers) -> an awaitable that completes when the broker acknowledged
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Awaitable[Any]]]
OnLoss = Callable[[str], Awaitable[None]]

CAS_CHECKPOINT = """
INSERT INTO relay_checkpoints (relay, position) VALUES ($1, $3)
ON CONFLICT (relay) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
 WHERE relay_checkpoints.position = $2
RETURNING position"""


def faststream_publisher(broker: Any) -> Publish:
    """Adapter for a FastStream KafkaBroker: send without waiting, hand back the delivery future."""

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> Awaitable[Any]:
        return await broker.publish(body, topic, key=key, headers=headers, no_confirm=True)  # type: ignore[no-any-return]

    return publish


def _headers(event_type: str, envelope: dict[str, Any]) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "event_type": event_type,
        "schema_version": str(envelope["schema_version"]),
        "correlation_id": envelope["correlation_id"],
    }


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publish: Publish,
        name: str,
        batch_size: int = 500,
        topic_for: Callable[[str], str] = topic_for_stream,
        on_loss: OnLoss | None = None,
    ) -> None:
        self.pool = pool
        self.topic_for = topic_for
        self.publish = publish
        self.name = name
        self.batch_size = batch_size
        self.on_loss = on_loss
        self.active = False  # holds the lease: this instance is the one publishing
        self._wakeup = asyncio.Event()

    async def checkpoint(self) -> int:
        """The checkpoint as stored (what health reports, whichever instance is active)."""
        async with self.pool.acquire() as conn:
            value = await conn.fetchval("SELECT position FROM relay_checkpoints WHERE relay = $1", self.name)
        return int(value or 0)

    async def lag(self) -> int:
        """Events recorded after the checkpoint, in commit order: not yet published."""
        async with self.pool.acquire() as conn:
            after = int(await conn.fetchval("SELECT position FROM relay_checkpoints WHERE relay = $1", self.name) or 0)
            return int(await conn.fetchval(LOG_COUNT_AFTER, after))

    async def publish_batch(self) -> int:
        """Publish the next batch after the checkpoint; return how many events went out."""
        async with self.pool.acquire() as conn:
            after = int(await conn.fetchval("SELECT position FROM relay_checkpoints WHERE relay = $1", self.name) or 0)
            rows = await conn.fetch(
                LOG_AFTER.format(columns="position, stream_id, event_type, envelope::text AS body, trace_context"),
                after,
                self.batch_size,
            )
        if not rows:
            return 0
        deliveries = []
        for row in rows:
            headers = _headers(row["event_type"], json.loads(row["body"]))
            topic = self.topic_for(row["stream_id"])
            with within_trace(row["trace_context"]):  # the command's trace, when tracing recorded one
                deliveries.append(await self.publish(topic, row["stream_id"].encode(), row["body"].encode(), headers))
        acknowledged = await asyncio.gather(*deliveries)  # acks=all for every message before we move the checkpoint
        lost = await self._record(after, rows[-1]["position"], acknowledged)
        if lost is not None:
            log.error("relay.broker_lost_messages", relay=self.name, detail=lost)
            if self.on_loss is not None:
                await self.on_loss(lost)
            return len(rows)
        log.debug("relay.published", relay=self.name, count=len(rows), position=rows[-1]["position"])
        return len(rows)

    async def _record(self, after: int, last: int, acknowledged: Sequence[Any]) -> str | None:
        """Move the checkpoint (if nobody else did) and the offsets; the loss found, if the offsets went back."""
        offsets: dict[tuple[str, int], tuple[int, int]] = {}  # (topic, partition) -> (lowest, highest) offset
        for meta in acknowledged:
            if hasattr(meta, "partition") and hasattr(meta, "offset"):
                key = (meta.topic, meta.partition)
                low, high = offsets.get(key, (meta.offset, meta.offset))
                offsets[key] = (min(low, meta.offset), max(high, meta.offset))
        async with self.pool.acquire() as conn, conn.transaction():
            known = {
                (r["topic"], r["kafka_partition"]): r["last_offset"]
                for r in await conn.fetch(
                    "SELECT topic, kafka_partition, last_offset FROM relay_offsets WHERE relay = $1", self.name
                )
            }
            went_back = [
                f"{t}[{p}] {low} <= {known[t, p]}"
                for (t, p), (low, _) in offsets.items()
                if (t, p) in known and low <= known[t, p]
            ]
            if went_back:
                await self._restart_from_zero(conn)
                return "offsets went back: " + ", ".join(sorted(went_back))
            if await conn.fetchval(CAS_CHECKPOINT, self.name, after, last) is None:
                log.warning("relay.checkpoint_moved", relay=self.name, expected=after)  # an operator, or a rival
                return None
            for (topic, partition), (_, high) in offsets.items():
                await conn.execute(
                    "INSERT INTO relay_offsets (relay, topic, kafka_partition, last_offset) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (relay, topic, kafka_partition) DO UPDATE SET last_offset = EXCLUDED.last_offset",
                    self.name,
                    topic,
                    partition,
                    high,
                )
        return None

    async def _restart_from_zero(self, conn: Connection) -> None:
        await conn.execute("DELETE FROM relay_offsets WHERE relay = $1", self.name)
        await conn.execute(
            "INSERT INTO relay_checkpoints (relay, position) VALUES ($1, 0) ON CONFLICT (relay) "
            "DO UPDATE SET position = 0, updated_at = now()",
            self.name,
        )
        self._wakeup.set()

    async def reset(self, position: int = 0) -> None:
        """Republish from `position` (the broker lost its topics); forgets the offsets of the lost broker."""
        async with self.pool.acquire() as conn, conn.transaction():
            if position == 0:
                await self._restart_from_zero(conn)
            else:
                await conn.execute(
                    "UPDATE relay_checkpoints SET position = $2, updated_at = now() WHERE relay = $1",
                    self.name,
                    position,
                )
        self._wakeup.set()

    async def republish_stream(self, stream_id: str, from_version: int) -> int:
        """Publish one stream again from a version (a consumer found a gap); the checkpoint does not move."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT event_type, envelope::text AS body FROM events WHERE stream_id = $1 AND version >= $2 "
                "ORDER BY version",
                stream_id,
                from_version,
            )
        deliveries = [
            await self.publish(
                self.topic_for(stream_id),
                stream_id.encode(),
                row["body"].encode(),
                _headers(row["event_type"], json.loads(row["body"])),
            )
            for row in rows
        ]
        await asyncio.gather(*deliveries)
        log.info(
            "relay.stream_republished", relay=self.name, stream_id=stream_id, from_version=from_version, count=len(rows)
        )
        return len(rows)

    async def run(self, poll_interval: float = 0.5) -> None:
        """Publish until cancelled; woken at once by NOTIFY on append, polling as a fallback.

        Only one instance per relay name publishes, the one holding a session advisory lock: replicas stand by.
        The lease lives as long as its connection; when the database restarts it is gone, and the relay takes it
        again (or stands by) before it publishes anything more."""
        while True:
            try:
                await self._lead(poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the database went away: take the lease again
                self.active = False
                log.warning("relay.lease_lost", relay=self.name, error=repr(error))
                await asyncio.sleep(1.0)

    async def _lead(self, poll_interval: float) -> None:
        listener = await self.pool.acquire()

        def on_append(*_: object) -> None:
            self._wakeup.set()

        try:
            await listener.add_listener(APPEND_CHANNEL, on_append)
            while not await listener.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                await asyncio.sleep(poll_interval)  # another instance of the service is relaying: stand by
            self.active = True
            while not listener.is_closed():
                self._wakeup.clear()
                try:
                    while await self.publish_batch() == self.batch_size:
                        pass
                except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
                    raise  # the database: the lease may be gone
                except Exception as error:  # noqa: BLE001 - a broker hiccup: retry, keep order
                    log.warning("relay.retry", relay=self.name, error=repr(error))
                    await asyncio.sleep(1.0)
                    continue
                try:
                    await asyncio.wait_for(self._wakeup.wait(), poll_interval)
                except TimeoutError:
                    await listener.fetchval("SELECT 1")  # the lease's connection is alive, so is the lease
            raise ConnectionError("the relay's lease connection closed")
        finally:
            # The lease's connection LISTENs and holds a session lock: it is closed, never given back to the pool,
            # whose connections go back without a reset (kernel.adapters.postgres.create_pool). Closing it ends the
            # lease at once, so a standby instance takes over without waiting.
            self.active = False
            listener.terminate()
            with contextlib.suppress(Exception):  # the pool may be closing
                await self.pool.release(listener)
