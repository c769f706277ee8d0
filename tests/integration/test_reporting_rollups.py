"""The census roll-ups (reporting.adapters.rollups) give exactly what the facts give, as of every date: whatever
the order the events arrive in, in whatever batches, delivered twice, with estimates dated before their census or
out of their order; and a schema whose facts came before the roll-ups is filled from them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from contracts.base import Role
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor, EventEnvelope
from contracts.instruction.projets import (
    EntrepriseRencontree,
    ProjetAbandonne,
    ProjetMisAJour,
    ProjetRecense,
    TailleEntreprise,
)
from kernel.adapters.postgres import create_pool, migrate
from reporting.adapters import facts_projets_sql, rollups
from reporting.adapters.projection import project
from reporting.adapters.schema import TABLES, Schema
from reporting.entrypoints.projection import MIGRATIONS

pytestmark = pytest.mark.postgres

START = date(2023, 3, 1)
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _received(stream_id: str, version: int, event: Any) -> ReceivedEvent:
    envelope = EventEnvelope.model_construct(
        stream_id=stream_id,
        stream_version=version,
        recorded_at=NOW,
        occurred_at=NOW,
        actor=Actor(id="t", role=Role.SYSTEME),
        producer="instruction",
    )
    return ReceivedEvent(envelope, event)


def census(seed: int) -> list[ReceivedEvent]:
    """Three territories: interviews (companies met several times, not in date order), projects with up to four
    estimates, some dated before their census or on the same day as another, and a few abandoned."""
    rng = random.Random(seed)
    events = []
    for i in range(120):
        tid = f"t{i % 3}"
        siren = f"{rng.randrange(30):09d}"
        day = START + timedelta(days=rng.randrange(90))
        events.append(
            _received(
                f"recensement-{tid}",
                i + 1,
                EntrepriseRencontree.model_construct(territoire_id=tid, entretien_id=f"e{i}", siren=siren, date=day),
            )
        )
    for p in range(60):
        tid, pid = f"t{p % 3}", f"p{p}"
        recense = START + timedelta(days=rng.randrange(90))
        events.append(
            _received(
                f"projet-{pid}",
                1,
                ProjetRecense.model_construct(
                    territoire_id=tid,
                    projet_id=pid,
                    siren=f"{p:09d}",
                    taille=TailleEntreprise.PME,
                    secteur_naf="25.62A",
                    date=recense,
                    raison_sociale="x",
                    intitule="y",
                    investissement_centimes=rng.randrange(1, 100) * 1_000_000,
                    emplois_potentiels=rng.randrange(20),
                ),
            )
        )
        for version in range(2, 2 + rng.randrange(4)):
            when = recense + timedelta(days=rng.choice([-5, 0, 0, 3, 10, 40]))
            events.append(
                _received(
                    f"projet-{pid}",
                    version,
                    ProjetMisAJour.model_construct(
                        territoire_id=tid,
                        projet_id=pid,
                        investissement_centimes=rng.randrange(1, 100) * 1_000_000,
                        emplois_potentiels=rng.randrange(20),
                        date=when,
                    ),
                )
            )
        if p % 7 == 0:
            abandon = ProjetAbandonne.model_construct(territoire_id=tid, projet_id=pid, date=recense)
            events.append(_received(f"projet-{pid}", 99, abandon))
    rng.shuffle(events)
    return events


async def _both(conn: asyncpg.Connection[Any], as_of: date | None) -> tuple[list[Any], list[Any]]:
    schema = Schema("reporting")
    facts = await conn.fetch(schema.sql(facts_projets_sql.RECENSEMENT) + " ORDER BY 1", as_of)
    rolled = await conn.fetch(schema.sql(rollups.RECENSEMENT) + " ORDER BY 1", as_of)
    return [tuple(r) for r in facts], [tuple(r) for r in rolled]


def _dates() -> list[date | None]:
    return [None, *(START + timedelta(days=d) for d in range(-6, 140, 3))]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_rollups_give_what_the_facts_give_as_of_every_date(new_database, seed: int) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("rollups")
    await migrate(url, *MIGRATIONS)
    pool = await create_pool(url, max_size=2)
    rng = random.Random(seed)
    events = census(seed)
    try:
        async with pool.acquire() as conn:
            index = 0
            while index < len(events):  # random batches, and now and then one delivered again
                size = rng.randrange(1, 40)
                batch = events[index : index + size] + (events[: rng.randrange(3)] if rng.random() < 0.3 else [])
                async with conn.transaction():
                    await project(conn, Schema("reporting"), batch)
                index += size
                facts, rolled = await _both(conn, None)
                assert rolled == facts
            for as_of in _dates():
                facts, rolled = await _both(conn, as_of)
                assert rolled == facts, as_of
            assert any(row[1] for row in facts)  # the data did reach the figures
    finally:
        await pool.close()


async def test_a_schema_whose_facts_came_first_is_filled_from_them(new_database) -> None:  # type: ignore[no-untyped-def]
    url = await new_database("backfill")
    await migrate(url, *MIGRATIONS)
    pool = await create_pool(url, max_size=2)
    try:
        async with pool.acquire() as conn:
            async with conn.transaction():
                await project(conn, Schema("reporting"), census(7))
            for table in ("r_etat", "r_entretiens_jour", "r_entreprises", "r_entreprises_jour", "r_projets_points"):
                await conn.execute(f"DELETE FROM reporting.{table}")  # as before the roll-ups existed
            await conn.execute("DELETE FROM reporting.r_projets_jour")
            await conn.execute(Schema("reporting").sql(TABLES))  # what each start re-asserts
            for as_of in _dates():
                facts, rolled = await _both(conn, as_of)
                assert rolled == facts, as_of
    finally:
        await pool.close()
