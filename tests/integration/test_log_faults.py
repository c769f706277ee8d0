"""The event log under faults, on the real broker and PostgreSQL: each test injects one fault into running services
(financement producing, reporting consuming) and ends with the fact-by-fact convergence check: every event of the
producer's log applied by the consumer exactly once, in order (last+1), nothing left blocked or waiting."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts import topics
from contracts.base import FormeAide, Role
from contracts.envelope import EventEnvelope, seal
from contracts.financement.v1 import LaureatEnregistre
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat
from financement.app import create_app as financement_app
from kernel.adapters.kafka import ensure_topics
from kernel.adapters.postgres import migrate
from kernel.adapters.relay import OutboxRelay
from kernel.adapters.settings import Settings
from kernel.clock import SimulatedClock
from kernel.signing import Signer
from rebond_local.broker import EmbeddedBroker
from rebond_local.database import create_reader, create_service_database, with_database
from rebond_local.infra import Infra
from reporting.app import create_app as reporting_app
from tests.fixtures import SIRET, TEST_SIGNERS, instruite
from tests.support import ProducerLog, as_actor, consumed, converge, eventually, operator, parked_rows, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SGPI = as_actor(Role.SGPI, "sgpi-1")  # the internal figures are read by the roles entitled to them

CDC = as_actor(Role.INSTRUCTEUR_CDC, "cdc-1")
BPI = as_actor(Role.BPIFRANCE_CHARGE, "bpi-1")
ENVELOPES = ("enveloppe-",)
PROJECTION = "reporting.projection"
AT = datetime(2023, 10, 3, 10, tzinfo=UTC)


@dataclass
class Pair:
    """financement and reporting on one broker, sharing topics; the test publishes instruction's events (and records
    them in an instruction events table, so that a rebuild can read both producers' logs from their databases)."""

    financement: httpx.AsyncClient
    reporting: httpx.AsyncClient
    fin_settings: Settings
    rep_settings: Settings
    fin_app: Any
    rep_app: Any
    dossiers: ProducerLog
    instruction_log: str  # the instruction events table's database (as its owner)

    async def instruction(self, *messages: tuple[str, int, Any]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.fin_settings.kafka_bootstrap, acks="all")
        await producer.start()
        log = await asyncpg.connect(self.instruction_log)
        try:
            for stream_id, version, event in messages:
                for envelope in self.dossiers.envelopes(stream_id, version, event, AT):
                    await record(log, envelope)
                    topic = self.fin_settings.topic(topics.INSTRUCTION)
                    await producer.send_and_wait(topic, envelope.to_json(), key=stream_id.encode())
        finally:
            await log.close()
            await producer.stop()

    async def territory(self, territoire: str, montant: int = 500_000_000) -> None:
        """A laureate with one qualified project (published by 'instruction'), then its envelope attributed."""
        await self.instruction(
            (f"dossier-{territoire}", 1, laureat(territoire)),
            (f"dossier-{territoire}", 2, qualifie(territoire)),
            (f"dossier-{territoire}", 3, instruite(territoire)),
        )
        await eventually(lambda: _knows(self.financement, territoire), what=f"financement to know {territoire}")
        answer = await self.financement.post(f"/enveloppes/{territoire}", headers=CDC, json=attribution(montant))
        assert answer.status_code == 201, answer.text

    async def converged(self, timeout: float = 90.0) -> float:
        return await converge(
            self.fin_settings.database_url, self.rep_settings.database_url, PROJECTION, ENVELOPES, timeout
        )


async def record(log: asyncpg.Connection[Any], envelope: EventEnvelope) -> None:
    """Append an envelope to an events table as its producer's store does (a version already there is kept)."""
    body = json.loads(envelope.to_json())
    await log.fetchval(
        "SELECT append_events($1, $2, $3::jsonb)", envelope.stream_id, envelope.stream_version - 1, json.dumps([body])
    )


async def _knows(client: httpx.AsyncClient, territoire: str) -> bool:
    answer = await client.get(f"/enveloppes/{territoire}", headers=BPI)
    return answer.status_code == 200 and bool(answer.json()["instructions"])


