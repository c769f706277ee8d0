"""Appends: Rebond's event store beside a raw asyncpg INSERT and pyeventsourcing's recorder, on one PostgreSQL.

    .venv/bin/python bench/bench_appends.py [--events 2000] [--rounds 3]

Each round runs, one after the other on fresh tables, with 1 writer and with 8 concurrent writers (each on its own
streams, one event per append, as commands append):
- `rebond`: `PostgresEventStore.append` as a command calls it, knowing the head's hash from its kept state (hash
  chain, Ed25519 signature, `append_events` checking version and chain, the relays woken off the path);
- `raw`: one asyncpg INSERT of the same envelope per transaction (the floor: one round trip, no checks);
- `pyeventsourcing`: `PostgresApplicationRecorder.insert_events` from eventsourcing 9.5 (psycopg, one thread per
  writer), when installed (`python3 dev.py bench` installs it).
The machine is shared: read the ratios of the medians over interleaved rounds, not the absolute rates."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, start_infra, target  # noqa: E402

from contracts.base import Role  # noqa: E402
from contracts.envelope import Actor  # noqa: E402
from contracts.financement.v1 import LaureatEnregistre  # noqa: E402
from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate  # noqa: E402
from kernel.envelopes import envelop  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402
from kernel.signing import Signer  # noqa: E402

EVENT = LaureatEnregistre(
    territoire_id="bench", nom_territoire="Bench", region_code="32", date_decision=date(2023, 7, 1)
)
CONTEXT = CommandContext(actor=Actor(id="bench", role=Role.SYSTEME), occurred_at=datetime(2023, 7, 1, tzinfo=UTC))
PER_STREAM = 10
RAW_TABLE = """
CREATE TABLE IF NOT EXISTS raw_events (
    stream_id text NOT NULL, version integer NOT NULL, position bigint GENERATED ALWAYS AS IDENTITY,
    envelope jsonb NOT NULL, PRIMARY KEY (stream_id, version))"""

Run = Callable[[int, int], Awaitable[float]]  # (writers, events per writer) -> events per second


def sample_envelope() -> str:
    (sealed,) = envelop("bench", "enveloppe-x", [EVENT], 0, None, CONTEXT, Signer.generate())
    return sealed.envelope.model_dump_json()


async def timed(writers: int, job: Callable[[int], Awaitable[None]], per_writer: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(job(w) for w in range(writers)))
    return writers * per_writer / (time.perf_counter() - started)


async def main(events: int, rounds: int) -> None:
    infra = start_infra()
    try:
        url = await fresh_database(infra, "appends")
        await migrate(url)
        pool = await create_pool(url, min_size=8, max_size=16)
        await pool.execute(RAW_TABLE)
        store = PostgresEventStore(pool, producer="bench", signer=Signer.generate())
        body = sample_envelope()

        async def rebond(writers: int, per_writer: int) -> float:
            tag = uuid.uuid4().hex[:8]

            async def job(w: int) -> None:
                head: str | None = None  # as a command knows it from its kept state (kernel.command_handler)
                for i in range(per_writer):
                    version = i % PER_STREAM
                    stream = f"enveloppe-{tag}-{w}-{i // PER_STREAM}"
                    [recorded] = await store.append(stream, [EVENT], version, CONTEXT, head if version else None)
                    head = recorded.envelope.hash

            return await timed(writers, job, per_writer)

        async def raw(writers: int, per_writer: int) -> float:
            tag = uuid.uuid4().hex[:8]

            async def job(w: int) -> None:
                async with pool.acquire() as conn:
                    for i in range(per_writer):
                        await conn.execute(
                            "INSERT INTO raw_events (stream_id, version, envelope) VALUES ($1, $2, $3::text::jsonb)",
                            f"raw-{tag}-{w}-{i // PER_STREAM}",
                            i % PER_STREAM + 1,
                            body,
                        )

            return await timed(writers, job, per_writer)

        runs: dict[str, Run] = {"rebond": rebond, "raw": raw}
        recorder = pyeventsourcing_recorder(url)
        if recorder is not None:
            runs["pyeventsourcing"] = recorder
        else:
            print("# pyeventsourcing not installed: `python3 dev.py bench` installs it (the `bench` extra)")

        results: dict[tuple[str, int], list[float]] = {}
        for _ in range(rounds):
            for writers in (1, 8):
                for name, run in runs.items():
                    results.setdefault((name, writers), []).append(await run(writers, events // writers))
        for writers in (1, 8):
            ours = statistics.median(results["rebond", writers])
            line = f"append, {writers} writer{'s' if writers > 1 else ' '}: rebond {ours:7.0f} events/s"
            for name in runs:
                if name != "rebond":
                    other = statistics.median(results[name, writers])
                    line += f" | {name} {other:7.0f} events/s, ratio {ours / other:.2f}"
            print(line)
        eight = statistics.median(results["rebond", 8])
        print(target("appends at 8 writers vs raw asyncpg", eight / statistics.median(results["raw", 8]), 0.9))
        if "pyeventsourcing" in runs:
            versus = eight / statistics.median(results["pyeventsourcing", 8])
            print(target("appends at 8 writers vs pyeventsourcing", versus, 2.0))
        await pool.close()
    finally:
        infra.stop()


def pyeventsourcing_recorder(url: str) -> Run | None:
    """pyeventsourcing's PostgreSQL application recorder on the same database, one thread per writer."""
    try:
        from eventsourcing.persistence import StoredEvent
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    except ImportError:
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)  # the embedded server is reached by its socket directory (?host=/…&port=…)
    datastore = PostgresDatastore(
        (parts.path or "/").lstrip("/"),
        parts.hostname or query.get("host", ["localhost"])[0],
        parts.port or int(query.get("port", ["5432"])[0]),
        parts.username or "",
        parts.password or "",
        pool_size=8,
        max_overflow=8,
    )
    recorder = PostgresApplicationRecorder(datastore, events_table_name="es_events")
    recorder.create_table()
    state = sample_envelope().encode()

    async def run(writers: int, per_writer: int) -> float:
        def job() -> None:
            ids = [uuid.uuid4() for _ in range(per_writer // PER_STREAM + 1)]
            for i in range(per_writer):
                event = StoredEvent(ids[i // PER_STREAM], i % PER_STREAM + 1, "bench:Event", state)
                recorder.insert_events([event])

        started = time.perf_counter()
        threads = [threading.Thread(target=job) for _ in range(writers)]

        def all_of_them() -> None:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        await asyncio.to_thread(all_of_them)
        return writers * per_writer / (time.perf_counter() - started)

    return run


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.rounds))
