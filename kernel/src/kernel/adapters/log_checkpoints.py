"""Signed checkpoints of a service's log (contracts.log_checkpoint), taken on a timer by every instance of a service
that records events: one at a time (a transaction-scoped advisory lock), each folding only the events after the
previous one, in commit order. Kept in `log_checkpoints` (append-only), then published on Kafka, the copy outside
the database that an auditor compares it with (kernel.log_audit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg
import structlog

from contracts.log_checkpoint import DIGEST_OF_NOTHING, LogCheckpoint, fold_digest
from kernel.adapters.postgres import Connection
from kernel.signing import Signer

log = structlog.get_logger(__name__)

FOLD_BATCH = 20_000

# The events after a place in commit order, among those no running transaction can still precede (LOG_AFTER).
EVENTS_AFTER_PLACE = """
SELECT transaction_id::text::bigint AS transaction_id, position, version, envelope->>'hash' AS hash
  FROM events
 WHERE (transaction_id, position) > ($1::text::xid8, $2)
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY transaction_id, position
 LIMIT $3"""

PublishCheckpoint = Callable[[LogCheckpoint], Awaitable[None]]


async def checkpoints_in(conn: Connection, service: str, after: int = 0) -> list[LogCheckpoint]:
    rows = await conn.fetch(
        "SELECT body FROM log_checkpoints WHERE service = $1 AND sequence > $2 ORDER BY sequence", service, after
    )
    return [LogCheckpoint.model_validate(row["body"]) for row in rows]


class LogCheckpointer:
    def __init__(self, pool: asyncpg.Pool, signer: Signer, service: str, publish: PublishCheckpoint) -> None:
        self.pool = pool
        self.signer = signer
        self.service = service
        self.publish = publish

    async def take(self, now: datetime) -> LogCheckpoint | None:
        """Checkpoint the log if it grew since the last checkpoint; None if it did not."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{self.service}.log-checkpoint")
            row = await conn.fetchrow(
                "SELECT body FROM log_checkpoints WHERE service = $1 ORDER BY sequence DESC LIMIT 1", self.service
            )
            last = LogCheckpoint.model_validate(row["body"]) if row else None
            place = (last.transaction_id, last.position) if last else (0, 0)
            events, streams = (last.events, last.streams) if last else (0, 0)
            digest = last.digest if last else DIGEST_OF_NOTHING
            while rows := await conn.fetch(EVENTS_AFTER_PLACE, str(place[0]), place[1], FOLD_BATCH):
                for event in rows:
                    digest = fold_digest(digest, event["hash"])
                    streams += event["version"] == 1
                place = (event["transaction_id"], event["position"])
                events += len(rows)
            if events == (last.events if last else 0):
                return None  # the log did not grow: the last checkpoint still stands
            checkpoint = LogCheckpoint(
                service=self.service,
                sequence=last.sequence + 1 if last else 1,
                transaction_id=place[0],
                position=place[1],
                events=events,
                streams=streams,
                digest=digest,
                taken_at=now,
            )
            checkpoint = checkpoint.model_copy(update={"signature": self.signer.sign(checkpoint.signed_text())})
            await conn.execute(
                "INSERT INTO log_checkpoints (service, sequence, body) VALUES ($1, $2, $3)",
                self.service,
                checkpoint.sequence,
                checkpoint.model_dump(mode="json"),
            )
        log.info("log.checkpointed", sequence=checkpoint.sequence, events=events, streams=streams)
        return checkpoint

    async def publish_pending(self) -> int:
        """Publish on Kafka the checkpoints not published yet (acknowledged before they count as published)."""
        async with self.pool.acquire() as conn:
            done = await conn.fetchval(
                "SELECT sequence FROM log_checkpoints_published WHERE service = $1", self.service
            )
            pending = await checkpoints_in(conn, self.service, after=done or 0)
        for checkpoint in pending:
            await self.publish(checkpoint)
            async with self.pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO log_checkpoints_published (service, sequence) VALUES ($1, $2) ON CONFLICT (service) "
                    "DO UPDATE SET sequence = greatest(log_checkpoints_published.sequence, EXCLUDED.sequence)",
                    self.service,
                    checkpoint.sequence,
                )
        return len(pending)

    async def run_once(self, now: datetime) -> LogCheckpoint | None:
        """Take a checkpoint if the log grew, and publish whatever is not on Kafka yet (a watcher's turn)."""
        checkpoint = await self.take(now)
        await self.publish_pending()
        return checkpoint
