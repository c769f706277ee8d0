"""The instruction service's selection chain on real PostgreSQL and Kafka: deposits, withdrawals and
relèves arrive over the candidature topic as the candidature service publishes them; every step of the
selection is an HTTP call by its entitled role, up to the Prime Minister's decision; wrong roles, wrong
phases and confidentiality are refused, and refusals append nothing.

One app is started for the whole module (its consumer-group join is the slow part); each test uses its
own candidature ids and its own wave (a relève is recorded once per wave stream)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from contracts import topics
from contracts.base import DomainEvent, Role
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree, Porteur, SectionDossier, VagueRelevee
from contracts.codec import decode_message
from contracts.instruction.v1 import CritereSelection, RegleEligibilite
from instruction.app import create_app
from kernel.adapters.settings import Settings
from kernel.clock import SimulatedClock
from rebond_local.infra import Infra
from tests.support import ProducerLog, access_reads, as_actor, eventually, isolated_settings, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PARIS = ZoneInfo("Europe/Paris")
SIRENS = ["200000016", "200000024"]
CDC, DTI = as_actor(Role.INSTRUCTEUR_CDC, "cdc-1"), as_actor(Role.DTI_ANCT, "dti-1")
COMITE, SGPI, CABINET = (
    as_actor(Role.COMITE_MINISTERIEL, "comite"),
    as_actor(Role.SGPI, "sgpi"),
    as_actor(Role.PM_CABINET, "cabinet-pm"),
)
EPCI, AUTRE_EPCI = (
    as_actor(Role.EPCI_CANDIDAT, "epci-caudresis", SIRENS[1]),
    as_actor(Role.EPCI_CANDIDAT, "x", "200000032"),
)
EXPERT = as_actor(Role.EXPERT_EXTERNE, "dire-1")
RECEVABLE = {"appreciations": [{"regle": r, "satisfaite": True, "commentaire": "conforme"} for r in RegleEligibilite]}
DESIGNATION = {
    "expert_id": "dire-1",
    "domaine": "DIRE",
    "acces_jusqu_au": "2023-06-30",
    "confidentialite_acceptee_le": "2023-06-05",
}
CONCLUSIONS = {
    "proposition": "PROPOSEE",
    "recommandations": "Soutenir le rebond",
    "propositions_soutien": ["Mission d'ingénierie de 4 mois"],
    "montant_enveloppe_propose_centimes": 500_000_000,
}
LAUREAT = {
    "laureat": True,
    "date_decision": "2023-06-05",
    "date_notification": "2023-06-05",
    "enveloppe_cible_centimes": 500_000_000,
}
AVIS = {"favorable": True, "avis": "Favorable"}


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    candidatures: ProducerLog = field(default_factory=lambda: ProducerLog("candidature"))  # as its relay publishes

    async def types(self, candidature_id: str) -> list[str]:
        """Event types recorded in the dossier's stream, in order (consultations left out)."""
        records = await self.app.state.runtime.store.read(f"dossier-{candidature_id}")
        return [r.envelope.event_type for r in records if r.envelope.event_type != "DossierConsulte"]

    async def publish(self, *events: tuple[str, int, DomainEvent]) -> None:
        """Publish (stream_id, version, event) to the candidature topic, as the candidature service's relay."""
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for stream_id, version, event in events:
                at = datetime(2023, 6, 1, 12, tzinfo=PARIS)
                for envelope in self.candidatures.envelopes(stream_id, version, event, at):
                    await producer.send_and_wait(
                        self.settings.topic(topics.CANDIDATURE), envelope.to_json(), key=stream_id.encode()
                    )
        finally:
            await producer.stop()

    async def until_types(self, candidature_id: str, *expected: str) -> None:
        async def probe() -> bool:
            return await self.types(candidature_id) == list(expected)

        await eventually(probe, what=f"{candidature_id} to record {expected}")

    async def post(
        self, path: str, headers: dict[str, str], body: dict[str, Any] | None = None, status: int = 201
    ) -> dict[str, Any]:
        response = await self.client.post(path, headers=headers, json=body)
        assert response.status_code == status, f"POST {path}: {response.status_code} {response.text}"
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    settings = await isolated_settings(infra, "instruction")
    app = create_app(settings, clock=SimulatedClock(datetime(2023, 6, 5, 9, tzinfo=PARIS)))
    async with running(app) as client:
        yield Service(app, client, settings)


