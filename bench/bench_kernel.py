"""Event store and relay throughput on a real PostgreSQL and broker.

    .venv/bin/python bench/bench_kernel.py [--events 5000]

Prints: events appended per second (1 writer; 8 concurrent writers, each on its own streams), and the
relay's publish rate (events table → Kafka, acks=all, batches of 500)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, start_infra  # noqa: E402

from contracts import topics  # noqa: E402
from contracts.base import Role  # noqa: E402
from contracts.envelope import Actor  # noqa: E402
from contracts.financement.v1 import LaureatEnregistre  # noqa: E402
from kernel.adapters.kafka import ensure_topics, make_broker  # noqa: E402
from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate  # noqa: E402
from kernel.adapters.relay import OutboxRelay, faststream_publisher  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402

EVENT = LaureatEnregistre(
    territoire_id="bench", nom_territoire="Bench", region_code="32", date_decision=date(2023, 7, 1)
)
CONTEXT = CommandContext(actor=Actor(id="bench", role=Role.SYSTEME), occurred_at=datetime(2023, 7, 1, tzinfo=UTC))


async def writer(store: PostgresEventStore, name: str, count: int, per_stream: int = 10) -> None:
    """Appends `count` events, one per command, `per_stream` commands per stream (versions 1..per_stream)."""
    for i in range(count):
        await store.append(f"enveloppe-{name}-{i // per_stream}", [EVENT], i % per_stream, CONTEXT)


async def main(events: int) -> None:
    infra = start_infra()
    try:
        url = await fresh_database(infra, "kernel")
        await migrate(url)
        pool = await create_pool(url, max_size=16)
        store = PostgresEventStore(pool, producer="bench")
        started = time.perf_counter()
        await writer(store, "solo", events)
        solo = events / (time.perf_counter() - started)
        print(f"append, 1 writer:   {solo:8.0f} events/s  ({events} single-event appends)")
        started = time.perf_counter()
        await asyncio.gather(*(writer(store, f"w{w}", events // 8) for w in range(8)))
        eight = (events // 8 * 8) / (time.perf_counter() - started)
        print(f"append, 8 writers:  {eight:8.0f} events/s  ({events // 8 * 8} single-event appends)")

        prefix = f"bench{time.time_ns()}."
        await ensure_topics(infra.kafka_bootstrap, [prefix + topics.FINANCEMENT])
        broker = make_broker(infra.kafka_bootstrap, client_id="bench")
        await broker.start()
        relay = OutboxRelay(
            pool,
            faststream_publisher(broker),
            "bench.relay",
            batch_size=500,
            topic_for=lambda _: prefix + topics.FINANCEMENT,
        )
        total = events + events // 8 * 8
        started = time.perf_counter()
        published = 0
        while (batch := await relay.publish_batch()) > 0:
            published += batch
        rate = published / (time.perf_counter() - started)
        print(f"relay publish:      {rate:8.0f} events/s  ({published} of {total} events, acks=all)")
        await broker.stop()
        await pool.close()
    finally:
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    asyncio.run(main(parser.parse_args().events))
