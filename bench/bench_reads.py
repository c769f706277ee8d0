"""Do reads of a dossier slow the commands on it? `python bench/bench_reads.py [--reads 680] [--commands 40]`

Two candidature drafts side by side: each gets `--commands` edits, then one gets `--reads` reads by its EPCIs
(each recorded in the access log) and the other none (the control), then both get `--commands` edits again.
Printed: the p50 of an edit before and after, for both; a raw asyncpg baseline (a SELECT and an INSERT, the round
trips an edit cannot avoid); and the ratio of the two slow-downs (1.0: the reads cost later commands nothing; the
edits themselves grow the stream, which the control measures). Also how many events the reads added to the
candidature's stream (0: they live in the access log)."""

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


async def scenario(
    store: PostgresEventStore, log: PostgresAccessLog, cid: str, reads: int, commands: int
) -> tuple[list[float], list[float], int]:
    """Edits, then `reads` reads of the dossier, then edits again: (before, after, events the reads added)."""
    epci = CommandContext(actor=Actor(id="epci", role=Role.EPCI_CANDIDAT, scope=EPCI_1), occurred_at=AT)
    await handlers.initier_candidature(store, cid, dossier(), epci)
    before = await edits(store, cid, commands, epci, 0)
    length = len(await store.read(f"candidature-{cid}"))
    for index in range(reads):
        reader = Actor(id=f"epci-{index // READS_PER_MINUTE}", role=Role.EPCI_CANDIDAT, scope=EPCI_1)
        await handlers.consulter_dossier(store, log, cid, CommandContext(actor=reader, occurred_at=AT))
    added = len(await store.read(f"candidature-{cid}")) - length
    return before, await edits(store, cid, commands, epci, commands), added


async def main(reads: int, commands: int) -> None:
    infra = start_infra()
    try:
        url = await fresh_database(infra, "reads")
        await migrate(url)
        pool = await create_pool(url, max_size=4)
        store, log = PostgresEventStore(pool, "candidature", signer=Signer.generate()), PostgresAccessLog(pool)
        base = await baseline(pool, commands)
        control_before, control_after, _ = await scenario(store, log, "control", 0, commands)
        before, after, added = await scenario(store, log, "reads", reads, commands)
        print(f"raw asyncpg baseline (a SELECT and an INSERT): {describe(base)}")
        print(f"control, no read:   edit {describe(control_before)} → then {describe(control_after)}")
        print(f"with {reads} reads: edit {describe(before)} → then {describe(after)}")
        p50 = {
            name: percentile(v, 0.5)
            for name, v in {"cb": control_before, "ca": control_after, "b": before, "a": after, "base": base}.items()
        }
        print(f"edit / baseline p50: {p50['b'] / p50['base']:.1f} before the reads")
        growth, control = p50["a"] / p50["b"], p50["ca"] / p50["cb"]
        print(
            f"slow-down of later edits: {growth:.2f} with the reads, {control:.2f} without; "
            f"ratio {growth / control:.2f} (1.0: the reads cost later commands nothing)"
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
