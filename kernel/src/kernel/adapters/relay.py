"""The outbox relay: publishes a service's events table to Kafka in log order, then checkpoints.

No dual write: services only append to PostgreSQL; this relay follows `position` and publishes each
event to its stream type's topic, keyed by stream_id (per-aggregate order). A crash between publish
and checkpoint republishes the tail, which consumers deduplicate on (stream_id, version)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog

from contracts.topics import topic_for_stream
from kernel.adapters.postgres import APPEND_CHANNEL

log = structlog.get_logger(__name__)

# publish(topic, key, body, headers) -> an awaitable that completes when the broker acknowledged
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Awaitable[Any]]]


def faststream_publisher(broker: Any) -> Publish:
    """Adapter for a FastStream KafkaBroker: send without waiting, hand back the delivery future."""

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> Awaitable[Any]:
        return await broker.publish(body, topic, key=key, headers=headers, no_confirm=True)  # type: ignore[no-any-return]

    return publish


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publish: Publish,
        name: str,
        batch_size: int = 500,
        topic_for: Callable[[str], str] = topic_for_stream,
    ) -> None:
        self.pool = pool
        self.topic_for = topic_for
        self.publish = publish
        self.name = name
        self.batch_size = batch_size
        self._wakeup = asyncio.Event()
        self._position: int | None = None  # this relay's checkpoint once read: only one instance publishes

    async def checkpoint(self) -> int:
        """The checkpoint as stored (what health reports, whichever instance is active)."""
        async with self.pool.acquire() as conn:
            value = await conn.fetchval("SELECT position FROM relay_checkpoints WHERE relay = $1", self.name)
        return int(value or 0)

    async def _save(self, position: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO relay_checkpoints (relay, position) VALUES ($1, $2) ON CONFLICT (relay) "
                "DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
                self.name,
                position,
            )
        self._position = position

    async def publish_batch(self) -> int:
        """Publish the next batch after the checkpoint; return how many events went out."""
        after = self._position if self._position is not None else await self.checkpoint()
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT position, stream_id, event_type, envelope::text AS body FROM events "
                "WHERE position > $1 ORDER BY position LIMIT $2",
                after,
                self.batch_size,
            )
        if not rows:
            return 0
        deliveries = []
        for row in rows:
            envelope = json.loads(row["body"])
            headers = {
                "content-type": "application/json",
                "event_type": row["event_type"],
                "schema_version": str(envelope["schema_version"]),
                "correlation_id": envelope["correlation_id"],
            }
            deliveries.append(
                await self.publish(
                    self.topic_for(row["stream_id"]), row["stream_id"].encode(), row["body"].encode(), headers
                )
            )
        await asyncio.gather(*deliveries)  # acks=all for every message before we move the checkpoint
        await self._save(rows[-1]["position"])
        log.debug("relay.published", relay=self.name, count=len(rows), position=rows[-1]["position"])
        return len(rows)

    async def reset(self, position: int = 0) -> None:
        """Republish from `position` (e.g. an in-memory broker lost its topics)."""
        await self._save(position)

    async def run(self, poll_interval: float = 0.5) -> None:
        """Publish until cancelled; woken at once by NOTIFY on append, polling as a fallback.

        Only one instance per relay name publishes (a session advisory lock): replicas stand by."""
        listener = await self.pool.acquire()

        def on_append(*_: object) -> None:
            self._wakeup.set()

        await listener.add_listener(APPEND_CHANNEL, on_append)
        try:
            while not await listener.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                await asyncio.sleep(poll_interval)  # another instance of the service is relaying: stand by
            while True:
                self._wakeup.clear()
                try:
                    while await self.publish_batch() == self.batch_size:
                        pass
                except Exception as error:  # noqa: BLE001 - a broker or database hiccup: retry, keep order
                    log.warning("relay.retry", relay=self.name, error=repr(error))
                    await asyncio.sleep(1.0)
                    continue
                try:
                    await asyncio.wait_for(self._wakeup.wait(), poll_interval)
                except TimeoutError:
                    pass
        finally:
            await listener.remove_listener(APPEND_CHANNEL, on_append)
            await listener.execute("SELECT pg_advisory_unlock_all()")
            await self.pool.release(listener)
