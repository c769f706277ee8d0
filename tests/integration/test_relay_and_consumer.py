"""The outbox relay and the idempotent consumer, on the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from contracts import topics
from contracts.codec import ReceivedEvent, decode_message
from contracts.envelope import seal
from kernel.adapters.consumer import IdempotentConsumer, RetryLater, one_by_one
from kernel.adapters.consumer_records import Delivery
from kernel.adapters.kafka import ensure_topics, make_broker, subscribe
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.adapters.parking import Parking
from kernel.adapters.postgres import Connection, PostgresEventStore
from kernel.adapters.relay import OutboxRelay, faststream_publisher
from rebond_local.infra import Infra
from tests.fixtures import TEST_SIGNERS, TEST_VERIFIER, context, laureat, signed
from tests.support import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

COUNTED = "CREATE TABLE IF NOT EXISTS counted (event_id uuid PRIMARY KEY, stream_id text, version int, times int)"


async def count_event(conn: Connection, received: ReceivedEvent) -> None:
    """A projection that would show a double application as times = 2."""
    await conn.execute(
        "INSERT INTO counted VALUES ($1, $2, $3, 1) ON CONFLICT (event_id) DO UPDATE SET times = counted.times + 1",
        received.envelope.event_id,
        received.envelope.stream_id,
        received.envelope.stream_version,
    )


async def fill(store: PostgresEventStore, streams: int, per_stream: int) -> None:
    for s in range(streams):
        for v in range(per_stream):
            await store.append(f"enveloppe-s{s}", [laureat(f"s{s}")], v, context())


async def read_topic(bootstrap: str, topic: str, expected: int) -> list[tuple[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    seen: list[tuple[bytes, bytes]] = []
    try:
        async with asyncio.timeout(30):
            while len(seen) < expected:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    seen += [(r.key, r.value) for r in records]
    finally:
        await consumer.stop()
    return seen


@pytest.fixture
async def broker(infra: Infra) -> KafkaBroker:
    started = make_broker(infra.kafka_bootstrap, client_id="tests")
    await started.start()
    yield started
    await started.stop()


async def test_relay_publishes_the_log_in_order_keyed_by_stream(pool, broker, infra, topic_prefix) -> None:
    store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
    await fill(store, streams=4, per_stream=5)
    topic = topic_prefix + topics.FINANCEMENT
    relay = OutboxRelay(pool, faststream_publisher(broker), "t.relay", batch_size=7, topic_for=lambda _: topic)
    published = [await relay.publish_batch() for _ in range(4)]
    assert published == [7, 7, 6, 0]
    assert await relay.checkpoint() == 20
    messages = await read_topic(infra.kafka_bootstrap, topic, 20)
    assert len(messages) == 20
    for key, body in messages:
        envelope = decode_message(body).envelope
        assert key.decode() == envelope.stream_id
    per_stream: dict[bytes, list[int]] = {}
    for key, body in messages:
        per_stream.setdefault(key, []).append(decode_message(body).envelope.stream_version)
    assert all(versions == [1, 2, 3, 4, 5] for versions in per_stream.values())


async def test_crash_between_publish_and_checkpoint_loses_nothing_and_counts_nothing_twice(
    pool, broker, infra, topic_prefix, unique
) -> None:
    store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
    await fill(store, streams=3, per_stream=4)
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    topic = topic_prefix + topics.FINANCEMENT

    class CrashingRelay(OutboxRelay):
        async def publish_batch(self) -> int:  # publishes, then dies before its checkpoint
            original = self.pool
            try:
                self.pool = CrashOnCheckpoint(original)  # type: ignore[assignment]
                return await super().publish_batch()
            finally:
                self.pool = original

    with pytest.raises(ConnectionError):
        await CrashingRelay(pool, faststream_publisher(broker), "t.relay", topic_for=lambda _: topic).publish_batch()
    relay = OutboxRelay(pool, faststream_publisher(broker), "t.relay", topic_for=lambda _: topic)
    assert await relay.checkpoint() == 0
    assert await relay.publish_batch() == 12  # the restarted relay publishes everything again

    consumer = IdempotentConsumer(f"t.counter.{unique}", pool, one_by_one(count_event), TEST_VERIFIER)
    subscriber_broker = make_broker(infra.kafka_bootstrap, client_id="tests-consumer")
    subscribe(subscriber_broker, consumer, topic, group_id=f"t.counter.{unique}")
    await subscriber_broker.start()
    try:

        async def counted() -> list[asyncpg.Record] | None:
            async with pool.acquire() as conn:
                rows = await conn.fetch("SELECT times FROM counted")
            return rows if len(rows) == 12 else None

        rows = await eventually(counted, what="12 distinct events counted")
        await asyncio.sleep(1.0)  # let the 12 duplicates arrive too
    finally:
        await subscriber_broker.stop()
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM counted") == 12
        assert await conn.fetchval("SELECT max(times) FROM counted") == 1
    assert all(row["times"] == 1 for row in rows)


class CrashOnCheckpoint:
    """A pool whose connections fail when the relay writes its checkpoint."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def acquire(self):  # type: ignore[no-untyped-def]
        pool = self._pool

        class _Acquire:
            async def __aenter__(self):  # type: ignore[no-untyped-def]
                self.conn = await pool.acquire()
                return _Conn(self.conn)

            async def __aexit__(self, *exc: object) -> None:
                await pool.release(self.conn)

        return _Acquire()


