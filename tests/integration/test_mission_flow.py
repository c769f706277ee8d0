"""A laureate's mission on real PostgreSQL and Kafka: the laureate decision published on the service's own
topic opens it; the CDC, the consultant and the COPIL take it through convention, engineering, COPIL
meetings, qualified projects, feuille de route, restitution and close; refusals append nothing.

One app for the module (its consumer-group join is the slow part); each test has its own territories.
TerritoireLaureat messages are real envelopes published to instruction.dossier.v1, as the relay would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from contracts import topics
from contracts.base import Role
from contracts.codec import decode_message
from contracts.instruction.v1 import TerritoireLaureat
from instruction.app import create_app
from kernel.adapters.settings import Settings
from kernel.clock import SimulatedClock
from rebond_local.infra import Infra
from tests.fixtures import COPIL_A_MINIMA
from tests.support import ProducerLog, as_actor, eventually, isolated_settings, operator, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PARIS = ZoneInfo("Europe/Paris")
CDC = as_actor(Role.INSTRUCTEUR_CDC, "cdc-1")
DTI = as_actor(Role.DTI_ANCT, "dti-1")
SIGNATAIRES = ["Caisse des Dépôts (Banque des Territoires)", "CA de Cambrai", "CA du Caudrésis-Catésis"]
CONVENTION = {"date_signature": "2023-04-03", "signataires": SIGNATAIRES}
LANCEMENT = {
    "date_lancement": "2023-05-02",
    "prestataire": "Cabinet Territoires",
    "jours_hommes": 60,
    "fin_prevue": "2023-09-01",
}  # launched in May: no whole month to watch yet on 15/06
COPIL_MAI = {
    "copil_id": "copil-2023-05",
    "date": "2023-05-10",
    "ordre_du_jour": "Recensement des projets",
    "participants": COPIL_A_MINIMA,
}
PROJET = {
    "projet_id": "projet-metalball",
    "siren": "732829320",
    "siret": "73282932000017",
    "raison_sociale": "MetalBall",
    "intitule": "Ligne de billes céramiques",
    "effectif": 45,
    "chiffre_affaires_centimes": 900_000_000,
    "total_bilan_centimes": 700_000_000,
    "secteur_naf": "25.94Z",
    "investissement_centimes": 150_000_000,
    "emplois_potentiels": 6,
    "horizon": 2025,
    "date": "2023-05-08",
}
QUALIFICATION = {
    "copil_id": "copil-2023-05",
    "assiette_estimee_centimes": 120_000_000,
    "forme_envisagee": "SUBVENTION",
    "emplois_prevus": 6,
}
AXES = {
    "axes": [
        {"intitule": "L'emploi et le développement des compétences", "description": "Commun aux deux CA"},
        {"intitule": "L'anticipation des évolutions de la filière agroalimentaire", "description": "Cambrésis"},
        {"intitule": "L'accélération de la transition numérique et de l'innovation", "description": "Caudrésis"},
    ]
}


BPI_HEADERS = as_actor(Role.BPIFRANCE_CHARGE, "bpi-1")


def copil(tid: str) -> dict[str, str]:
    return as_actor(Role.COPIL_MEMBRE, f"copil-{tid}", scope=tid)


def prestataire(tid: str) -> dict[str, str]:
    return as_actor(Role.PRESTATAIRE, f"cabinet-{tid}", scope=tid)


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def types(self, tid: str) -> list[str]:
        """Event types recorded in the mission's stream, in order."""
        return [r.envelope.event_type for r in await self.app.state.runtime.store.read(f"mission-{tid}")]

    async def publish(self, *messages: tuple[str, bytes]) -> None:
        """Publish (stream_id, envelope) pairs to the instruction topic, keyed by stream_id."""
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for stream_id, body in messages:
                await producer.send_and_wait(self.settings.topic(topics.INSTRUCTION), body, key=stream_id.encode())
        finally:
            await producer.stop()

    async def mission(self, tid: str) -> dict[str, Any]:
        """The mission, once the laureate decision has reached the reactor."""

        async def probe() -> dict[str, Any] | None:
            response = await self.client.get(f"/missions/{tid}", headers=CDC)
            return response.json() if response.status_code == 200 else None

        return await eventually(probe, what=f"the mission of {tid} to open")

    async def move_clock(self, moment: datetime) -> None:
        response = await self.client.put("/ops/clock", headers=operator(), json={"now": moment.isoformat()})
        assert response.status_code == 200, response.text


