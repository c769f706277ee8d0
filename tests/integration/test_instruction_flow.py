"""The instruction service on real PostgreSQL and Kafka: a deposit arrives over the candidature topic,
the Prime Minister decides, the laureate's COPIL qualifies a project; refusals append nothing.

One app is started for the whole module (its consumer-group join is the slow part); each test uses
its own candidature ids. Deposits are real CandidatureDeposee envelopes published to the candidature
topic, as the candidature service's relay would."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from contracts import topics
from contracts.base import Role
from contracts.candidature.v1 import CandidatureDeposee, Porteur, SectionDossier
from contracts.codec import decode_message
from contracts.envelope import Actor
from kernel.clock import SimulatedClock
from kernel.envelopes import envelop
from kernel.kafka import ensure_topics
from kernel.ports import CommandContext
from kernel.runtime import Settings
from rebond_local.database import create_database
from rebond_local.infra import Infra
from tests.support import as_actor, eventually, running

from instruction.entrypoints.app import create_app
from instruction.entrypoints.reactors import CANDIDATURES_RECUES

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PARIS = ZoneInfo("Europe/Paris")
SIRENS = ["200000016", "200000024"]
CABINET = as_actor(Role.PM_CABINET, "cabinet-pm")
LAUREAT = {"laureat": True, "date_decision": "2023-07-10", "date_notification": "2023-07-20",
           "enveloppe_cible_centimes": 500_000_000}
PROJET = {"projet_id": "projet-metalball", "siret": "73282932000017", "raison_sociale": "MetalBall",
          "intitule": "Ligne de billes céramiques", "date_copil": "2023-09-05",
          "assiette_estimee_centimes": 120_000_000, "forme_envisagee": "SUBVENTION", "emplois_prevus": 6}


def copil(territoire_id: str) -> dict[str, str]:
    return as_actor(Role.COPIL_MEMBRE, f"copil-{territoire_id}", scope=territoire_id)


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def types(self, candidature_id: str) -> list[str]:
        """Event types recorded in the dossier's stream, in order."""
        return [r.envelope.event_type for r in await self.app.state.runtime.store.read(f"dossier-{candidature_id}")]

    async def deposit(self, *messages: tuple[str, bytes]) -> None:
        """Publish (stream_id, envelope) pairs to the candidature topic, keyed by stream_id."""
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for stream_id, body in messages:
                await producer.send_and_wait(self.settings.topic(topics.CANDIDATURE), body, key=stream_id.encode())
        finally:
            await producer.stop()

    async def consumed_version(self, candidature_id: str) -> int | None:
        """The last version of the candidature's stream that instruction's consumer took in."""
        async with self.app.state.runtime.pool.acquire() as conn:
            return await conn.fetchval(  # type: ignore[no-any-return]
                "SELECT version FROM consumer_streams WHERE consumer = $1 AND stream_id = $2",
                CANDIDATURES_RECUES, f"candidature-{candidature_id}")

    async def received(self, candidature_id: str) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            response = await self.client.get(f"/dossiers/{candidature_id}")
            return response.json() if response.status_code == 200 else None

        return await eventually(probe, what=f"instruction to receive {candidature_id}")


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    unique = uuid.uuid4().hex[:10]
    prefix = f"t{unique}."
    await ensure_topics(infra.kafka_bootstrap, [prefix + name for name in topics.ALL])
    settings = Settings(service="instruction", kafka_bootstrap=infra.kafka_bootstrap, topic_prefix=prefix,
                        database_url=await create_database(infra.database_url, f"t_{unique}_instruction"))
    app = create_app(settings, clock=SimulatedClock(datetime(2023, 7, 10, 9, tzinfo=PARIS)))
    async with running(app) as client:
        yield Service(app, client, settings)


