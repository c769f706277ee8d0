"""Operators mend the log without code: list and inspect the parked messages of a service's consumers, release a
blocked stream (retry its first blocking message with today's code, then what waited behind it) or skip a message
or a gap, with a stated reason. Every action, whatever its outcome, is recorded in `operator_actions`.

Exposed over HTTP under /ops/parked (operator tokens only, kernel.adapters.http) and by the CLI kernel.adapters.ops."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from contracts.envelope import EventEnvelope
from kernel.adapters.consumer import IdempotentConsumer
from kernel.adapters.consumer_records import BLOCKING, PENDING, Parked, advance, advance_to, position, resolve
from kernel.adapters.postgres import Connection
from kernel.decider import DomainError, NotFound

LISTED = (
    "id, consumer, stream_id, stream_version, event_id, topic, kafka_partition, kafka_offset, kind, reason, "
    "parked_at, released_at, resolution, resolved_by, resolution_note"
)


class NothingToMend(DomainError):
    reason = "rien_a_reparer"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an operator's action did: the stream's position after it and how many messages it applied."""

    consumer: str
    stream_id: str
    applied: int
    position: int
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "stream_id": self.stream_id,
            "applied": self.applied,
            "position": self.position,
            "detail": self.detail,
        }


class Parking:
    """The parked messages of one service's consumers, and the operator's actions on them."""

    def __init__(self, pool: asyncpg.Pool, consumers: Mapping[str, IdempotentConsumer]) -> None:
        self.pool = pool
        self.consumers = consumers

    async def parked(
        self, consumer: str | None = None, stream_id: str | None = None, *, resolved: bool = False, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Parked messages, the oldest first; the unresolved ones unless `resolved`."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {LISTED} FROM parked_messages WHERE ($1::text IS NULL OR consumer = $1) "
                "AND ($2::text IS NULL OR stream_id = $2) AND ($3 OR released_at IS NULL) ORDER BY id LIMIT $4",
                consumer,
                stream_id,
                resolved,
                limit,
            )
        return [_row(r) for r in rows]

    async def inspect(self, parked_id: int) -> dict[str, Any]:
        """One parked message with its envelope (or its raw body when it is not even an envelope)."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(f"SELECT {LISTED}, body FROM parked_messages WHERE id = $1", parked_id)
        if row is None:
            raise NotFound(f"aucun message parqué n° {parked_id}")
        shown = _row(row)
        try:
            shown["envelope"] = json.loads(row["body"])
        except ValueError:
            shown["body"] = bytes(row["body"]).decode(errors="replace")
        return shown

    async def release(self, consumer: str, stream_id: str, actor: str, note: str) -> Outcome:
        """Retry the stream's first blocking message with today's code, then apply what waited behind it."""
        target = self._consumer(consumer)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                current, last_hash = await position(conn, consumer, stream_id)
                row = await _first(conn, consumer, stream_id, BLOCKING)
                if row is None:
                    raise NothingToMend(f"le flux {stream_id} n'est bloqué par aucun message pour {consumer}")
                envelope = EventEnvelope.model_validate_json(row["body"])
                if envelope.stream_version <= current:
                    await resolve(conn, row["id"], "duplicate", actor, note)
                    applied = await target.drain(conn, stream_id)
                else:
                    refusal = target.refusal(envelope, last_hash)
                    if isinstance(refusal, Parked):
                        raise NothingToMend(f"toujours impossible à appliquer: {refusal.reason}")
                    await target.apply_and_advance(conn, refusal)
                    await resolve(conn, row["id"], "released", actor, note)
                    applied = 1 + await target.drain(conn, stream_id)
                outcome = await _outcome(conn, consumer, stream_id, applied, "relâché et appliqué")
        except Exception as error:
            await self._record(actor, "release", consumer, stream_id, note, f"refused: {error}")
            if isinstance(error, DomainError):
                raise
            raise NothingToMend(f"le relâchement a échoué: {error!r}") from error
        await self._record(actor, "release", consumer, stream_id, note, f"applied {outcome.applied}")
        return outcome

    async def skip(self, consumer: str, stream_id: str, actor: str, note: str) -> Outcome:
        """Give up the stream's first blocking message (or, when none blocks, the missing versions of a gap): the
        stream goes on after it; what is skipped is never applied, and the reason is recorded."""
        target = self._consumer(consumer)
        try:
            if not note.strip():
                raise NothingToMend("sauter un message exige une raison")
            async with self.pool.acquire() as conn, conn.transaction():
                await position(conn, consumer, stream_id)
                row = await _first(conn, consumer, stream_id, BLOCKING)
                if row is not None:
                    envelope = EventEnvelope.model_validate_json(row["body"])
                    await advance_to(conn, consumer, envelope)  # as if applied: the chain goes on from its hash
                    await resolve(conn, row["id"], "skipped", actor, note)
                    detail = f"v{envelope.stream_version} sautée"
                else:
                    gap = await _first(conn, consumer, stream_id, ("gap",))
                    if gap is None:
                        raise NothingToMend(f"rien à sauter sur le flux {stream_id} pour {consumer}")
                    first = EventEnvelope.model_validate_json(gap["body"])
                    await advance(conn, consumer, {stream_id: (first.stream_version - 1, first.previous_hash)})
                    detail = f"versions manquantes avant v{first.stream_version} sautées"
                applied = await target.drain(conn, stream_id)
                outcome = await _outcome(conn, consumer, stream_id, applied, detail)
        except Exception as error:  # a refusal is recorded too: who tried what, and why it did not happen
            await self._record(actor, "skip", consumer, stream_id, note or "-", f"refused: {error}")
            if isinstance(error, DomainError):
                raise
            raise NothingToMend(f"le saut a échoué: {error!r}") from error
        await self._record(actor, "skip", consumer, stream_id, note, f"{detail}; applied {applied}")
        return outcome

    async def actions(self, limit: int = 100) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT * FROM operator_actions ORDER BY id DESC LIMIT $1", limit)
        return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(r).items()} for r in rows]

    def _consumer(self, name: str) -> IdempotentConsumer:
        try:
            return self.consumers[name]
        except KeyError:
            raise NotFound(f"aucun consommateur {name!r} dans ce service") from None

    async def _record(self, actor: str, action: str, consumer: str, stream_id: str, note: str, outcome: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO operator_actions (actor, action, consumer, stream_id, note, outcome) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                actor,
                action,
                consumer,
                stream_id,
                note,
                outcome,
            )


async def _first(conn: Connection, consumer: str, stream_id: str, kinds: tuple[str, ...]) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, body FROM parked_messages WHERE consumer = $1 AND stream_id = $2 AND released_at IS NULL "
        "AND kind = ANY($3::text[]) ORDER BY stream_version, id LIMIT 1 FOR UPDATE",
        consumer,
        stream_id,
        list(kinds),
    )


async def _outcome(conn: Connection, consumer: str, stream_id: str, applied: int, detail: str) -> Outcome:
    version, _ = await position(conn, consumer, stream_id)
    return Outcome(consumer, stream_id, applied, version, detail)


def _row(row: asyncpg.Record) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items() if k != "body"}


__all__ = ["PENDING", "NothingToMend", "Outcome", "Parking"]
