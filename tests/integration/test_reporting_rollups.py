"""The roll-ups (reporting.adapters.rollups) give exactly what the facts give, as of every date: the census and the
money that follows the aids, whatever the order the events arrive in, in whatever batches, delivered twice, with
estimates dated before their census or out of their order, payments dated before their aid's decision, final
statements replacing tranches, movements of aids that never come; and a schema whose facts came before the roll-ups
is filled from them."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from contracts.base import FormeAide, RegimeAide, Role
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor, EventEnvelope
from contracts.financement.v1 import (
    AideAccordee,
    AideAnnulee,
    AideSoldee,
    EcheanceImpayee,
    RemboursementRecu,
    VersementEffectue,
)
from contracts.instruction.projets import (
    EntrepriseRencontree,
    ProjetAbandonne,
    ProjetMisAJour,
    ProjetRecense,
    TailleEntreprise,
)
from kernel.adapters.postgres import create_pool, migrate
from reporting.adapters import facts_projets_sql, facts_sql, rollups
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
    events += money(rng)
    rng.shuffle(events)
    return events


def money(rng: random.Random) -> list[ReceivedEvent]:
    """Aids on projects of the three territories (several per project, companies aided twice, one without a SIRET),
    and what follows them in any order and on any date, some before the decision; movements of aids never granted."""
    events: list[ReceivedEvent] = []
    for i in range(45):
        tid, aid = f"t{i % 3}", f"a{i}"
        decided = START + timedelta(days=rng.randrange(90))
        siret = "" if i == 7 else f"{rng.randrange(12):09d}00012"
        events.append(
            _received(
                f"enveloppe-{tid}",
                1000 + i,
                AideAccordee.model_construct(
                    aide_id=aid,
                    projet_id=f"q{rng.randrange(20)}",
                    territoire_id=tid,
                    siret=siret,
                    forme=FormeAide.SUBVENTION,
                    montant_centimes=5_000_000,
                    assiette_centimes=rng.randrange(40, 90) * 1_000_000,
                    regime=RegimeAide.PME,
                    date_decision=decided,
                    publication_obligatoire=False,
                ),
            )
        )
    for j in range(150):
        tid, aid = f"t{j % 3}", f"a{rng.randrange(50)}"  # a45..a49 never granted
        when = START + timedelta(days=rng.randrange(-10, 130))
        amount = rng.randrange(1, 30) * 100_000
        follow: Any = rng.choice(
            [
                VersementEffectue.model_construct(
                    aide_id=aid, territoire_id=tid, montant_centimes=amount, date_versement=when
                ),
                VersementEffectue.model_construct(
                    aide_id=aid, territoire_id=tid, montant_centimes=amount, date_versement=when
                ),
                AideSoldee.model_construct(
                    aide_id=aid,
                    territoire_id=tid,
                    montant_final_centimes=amount,
                    reduction_centimes=amount // 3,
                    date_solde=when,
                ),
                RemboursementRecu.model_construct(
                    aide_id=aid, territoire_id=tid, montant_centimes=amount, date_remboursement=when
                ),
                EcheanceImpayee.model_construct(
                    aide_id=aid, territoire_id=tid, du_centimes=amount, rembourse_centimes=0, date_constat=when
                ),
                AideAnnulee.model_construct(
                    aide_id=aid, territoire_id=tid, montant_libere_centimes=amount, date_annulation=when
                ),
            ]
        )
        events.append(_received(f"suivi-{tid}", 5000 + j, follow))
    return events


async def _both(conn: asyncpg.Connection[Any], as_of: date | None) -> tuple[list[Any], list[Any]]:
    """The census and the money as of the date, from the facts and from the roll-ups."""
    schema, facts, rolled = Schema("reporting"), [], []
    territoires = facts_sql.TERRITOIRES.replace
    for from_facts, from_rollups in (
        (facts_projets_sql.RECENSEMENT, rollups.RECENSEMENT),
        (facts_projets_sql.ARGENT, facts_projets_sql.ARGENT_ROLLED_UP),
        (
            territoires("{aides_et_recenses}", facts_sql.AIDES_ET_RECENSES),
            territoires("{aides_et_recenses}", facts_sql.AIDES_ET_RECENSES_ROLLED_UP),
        ),
    ):
        for query, into in ((from_facts, facts), (from_rollups, rolled)):
            into += [tuple(r) for r in await conn.fetch(f"SELECT * FROM ({schema.sql(query)}) AS q ORDER BY 1", as_of)]
    return facts, rolled


CENSUS_ROLLUPS = (
    "r_etat",
    "r_entretiens_jour",
    "r_entreprises",
    "r_entreprises_jour",
    "r_projets_points",
    "r_projets_jour",
)
MONEY_ROLLUPS = ("r_aides_points", "r_projets_aides_points", "r_entreprises_aidees", "r_argent_jour")


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
            assert any(row[1] for row in facts) and any(len(row) > 8 and row[4] for row in facts)  # census and paid
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
            for table in (*CENSUS_ROLLUPS, *MONEY_ROLLUPS):
                await conn.execute(f"DELETE FROM reporting.{table}")  # as before the roll-ups existed
            await conn.execute(Schema("reporting").sql(TABLES))  # what each start re-asserts
            for as_of in _dates():
                facts, rolled = await _both(conn, as_of)
                assert rolled == facts, as_of
            for table in MONEY_ROLLUPS:  # as before the money's roll-ups came, after the census's
                await conn.execute(f"DELETE FROM reporting.{table}")
            await conn.execute("UPDATE reporting.r_etat SET version = 1")
            await conn.execute(Schema("reporting").sql(TABLES))  # what each start re-asserts
            for as_of in _dates():
                facts, rolled = await _both(conn, as_of)
                assert rolled == facts, as_of
    finally:
        await pool.close()


@pytest.mark.parametrize("seed", [4, 5])
async def test_two_replicas_projecting_at_once_give_what_the_facts_give(new_database, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Reporting's replicas share the partitions: a territory's days are fed by its interviews' stream and by each of
    its projects' streams, which two replicas project at the same time, in batches of their own, and again (a
    redelivery). The per-day sums move by differences from both at once, and still end as the facts say."""
    url = await new_database("replicas")
    await migrate(url, *MIGRATIONS)
    pool = await create_pool(url, max_size=4)
    rng = random.Random(seed)
    events = census(seed) + money(rng)
    partitions: dict[int, list[ReceivedEvent]] = {0: [], 1: []}
    for received in events:  # as Kafka keys them: a stream's events all go to one partition, in order
        partitions[sum(received.envelope.stream_id.encode()) % 2].append(received)

    async def replica(mine: list[ReceivedEvent]) -> None:
        index = 0
        async with pool.acquire() as conn:
            while index < len(mine):
                size = rng.randrange(1, 12)
                async with conn.transaction():
                    await project(conn, Schema("reporting"), mine[index : index + size])
                index += size

    try:
        for _ in range(3):  # the same events again: a redelivery to both replicas changes nothing
            await asyncio.gather(replica(partitions[0]), replica(partitions[1]))
        async with pool.acquire() as conn:
            for as_of in _dates():
                facts, rolled = await _both(conn, as_of)
                assert rolled == facts, as_of
            assert any(row[1] for row in facts)
    finally:
        await pool.close()