def deposee(candidature_id: str, version: int = 2) -> tuple[str, bytes]:
    """A CandidatureDeposee as the candidature service publishes it (version 1 being its initiation)."""
    event = CandidatureDeposee(
        candidature_id=candidature_id, vague=3, releve_le=datetime(2023, 6, 1, 12, tzinfo=PARIS),
        deposee_le=datetime(2023, 5, 30, 16, tzinfo=PARIS), porteur=Porteur.GROUPEMENT_EPCI, epci_sirens=SIRENS,
        nom_territoire="Cambrésis et Caudrésis-Catésis", region_code="32",
        perimetre="TI Cambraisis - Douaisis - Valenciennois", filiere="automobile et transports",
        sections=list(SectionDossier), nombre_pages=20, pages_synthese=2, grille_impacts_jointe=True)
    stream_id = f"candidature-{candidature_id}"
    context = CommandContext(actor=Actor(id="epci-cambresis", role=Role.EPCI_CANDIDAT, scope=candidature_id),
                             occurred_at=event.deposee_le, idempotency_key=f"test:{stream_id}:{version}")
    [recorded] = envelop("candidature", stream_id, [event], version - 1, None, context)
    return stream_id, recorded.envelope.to_json()


async def read_published(settings: Settings, stream_id: str, expected: int) -> list[str]:
    """Event types of `stream_id` that instruction's relay published to instruction.dossier.v1."""
    consumer = AIOKafkaConsumer(settings.topic(topics.INSTRUCTION), bootstrap_servers=settings.kafka_bootstrap,
                                group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen: list[str] = []
    try:
        async with asyncio.timeout(30):
            while len(seen) < expected:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    mine = [r for r in records if r.key == stream_id.encode()]
                    seen += [decode_message(r.value).envelope.event_type for r in mine]
    finally:
        await consumer.stop()
    return seen


async def test_une_candidature_deposee_devient_laureate_et_qualifie_un_projet(service: Service) -> None:
    cid = f"cambrai-{uuid.uuid4().hex[:6]}"
    message = deposee(cid)
    await service.deposit(message)
    dossier = await service.received(cid)
    assert (dossier["phase"], dossier["candidature"]["epci_sirens"], dossier["version"]) == ("RECUE", SIRENS, 1)

    # the same message redelivered, then a later deposit event of the same candidature: still one reception
    await service.deposit(message, deposee(cid, version=3))
    await eventually(lambda: _equals(service.consumed_version(cid), 3), what="the consumer to take version 3")
    assert await service.types(cid) == ["CandidatureRecue"]

    decided = await service.client.post(f"/dossiers/{cid}/decision", headers=CABINET, json=LAUREAT)
    assert decided.status_code == 201, decided.text
    assert [e["event_type"] for e in decided.json()["appended"]] == ["TerritoireLaureat"]
    expected_decision = {"territoire_id": cid, "enveloppe_cible_centimes": 500_000_000,
                         "date_notification": "2023-07-20", "epci_sirens": SIRENS}
    assert decided.json()["decision"].items() >= expected_decision.items()
    again = await service.client.post(f"/dossiers/{cid}/decision", headers=CABINET, json=LAUREAT)
    assert (again.status_code, again.json()["appended"], again.json()["phase"]) == (200, [], "LAUREAT")

    qualified = await service.client.post(f"/territoires/{cid}/projets", headers=copil(cid), json=PROJET)
    assert qualified.status_code == 201, qualified.text
    assert qualified.json()["projets"]["projet-metalball"]["territoire_id"] == cid
    repeated = await service.client.post(f"/territoires/{cid}/projets", headers=copil(cid), json=PROJET)
    assert (repeated.status_code, repeated.json()["appended"]) == (200, [])
    other_terms = await service.client.post(f"/territoires/{cid}/projets", headers=copil(cid),
                                            json=PROJET | {"emplois_prevus": 7})
    assert (other_terms.status_code, other_terms.json()["error"]) == (409, "projet_deja_qualifie")

    expected = ["CandidatureRecue", "TerritoireLaureat", "ProjetQualifie"]
    assert await service.types(cid) == expected
    assert await read_published(service.settings, f"dossier-{cid}", 3) == expected


async def test_les_refus_et_les_entrees_invalides_n_ajoutent_rien(service: Service) -> None:
    laureat, ecarte = (f"{name}-{uuid.uuid4().hex[:6]}" for name in ("lorient", "arve"))
    await service.deposit(deposee(laureat), deposee(ecarte))
    await service.received(laureat)
    await service.received(ecarte)
    decided = await service.client.post(f"/dossiers/{laureat}/decision", headers=CABINET, json=LAUREAT)
    assert decided.status_code == 201, decided.text
    non_retenue = {"laureat": False, "date_decision": "2023-07-10", "date_notification": "2023-07-20",
                   "motif": "exposition aux mutations insuffisamment démontrée"}
    refused = await service.client.post(f"/dossiers/{ecarte}/decision", headers=CABINET, json=non_retenue)
    assert (refused.status_code, refused.json()["phase"]) == (201, "NON_RETENUE"), refused.text

    answer = await service.client.post(f"/territoires/{ecarte}/projets", headers=copil(ecarte), json=PROJET)
    assert (answer.status_code, answer.json()["error"]) == (409, "territoire_non_laureat")
    assert await service.types(ecarte) == ["CandidatureRecue", "CandidatureNonRetenue"]

    cases: list[tuple[str, str, dict[str, str], dict[str, Any], int, str]] = [
        ("bad SIRET", f"/territoires/{laureat}/projets", copil(laureat), PROJET | {"siret": "73282932000018"},
         422, "siret"),
        ("assiette < 400 k€", f"/territoires/{laureat}/projets", copil(laureat),
         PROJET | {"assiette_estimee_centimes": 39_999_999}, 422, "assiette_estimee_centimes"),
        ("COPIL before the decision", f"/territoires/{laureat}/projets", copil(laureat),
         PROJET | {"date_copil": "2023-07-09"}, 409, "copil_avant_decision"),
        ("another territory's COPIL", f"/territoires/{laureat}/projets", copil(ecarte), PROJET, 403, ""),
        ("wrong role", f"/territoires/{laureat}/projets", as_actor(Role.BPIFRANCE_CHARGE, "bpi-1", laureat),
         PROJET, 403, ""),
        ("nobody", f"/territoires/{laureat}/projets", {}, PROJET, 401, ""),
        ("CDC deciding", f"/dossiers/{laureat}/decision", as_actor(Role.INSTRUCTEUR_CDC), LAUREAT, 403, ""),
        ("notified before decided", f"/dossiers/{laureat}/decision", CABINET,
         LAUREAT | {"date_notification": "2023-07-09"}, 422, "date_notification"),
        ("not selected without motif", f"/dossiers/{ecarte}/decision", CABINET,
         {k: v for k, v in non_retenue.items() if k != "motif"}, 422, "motif"),
        ("changed decision", f"/dossiers/{laureat}/decision", CABINET, non_retenue, 409, "deja_decidee"),
    ]
    for label, path, headers, body, status, named in cases:
        response = await service.client.post(path, headers=headers, json=body)
        assert response.status_code == status, f"{label}: {response.status_code} {response.text}"
        assert named in response.text, f"{label}: {response.text}"
    assert await service.types(laureat) == ["CandidatureRecue", "TerritoireLaureat"]
    assert await service.types(ecarte) == ["CandidatureRecue", "CandidatureNonRetenue"]


async def test_on_ne_decide_pas_d_une_candidature_jamais_recue(service: Service) -> None:
    answer = await service.client.post("/dossiers/jamais-deposee/decision", headers=CABINET, json=LAUREAT)
    assert (answer.status_code, answer.json()["error"]) == (409, "candidature_inconnue")
    assert (await service.client.get("/dossiers/jamais-deposee")).status_code == 404
    assert await service.types("jamais-deposee") == []


async def _equals(value: Any, expected: Any) -> bool:
    return await value == expected
