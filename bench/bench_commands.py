"""Does a command slow down as its stream grows? `python bench/bench_commands.py [--lengths 10,300,3000] [--n 30]`

An aid grant on a territory envelope whose stream already holds N events (N = each of `--lengths`), through the
kernel's handle_command on PostgreSQL, measured twice side by side: with the state each process keeps (the default:
only the events recorded since are read) and without it (the whole stream read, decoded and folded on every
command, as before). Printed for each N: the p50 of a grant, both ways, as a ratio of a raw asyncpg baseline (a
SELECT of the stream's head and an INSERT: the round trips a command cannot avoid); and the growth from the
shortest to the longest stream (1.0: the command costs the same whatever the stream's length)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import fresh_database, percentile, start_infra, target  # noqa: E402

from contracts.base import FormeAide, RegimeAide, Role  # noqa: E402
from contracts.envelope import Actor  # noqa: E402
from contracts.financement.v1 import (  # noqa: E402
    AideRefusee,
    Contribution,
    EnveloppeTerritorialeAttribuee,
    InstructionAideEnregistree,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
)
from financement.domain.commands import AccorderAide  # noqa: E402
from financement.domain.decider import decider  # noqa: E402
from kernel import command_handler  # noqa: E402
from kernel.adapters.postgres import PostgresEventStore, create_pool, migrate  # noqa: E402
from kernel.command_handler import StateCache, handle_command  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402
from kernel.signing import Signer  # noqa: E402

SIRET = "73282932000074"
CONTEXT = CommandContext(
    actor=Actor(id="bpi", role=Role.BPIFRANCE_CHARGE), occurred_at=datetime(2024, 1, 2, tzinfo=UTC)
)


def history(territoire: str, length: int) -> list[object]:
    """A laureate, its project instructed, its envelope, then refusals up to `length` events (what a busy envelope
    accumulates; each refusal is a distinct project and day)."""
    head: list[object] = [
        LaureatEnregistre(
            territoire_id=territoire, nom_territoire="T", region_code="32", date_decision=date(2023, 7, 1)
        ),
        ProjetQualifieEnregistre(projet_id="p", territoire_id=territoire, siret=SIRET, assiette_estimee_centimes=10**9),
        InstructionAideEnregistree(
            projet_id="p",
            territoire_id=territoire,
            demande_id="d",
            siret=SIRET,
            forme=FormeAide.SUBVENTION,
            regime=RegimeAide.ENVIRONNEMENT,
            assiette_centimes=10**11,
            intensite_max_pour_mille=1000,
            plafond_aide_centimes=10**11,
            emplois_prevus=0,
            date_instruction=date(2023, 9, 1),
        ),
        EnveloppeTerritorialeAttribuee(
            territoire_id=territoire,
            montant_centimes=10**11,
            contributions=[Contribution(financeur="ETAT_FRANCE_2030", montant_centimes=10**11)],
            date_attribution=date(2023, 9, 1),
        ),
    ]
    refusals = [
        AideRefusee(
            aide_id=f"r{i}",
            projet_id=f"q{i}",
            territoire_id=territoire,
            montant_centimes=1,
            motif="enveloppe_insuffisante",
            date_decision=date(2023, 9, 1),
        )
        for i in range(max(0, length - len(head)))
    ]
    return head + refusals


async def grants(store: PostgresEventStore, territoire: str, n: int, offset: int) -> list[float]:
    samples = []
    for i in range(n):
        command = AccorderAide(
            territoire_id=territoire,
            aide_id=f"a{offset + i}",
            projet_id="p",
            forme=FormeAide.SUBVENTION,
            montant_centimes=100,
            instance_decision="Comité des financeurs",
            date_decision=date(2024, 1, 2),
        )
        started = time.perf_counter()
        await handle_command(store, f"enveloppe-{territoire}", decider, command, CONTEXT)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def baseline(pool: asyncpg.Pool, n: int) -> list[float]:
    samples = []
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (stream text, version int, body jsonb)")
        for index in range(n):
            started = time.perf_counter()
            await conn.fetchrow("SELECT version FROM bench_rows WHERE stream = 'x' ORDER BY version DESC LIMIT 1")
            await conn.execute("INSERT INTO bench_rows VALUES ('x', $1, '{}'::jsonb)", index)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main(lengths: list[int], n: int) -> None:
    infra = start_infra()
    try:
        url = await fresh_database(infra, "commands")
        await migrate(url)
        pool = await create_pool(url, max_size=4)
        store = PostgresEventStore(pool, "financement", signer=Signer.generate())
        rows = []
        for length in lengths:
            for label in ("kept", "full"):
                territoire = f"{label}-{length}"
                events = history(territoire, length)
                for start in range(0, len(events), 500):  # the history, appended in batches
                    chunk = events[start : start + 500]
                    await store.append(f"enveloppe-{territoire}", chunk, start, CONTEXT)  # type: ignore[arg-type]
            # side by side: the same N, both ways, interleaved in rounds of 5 grants
            kept, full, raw = [], [], []
            for round_ in range(n // 5):
                command_handler.STATES = StateCache()  # the default: a fresh cache warms on the first grant
                await grants(store, f"kept-{length}", 1, 10_000 + round_)  # warm-up, not measured
                kept += await grants(store, f"kept-{length}", 5, round_ * 5)
                command_handler.STATES = StateCache(capacity=0)  # nothing kept: the whole stream every time
                full += await grants(store, f"full-{length}", 5, round_ * 5)
                raw += await baseline(pool, 5)
            command_handler.STATES = StateCache()
            base = percentile(raw, 0.5)
            rows.append((length, percentile(kept, 0.5), percentile(full, 0.5), base))
            print(
                f"stream of {length:>5} events: grant p50 {percentile(kept, 0.5):6.1f} ms kept state "
                f"({percentile(kept, 0.5) / base:5.1f}× raw), {percentile(full, 0.5):7.1f} ms whole stream "
                f"({percentile(full, 0.5) / base:6.1f}× raw); raw asyncpg {base:.2f} ms",
                flush=True,
            )
        first, last = rows[0], rows[-1]
        print(
            f"growth from {first[0]} to {last[0]} events: {last[1] / first[1]:.2f}× with the kept state, "
            f"{last[2] / first[2]:.2f}× reading the whole stream (1.0: constant in the stream's length)"
        )
        print(target(f"grant time from {first[0]} to {last[0]} events", last[1] / first[1], 1.5, at_most=True))
        await pool.close()
    finally:
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="10,300,3000")
    parser.add_argument("--n", type=int, default=30)
    arguments = parser.parse_args()
    asyncio.run(main([int(x) for x in arguments.lengths.split(",")], arguments.n))