async def settings_pair(infra: Infra, bootstrap: str | None = None) -> tuple[Settings, Settings, str]:
    """financement and reporting as deployed: each its own role (not the owner of the kernel's tables), reporting
    reading the producers' logs through a read-only role; and the instruction log's database."""
    unique = uuid.uuid4().hex[:10]
    prefix, kafka = f"t{unique}.", bootstrap or infra.kafka_bootstrap
    await ensure_topics(kafka, [prefix + name for name in topics.ALL])
    reader = f"t_{unique}_log_reader"
    reader_url = await create_reader(infra.database_url, reader)
    databases = {
        name: await create_service_database(infra.database_url, f"t_{unique}_{name}", readers=(reader,))
        for name in ("financement", "reporting", "instruction")
    }
    await migrate(databases["instruction"].migration_url, log_readers=(reader,))
    fin, rep = [
        Settings(
            service=name,
            kafka_bootstrap=kafka,
            topic_prefix=prefix,
            database_url=databases[name].url,
            migration_url=databases[name].migration_url,
            log_readers=(reader,) if name == "financement" else (),
            source_databases={}
            if name == "financement"
            else {p: with_database(reader_url, f"t_{unique}_{p}") for p in ("financement", "instruction")},
        )
        for name in ("financement", "reporting")
    ]
    return fin, rep, databases["instruction"].migration_url


@asynccontextmanager
async def pair(infra: Infra, bootstrap: str | None = None) -> AsyncIterator[Pair]:
    fin_settings, rep_settings, instruction_log = await settings_pair(infra, bootstrap)
    fin, rep = financement_app(fin_settings), reporting_app(rep_settings)
    async with running(fin) as financement, running(rep, headers=SGPI) as reporting:
        yield Pair(
            financement, reporting, fin_settings, rep_settings, fin, rep, ProducerLog("instruction"), instruction_log
        )


def laureat(territoire: str) -> TerritoireLaureat:
    return TerritoireLaureat(
        territoire_id=territoire,
        candidature_id=territoire,
        vague=3,
        nom_territoire=f"Territoire {territoire}",
        region_code="32",
        epci_sirens=["200068500"],
        date_decision=date(2023, 7, 1),
        date_notification=date(2023, 8, 28),
    )


def qualifie(territoire: str) -> ProjetQualifie:
    return ProjetQualifie(
        projet_id="p1",
        territoire_id=territoire,
        siret=SIRET,
        raison_sociale="Fonderie",
        intitule="Ligne",
        date_copil=date(2023, 10, 3),
        assiette_estimee_centimes=400_000_000,
        forme_envisagee=FormeAide.SUBVENTION,
    )


def attribution(montant: int) -> dict[str, Any]:
    return {
        "montant_centimes": montant,
        "contributions": [{"financeur": "ETAT_FRANCE_2030", "montant_centimes": montant}],
        "date_attribution": "2023-09-01",
    }


def aide(aide_id: str, montant: int = 1_000_000) -> dict[str, Any]:
    return {
        "aide_id": aide_id,
        "projet_id": "p1",
        "forme": "SUBVENTION",
        "montant_centimes": montant,
        "instance_decision": "Comité des financeurs",
        "date_decision": "2023-11-02",
    }


class LostAck:
    """What a broker that lost a message answers: an acknowledgement, with no offset to check."""


def dropping(original: Callable[..., Awaitable[Any]], lose: Callable[[dict[str, Any]], bool]) -> Callable[..., Any]:
    """A relay publisher whose broker acknowledges and loses the messages `lose` picks, once each."""
    lost: set[str] = set()

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> Awaitable[Any]:
        envelope = json.loads(body)
        if envelope["event_id"] not in lost and lose(envelope):
            lost.add(envelope["event_id"])
            done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            done.set_result(LostAck())
            return done
        return await original(topic, key, body, headers)

    return publish


async def grant(system: Pair, territoire: str, aide_id: str) -> httpx.Response:
    return await system.financement.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=aide(aide_id))


# --- the tests -----------------------------------------------------------------------------------------------------


async def test_a_message_the_broker_lost_is_asked_again_and_the_stream_converges(infra: Infra) -> None:
    """v2 of an envelope stream is acknowledged and lost: reporting sees v3, parks it as a gap, asks financement,
    whose relay republishes the stream from v2; the gap fills by itself."""
    async with pair(infra) as system:
        relay = system.fin_app.state.runtime.relay
        relay.publish = dropping(
            relay.publish, lambda e: e["stream_id"].startswith("enveloppe-") and e["stream_version"] == 2
        )
        territoire = f"ti-{uuid.uuid4().hex[:6]}"
        await system.territory(territoire)
        started = time.monotonic()
        assert (await grant(system, territoire, "a1")).status_code == 201
        took = await system.converged()
        gaps = [p for p in await parked_rows(system.rep_settings.database_url) if p["kind"] == "gap"]
        assert gaps and all(p["resolution"] == "applied" for p in gaps), gaps
        figures = (await system.reporting.get(f"/figures/territoires/{territoire}")).json()
        assert figures["nb_aides"] == 1
    print(f"\ngap repaired: converged {took:.2f} s after the check started ({time.monotonic() - started:.2f} s in all)")