class _Conn:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._conn, name)

    async def execute(self, sql: str, *args: object) -> str:
        if "INSERT INTO relay_checkpoints" in sql:
            raise ConnectionError("process killed before the checkpoint")
        return await self._conn.execute(sql, *args)

    async def fetchval(self, sql: str, *args: object) -> object:
        if "INSERT INTO relay_checkpoints" in sql:  # the checkpoint's compare-and-set
            raise ConnectionError("process killed before the checkpoint")
        return await self._conn.fetchval(sql, *args)


async def _deliveries(pool: asyncpg.Pool, stream_count: int) -> list[Delivery]:
    store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
    await fill(store, streams=stream_count, per_stream=2)
    return [
        Delivery("topic", 0, offset, json.dumps(envelope).encode())
        for offset, (_, envelope) in enumerate(await store.read_log(0))
    ]


async def test_a_redelivered_message_is_applied_once(pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    consumer = IdempotentConsumer("t.dedup", pool, one_by_one(count_event), TEST_VERIFIER)
    first = (await _deliveries(pool, 1))[0]
    assert await consumer.handle(first) == "applied"
    redelivered = Delivery(first.topic, first.partition, first.offset + 100, first.body)  # republished elsewhere
    assert await consumer.handle(redelivered) == "duplicate"
    assert await consumer.handle(first) == "duplicate"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT times FROM counted") == 1


async def test_a_batch_decides_each_message_as_alone_in_one_transaction_and_splits_when_one_fails(pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    broken = {"enveloppe-s1"}

    async def fragile(conn: Connection, received: ReceivedEvent) -> None:
        if received.envelope.stream_id in broken:
            raise RuntimeError("projection bug")
        await count_event(conn, received)

    consumer = IdempotentConsumer("t.batch", pool, one_by_one(fragile), TEST_VERIFIER, max_attempts=1)
    s0v1, s0v2, s1v1, s1v2, s2v1, s2v2 = await _deliveries(pool, 3)
    again = Delivery(s0v1.topic, s0v1.partition, s0v1.offset + 100, s0v1.body)
    garbage = Delivery("topic", 0, 50, b"{")
    # a redelivery, a version ahead of its turn (applied once its predecessor is, in the same transaction), garbage
    outcomes = await consumer.handle_batch([s0v1, again, s2v2, garbage, s2v1])
    assert outcomes == ["applied", "duplicate", "parked", "parked", "applied"]
    # one message fails: the batch rolls back as a whole and each is processed alone (nothing counted twice)
    assert await consumer.handle_batch([s0v2, s1v1, s1v2]) == ["applied", "parked", "parked"]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT stream_id, version, times FROM counted ORDER BY stream_id, version")
        assert [(r["stream_id"], r["version"], r["times"]) for r in rows] == [
            ("enveloppe-s0", 1, 1),
            ("enveloppe-s0", 2, 1),
            ("enveloppe-s2", 1, 1),
            ("enveloppe-s2", 2, 1),
        ]
        kinds = await conn.fetch("SELECT stream_id, kind FROM parked_messages WHERE released_at IS NULL ORDER BY id")
        assert [(r["stream_id"], r["kind"]) for r in kinds] == [
            ("?", "undecodable"),
            ("enveloppe-s1", "failed"),
            ("enveloppe-s1", "waiting"),
        ]


async def test_a_poison_message_is_parked_and_its_stream_waits_behind_it(pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    broken = {"enveloppe-s0"}

    async def fragile(conn: Connection, received: ReceivedEvent) -> None:
        if received.envelope.stream_id in broken:
            raise RuntimeError("projection bug")
        await count_event(conn, received)

    dead_letters: list[dict] = []  # type: ignore[type-arg]

    async def to_dead_letters(record: dict) -> None:  # type: ignore[type-arg]
        dead_letters.append(record)

    consumer = IdempotentConsumer(
        "t.poison",
        pool,
        one_by_one(fragile),
        TEST_VERIFIER,
        max_attempts=3,
        backoff_seconds=0.01,
        dead_letter=to_dead_letters,
    )
    s0v1, s0v2, s1v1, s1v2 = await _deliveries(pool, 2)  # log order: s0 v1, s0 v2, s1 v1, s1 v2
    for _attempt in range(2):
        with pytest.raises(RetryLater):
            await consumer.handle(s0v1)  # nacked: Kafka redelivers it
    assert await consumer.handle(s0v1) == "parked"  # third failure: parked with its reason
    assert await consumer.handle(s0v2) == "parked"  # later event of the same stream waits behind it
    assert [await consumer.handle(d) for d in (s1v1, s1v2)] == ["applied", "applied"]  # other streams go on
    async with pool.acquire() as conn:
        parked = await conn.fetch("SELECT stream_version, reason FROM parked_messages ORDER BY id")
        assert [r["stream_version"] for r in parked] == [1, 2]
        assert "projection bug" in parked[0]["reason"] and "waiting behind" in parked[1]["reason"]
    assert dead_letters and dead_letters[0]["stream_id"] == "enveloppe-s0"

    broken.clear()  # the bug is fixed: release the stream, in order
    released = await Parking(pool, {"t.poison": consumer}).release("t.poison", "enveloppe-s0", "ops-1", "bug fixed")
    assert (released.applied, released.position) == (2, 2)
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT stream_id, version, times FROM counted ORDER BY stream_id, version")
        assert [(r["stream_id"], r["version"], r["times"]) for r in rows] == [
            ("enveloppe-s0", 1, 1),
            ("enveloppe-s0", 2, 1),
            ("enveloppe-s1", 1, 1),
            ("enveloppe-s1", 2, 1),
        ]
    assert await consumer.handle(s0v2) == "duplicate"


async def test_a_failing_message_is_redelivered_by_kafka_until_it_passes(
    pool, broker, infra, topic_prefix, unique
) -> None:
    """NACK_ON_ERROR: the offset is not committed past a failed message; Kafka hands it back."""
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    failures = {"left": 2}

    async def flaky(conn: Connection, received: ReceivedEvent) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("database hiccup")
        await count_event(conn, received)

    consumer = IdempotentConsumer(f"t.flaky.{unique}", pool, one_by_one(flaky), TEST_VERIFIER, backoff_seconds=0.05)
    topic = topic_prefix + topics.FINANCEMENT
    store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
    await fill(store, streams=1, per_stream=3)
    await OutboxRelay(pool, faststream_publisher(broker), "t.relay", topic_for=lambda _: topic).publish_batch()
    subscriber_broker = make_broker(infra.kafka_bootstrap, client_id="tests-flaky")
    subscribe(subscriber_broker, consumer, topic, group_id=f"t.flaky.{unique}")
    await subscriber_broker.start()
    try:

        async def all_three() -> bool:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM counted") == 3

        await eventually(all_three, what="the three events applied despite two failures")
    finally:
        await subscriber_broker.stop()
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT sum(times) FROM counted") == 3
        assert await conn.fetchval("SELECT count(*) FROM parked_messages") == 0


async def test_an_event_type_this_code_does_not_know_is_parked_and_blocks_its_stream(pool) -> None:
    """A newer producer's event must never be skipped: the figures would be wrong and nobody would know."""
    async with pool.acquire() as conn:
        await conn.execute(COUNTED)
    consumer = IdempotentConsumer("t.unknown", pool, one_by_one(count_event), TEST_VERIFIER)
    s0v1, s0v2, s1v1, s1v2 = await _deliveries(pool, 2)
    future = signed(seal(json.loads(s0v1.body) | {"event_type": "EvenementFutur", "data": {"x": 1}, "hash": ""}))
    newer = signed(seal(json.loads(s1v1.body) | {"schema_version": 99, "hash": ""}))  # as a newer producer signs
    assert await consumer.handle(Delivery("topic", 0, 10, future.to_json())) == "parked"
    assert await consumer.handle(Delivery("topic", 0, 11, newer.to_json())) == "parked"
    assert [await consumer.handle(d) for d in (s0v2, s1v2)] == ["parked", "parked"]  # each waits behind its stream
    assert consumer.unknown_event_types == 1
    async with pool.acquire() as conn:
        parked = await conn.fetch("SELECT stream_id, stream_version, reason FROM parked_messages ORDER BY id")
        assert await conn.fetchval("SELECT count(*) FROM counted") == 0
    assert [(r["stream_id"], r["stream_version"]) for r in parked] == [
        ("enveloppe-s0", 1),
        ("enveloppe-s1", 1),
        ("enveloppe-s0", 2),
        ("enveloppe-s1", 2),
    ]
    assert "unknown event type 'EvenementFutur'" in parked[0]["reason"]
    assert "newer than this reader" in parked[1]["reason"]


async def test_topics_are_created_with_the_configured_partitions(infra: Infra, unique: str) -> None:
    """KAFKA_PARTITIONS reaches topic creation (KafkaConnection), for a cluster sized otherwise than the default."""
    name = f"t{unique}.layout.v1"
    await ensure_topics(infra.kafka_bootstrap, [name], connection=KafkaConnection(partitions=5))
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap)
    await consumer.start()
    try:
        assert name in await consumer.topics()
        assert consumer.partitions_for_topic(name) == {0, 1, 2, 3, 4}
    finally:
        await consumer.stop()
