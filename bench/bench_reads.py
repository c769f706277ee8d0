"""Do reads of a dossier slow the commands on it? `python bench/bench_reads.py [--reads 680] [--commands 40]`

A candidature draft gets `--commands` edits, then `--reads` reads by its EPCI (each recorded in the access log),
then `--commands` edits again. Printed: the p50 of an edit before and after the reads, beside a raw asyncpg
baseline (one INSERT and one SELECT of a stream's rows, the round trips an edit cannot avoid) run at the same two
moments, and the ratio of ratios (1.0: the reads cost later commands nothing). Also how many events the reads
added to the candidature's stream (0: they live in the access log)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import describe, fresh_database, percentile, start_infra  # noqa: E402

from candidature.application import handlers  # noqa: E402
from contracts.base import Role  # noqa: E402
from contracts.envelope import Actor  # noqa: E402
from kernel.access import READS_PER_MINUTE  # noqa: E402
from kernel.adapters.postgres import PostgresAccessLog, PostgresEventStore, create_pool, migrate  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402
from kernel.signing import Signer  # noqa: E402
from tests.unit.candidature_exemples import EPCI_1, dossier  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2022, 9, 5, 10, tzinfo=PARIS)


async def edits(store: PostgresEventStore, cid: str, n: int, context: CommandContext, offset: int) -> list[float]:
    samples = []
    for index in range(n):
        contenu = dossier(nom_territoire=f"Territoire {offset + index}")
        started = time.perf_counter()
        await handlers.modifier_dossier(store, cid, contenu, context)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def baseline(pool: asyncpg.Pool, n: int) -> list[float]:
    samples = []
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (stream text, version int, body jsonb)")
        for index in range(n):
            started = time.perf_counter()
            await conn.fetch("SELECT body FROM bench_rows WHERE stream = 'x' ORDER BY version")
            await conn.execute("INSERT INTO bench_rows VALUES ('x', $1, '{}'::jsonb)", index)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main(reads: int, commands: int) -> None:
    infra = start_infra()
    try:
        pool = await create_pool(await fresh_database(infra, "reads"), max_size=4)
        await migrate(pool)
        store, log = PostgresEventStore(pool, "candidature", Signer.generate()), PostgresAccessLog(pool)
        epci = CommandContext(actor=Actor(id="epci", role=Role.EPCI_CANDIDAT, scope=EPCI_1), occurred_at=AT)
        cid = "bench-reads"
        await handlers.initier_candidature(store, cid, dossier(), epci)
        base_before, before = await baseline(pool, commands), await edits(store, cid, commands, epci, 0)
        length = len(await store.read(f"candidature-{cid}"))
        for index in range(reads):
            reader = CommandContext(
                actor=Actor(id=f"epci-{index // READS_PER_MINUTE}", role=Role.EPCI_CANDIDAT, scope=EPCI_1),
                occurred_at=AT,
            )
            await handlers.consulter_dossier(store, log, cid, reader)  # readers rotate: below the rate limit
        added = len(await store.read(f"candidature-{cid}")) - length
        base_after, after = await baseline(pool, commands), await edits(store, cid, commands, epci, commands)
        p50 = {
            k: percentile(v, 0.5)
            for k, v in {"before": before, "after": after, "base_before": base_before, "base_after": base_after}.items()
        }
        print(f"edit before {reads} reads: {describe(before)}")
        print(f"edit after  {reads} reads: {describe(after)}")
        print(f"raw asyncpg baseline before: {describe(base_before)}; after: {describe(base_after)}")
        print(
            f"edit / baseline: before {p50['before'] / p50['base_before']:.2f}, "
            f"after {p50['after'] / p50['base_after']:.2f}"
        )
        print(
            f"ratio of ratios (after / before): "
            f"{(p50['after'] / p50['base_after']) / (p50['before'] / p50['base_before']):.2f}"
        )
        print(f"events the {reads} reads added to the candidature's stream: {added}")
        await pool.close()
    finally:
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=680)
    parser.add_argument("--commands", type=int, default=40)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.reads, arguments.commands))