async def test_forged_and_out_of_place_messages_are_never_applied(infra: Infra) -> None:
    """Unsigned, signed by a stranger, or a far-future version with a zero hash: parked as forged, never applied;
    the producer's real events go on. A signed event whose previous_hash is not the last one's blocks its stream."""
    async with pair(infra) as system:
        territoire = f"ti-{uuid.uuid4().hex[:6]}"
        stream = f"enveloppe-{territoire}"
        stranger = Signer.generate()
        fake = LaureatEnregistre(
            territoire_id=territoire, nom_territoire="Faux", region_code="11", date_decision=date(2023, 7, 1)
        )
        unsigned = envelope_of(stream, 1, fake, None)
        forged = unsigned.model_copy(update={"signature": stranger.sign(unsigned.hash)})
        far = envelope_of(stream, 999, fake, "0" * 64)
        far = far.model_copy(update={"signature": stranger.sign(far.hash)})
        await publish_raw(system.rep_settings, topics.FINANCEMENT, unsigned, forged, far)
        await system.territory(territoire)  # the real history: laureate, project, attribution
        await system.converged()
        kinds = sorted(p["kind"] for p in await parked_rows(system.rep_settings.database_url))
        assert kinds == ["forged", "forged", "forged"]
        figures = (await system.reporting.get(f"/figures/territoires/{territoire}")).json()
        assert figures["enveloppe_centimes"] == 500_000_000 and figures["region"]["code"] == "32"

        head = await system.fin_app.state.runtime.store.read(stream)
        broken = envelope_of(stream, len(head) + 1, fake, "f" * 64)  # an insider with the key, not the chain
        broken = broken.model_copy(update={"signature": TEST_SIGNERS["financement"].sign(broken.hash)})
        await publish_raw(system.rep_settings, topics.FINANCEMENT, broken)
        health = await eventually(lambda: _blocked(system.reporting, stream), what="the broken chain to block")
        assert health["parked_by_kind"]["broken_chain"] == 1


async def _blocked(client: httpx.AsyncClient, stream: str) -> dict[str, Any] | None:
    health = (await client.get("/health")).json()
    return health if stream in health["blocked_streams"] else None


def envelope_of(stream_id: str, version: int, event: Any, previous_hash: str | None) -> EventEnvelope:
    return seal(
        {
            "event_id": str(uuid.uuid4()),
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "stream_id": stream_id,
            "stream_version": version,
            "occurred_at": AT.isoformat(),
            "recorded_at": AT.isoformat(),
            "correlation_id": "forgery",
            "causation_id": None,
            "actor": {"id": "financement", "role": "SYSTEME", "scope": None},
            "producer": "financement",
            "previous_hash": previous_hash,
            "data": event.model_dump(mode="json"),
        }
    )


async def publish_raw(settings: Settings, topic: str, *envelopes: EventEnvelope) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(settings.topic(topic), envelope.to_json(), key=envelope.stream_id.encode())
    finally:
        await producer.stop()