def deposee(candidature_id: str, vague: int) -> tuple[str, int, CandidatureDeposee]:
    """A CandidatureDeposee as the candidature service publishes it (version 1 being its initiation)."""
    event = CandidatureDeposee(
        candidature_id=candidature_id,
        vague=vague,
        releve_le=datetime(2023, 6, 1, 12, tzinfo=PARIS),
        deposee_le=datetime(2023, 5, 30, 16, tzinfo=PARIS),
        porteur=Porteur.GROUPEMENT_EPCI,
        epci_sirens=SIRENS,
        nom_territoire="Cambrésis et Caudrésis-Catésis",
        region_code="32",
        perimetre="TI Cambraisis - Douaisis - Valenciennois",
        filiere="automobile et transports",
        sections=list(SectionDossier),
        nombre_pages=20,
        pages_synthese=2,
        grille_impacts=None,
    )
    return f"candidature-{candidature_id}", 2, event


def releve(vague: int, *candidatures: str) -> tuple[str, int, VagueRelevee]:
    event = VagueRelevee(vague=vague, releve_le=datetime(2023, 6, 1, 12, tzinfo=PARIS), candidatures=list(candidatures))
    return f"vague-{vague}", 1, event


async def deposer_puis_relever(service: Service, cid: str, vague: int) -> None:
    """The deposit, then the relève (published apart: their streams' partitions are not ordered together)."""
    await service.publish(deposee(cid, vague))
    await service.until_types(cid, "CandidatureRecue")
    await service.publish(releve(vague, cid))
    await service.until_types(cid, "CandidatureRecue", "DossierReleve")


async def instruire(service: Service, cid: str) -> None:
    """From RELEVEE to the CDC's conclusions: eligibility, opening, a complement asked and given, an expert and
    its opinion, the 7 criteria."""
    base = f"/dossiers/{cid}"
    await service.post(f"{base}/recevabilite", DTI, RECEVABLE)
    await service.post(f"{base}/instruction", CDC)
    await service.post(
        f"{base}/complements",
        CDC,
        {"demande_id": "c-1", "objet": "Carte du bassin d'emplois", "date_limite": "2023-06-20"},
    )
    await service.post(f"{base}/complements/c-1/reponse", EPCI, {"reponse": "Carte jointe", "pieces": ["carte.pdf"]})
    await service.post(f"{base}/experts", CDC, DESIGNATION)
    await service.post(f"{base}/avis-expert", EXPERT, {"avis": "Fragilité économique avérée"})
    for critere in CritereSelection:
        response = await service.client.put(
            f"{base}/criteres/{critere}", headers=CDC, json={"appreciation": "solide", "note": 15}
        )
        assert response.status_code == 201, response.text
    await service.post(f"{base}/conclusions", CDC, CONCLUSIONS)


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
                    mine = [r for r in records if r.key == stream_id.encode()]
                    seen += [decode_message(r.value).envelope.event_type for r in mine]
    finally:
        await consumer.stop()
    return seen


CHAIN = [
    "CandidatureRecue",
    "DossierReleve",
    "CandidatureJugeeRecevable",
    "InstructionOuverte",
    "ComplementsDemandes",
    "ComplementsFournis",
    "ExpertDesigne",
    "AvisExpertRecu",
    *["CritereEvalue"] * 7,
    "ConclusionsInstructionTransmises",
    "AvisComiteRendu",
    "AvisSGPIRendu",
    "TerritoireLaureat",
]


async def test_une_candidature_deposee_et_relevee_va_jusqu_a_la_decision_du_premier_ministre(service: Service) -> None:
    cid = f"cambrai-{uuid.uuid4().hex[:6]}"
    await deposer_puis_relever(service, cid, 3)
    await service.publish(releve(3, cid))  # redelivered: nothing more
    await instruire(service, cid)
    cooperation = {"cooperations_suggerees": ["valenciennes"], "commentaire_cooperations": "Foncier partagé"}
    await service.post(f"/dossiers/{cid}/avis-comite", COMITE, AVIS | cooperation)
    await service.post(f"/dossiers/{cid}/avis-sgpi", SGPI, AVIS)
    decided = await service.post(f"/dossiers/{cid}/decision", CABINET, LAUREAT)
    assert [e["event_type"] for e in decided["appended"]] == ["TerritoireLaureat"]
    assert (
        decided["decision"].items()
        >= {
            "territoire_id": cid,
            "date_decision": "2023-06-05",
            "date_notification": "2023-06-05",
            "epci_sirens": SIRENS,
        }.items()
    )
    again = await service.post(f"/dossiers/{cid}/decision", CABINET, LAUREAT, status=200)
    assert (again["appended"], again["phase"]) == ([], "LAUREAT")
    assert await service.types(cid) == CHAIN
    assert await read_published(service.settings, f"dossier-{cid}", len(CHAIN)) == CHAIN


