"""The reporting projection alone, without the broker: how fast `PostgresProjectionStore.prepare` then `write` (what
a rebuild and, batch for batch, the live consumer do) turns signed envelopes into facts, beside raw asyncpg writing
the same rows.

    .venv/bin/python bench/bench_projection.py [--events 8000] [--rounds 3] [--profile]

Each round, on fresh schemas of one PostgreSQL, interleaved:
- `apply`: batches of 2 000 signed AideAccordee envelopes (1 000 distinct SIRETs), each decoded, its hash and its
  producer's Ed25519 signature checked, its stream's chain and version checked, then projected;
- `raw`: the same rows inserted by asyncpg's executemany in one transaction per batch (the floor: no decoding, no
  checks, no round trip per row).
Printed: events/s of each, the ratio of the medians, and with `--profile` where `apply` spends its time. The
machine is shared: read the ratio."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, start_infra  # noqa: E402

from contracts.base import FormeAide, RegimeAide, Role  # noqa: E402
from contracts.envelope import Actor, EventEnvelope  # noqa: E402
from contracts.financement.v1 import AideAccordee  # noqa: E402
from kernel.adapters.postgres import create_pool  # noqa: E402
from kernel.envelopes import envelop  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402
from kernel.signing import Signer, Verifier  # noqa: E402
from rebond_local.demo import synthetic_siret  # noqa: E402
from reporting.adapters.schema import Schema, migration  # noqa: E402
from reporting.adapters.store import PostgresProjectionStore  # noqa: E402

BATCH = 2000
RAW_INSERT = """
INSERT INTO {s}.aides (aide_id, projet_id, territoire_id, forme, montant_centimes, regime, date_decision,
                       publication_obligatoire, siren, assiette_centimes, siret, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (territoire_id, aide_id) DO NOTHING"""


def envelopes(count: int, signer: Signer) -> list[bytes]:
    context = CommandContext(
        actor=Actor(id="bpi", role=Role.BPIFRANCE_CHARGE), occurred_at=datetime(2023, 5, 1, tzinfo=UTC)
    )
    bodies = []
    for i in range(count):
        event = AideAccordee(
            aide_id=f"x{i}",
            projet_id=f"xp{i}",
            territoire_id=f"synthetique-{i % 50}",
            siret=synthetic_siret(32_000_000 + i % 1000),
            forme=FormeAide.SUBVENTION,
            montant_centimes=1_000_000,
            assiette_centimes=40_000_000,
            regime=RegimeAide.PME,
            date_decision=date(2023, 5, 1) + timedelta(days=i % 300),
            publication_obligatoire=False,
            demande_id=None,
            plafond_aide_centimes=None,
            instance_decision="Comité des financeurs",
        )
        (recorded,) = envelop("financement", f"enveloppe-s-{uuid.uuid4().hex}", [event], 0, None, context, signer)
        bodies.append(recorded.envelope.to_json())
    return bodies


def rows(bodies: list[bytes]) -> list[tuple[object, ...]]:
    """What `apply` writes, prepared outside the timing: the raw side does no decoding at all."""
    found = []
    for body in bodies:
        envelope = EventEnvelope.model_validate_json(body)
        d = envelope.data
        found.append(
            (
                d["aide_id"],
                d["projet_id"],
                d["territoire_id"],
                d["forme"],
                d["montant_centimes"],
                d["regime"],
                date.fromisoformat(d["date_decision"]),
                d["publication_obligatoire"],
                d["siret"][:9],
                d["assiette_centimes"],
                d["siret"],
                envelope.recorded_at,
            )
        )
    return found


async def main(events: int, rounds: int, profile: bool) -> None:
    infra = start_infra()
    try:
        pool = await create_pool(await fresh_database(infra, "projection"), min_size=1, max_size=2)
        async with pool.acquire() as conn:
            await conn.execute(migration())
        signer = Signer.generate()
        verifier = Verifier.from_text(f"financement:{signer.public_text}")
        store = PostgresProjectionStore(pool, consumer="bench", verifier=verifier, skipped=frozenset())
        bodies = envelopes(events, signer)
        prepared = rows(bodies)
        rates: dict[str, list[float]] = {"apply": [], "raw": []}
        profiler = cProfile.Profile() if profile else None
        for _ in range(rounds):
            schema = await store.create_fresh()
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            for k in range(0, events, BATCH):
                await store.write(schema, await store.prepare(bodies[k : k + BATCH]))
            rates["apply"].append(events / (time.perf_counter() - started))
            if profiler:
                profiler.disable()
            await store.drop(schema)
            raw = await store.create_fresh()
            started = time.perf_counter()
            for k in range(0, events, BATCH):
                async with pool.acquire() as conn, conn.transaction():
                    await conn.executemany(Schema(raw).sql(RAW_INSERT), prepared[k : k + BATCH])
            rates["raw"].append(events / (time.perf_counter() - started))
            await store.drop(raw)
        await pool.close()
        apply, raw_rate = statistics.median(rates["apply"]), statistics.median(rates["raw"])
        print(f"projection apply: {apply:8.0f} events/s (median of {rounds}; {events} events in batches of {BATCH})")
        print(f"raw asyncpg:      {raw_rate:8.0f} events/s (the same rows, executemany per batch)")
        print(f"apply ×raw: {apply / raw_rate:.3f}")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    finally:
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds, args.profile))