async def test_operators_list_inspect_release_and_skip_and_every_action_is_recorded(infra: Infra) -> None:
    """An event of a type reporting does not know blocks its stream; an operator sees it, tries a release (still
    unreadable: refused, recorded), skips it with a reason (recorded), and the stream goes on by itself."""
    async with pair(infra) as system:
        territoire = f"ti-{uuid.uuid4().hex[:6]}"
        await system.territory(territoire)
        await system.converged()
        stream = f"enveloppe-{territoire}"
        head = await system.fin_app.state.runtime.store.read(stream)
        n = len(head)
        future = chained(head[-1].envelope, "EvenementFutur", {"x": 1})  # written by a newer financement
        after = chained(future, head[0].envelope.event_type, head[0].envelope.data)  # a known type, behind it
        await publish_raw(system.rep_settings, topics.FINANCEMENT, future, after)
        await eventually(lambda: _blocked(system.reporting, stream), what="the unknown type to block its stream")

        ops, client = operator(), system.reporting
        anonymous = client.build_request("GET", "/ops/parked")
        del anonymous.headers["Authorization"]  # the client reads the figures as the SGPI: this one has no token
        assert (await client.send(anonymous)).status_code == 401
        assert (await client.get("/ops/parked", headers=as_actor(Role.SGPI, "sgpi-1"))).status_code == 403
        listed = await eventually(lambda: _parked(client, stream, 2), what="both messages parked")
        assert [(p["kind"], p["stream_version"], p["consumer"]) for p in listed] == [
            ("unreadable", n + 1, PROJECTION),
            ("waiting", n + 2, PROJECTION),
        ]
        shown = (await client.get(f"/ops/parked/{listed[0]['id']}", headers=ops)).json()
        assert shown["envelope"]["event_type"] == "EvenementFutur"
        assert (await client.get("/ops/parked/999999", headers=ops)).status_code == 404
        mend = {"consumer": PROJECTION, "stream_id": stream, "note": "nouveau type, reporting pas encore à jour"}
        refused = await client.post("/ops/parked/release", headers=ops, json=mend)
        assert refused.status_code == 409 and "impossible" in refused.json()["detail"]
        mend["note"] = "sans effet sur les chiffres"
        skipped = await client.post("/ops/parked/skip", headers=ops, json=mend)
        assert skipped.status_code == 200, skipped.text
        assert (skipped.json()["position"], skipped.json()["applied"]) == (n + 2, 1)  # what waited went on
        assert await _at(system, stream, n + 2)
        actions = (await client.get("/ops/actions", headers=ops)).json()
        assert [(a["action"], a["outcome"].split(":")[0]) for a in actions] == [
            ("skip", f"v{n + 1} sautée; applied 1"),
            ("release", "refused"),
        ]
        assert all(a["actor"] == "exploitation" and a["note"] for a in actions)
        assert (await client.get("/ops/parked", headers=ops, params={"stream_id": stream})).json() == []


def chained(previous: EventEnvelope, event_type: str, data: dict[str, Any]) -> EventEnvelope:
    """The next event of `previous`'s stream, signed with its producer's key."""
    fields = previous.model_dump(mode="json") | {
        "event_id": str(uuid.uuid4()),
        "hash": "",
        "signature": None,
        "event_type": event_type,
        "data": data,
        "stream_version": previous.stream_version + 1,
        "previous_hash": previous.hash,
    }
    envelope = seal(fields)
    return envelope.model_copy(update={"signature": TEST_SIGNERS[previous.producer].sign(envelope.hash)})


async def _parked(client: httpx.AsyncClient, stream: str, count: int) -> list[dict[str, Any]] | None:
    listed = (await client.get("/ops/parked", headers=operator(), params={"stream_id": stream})).json()
    return listed if len(listed) == count else None


async def _at(system: Pair, stream: str, version: int) -> bool:
    applied = await consumed(system.rep_settings.database_url, PROJECTION, (stream,))
    return applied.get(stream) == version


async def test_the_broker_lost_and_restarted_empty_under_load_converges_by_itself(infra: Infra, tmp_path: Any) -> None:
    """A private embedded broker is killed while grants are recorded, and comes back empty: the services recreate
    the topics, republish their logs and read again from the start; nothing is lost or doubled."""
    broker = EmbeddedBroker().start(tmp_path / "broker.log")
    try:
        async with pair(infra, broker.bootstrap) as system:
            territories = [f"ti-{uuid.uuid4().hex[:6]}" for _ in range(3)]
            for territoire in territories:
                await system.territory(territoire)
            await system.converged()
            granted = 0

            async def load(count: int) -> None:
                nonlocal granted
                for i in range(count):
                    territoire = territories[i % len(territories)]
                    body = aide(f"a-{granted}")
                    answer = await system.financement.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=body)
                    assert answer.status_code == 201, answer.text
                    granted += 1

            await load(15)
            broker.process.kill()  # type: ignore[union-attr]
            broker.process.wait()  # type: ignore[union-attr]
            await load(10)  # the database is up: commands go on while the broker is away
            broker = EmbeddedBroker(port=broker.port).start(tmp_path / "broker-2.log")
            restarted = time.monotonic()
            await load(15)
            took = await system.converged(timeout=120)
            heads = await consumed(system.rep_settings.database_url, PROJECTION, ENVELOPES)
            assert sum(heads.values()) == 3 * 4 + granted  # laureate, project, instruction, attribution, then grants
            national = (await system.reporting.get("/figures/national")).json()
            assert national["nb_aides"] == granted
        after = time.monotonic() - restarted
        print(f"\nbroker lost: {granted} grants; converged {after:.1f} s after the restart ({took:.1f} s waited)")
    finally:
        broker.stop()


