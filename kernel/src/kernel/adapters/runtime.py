"""A service process's infrastructure: pool, migrations, FastStream broker, relay, consumers.

Every service's composition root builds one ServiceRuntime, registers its consumers, and starts and
stops it from its HTTP app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
import structlog
from faststream.kafka import KafkaBroker

from contracts import topics
from contracts.codec import ReceivedEvent
from contracts.log_checkpoint import LogCheckpoint
from kernel.adapters.broker_watch import BrokerWatch
from kernel.adapters.consumer import Apply, IdempotentConsumer, one_by_one
from kernel.adapters.consumer_records import BLOCKING
from kernel.adapters.kafka import (
    CONSUMER_TUNING,
    Subscription,
    dead_letter_publisher,
    document_topic,
    ensure_topics,
    make_broker,
    subscribe,
)
from kernel.adapters.log_checkpoints import LogCheckpointer
from kernel.adapters.metrics import Metrics
from kernel.adapters.postgres import (
    Connection,
    PostgresAccessLog,
    PostgresEventStore,
    announce,
)
from kernel.adapters.relay import OutboxRelay, faststream_publisher
from kernel.adapters.settings import Settings
from kernel.clock import Clock, SimulatedClock, SystemClock
from kernel.reactor import Reaction, reaction_context

log = structlog.get_logger(__name__)
C = TypeVar("C")
GAP_RETRY_SECONDS = 5.0  # a stream waiting on a gap asks its producer again this often


Watcher = Callable[[datetime], Awaitable[None]]


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
    access_log: PostgresAccessLog = field(init=False)
    relay: OutboxRelay | None = field(init=False, default=None)
    checkpointer: LogCheckpointer | None = field(init=False, default=None)
    consumers: dict[str, IdempotentConsumer] = field(init=False, default_factory=dict)
    subscriptions: list[Subscription] = field(init=False, default_factory=list)
    watch: BrokerWatch | None = field(init=False, default=None)
    _resetting: bool = field(init=False, default=False)
    _subscriptions: list[_Subscription] = field(init=False, default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(init=False, default_factory=list)
    _watchers: list[tuple[str, float, Watcher]] = field(init=False, default_factory=list)
    _wakeups: list[asyncio.Event] = field(init=False, default_factory=list)
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(self.settings.service)

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
            if store.appended:  # delivered at the consumer's commit: reactions are off the commands' path
                await announce(conn)

        self.consume(name, one_by_one(apply), *topics)

    def consume(self, name: str, apply: Apply, *topics: str, group_id: str | None = None) -> None:
        """Register an idempotent consumer (`name` is its dedup identity, also its default group)."""
        self._subscriptions.append(_Subscription(name, apply, topics, group_id or name))

    async def start(self) -> None:
        name, settings = self.settings.service, self.settings
        if len(settings.auth_secret) < 16:
            raise RuntimeError("REBOND_AUTH_SECRET must be set (at least 16 characters): it signs access tokens")
        signer = settings.signer() if self.with_relay else None
        verifier = settings.verifier() if self._subscriptions else None
        self.pool = await settings.open_database(self.migrations)
        await self._restore_clock()
        self.store = PostgresEventStore(self.pool, producer=name, signer=signer, on_append=self.metrics.appended)
        self.store.committer.on_group = self.metrics.committed_together
        self.access_log = PostgresAccessLog(self.pool)
        await ensure_topics(
            settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL], connection=settings.kafka
        )
        self.broker = make_broker(settings.kafka_bootstrap, client_id=name, connection=settings.kafka)
        dead_letter = dead_letter_publisher(self.broker, settings.topic(topics.DEAD_LETTERS))
        for sub in self._subscriptions:
            assert verifier is not None
            consumer = IdempotentConsumer(
                sub.name, self.pool, sub.apply, verifier, dead_letter=dead_letter, request_replay=self._request_replay
            )
            self.consumers[sub.name] = consumer
            self.subscriptions.append(
                subscribe(
                    self.broker, consumer, *map(settings.topic, sub.topics), group_id=settings.topic(sub.group_id)
                )
            )
        for topic in self.publishes:
            document_topic(self.broker, settings.topic(topic), topic)
        if self.with_relay:
            self.relay = OutboxRelay(
                self.pool,
                faststream_publisher(self.broker),
                name=f"{name}.relay",
                topic_for=lambda stream_id: settings.topic(topics.topic_for_stream(stream_id)),
                on_loss=self.broker_lost,
            )
            self._answer_replay_requests()
            assert signer is not None
            self.checkpointer = LogCheckpointer(self.pool, signer, name, self._publish_checkpoint)
            checkpointer = self.checkpointer

            async def checkpoint(now: datetime) -> None:
                await checkpointer.run_once(now)

            self.every(f"{name}.log-checkpoint", settings.log_checkpoint_seconds, checkpoint)
        await self.broker.start()
        self.watch = BrokerWatch(
            settings.kafka_bootstrap,
            [settings.topic(t) for t in topics.ALL],
            settings.topic_prefix,
            self.broker_lost,
            settings.kafka,
        )
        await self.watch.check()  # the broker's incarnation as this process first sees it
        self._spawn(self.watch.run(), f"{name}.broker-watch")
        if self.relay is not None:
            self._spawn(self.relay.run(), f"{name}.relay")
        for subscription in self.subscriptions:
            self._spawn(subscription.run_committer(), f"{subscription.consumer.name}.committer")
        if self.consumers:
            self.every(f"{name}.gaps", GAP_RETRY_SECONDS, self._ask_again_for_gaps)
        for watcher_name, seconds, job in self._watchers:
            wake = asyncio.Event()
            self._wakeups.append(wake)
            self._spawn(self._watch(watcher_name, seconds, job, wake), watcher_name)
        log.info("service.started", kafka=settings.kafka_bootstrap)

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[PostgresEventStore]:
        """The event store bound to one transaction: several streams appended together commit together or not at
        all (each append's optimistic check holds to the commit: a rival's insert of the same version waits on the
        primary key, then fails)."""
        async with self.store.transaction() as store:
            yield store

    def _spawn(self, job: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(job, name=name))

    async def broker_lost(self, why: str) -> None:
        """The broker lost what it held: republish this service's whole log, read every topic again."""
        if self._resetting:
            return
        self._resetting = True
        try:
            log.error("service.broker_lost", why=why)
            if self.relay is not None:
                await self.relay.reset(0)
            for subscription in self.subscriptions:
                await subscription.restart()
        finally:
            self._resetting = False

    async def _publish_checkpoint(self, checkpoint: LogCheckpoint) -> None:
        """The copy of a log checkpoint outside the database, keyed by service (acknowledged by the brokers)."""
        await self.broker.publish(
            checkpoint.model_dump_json().encode(),
            self.settings.topic(topics.LOG_CHECKPOINTS),
            key=checkpoint.service.encode(),
            headers={"content-type": "application/json", "sequence": str(checkpoint.sequence)},
        )

    async def _request_replay(self, stream_id: str, from_version: int) -> None:
        """Ask the producer of a stream to publish it again from a version (a consumer found a gap)."""
        body = {"stream_id": stream_id, "from_version": from_version, "requested_by": self.settings.service}
        await self.broker.publish(body, self.settings.topic(topics.REPLAY_REQUESTS), key=stream_id.encode())

    def _answer_replay_requests(self) -> None:
        """Republish the streams this service produces when a consumer asks (at most once: it asks again)."""
        relay, settings = self.relay, self.settings
        assert relay is not None
        mine = {settings.topic(t) for t in self.publishes}

        async def on_replay_request(body: dict[str, Any]) -> None:
            stream_id, from_version = str(body.get("stream_id", "")), body.get("from_version")
            try:
                owned = relay.topic_for(stream_id) in mine
            except ValueError:
                owned = False
            if owned and isinstance(from_version, int) and from_version >= 1:
                await relay.republish_stream(stream_id, from_version)

        group = settings.topic(f"{settings.service}.replays")
        self.broker.subscriber(
            settings.topic(topics.REPLAY_REQUESTS), group_id=group, auto_offset_reset="earliest", **CONSUMER_TUNING
        )(on_replay_request)

    async def _ask_again_for_gaps(self, _: datetime) -> None:
        for consumer in self.consumers.values():
            await consumer.ask_again_for_gaps(GAP_RETRY_SECONDS)

    async def _restore_clock(self) -> None:
        """A simulated clock goes on from where it was moved before a restart (business time never goes back)."""
        if isinstance(self.clock, SimulatedClock):
            async with self.pool.acquire() as conn:
                stored = await conn.fetchval("SELECT now FROM business_clock WHERE service = $1", self.settings.service)
            if stored is not None and stored > self.clock():
                self.clock.move_to(stored)

    async def move_clock(self, moment: datetime) -> None:
        """Move the simulated clock forward and keep it, then wake the watchers (deadlines that passed fire)."""
        if not isinstance(self.clock, SimulatedClock):
            raise RuntimeError("the clock is not simulated")
        self.clock.move_to(moment)
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO business_clock (service, now) VALUES ($1, $2) ON CONFLICT (service) "
                "DO UPDATE SET now = greatest(business_clock.now, EXCLUDED.now)",
                self.settings.service,
                moment,
            )
        self.wake_watchers()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.watch is not None:
            await self.watch.close()
        await self.broker.stop()
        await self.pool.close()
        log.info("service.stopped")

    async def consumer_lags(self) -> dict[str, dict[tuple[str, int], int]]:
        """Per consumer group, the messages of each assigned partition not processed yet (for /metrics)."""
        lags: dict[str, dict[tuple[str, int], int]] = {}
        for subscription in self.subscriptions:
            try:
                lags[subscription.group_id] = await subscription.lags()
            except Exception as error:  # noqa: BLE001 - a broker away: no lag to report, /metrics still answers
                log.info("metrics.lag_unknown", group=subscription.group_id, error=repr(error))
        return lags

    async def consumer_lag_seconds(self) -> dict[str, float]:
        """Per consumer group, how far behind the log its projection is, in seconds (for /metrics)."""
        found: dict[str, float] = {}
        for subscription in self.subscriptions:
            try:
                seconds = await subscription.lag_seconds()
            except Exception as error:  # noqa: BLE001 - a broker away: unknown, /metrics still answers
                log.info("metrics.lag_unknown", group=subscription.group_id, error=repr(error))
                continue
            if seconds is not None:
                found[subscription.group_id] = seconds
        return found

    async def health(self) -> dict[str, Any]:
        """Which dependency is down (database, broker), relay lag, parked messages and the streams they block."""
        dependencies: dict[str, str] = {}
        found: dict[str, Any] = {}
        try:
            async with self.pool.acquire(timeout=2) as conn:
                found["head"] = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events", timeout=2)
                parked = await conn.fetch(
                    "SELECT kind, count(*) AS n FROM parked_messages WHERE released_at IS NULL GROUP BY kind"
                )
                found["parked"] = {r["kind"]: r["n"] for r in parked}
                found["blocked"] = [
                    r["stream_id"]
                    for r in await conn.fetch(
                        "SELECT DISTINCT stream_id FROM parked_messages WHERE released_at IS NULL "
                        "AND kind = ANY($1::text[]) ORDER BY stream_id LIMIT 20",
                        list(BLOCKING),
                    )
                ]
                found["relay_lag"] = await self.relay.lag() if self.relay else 0
            dependencies["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported, not raised: health must answer
            dependencies["database"] = f"down: {type(error).__name__}"
        dependencies["broker"] = "ok" if self.watch is not None and self.watch.reachable else "unreachable"
        down = [name for name, state in dependencies.items() if state != "ok"]
        problems = list(self.watch.problems) if self.watch else []
        report: dict[str, Any] = {
            "status": "down" if down else ("degraded" if problems or found.get("blocked") else "ok"),
            "service": self.settings.service,
            "dependencies": dependencies,
            "problems": problems,
        }
        if "head" in found:
            report |= {
                "log_head": found["head"],
                "relay_lag": found["relay_lag"],
                "relay_active": self.relay.active if self.relay else None,
                "parked_messages": sum(found["parked"].values()),
                "parked_by_kind": found["parked"],
                "blocked_streams": found["blocked"],  # the first 20, for an operator
            }
        return report
