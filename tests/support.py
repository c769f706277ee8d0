"""Helpers shared by the tests: run a service app in-process, wait for asynchronous outcomes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

import asyncpg
import httpx
from fastapi import FastAPI

from contracts import topics
from contracts.base import DomainEvent, Role
from contracts.candidature.v1 import DossierCandidatureConsulte, FinaliteConsultation
from contracts.envelope import Actor, EventEnvelope
from contracts.instruction.v1 import DossierConsulte, VueDossier
from kernel.adapters.auth import issue_token
from kernel.adapters.kafka import ensure_topics
from kernel.adapters.settings import Settings
from kernel.envelopes import envelop
from kernel.ports import CommandContext
from rebond_local.database import create_database
from rebond_local.infra import Infra
from tests.fixtures import TEST_SIGNERS

T = TypeVar("T")


@asynccontextmanager
async def running(app: FastAPI, headers: dict[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (pool, broker, relay, consumers) and give an HTTP client to it (sending `headers`
    with every request: a role's token for a whole test)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=30, headers=headers
        ) as client:
            yield client


TEST_AUTH_SECRET = "tests-only-secret-0123456789abcdef"


async def isolated_settings(infra: Infra, service: str) -> Settings:
    """A service's Settings on a fresh database and on topics of its own (created up front), so that an app
    started once for a whole test module shares nothing with the other tests."""
    unique = uuid.uuid4().hex[:10]
    prefix = f"t{unique}."
    await ensure_topics(infra.kafka_bootstrap, [prefix + name for name in topics.ALL])
    return Settings(
        service=service,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        database_url=await create_database(infra.database_url, f"t_{unique}_{service}"),
    )


def as_actor(role: Role, actor_id: str = "agent-1", scope: str | None = None) -> dict[str, str]:
    """Headers of a caller acting in `role` (and, for a territory or a COPIL, its scope): a signed token."""
    token = issue_token(TEST_AUTH_SECRET, Actor(id=actor_id, role=role, scope=scope))
    return {"Authorization": f"Bearer {token}"}


def operator() -> dict[str, str]:
    """Headers of the platform's operator (the /ops routes: clock, parked messages)."""
    return as_actor(Role.SYSTEME, "exploitation")


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0, what: str = "") -> T:
    """Poll `probe` until it returns something truthy (events cross Kafka asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        await asyncio.sleep(0.1)


class ProducerLog:
    """Hand-made streams, numbered, chained and signed as the producing service's store would record them.

    A consumer applies exactly version last+1 whose previous_hash is the last one's hash: a test that publishes a
    stream from its middle (a deposit as v2) gets the versions it skips filled with a read of the dossier, which
    every consumer ignores. The same (stream, version) asked again is the very same envelope (a redelivery)."""

    def __init__(self, producer: str) -> None:
        self.producer = producer
        self._streams: dict[str, list[EventEnvelope]] = {}

    def envelopes(self, stream_id: str, version: int, event: DomainEvent, at: datetime) -> list[EventEnvelope]:
        """What to publish for `event` as version `version` of its stream: the fillers it needs, then itself."""
        stream = self._streams.setdefault(stream_id, [])
        if version <= len(stream):
            return [stream[version - 1]]
        new: list[EventEnvelope] = []
        while len(stream) < version:
            occurring = event if len(stream) == version - 1 else _read_of(stream_id, at)
            previous = stream[-1].hash if stream else None
            context = CommandContext(actor=Actor(id=self.producer, role=Role.SYSTEME), occurred_at=at)
            [recorded] = envelop(
                self.producer, stream_id, [occurring], len(stream), previous, context, TEST_SIGNERS[self.producer]
            )
            stream.append(recorded.envelope)
            new.append(recorded.envelope)
        return new


def _read_of(stream_id: str, at: datetime) -> DomainEvent:
    """A read of the dossier: recorded on candidature and dossier streams, applied by no consumer."""
    identifier = stream_id.split("-", 1)[1]
    if stream_id.startswith("candidature-"):
        return DossierCandidatureConsulte(
            candidature_id=identifier,
            lecteur_id="cdc-1",
            role=Role.INSTRUCTEUR_CDC,
            finalite=FinaliteConsultation.INSTRUCTION,
            consulte_le=at,
        )
    return DossierConsulte(
        candidature_id=identifier,
        consulte_par="cdc-1",
        role=Role.INSTRUCTEUR_CDC,
        vue=VueDossier.COMPLETE,
        consulte_le=at,
    )


async def streams_head(database_url: str, prefixes: tuple[str, ...]) -> dict[str, int]:
    """A producer's log: stream_id → its last version, for the streams of the given types."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT stream_id, max(version) AS v FROM events GROUP BY stream_id")
    finally:
        await conn.close()
    return {r["stream_id"]: r["v"] for r in rows if r["stream_id"].startswith(prefixes)}


async def consumed(database_url: str, consumer: str, prefixes: tuple[str, ...]) -> dict[str, int]:
    """What a consumer applied: stream_id → the last version (it applies exactly last+1, so 1..v all once)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT stream_id, version FROM consumer_streams WHERE consumer = $1", consumer)
    finally:
        await conn.close()
    return {r["stream_id"]: r["version"] for r in rows if r["stream_id"].startswith(prefixes) and r["version"] > 0}


async def parked_rows(database_url: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT consumer, stream_id, stream_version, kind, reason, resolution FROM parked_messages"
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def converge(
    producer_url: str, consumer_url: str, consumer: str, prefixes: tuple[str, ...], timeout: float = 60.0
) -> float:
    """Wait until the consumer applied every event of the producer's log, fact by fact (each stream up to its
    head, nothing beyond), with nothing left blocked or waiting; returns how long it took."""
    started = time.monotonic()

    async def same() -> bool:
        expected = await streams_head(producer_url, prefixes)
        return bool(expected) and await consumed(consumer_url, consumer, prefixes) == expected

    await eventually(same, timeout=timeout, what=f"{consumer} to apply every event of its producer's log")
    left = [p for p in await parked_rows(consumer_url) if p["resolution"] is None and p["kind"] != "forged"]
    assert left == [], left
    return time.monotonic() - started


async def access_reads(database_url: str, stream_id: str) -> list[tuple[str, str, str]]:
    """What the access log holds of a stream's reads, oldest first: (reader, role, purpose)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT reader_id, reader_role, purpose FROM access_log WHERE stream_id = $1 ORDER BY id", stream_id
        )
    finally:
        await conn.close()
    return [(r["reader_id"], r["reader_role"], r["purpose"]) for r in rows]