async def test_a_relay_obeys_a_checkpoint_set_back_and_a_rival_cannot_move_it(pool: asyncpg.Pool) -> None:
    from kernel.adapters.postgres import PostgresEventStore
    from tests.fixtures import context

    store = PostgresEventStore(pool, producer="tests", signer=TEST_SIGNERS["tests"])
    event = LaureatEnregistre(territoire_id="r", nom_territoire="R", region_code="32", date_decision=date(2023, 7, 1))
    for version in range(4):
        await store.append("enveloppe-r", [event], version, context())
    sent: list[bytes] = []

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> Awaitable[Any]:
        sent.append(body)
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        done.set_result(LostAck())
        return done

    first, rival = OutboxRelay(pool, publish, "t.cas"), OutboxRelay(pool, publish, "t.cas")
    assert await first.publish_batch() == 4 and await first.checkpoint() == 4
    async with pool.acquire() as conn:  # an operator sets the checkpoint back
        await conn.execute("UPDATE relay_checkpoints SET position = 1 WHERE relay = 't.cas'")
    assert await first.publish_batch() == 3 and await first.checkpoint() == 4  # obeyed at the next batch
    assert await rival._record(0, 2, []) is None and await first.checkpoint() == 4  # a stale rival: no effect
    assert len(sent) == 7


async def test_the_database_away_answers_503_with_retry_after_and_the_relay_takes_its_lease_again(infra: Infra) -> None:
    async with pair(infra) as system:
        territoire = f"ti-{uuid.uuid4().hex[:6]}"
        await system.territory(territoire)
        await system.converged()
        database = urlsplit(system.fin_settings.database_url).path.lstrip("/")
        admin = await asyncpg.connect(infra.database_url)
        try:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database)
            down = await system.financement.get(f"/enveloppes/{territoire}", headers=BPI)
            assert down.status_code == 503 and down.headers["retry-after"] == "5", down.text
            health = await system.financement.get("/health")
            assert health.status_code == 503 and health.json()["dependencies"]["database"].startswith("down")
            posted = await system.financement.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=aide("a1"))
            assert posted.status_code == 503
        finally:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            await admin.close()
        await eventually(lambda: _healthy(system.financement), what="financement to see its database again")
        assert (await grant(system, territoire, "a1")).status_code == 201
        await system.converged()  # the relay took its lease again and published the grant


async def _healthy(client: httpx.AsyncClient) -> bool:
    answer = await client.get("/health")
    return answer.status_code == 200 and answer.json()["relay_active"] is True


async def test_the_simulated_clock_survives_a_restart(infra: Infra) -> None:
    fin_settings, _, _ = await settings_pair(infra)
    start = datetime(2023, 1, 2, 10, tzinfo=UTC)
    async with running(financement_app(fin_settings, clock=SimulatedClock(start))) as client:
        moved = await client.put("/ops/clock", headers=operator(), json={"now": "2023-06-01T10:00:00+02:00"})
        assert moved.status_code == 200
        assert (await client.put("/ops/clock", json={"now": "2023-07-01T10:00:00+02:00"})).status_code == 401
    async with running(financement_app(fin_settings, clock=SimulatedClock(start))) as client:
        assert (await client.get("/health")).json()["now"] == "2023-06-01T08:00:00+00:00"


