"""A service process's infrastructure: pool, migrations, FastStream broker, relay, consumers.

Every service's composition root builds one ServiceRuntime, registers its consumers, and starts and
stops it from its HTTP app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
import structlog
from faststream.kafka import KafkaBroker

from contracts import topics
from contracts.codec import ReceivedEvent
from kernel.adapters.consumer import Apply, IdempotentConsumer
from kernel.adapters.kafka import dead_letter_publisher, document_topic, ensure_topics, make_broker, subscribe
from kernel.adapters.postgres import Connection, PostgresEventStore, create_pool, migrate
from kernel.adapters.relay import OutboxRelay, faststream_publisher
from kernel.clock import Clock, SystemClock
from kernel.reactor import Reaction, reaction_context

log = structlog.get_logger(__name__)
C = TypeVar("C")


Watcher = Callable[[datetime], Awaitable[None]]


@dataclass(frozen=True)
class Settings:
    """What a service reads from its environment (every variable is set in docker-compose.yml)."""

    service: str
    database_url: str
    kafka_bootstrap: str
    topic_prefix: str = ""  # lets several deployments (or test runs) share one Kafka cluster
    auth_secret: str = field(default_factory=lambda: os.environ.get("REBOND_AUTH_SECRET", ""), repr=False)

    @classmethod
    def from_env(cls, service: str) -> Settings:
        return cls(
            service=service,
            database_url=os.environ["DATABASE_URL"],
            kafka_bootstrap=os.environ["KAFKA_BOOTSTRAP"],
            topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
        )

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


@dataclass
class _Subscription:
    name: str
    apply: Apply
    topics: tuple[str, ...]
    group_id: str


@dataclass
class ServiceRuntime:
    settings: Settings
    migrations: tuple[str, ...] = ()
    with_relay: bool = True
    publishes: tuple[str, ...] = ()  # the topics its relay feeds, documented in its AsyncAPI
    pool: asyncpg.Pool = field(init=False)
    broker: KafkaBroker = field(init=False)
    store: PostgresEventStore = field(init=False)
    relay: OutboxRelay | None = field(init=False, default=None)
    consumers: dict[str, IdempotentConsumer] = field(init=False, default_factory=dict)
    _subscriptions: list[_Subscription] = field(init=False, default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(init=False, default_factory=list)
    _watchers: list[tuple[str, float, Watcher]] = field(init=False, default_factory=list)
    _wakeups: list[asyncio.Event] = field(init=False, default_factory=list)
    clock: Clock = field(default_factory=SystemClock)

    def every(self, name: str, seconds: float, job: Watcher) -> None:
        """Run `job(now)` every `seconds`, and at once whenever business time moves (simulated clock)."""
        self._watchers.append((name, seconds, job))

    def wake_watchers(self) -> None:
        for wake in self._wakeups:
            wake.set()

    async def _watch(self, name: str, seconds: float, job: Watcher, wake: asyncio.Event) -> None:
        while True:
            wake.clear()
            try:
                await job(self.clock())
            except Exception as error:  # noqa: BLE001 - a watcher retries at its next turn
                log.warning("watcher.failed", watcher=name, error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), seconds)

    def react(self, name: str, reaction: Reaction[C], *topics: str) -> None:
        """Register a reactor: each event of `topics` becomes its commands (none, one or several), executed in
        order by the reaction's handler in the consumer's transaction, so the events they append and the dedup
        record commit together; the kernel gives each its context (system actor, causation, idempotency)."""

        async def apply(conn: Connection, received: ReceivedEvent) -> None:
            store = self.store.bound(conn)
            for index, command in enumerate(reaction.commands(received.event)):
                context = reaction_context(self.settings.service, name, received.envelope, index)
                await reaction.execute(store, command, context)

        self.consume(name, apply, *topics)

    def consume(self, name: str, apply: Apply, *topics: str, group_id: str | None = None) -> None:
        """Register an idempotent consumer (`name` is its dedup identity, also its default group)."""
        self._subscriptions.append(_Subscription(name, apply, topics, group_id or name))

    async def start(self) -> None:
        name = self.settings.service
        if len(self.settings.auth_secret) < 16:
            raise RuntimeError("REBOND_AUTH_SECRET must be set (at least 16 characters): it signs access tokens")
        self.pool = await create_pool(self.settings.database_url, max_size=20)
        await migrate(self.pool, *self.migrations)
        self.store = PostgresEventStore(self.pool, producer=name)
        settings = self.settings
        await ensure_topics(settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL])
        self.broker = make_broker(settings.kafka_bootstrap, client_id=name)
        dead_letter = dead_letter_publisher(self.broker, settings.topic(topics.DEAD_LETTERS))
        for sub in self._subscriptions:
            consumer = IdempotentConsumer(sub.name, self.pool, sub.apply, dead_letter=dead_letter)
            self.consumers[sub.name] = consumer
            subscribe(self.broker, consumer, *map(settings.topic, sub.topics), group_id=settings.topic(sub.group_id))
        for topic in self.publishes:
            document_topic(self.broker, settings.topic(topic), topic)
        await self.broker.start()
        if self.with_relay:
            self.relay = OutboxRelay(
                self.pool,
                faststream_publisher(self.broker),
                name=f"{name}.relay",
                topic_for=lambda stream_id: settings.topic(topics.topic_for_stream(stream_id)),
            )
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{name}.relay"))
        for watcher_name, seconds, job in self._watchers:
            wake = asyncio.Event()
            self._wakeups.append(wake)
            self._tasks.append(asyncio.create_task(self._watch(watcher_name, seconds, job, wake), name=watcher_name))
        log.info("service.started", kafka=self.settings.kafka_bootstrap)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.broker.stop()
        await self.pool.close()
        log.info("service.stopped")

    async def health(self) -> dict[str, Any]:
        """Database reachable, relay lag (events not yet published), parked messages."""
        async with self.pool.acquire() as conn:
            head = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events")
            parked = await conn.fetchval("SELECT count(*) FROM parked_messages WHERE released_at IS NULL")
            blocked = await conn.fetch(
                "SELECT DISTINCT stream_id FROM parked_messages WHERE released_at IS NULL ORDER BY stream_id LIMIT 20"
            )
        published = await self.relay.checkpoint() if self.relay else head
        return {
            "status": "ok",
            "service": self.settings.service,
            "log_head": head,
            "relay_lag": head - published,
            "parked_messages": parked,
            "blocked_streams": [row["stream_id"] for row in blocked],  # the first 20, for an operator
        }