async def test_releve_avant_depot_retrait_et_releve_d_une_candidature_jamais_deposee(service: Service) -> None:
    tardif, retire, fantome = (f"{n}-{uuid.uuid4().hex[:6]}" for n in ("lorient", "arve", "fantome"))
    await service.publish(releve(4, tardif, fantome))  # the relève overtakes the deposit (other stream)
    await service.until_types(tardif, "DossierReleve")
    await service.publish(deposee(tardif, 4), deposee(retire, 4))
    await service.until_types(tardif, "DossierReleve", "CandidatureRecue")
    retiree = CandidatureRetiree(
        candidature_id=retire,
        vague=4,
        retiree_le=datetime(2023, 5, 31, 9, tzinfo=PARIS),
        motif="rejoint une candidature groupée",
    )
    await service.publish((f"candidature-{retire}", 3, retiree))
    await service.until_types(retire, "CandidatureRecue", "DossierClos")

    dossiers = {d["candidature_id"]: d for d in (await service.client.get("/dossiers?vague=4", headers=DTI)).json()}
    assert {k: dossiers[k]["phase"] for k in (tardif, retire, fantome)} == {
        tardif: "RELEVEE",
        retire: "CLOS",
        fantome: "RELEVEE_SANS_DEPOT",
    }
    await service.post(f"/dossiers/{tardif}/recevabilite", CDC, RECEVABLE)
    refused = await service.client.post(f"/dossiers/{fantome}/recevabilite", headers=CDC, json=RECEVABLE)
    assert (refused.status_code, refused.json()["error"]) == (409, "candidature_inconnue")
    closed = await service.client.post(f"/dossiers/{retire}/recevabilite", headers=CDC, json=RECEVABLE)
    assert (closed.status_code, closed.json()["error"]) == (409, "etat_incompatible")
    listed = (await service.client.get("/dossiers?vague=4&etat=RECEVABLE", headers=SGPI)).json()
    assert [d["candidature_id"] for d in listed] == [tardif]


async def test_chaque_etape_est_reservee_a_son_role_et_a_ses_phases(service: Service) -> None:
    cid = f"perigord-{uuid.uuid4().hex[:6]}"
    await deposer_puis_relever(service, cid, 5)
    base = f"/dossiers/{cid}"
    wrong_roles = [
        ("recevabilite", EPCI, RECEVABLE),
        ("recevabilite", COMITE, RECEVABLE),
        ("instruction", SGPI, None),
        ("experts", EXPERT, DESIGNATION),
        ("conclusions", DTI, CONCLUSIONS),
        ("avis-comite", CDC, AVIS),
        ("avis-sgpi", COMITE, AVIS),
        ("decision", SGPI, LAUREAT),
        ("avis-expert", CDC, {"avis": "x"}),
    ]
    for step, headers, body in wrong_roles:
        await service.post(f"{base}/{step}", headers, body, status=403)
    await service.post(f"{base}/recevabilite", {}, RECEVABLE, status=401)

    early = await service.client.post(f"{base}/decision", headers=CABINET, json=LAUREAT)
    assert (early.status_code, early.json()["error"]) == (409, "avis_sgpi_requis")
    for step, headers, body in [
        ("instruction", CDC, None),
        ("avis-comite", COMITE, AVIS),
        ("avis-sgpi", SGPI, AVIS),
        ("conclusions", CDC, CONCLUSIONS),
    ]:
        refused = await service.client.post(f"{base}/{step}", headers=headers, json=body)
        assert (refused.status_code, refused.json()["error"]) == (409, "etat_incompatible"), refused.text
        assert "RELEVEE" in refused.json()["detail"]
        assert refused.json()["phase"] == "RELEVEE" and refused.json()["phases_attendues"]  # structured, for clients
    bad = await service.client.post(
        f"{base}/recevabilite", headers=CDC, json={"appreciations": RECEVABLE["appreciations"][:2]}
    )
    assert bad.status_code == 422 and "appreciations" in bad.text
    assert await service.types(cid) == ["CandidatureRecue", "DossierReleve"]

    await service.post(f"{base}/recevabilite", CDC, RECEVABLE)
    await service.post(f"{base}/instruction", DTI)
    unsigned = await service.client.post(
        f"{base}/experts",
        headers=CDC,
        json={k: v for k, v in DESIGNATION.items() if k != "confidentialite_acceptee_le"},
    )
    assert (unsigned.status_code, unsigned.json()["error"]) == (409, "confidentialite_non_acceptee")
    await service.post(f"{base}/avis-expert", EXPERT, {"avis": "non désigné"}, status=403)
    await service.post(
        f"{base}/complements", CDC, {"demande_id": "c-1", "objet": "Périmètre", "date_limite": "2023-06-20"}
    )
    await service.post(f"{base}/complements/c-1/reponse", AUTRE_EPCI, {"reponse": "pas le mien"}, status=403)
    incomplete = await service.client.post(f"{base}/conclusions", headers=CDC, json=CONCLUSIONS)
    assert (incomplete.status_code, incomplete.json()["error"]) == (409, "criteres_manquants")
    assert await service.types(cid) == [
        "CandidatureRecue",
        "DossierReleve",
        "CandidatureJugeeRecevable",
        "InstructionOuverte",
        "ComplementsDemandes",
    ]