async def test_services_connect_as_a_role_that_cannot_change_or_delete_the_log(infra: Infra) -> None:
    """financement appends through `append_events` only; its role owns none of the kernel's tables, so it can neither
    edit, delete, truncate nor drop the log, nor disable the triggers that keep it append-only. The rebuild's reader
    reads the log and nothing else."""
    async with pair(infra) as system:
        await system.territory(f"ti-{uuid.uuid4().hex[:6]}")
        service = await asyncpg.connect(system.fin_settings.database_url)
        reader = await asyncpg.connect(system.rep_settings.source_databases["financement"])
        try:
            assert await service.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
            for statement in (
                "UPDATE events SET event_type = 'X'",
                "DELETE FROM events",
                "TRUNCATE events",
                "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete",
                "DROP TABLE events",
                "INSERT INTO events (stream_id, version, event_id, event_type, recorded_at, envelope)"
                " SELECT stream_id, version + 100, gen_random_uuid(), event_type, recorded_at, envelope FROM events",
                "UPDATE operator_actions SET note = ''",
                "CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql"
                " AS $$ BEGIN RETURN NEW; END $$",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await service.execute(statement)
            assert await reader.fetchval("SELECT count(*) FROM events") == await service.fetchval(
                "SELECT count(*) FROM events"
            )
            for statement in ("SELECT append_events('x', 0, '[]')", "SELECT count(*) FROM parked_messages"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await reader.execute(statement)
        finally:
            await service.close()
            await reader.close()
        assert (await system.financement.get("/health")).status_code == 200  # and it serves as before


async def test_a_rebuild_replays_the_producers_tables_compares_every_fact_and_never_swaps_to_fewer(
    infra: Infra,
) -> None:
    """The source of truth is each producer's events table: a rebuild from it (or from the topics) compares the sets
    of (stream, version) facts; an event nobody can read is counted, not fatal, and holds its stream back as it does
    live; once an operator skipped it live, the rebuild skips it too; a rebuild that lacks facts is never swapped."""
    from reporting.adapters.database_log import DatabaseLog
    from reporting.application.rebuild import rebuild
    from reporting.entrypoints.projection import projection_store

    async with pair(infra) as system:
        territoire = f"ti-{uuid.uuid4().hex[:6]}"
        await system.territory(territoire)
        for index in range(3):
            assert (await grant(system, territoire, f"a{index}")).status_code == 201
        await system.converged()
        ops, client = operator(), system.reporting

        started = time.monotonic()
        from_tables = (await client.post("/ops/rebuild", headers=ops)).json()
        took = time.monotonic() - started
        assert (from_tables["source"], from_tables["identical"], from_tables["differences"]) == ("database", True, [])
        facts = from_tables["facts"]
        # the dossier's 3 events, the envelope's 4 before the 3 grants, and the fund's reservation
        assert facts["live"] == facts["rebuilt"] == 3 + 4 + 3 + 1 and facts["only_live"] == facts["only_rebuilt"] == 0
        from_topics = (await client.post("/ops/rebuild", headers=ops, params={"source": "topics"})).json()
        assert (from_topics["source"], from_topics["identical"], from_topics["facts"]) == ("topics", True, facts)

        # a newer financement recorded an event type this reporting does not know: live, it blocks its stream
        stream = f"enveloppe-{territoire}"
        head = await system.fin_app.state.runtime.store.read(stream)
        owner = await asyncpg.connect(system.fin_settings.migration_url)
        try:
            await record(owner, chained(head[-1].envelope, "EvenementFutur", {"x": 1}))
        finally:
            await owner.close()
        await eventually(lambda: _blocked(system.reporting, stream), what="the unknown type to block its stream")
        blocked = (await client.post("/ops/rebuild", headers=ops)).json()
        assert (blocked["identical"], blocked["unreadable"], blocked["facts"]["only_live"]) == (True, 1, 0)

        mend = {"consumer": PROJECTION, "stream_id": stream, "note": "type inconnu, sans effet sur les chiffres"}
        assert (await client.post("/ops/parked/skip", headers=ops, json=mend)).status_code == 200
        assert await eventually(lambda: _at(system, stream, len(head) + 1), what="the skip to move the stream on")
        skipped = (await client.post("/ops/rebuild", headers=ops)).json()
        assert (skipped["identical"], skipped["skipped"], skipped["unreadable"]) == (True, 1, 0)

        runtime = system.rep_settings
        only_financement = DatabaseLog({"financement": runtime.source_databases["financement"]})
        store = projection_store(system.rep_app.state.runtime.pool, runtime.verifier())
        partial = await rebuild(store, only_financement, swap=True, catch_up_seconds=1.0)
        assert (partial["swapped"], partial["identical"]) == (False, False)
        assert partial["facts"]["only_live"] == 3 and "not caught up" in partial["swap_error"]
        assert partial["facts"]["streams_only_live"] == [
            {"stream_id": f"dossier-{territoire}", "from_version": 1, "to_version": 3}
        ]
        assert (await client.get("/figures/national")).json()["nb_aides"] == 3  # the live projection is untouched
    print(f"\nrebuild from the producers' tables: {from_tables['events_read']} events, {took:.2f} s")