async def start_service(infra: Infra, now: datetime) -> AsyncIterator[Service]:
    settings = await isolated_settings(infra, "instruction")
    app = create_app(settings, clock=SimulatedClock(now))
    async with running(app) as client:
        yield Service(app, client, settings)


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    async for started in start_service(infra, datetime(2023, 6, 15, 10, tzinfo=PARIS)):
        yield started


def laureat(tid: str, notifie_le: date, version: int = 5) -> list[tuple[str, bytes]]:
    """A TerritoireLaureat as instruction's relay publishes it from the dossier stream, with the versions before it
    (the consumer applies a stream in order)."""
    event = TerritoireLaureat(
        territoire_id=tid,
        candidature_id=tid,
        vague=2,
        nom_territoire="Cambrésis et Caudrésis-Catésis",
        region_code="32",
        epci_sirens=["200000016", "200000024"],
        date_decision=notifie_le,
        date_notification=notifie_le,
        enveloppe_cible_centimes=500_000_000,
    )
    stream_id = f"dossier-{tid}"
    at = datetime.combine(notifie_le, datetime.min.time(), PARIS)
    return [(stream_id, envelope.to_json()) for envelope in DOSSIERS.envelopes(stream_id, version, event, at)]


DOSSIERS = ProducerLog("instruction")  # the dossier streams, as instruction's store records them