async def test_le_dossier_est_confidentiel_et_chaque_lecture_est_consignee(service: Service) -> None:
    cid = f"valenciennes-{uuid.uuid4().hex[:6]}"
    await deposer_puis_relever(service, cid, 6)
    await instruire(service, cid)
    path = f"/dossiers/{cid}"
    assert (await service.client.get(path)).status_code == 401
    assert (await service.client.get(path, headers=as_actor(Role.COPIL_MEMBRE, "copil", cid))).status_code == 403
    for headers in (AUTRE_EPCI, as_actor(Role.EXPERT_EXTERNE, "autre")):  # not theirs: as if it did not exist
        assert (await service.client.get(path, headers=headers)).status_code == 404
    assert (await service.client.get("/dossiers", headers=EPCI)).status_code == 403

    complete = (await service.client.get(path, headers=COMITE)).json()
    assert (complete["vue"], complete["phase"], complete["experts"]["dire-1"]["avis"]["avis"]) == (
        "COMPLETE",
        "PROPOSEE",
        "Fragilité économique avérée",
    )
    territoire = (await service.client.get(path, headers=EPCI)).json()
    assert (territoire["vue"], territoire["statut"]) == ("TERRITOIRE", "EN_SELECTION")
    assert "Fragilité" not in str(territoire) and "PROPOSEE" not in str(territoire)
    expert = (await service.client.get(path, headers=EXPERT)).json()
    assert (expert["vue"], expert["avis"]["avis"], "criteres" in expert) == (
        "EXPERT",
        "Fragilité économique avérée",
        False,
    )
    reads = await access_reads(service.settings.database_url, f"dossier-{cid}")
    assert [(role, vue) for _, role, vue in reads] == [
        ("COMITE_MINISTERIEL", "COMPLETE"),
        ("EPCI_CANDIDAT", "TERRITOIRE"),
        ("EXPERT_EXTERNE", "EXPERT"),
    ]
    stream = await service.app.state.runtime.store.read(f"dossier-{cid}")
    assert "DossierConsulte" not in {r.envelope.event_type for r in stream}  # reads do not go to the dossier


async def test_a_dossier_not_the_callers_answers_as_if_it_did_not_exist(service: Service) -> None:
    """Another EPCI, or an expert not designated on it, gets the very 404 of a dossier that does not exist: a
    refusal never tells whether the thing exists. Its own territory reads it (and the read is recorded)."""
    cid = f"oracle-{uuid.uuid4().hex[:6]}"
    await service.publish(deposee(cid, 3))
    await service.until_types(cid, "CandidatureRecue")
    missing = await service.client.get("/dossiers/nulle-part", headers=AUTRE_EPCI)
    for headers in (AUTRE_EPCI, as_actor(Role.EXPERT_EXTERNE, "inconnu")):
        hidden = await service.client.get(f"/dossiers/{cid}", headers=headers)
        assert (hidden.status_code, missing.status_code) == (404, 404)
        assert hidden.json()["detail"].replace(cid, "X") == missing.json()["detail"].replace("nulle-part", "X")
    own = await service.client.get(f"/dossiers/{cid}", headers=EPCI)
    assert own.status_code == 200 and own.headers["cache-control"] == "no-store"
