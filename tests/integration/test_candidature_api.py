"""The candidature service on real PostgreSQL and Kafka: deposit, refusals, idempotence, publication.

One app is started for the whole module (its startup is the slow part); each test uses its own
candidature ids. The simulated clock stands at 29/08/2023 (the day of press release [001], « la
prochaine relève se tiendra le 1er octobre 2023 »: wave 4); the test of the closed AMI moves it past
the final relève and therefore runs last."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from contracts import topics
from contracts.base import Role
from contracts.candidature.v1 import CandidatureDeposee, SectionDossier
from contracts.codec import decode_message
from kernel.clock import SimulatedClock
from kernel.kafka import ensure_topics
from kernel.runtime import Settings
from rebond_local.database import create_database
from rebond_local.infra import Infra
from tests.support import as_actor, running

from candidature.entrypoints.app import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PARIS = ZoneInfo("Europe/Paris")
CANDIDAT = as_actor(Role.EPCI_CANDIDAT, "epci-cambresis", scope="200068500")


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def stream(self, candidature_id: str) -> list[Any]:
        return await self.app.state.runtime.store.read(f"candidature-{candidature_id}")

    async def log_size(self) -> int:
        async with self.app.state.runtime.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM events"))


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    unique = uuid.uuid4().hex[:10]
    prefix = f"t{unique}."
    await ensure_topics(infra.kafka_bootstrap, [prefix + name for name in topics.ALL])
    settings = Settings(service="candidature", kafka_bootstrap=infra.kafka_bootstrap, topic_prefix=prefix,
                        database_url=await create_database(infra.database_url, f"t_{unique}_candidature"))
    app = create_app(settings, clock=SimulatedClock(datetime(2023, 8, 29, 10, tzinfo=PARIS)))
    async with running(app) as client:
        yield Service(app, client, settings)


def dossier(candidature_id: str, **changes: Any) -> dict[str, Any]:
    return {"candidature_id": candidature_id, "porteur": "GROUPEMENT_EPCI", "epci_sirens": ["200068500", "200040863"],
            "nom_territoire": "Cambrésis", "region_code": "32", "perimetre": "Territoire d'industrie",
            "filiere": "automobile", "sections": [s.value for s in SectionDossier], "nombre_pages": 18,
            "pages_synthese": 2, "grille_impacts_jointe": True, **changes}


def new_id() -> str:
    return f"cand-{uuid.uuid4().hex[:8]}"


async def published(settings: Settings, stream_id: str) -> list[Any]:
    """Every message of the candidature topic keyed by `stream_id`, read from the earliest offset."""
    consumer = AIOKafkaConsumer(settings.topic(topics.CANDIDATURE), bootstrap_servers=settings.kafka_bootstrap,
                                group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        found: list[Any] = []
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=500)
            found += [decode_message(m.value) for ms in batches.values() for m in ms if m.key == stream_id.encode()]
            if found:
                return found
        return found
    finally:
        await consumer.stop()


async def test_un_depot_valide_est_enregistre_une_fois_et_publie(service: Service) -> None:
    cid = new_id()
    response = await service.client.post("/candidatures", json=dossier(cid), headers=CANDIDAT)
    assert response.status_code == 201, response.text
    assert response.json() == {"candidature_id": cid, "vague": 4, "releve_le": "2023-10-01T12:00:00+02:00",
                               "stream_version": 1}
    [recorded] = await service.stream(cid)
    assert isinstance(recorded.event, CandidatureDeposee)
    assert recorded.event.vague == 4 and recorded.event.deposee_le == datetime(2023, 8, 29, 10, tzinfo=PARIS)
    assert recorded.envelope.actor.id == "epci-cambresis"
    [message] = await published(service.settings, f"candidature-{cid}")
    assert message.envelope.event_id == recorded.envelope.event_id and message.event == recorded.event


async def test_le_meme_depot_repete_n_ajoute_rien(service: Service) -> None:
    cid = new_id()
    first = await service.client.post("/candidatures", json=dossier(cid), headers=CANDIDAT)
    again = await service.client.post("/candidatures", json=dossier(cid), headers=CANDIDAT)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(await service.stream(cid)) == 1
    other = await service.client.post("/candidatures", json=dossier(cid, filiere="ferroviaire"), headers=CANDIDAT)
    assert other.status_code == 409 and other.json()["error"] == "deja_deposee"
    assert len(await service.stream(cid)) == 1


async def test_la_candidature_deposee_se_consulte(service: Service) -> None:
    cid = new_id()
    await service.client.post("/candidatures", json=dossier(cid), headers=CANDIDAT)
    body = (await service.client.get(f"/candidatures/{cid}")).json()
    assert body["statut"] == "DEPOSEE" and body["vague"] == 4 and body["stream_version"] == 1
    assert body["epci_sirens"] == ["200068500", "200040863"]
    assert (await service.client.get(f"/candidatures/{new_id()}")).status_code == 404


async def test_le_calendrier_des_vagues(service: Service) -> None:
    body = (await service.client.get("/vagues")).json()
    assert len(body["vagues"]) == 13 and body["vague_ouverte"] == 4
    assert body["vagues"][-1] == {"vague": 13, "releve_le": "2026-10-01T12:00:00+02:00"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"epci_sirens": ["200068500", "123456789"]}, "epci_sirens"),  # Luhn key wrong
    ({"filiere": None}, "filiere"),  # missing (removed below)
    ({"region_code": "99"}, "region_code"),
    ({"nombre_pages": 21}, "nombre_pages"),
    ({"deposee_le": "2022-01-01T10:00:00+02:00"}, "deposee_le"),  # business time is the service's, not ours
])
async def test_une_saisie_invalide_est_un_422_qui_nomme_le_champ(service: Service, changes: dict[str, Any],
                                                                  field: str) -> None:
    cid = new_id()
    body = {k: v for k, v in dossier(cid, **changes).items() if v is not None}
    before = await service.log_size()
    response = await service.client.post("/candidatures", json=body, headers=CANDIDAT)
    assert response.status_code == 422, response.text
    assert {err["loc"][1] for err in response.json()["detail"]} == {field}
    assert await service.stream(cid) == [] and await service.log_size() == before


async def test_un_dossier_incomplet_est_refuse_en_nommant_ce_qui_manque(service: Service) -> None:
    cid = new_id()
    sections = [s.value for s in SectionDossier if s is not SectionDossier.DEFICIT_INGENIERIE]
    response = await service.client.post("/candidatures", json=dossier(cid, sections=sections), headers=CANDIDAT)
    assert response.status_code == 409
    assert response.json()["error"] == "sections_manquantes" and "DEFICIT_INGENIERIE" in response.json()["detail"]
    assert await service.stream(cid) == []


async def test_seul_un_epci_candidat_depose(service: Service) -> None:
    cid = new_id()
    response = await service.client.post("/candidatures", json=dossier(cid), headers=as_actor(Role.SGPI))
    assert response.status_code == 403
    assert (await service.client.post("/candidatures", json=dossier(cid))).status_code == 401
    assert await service.stream(cid) == []


async def test_apres_la_releve_finale_l_ami_est_clos(service: Service) -> None:
    """Last in the module: the simulated clock only moves forward."""
    moved = await service.client.put("/ops/clock", json={"now": "2026-10-01T12:00:00+02:00"})
    assert moved.status_code == 200
    cid = new_id()
    before = await service.log_size()
    response = await service.client.post("/candidatures", json=dossier(cid), headers=CANDIDAT)
    assert response.status_code == 409 and response.json()["error"] == "ami_clos"
    assert await service.stream(cid) == [] and await service.log_size() == before
    assert (await service.client.get("/vagues")).json()["vague_ouverte"] is None