async def read_published(settings: Settings, stream_id: str, expected: int) -> list[str]:
    """Event types of `stream_id` that instruction's relay published to instruction.dossier.v1."""
    consumer = AIOKafkaConsumer(
        settings.topic(topics.INSTRUCTION),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[str] = []
    try:
        async with asyncio.timeout(30):
            while len(seen) < expected:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    seen += [
                        decode_message(r.value).envelope.event_type for r in records if r.key == stream_id.encode()
                    ]
    finally:
        await consumer.stop()
    return seen


async def post(
    service: Service, path: str, headers: dict[str, str], body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    response = await service.client.post(path, headers=headers, json=body)
    assert response.status_code == status, f"{path}: {response.status_code} {response.text}"
    return response.json()  # type: ignore[no-any-return]


async def test_un_laureat_publie_ouvre_sa_mission_qui_va_jusqu_a_la_cloture(service: Service) -> None:
    tid = f"cambrai-{uuid.uuid4().hex[:6]}"
    message = laureat(tid, date(2023, 3, 20))
    await service.publish(*message, *message)  # redelivered: one opening
    mission = await service.mission(tid)
    assert (mission["etat"], mission["ouverture"]["echeance_convention"]) == ("OUVERTE", "2023-09-20")

    signee = await post(service, f"/missions/{tid}/convention", CDC, CONVENTION)
    assert (signee["etat"], signee["convention"]["en_retard"]) == ("CONVENTIONNEE", False)
    assert (await post(service, f"/missions/{tid}/convention", CDC, CONVENTION, 200))["appended"] == []
    await post(service, f"/missions/{tid}/ingenierie", CDC, LANCEMENT)
    await post(service, f"/missions/{tid}/copils", prestataire(tid), COPIL_MAI)

    # the census, then the project is qualified at a COPIL that was held, with its members « a minima »
    interviewed = await post(
        service,
        f"/territoires/{tid}/entretiens",
        prestataire(tid),
        {
            "entretiens": [
                {"entretien_id": "e1", "siren": "732829320", "raison_sociale": "MetalBall", "date": "2023-05-08"}
            ]
        },
    )
    assert interviewed["nb_entretiens"] == 1
    census = await post(service, f"/territoires/{tid}/recensement", prestataire(tid), {"projets": [PROJET]})
    assert census["projets"] == [{"projet_id": "projet-metalball", "created": True, "etat": "RECENSE"}]
    projet = f"/territoires/{tid}/projets/projet-metalball"
    unheld = await post(service, f"{projet}/qualification", copil(tid), QUALIFICATION | {"copil_id": "x"}, 409)
    assert unheld["error"] == "copil_inconnu"
    qualified = await post(service, f"{projet}/qualification", copil(tid), QUALIFICATION)
    assert [e["event_type"] for e in qualified["appended"]] == ["ProjetQualifie"]
    assert qualified["qualification"]["date_copil"] == "2023-05-10"
    assert (await post(service, f"{projet}/qualification", copil(tid), QUALIFICATION, 200))["appended"] == []
    other = await post(service, f"{projet}/qualification", copil(tid), QUALIFICATION | {"emplois_prevus": 7}, 409)
    assert other["error"] == "projet_deja_qualifie"

    await post(service, f"/missions/{tid}/feuille-de-route", prestataire(tid), AXES)
    await post(service, f"/missions/{tid}/restitution", copil(tid), {"date": "2023-06-14"})
    closed = await post(service, f"/missions/{tid}/cloture", DTI, {"date": "2023-06-15", "motif": "Restituée"})
    assert (closed["etat"], len(closed["feuille_de_route"]["axes"])) == ("CLOTUREE", 3)

    expected = [
        "MissionOuverte",
        "ConventionSignee",
        "MissionIngenierieLancee",
        "ComitePilotageTenu",
        "FeuilleDeRouteRestituee",
        "MissionRestituee",
        "MissionCloturee",
    ]
    assert await service.types(tid) == expected
    assert await read_published(service.settings, f"mission-{tid}", len(expected)) == expected
    listed = (await service.client.get("/missions", params={"etat": "CLOTUREE"}, headers=DTI)).json()
    assert [m["territoire_id"] for m in listed if m["territoire_id"] == tid] == [tid]
    projet_types = [
        r.envelope.event_type for r in await service.app.state.runtime.store.read("projet-projet-metalball")
    ]
    assert projet_types == ["ProjetRecense", "ProjetQualifie"]
    assert await read_published(service.settings, "projet-projet-metalball", 2) == projet_types


async def test_les_refus_et_les_entrees_invalides_n_ajoutent_rien(service: Service) -> None:
    tid, other = (f"{name}-{uuid.uuid4().hex[:6]}" for name in ("lorient", "perigord"))
    await service.publish(*laureat(tid, date(2023, 5, 10)))
    await service.mission(tid)
    cases: list[tuple[str, str, dict[str, str], dict[str, Any], int, str]] = [
        ("COPIL before the launch", f"/missions/{tid}/copils", prestataire(tid), COPIL_MAI, 409, "mission_non_lancee"),
        (
            "census before the launch",
            f"/territoires/{tid}/recensement",
            prestataire(tid),
            {"projets": [PROJET | {"projet_id": f"p-{tid}"}]},
            409,
            "mission_non_lancee",
        ),
        ("launch before the convention", f"/missions/{tid}/ingenierie", CDC, LANCEMENT, 409, "convention_non_signee"),
        (
            "restitution before the launch",
            f"/missions/{tid}/restitution",
            copil(tid),
            {"date": "2023-06-01"},
            409,
            "mission_non_lancee",
        ),
        (
            "close before the restitution",
            f"/missions/{tid}/cloture",
            CDC,
            {"date": "2023-06-01", "motif": "x"},
            409,
            "mission_non_restituee",
        ),
        ("signed before notified", f"/missions/{tid}/convention", CDC, CONVENTION, 409, "signature_avant_notification"),
        ("unknown mission", f"/missions/{other}/convention", CDC, CONVENTION, 409, "mission_inconnue"),
        (
            "signed in the future",
            f"/missions/{tid}/convention",
            CDC,
            CONVENTION | {"date_signature": "2023-06-16"},
            422,
            "date_signature",
        ),
        (
            "one signatory",
            f"/missions/{tid}/convention",
            CDC,
            CONVENTION | {"signataires": ["CDC"]},
            422,
            "signataires",
        ),
        ("no axis", f"/missions/{tid}/feuille-de-route", prestataire(tid), {"axes": []}, 422, "axes"),
        (
            "assiette < 400 k€",
            f"/territoires/{tid}/projets/p-{tid}/qualification",
            copil(tid),
            QUALIFICATION | {"assiette_estimee_centimes": 39_999_999},
            422,
            "assiette_estimee_centimes",
        ),
        ("prestataire signing", f"/missions/{tid}/convention", prestataire(tid), CONVENTION, 403, ""),
        ("another territory's COPIL", f"/missions/{tid}/copils", copil(other), COPIL_MAI, 403, ""),
        ("COPIL member writing the feuille", f"/missions/{tid}/feuille-de-route", copil(tid), AXES, 403, ""),
        (
            "prestataire qualifying",
            f"/territoires/{tid}/projets/p-{tid}/qualification",
            prestataire(tid),
            QUALIFICATION,
            403,
            "",
        ),
        (
            "COPIL member recording the census",
            f"/territoires/{tid}/recensement",
            copil(tid),
            {"projets": [PROJET]},
            403,
            "",
        ),
        ("COPIL closing", f"/missions/{tid}/cloture", copil(tid), {"date": "2023-06-01", "motif": "x"}, 403, ""),
        ("nobody", f"/missions/{tid}/convention", {}, CONVENTION, 401, ""),
    ]
    for label, path, headers, body, status, named in cases:
        response = await service.client.post(path, headers=headers, json=body)
        assert response.status_code == status, f"{label}: {response.status_code} {response.text}"
        assert named in response.text, f"{label}: {response.text}"
    assert await service.types(tid) == ["MissionOuverte"]
    assert await service.types(other) == []
    assert await service.app.state.runtime.store.read(f"projet-p-{tid}") == []


async def test_qui_peut_lire_une_mission(service: Service) -> None:
    tid = f"arve-{uuid.uuid4().hex[:6]}"
    await service.publish(*laureat(tid, date(2023, 5, 10)))
    await service.mission(tid)
    readers = [CDC, DTI, as_actor(Role.SGPI), as_actor(Role.BPIFRANCE_CHARGE), copil(tid), prestataire(tid)]
    for headers in readers:
        assert (await service.client.get(f"/missions/{tid}", headers=headers)).status_code == 200
    refused = [
        ({}, 401),
        (copil("ailleurs"), 403),
        (as_actor(Role.EPCI_CANDIDAT, "epci", tid), 403),
        (as_actor(Role.PORTEUR_PROJET, "porteur", tid), 403),
    ]
    for headers, status in refused:
        assert (await service.client.get(f"/missions/{tid}", headers=headers)).status_code == status
    assert (await service.client.get("/missions/jamais-laureat", headers=CDC)).status_code == 404
    assert (await service.client.get("/missions", headers=copil(tid))).status_code == 403
    assert (await service.client.get("/missions")).status_code == 401
    ouvertes = (await service.client.get("/missions", params={"etat": "OUVERTE"}, headers=CDC)).json()
    assert tid in [m["territoire_id"] for m in ouvertes] and {m["etat"] for m in ouvertes} == {"OUVERTE"}
    assert (await service.client.get("/missions", params={"etat": "NIMPORTE"}, headers=CDC)).status_code == 422


async def test_un_projet_du_recensement_va_jusqu_a_l_instruction_de_bpifrance(service: Service) -> None:
    """Census, a COPIL short of a required member, qualification, the company's request, Bpifrance's instruction
    (unfavourable, naming the rule, then favourable with its ceiling), and who may read the project."""
    tid = f"lorient-{uuid.uuid4().hex[:6]}"
    await service.publish(*laureat(tid, date(2023, 3, 20)))
    await service.mission(tid)
    await post(service, f"/missions/{tid}/convention", CDC, CONVENTION)
    await post(service, f"/missions/{tid}/ingenierie", CDC, LANCEMENT)
    await post(service, f"/missions/{tid}/copils", prestataire(tid), COPIL_MAI)
    sans_business_france = [p for p in COPIL_A_MINIMA if p["membre"] != "BUSINESS_FRANCE"]
    incomplet = COPIL_MAI | {"copil_id": "copil-incomplet", "date": "2023-05-24", "participants": sans_business_france}
    await post(service, f"/missions/{tid}/copils", prestataire(tid), incomplet)

    pid = f"p-{tid}"
    bad = PROJET | {"projet_id": f"{pid}-x", "siret": "73282932000018"}
    refused = await service.client.post(
        f"/territoires/{tid}/recensement",
        headers=prestataire(tid),
        json={"projets": [PROJET | {"projet_id": pid}, bad]},
    )
    assert refused.status_code == 422 and "siret" in refused.text  # one bad line: nothing of the sheet recorded
    assert await service.app.state.runtime.store.read(f"projet-{pid}") == []
    sheet = {"projets": [PROJET | {"projet_id": pid}, PROJET | {"projet_id": f"{pid}-2", "date": "2023-05-09"}]}
    assert [
        r["created"]
        for r in (await post(service, f"/territoires/{tid}/recensement", prestataire(tid), sheet))["projets"]
    ] == [True, True]
    projet = f"/territoires/{tid}/projets/{pid}"
    short = await post(
        service, f"{projet}/qualification", copil(tid), QUALIFICATION | {"copil_id": "copil-incomplet"}, 409
    )
    assert (short["error"], short["membres_absents"]) == ("copil_incomplet", ["BUSINESS_FRANCE"])
    await post(service, f"{projet}/qualification", copil(tid), QUALIFICATION)

    porteur = as_actor(Role.PORTEUR_PROJET, "metalball", scope=pid)
    demande = {
        "demande_id": "d1",
        "forme": "SUBVENTION",
        "montant_demande_centimes": 40_000_000,
        "date_depot": "2023-05-25",
    }
    assert (
        await service.client.post(
            f"{projet}/demande-aide", headers=as_actor(Role.PORTEUR_PROJET, "x", "autre"), json=demande
        )
    ).status_code == 403
    unqualified = await post(service, f"/territoires/{tid}/projets/{pid}-2/demande-aide", BPI_HEADERS, demande, 409)
    assert unqualified["error"] == "projet_non_qualifie"
    await post(service, f"{projet}/demande-aide", porteur, demande)
    engaged = await post(
        service, f"{projet}/orientation", copil(tid), {"dispositif": "Fonds vert", "date": "2023-05-26"}, 409
    )
    assert engaged["error"] == "projet_engage"

    instruction = {
        "demande_id": "d1",
        "regime": "ENVIRONNEMENT",
        "zone_afr": False,
        "depenses": [{"categorie": "EQUIPEMENTS_MACHINES", "montant_centimes": 100_000_000}],
        "debut_depenses": "2023-06-01",
        "fin_depenses": "2025-05-31",
        "debut_travaux": "2023-06-01",
        "dnsh_atteste": False,
        "cofinancements": [{"financeur": "Région Bretagne", "montant_centimes": 10_000_000}],
        "date_instruction": "2023-06-10",
    }
    unfavourable = await post(service, f"{projet}/instruction", BPI_HEADERS, instruction, 409)
    assert (unfavourable["error"], unfavourable["regles"], unfavourable["recorded"]) == (
        "instruction_defavorable",
        ["dnsh_non_atteste"],
        True,
    )
    again = await post(service, f"{projet}/instruction", BPI_HEADERS, instruction, 409)
    assert again["recorded"] is False  # the same conclusion asked again: answered, not recorded twice
    await post(service, f"{projet}/demande-aide", porteur, demande | {"demande_id": "d2", "date_depot": "2023-05-30"})
    favourable = await post(
        service, f"{projet}/instruction", BPI_HEADERS, instruction | {"demande_id": "d2", "dnsh_atteste": True}
    )
    # a small company (45 persons, CA 9 M€) under the environment regime: 55 % of 1 M€, less 100 000 € from the Région
    assert (favourable["etat"], favourable["instruction"]["plafond_aide_centimes"]) == (
        "INSTRUIT_FAVORABLE",
        45_000_000,
    )
    assert favourable["recensement"]["taille"] == "PME" and favourable["recensement"]["categorie"] == "PETITE"

    for headers, status in [
        (porteur, 200),
        (copil(tid), 200),
        (BPI_HEADERS, 200),
        (copil("ailleurs"), 403),
        (as_actor(Role.PORTEUR_PROJET, "x", f"{pid}-2"), 403),
        ({}, 401),
    ]:
        assert (await service.client.get(projet, headers=headers)).status_code == status
    elsewhere = await service.client.get(f"/territoires/ailleurs/projets/{pid}", headers=BPI_HEADERS)
    missing = await service.client.get(f"/territoires/{tid}/projets/inexistant", headers=BPI_HEADERS)
    assert elsewhere.status_code == missing.status_code == 404
    types = [r.envelope.event_type for r in await service.app.state.runtime.store.read(f"projet-{pid}")]
    assert types == [
        "ProjetRecense",
        "ProjetQualifie",
        "DemandeAideDeposee",
        "AideInstructionDefavorable",
        "DemandeAideDeposee",
        "AideInstruite",
    ]
