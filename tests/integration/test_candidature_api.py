"""The candidature service on real PostgreSQL and Kafka: drafts, deposit and its refusals, the EPCI race,
confidentiality (each reader, each read recorded, experts designated over Kafka), the relève and the
early closure.

One app is started for the whole module (its startup is the slow part); each test uses its own candidature
ids and SIRENs. The simulated clock stands at 29/08/2023 (wave 4, relève 01/10/2023 at 12:00) and only moves
forward: the relève test moves it past 01/10/2023 12:00 and the closure test past later relèves, so they run
last, in this order."""

from __future__ import annotations

import asyncio
import itertools
import random
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
from stdnum import luhn

from candidature.adapters.index_depots import reconstruire
from candidature.app import create_app
from candidature.entrypoints import reactors
from contracts import topics
from contracts.base import Role
from contracts.candidature.v1 import ObjectifEnvironnemental, SectionDossier
from contracts.codec import decode_message
from contracts.envelope import Actor
from contracts.financement.v1 import SeuilConsommationAtteint
from contracts.instruction.v1 import DomaineExpertise, ExpertDesigne
from kernel.adapters.settings import Settings
from kernel.clock import SimulatedClock
from kernel.envelopes import envelop
from kernel.ports import CommandContext
from rebond_local.infra import Infra
from tests.fixtures import TEST_SIGNERS
from tests.support import access_reads, as_actor, eventually, isolated_settings, operator, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PARIS = ZoneInfo("Europe/Paris")
CDC, DTI = as_actor(Role.INSTRUCTEUR_CDC, "cdc-1"), as_actor(Role.DTI_ANCT, "dti-1")
_seeds = itertools.count(random.randrange(10_000_000, 90_000_000, 1000))


def siren() -> str:
    base = f"{next(_seeds):08d}"
    return base + luhn.calc_check_digit(base)


def epci(siren_: str) -> dict[str, str]:
    return as_actor(Role.EPCI_CANDIDAT, f"epci-{siren_}", scope=siren_)


def new_id() -> str:
    return f"cand-{uuid.uuid4().hex[:8]}"


def grille(**impacts: str) -> dict[str, Any]:
    return {
        "solution_reference": "sites maintenus sans reconversion",
        "methodologie": "bilan carbone",
        "hypotheses": "2 sites reconvertis",
        **{
            o.value: {"impact": impacts.get(o.value, "POSITIF"), "justification": "argumenté"}
            for o in ObjectifEnvironnemental
        },
    }


def dossier(sirens: list[str], **changes: Any) -> dict[str, Any]:
    return {
        "porteur": "GROUPEMENT_EPCI" if len(sirens) > 1 else "EPCI",
        "epci_sirens": sirens,
        "nom_territoire": "Cambrésis",
        "region_code": "32",
        "perimetre": f"TI {uuid.uuid4().hex[:6]}",
        "filiere": "automobile",
        "sections": [s.value for s in SectionDossier],
        "nombre_pages": 18,
        "pages_synthese": 2,
        "grille_impacts": grille(),
        **changes,
    }


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def types(self, stream_id: str) -> list[str]:
        return [r.envelope.event_type for r in await self.app.state.runtime.store.read(stream_id)]

    async def log_size(self) -> int:
        async with self.app.state.runtime.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM events"))

    async def brouillon(self, cid: str, sirens: list[str], adherents: bool = True, **changes: Any) -> httpx.Response:
        """A draft by the first EPCI; the others agree to be part of it (unless `adherents` is False)."""
        response = await self.client.post(
            "/candidatures", json={"candidature_id": cid, **dossier(sirens, **changes)}, headers=epci(sirens[0])
        )
        assert response.status_code == 201, response.text
        for other in sirens[1:] if adherents else ():
            agreed = await self.client.post(f"/candidatures/{cid}/adhesion", headers=epci(other))
            assert agreed.status_code == 201, agreed.text
        return response

    async def depose(self, cid: str, sirens: list[str], **changes: Any) -> httpx.Response:
        await self.brouillon(cid, sirens, **changes)
        return await self.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    settings = await isolated_settings(infra, "candidature")
    app = create_app(settings, clock=SimulatedClock(datetime(2023, 8, 29, 10, tzinfo=PARIS)))
    async with running(app) as client:
        yield Service(app, client, settings)


async def published(settings: Settings, stream_id: str, count: int) -> list[Any]:
    """The messages of the candidature topic keyed by `stream_id`, read from the earliest offset."""
    consumer = AIOKafkaConsumer(
        settings.topic(topics.CANDIDATURE),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=500)
            found += [decode_message(m.value) for ms in batches.values() for m in ms if m.key == stream_id.encode()]
            if len(found) >= count:
                break
    finally:
        await consumer.stop()
    return found


# --- drafts and deposit ---------------------------------------------------------------------------------------


async def test_brouillon_modification_puis_depot_enregistres_et_publies(service: Service) -> None:
    cid, sirens = new_id(), [siren(), siren()]
    draft = await service.client.post(
        "/candidatures",
        headers=epci(sirens[1]),
        json={"candidature_id": cid, "porteur": "GROUPEMENT_EPCI", "epci_sirens": sirens},
    )
    assert draft.status_code == 201 and draft.json()["statut"] == "BROUILLON"
    assert len(draft.json()["manquants"]) == 4 + 7 + 3  # fields, sections, pages ×2 and the grille
    saved = await service.client.put(f"/candidatures/{cid}/dossier", json=dossier(sirens), headers=epci(sirens[1]))
    assert saved.status_code == 200 and saved.json()["manquants"] == []
    agreed = await service.client.post(f"/candidatures/{cid}/adhesion", headers=epci(sirens[1]))
    assert agreed.status_code == 201  # the drafter is not the depositor: it agrees like any other EPCI named
    deposit = await service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))
    assert deposit.status_code == 201, deposit.text
    body = deposit.json()
    assert (body["statut"], body["vague"], body["releve_le"], body["warnings"]) == (
        "DEPOSEE",
        4,
        "2023-10-01T12:00:00+02:00",
        [],
    )
    again = await service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))
    assert again.status_code == 200 and again.json()["stream_version"] == 4
    stream = f"candidature-{cid}"
    assert await service.types(stream) == [
        "CandidatureInitiee",
        "DossierModifie",
        "AdhesionEpciDonnee",
        "CandidatureDeposee",
    ]
    messages = await published(service.settings, stream, 4)
    assert [(m.envelope.event_type, m.envelope.schema_version) for m in messages] == [
        ("CandidatureInitiee", 1),
        ("DossierModifie", 1),
        ("AdhesionEpciDonnee", 1),
        ("CandidatureDeposee", 2),
    ]
    assert messages[3].event.grille_impacts.pollution.impact.value == "POSITIF"


async def test_un_depot_incomplet_nomme_exactement_ce_qui_manque(service: Service) -> None:
    cid, sirens = new_id(), [siren()]
    partielle = {k: v for k, v in grille().items() if k != "biodiversite_ecosystemes"}
    await service.brouillon(
        cid,
        sirens,
        nombre_pages=24,
        pages_synthese=3,
        filiere=None,
        grille_impacts=partielle,
        sections=[s.value for s in SectionDossier if s is not SectionDossier.DEFICIT_INGENIERIE],
    )
    before = await service.log_size()
    response = await service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))
    assert response.status_code == 409 and response.json()["error"] == "dossier_incomplet"
    assert [m["element"] for m in response.json()["manquants"]] == [
        "filiere",
        "sections.DEFICIT_INGENIERIE",
        "nombre_pages",
        "pages_synthese",
        "grille_impacts.biodiversite_ecosystemes",
    ]
    assert await service.log_size() == before


async def test_un_prejudice_important_exclut_le_depot(service: Service) -> None:
    cid, sirens = new_id(), [siren()]
    response = await service.depose(cid, sirens, grille_impacts=grille(pollution="PREJUDICE_IMPORTANT"))
    assert response.status_code == 409 and response.json()["error"] == "dnsh_prejudice_important"
    assert "pollution" in response.json()["detail"]
    assert await service.types(f"candidature-{cid}") == ["CandidatureInitiee"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"epci_sirens": ["123456789"]}, "epci_sirens"),  # Luhn key wrong
        ({"porteur": None}, "porteur"),
        ({"region_code": "99"}, "region_code"),
        ({"nombre_pages": 0}, "nombre_pages"),
        ({"grille_impacts": {"pollution": {"impact": "TERRIBLE", "justification": "x"}}}, "grille_impacts"),
        ({"initiee_le": "2022-01-01T10:00:00+02:00"}, "initiee_le"),  # business time is the service's, not ours
    ],
)
async def test_une_saisie_invalide_est_un_422_qui_nomme_le_champ(
    service: Service, changes: dict[str, Any], field: str
) -> None:
    sirens = [siren()]
    body = {k: v for k, v in {"candidature_id": new_id(), **dossier(sirens), **changes}.items() if v is not None}
    before = await service.log_size()
    response = await service.client.post("/candidatures", json=body, headers=epci(sirens[0]))
    assert response.status_code == 422, response.text
    assert {err["loc"][1] for err in response.json()["detail"]} == {field}
    assert await service.log_size() == before


async def test_qui_peut_ouvrir_et_deposer(service: Service) -> None:
    cid, sirens, stranger = new_id(), [siren()], siren()
    body = {"candidature_id": cid, **dossier(sirens)}
    assert (await service.client.post("/candidatures", json=body)).status_code == 401
    assert (await service.client.post("/candidatures", json=body, headers=CDC)).status_code == 403
    outsider = await service.client.post("/candidatures", json=body, headers=epci(stranger))
    assert outsider.status_code == 403 and outsider.json()["error"] == "hors_perimetre"
    await service.brouillon(cid, sirens)
    for request in (
        service.client.post(f"/candidatures/{cid}/depot", headers=epci(stranger)),
        service.client.put(f"/candidatures/{cid}/dossier", json=dossier(sirens), headers=epci(stranger)),
    ):
        response = await request
        assert response.status_code == 404 and response.json()["error"] == "candidature_introuvable"
    assert await service.types(f"candidature-{cid}") == ["CandidatureInitiee"]


async def test_no_epci_is_put_in_a_candidature_and_locked_out_of_its_wave_without_its_consent(service: Service) -> None:
    """A names B's SIREN and tries to deposit first: refused until B agrees, so B is not reserved in the wave; B may
    deposit a candidature of its own meanwhile. An EPCI not named cannot agree; agreeing twice records nothing."""
    a, b, c = siren(), siren(), siren()
    grabbed = new_id()
    await service.brouillon(grabbed, [a, b], adherents=False)
    refused = await service.client.post(f"/candidatures/{grabbed}/depot", headers=epci(a))
    assert refused.status_code == 409, refused.text
    assert (refused.status_code, refused.json()["error"], refused.json().get("sirens")) == (
        409,
        "adhesions_manquantes",
        [b],
    )
    own = new_id()
    assert (await service.depose(own, [b])).status_code == 201  # B was not locked out of the wave
    stranger = await service.client.post(f"/candidatures/{grabbed}/adhesion", headers=epci(c))
    assert stranger.status_code == 404  # as if the candidature did not exist

    agreed = new_id()
    await service.brouillon(agreed, [a, c], adherents=False)
    assert (await service.client.post(f"/candidatures/{agreed}/adhesion", headers=epci(c))).status_code == 201
    assert (await service.client.post(f"/candidatures/{agreed}/adhesion", headers=epci(c))).status_code == 200
    assert (await service.client.post(f"/candidatures/{agreed}/depot", headers=epci(a))).status_code == 201
    assert await access_reads(service.settings.database_url, f"candidature-{agreed}") == [
        (f"epci-{c}", "EPCI_CANDIDAT", "CANDIDAT")  # its second adhesion answered the dossier: a read
    ]
    again = await service.client.post(f"/candidatures/{agreed}/depot", headers=epci(a))
    assert again.status_code == 200 and again.json()["dossier"]["epci_sirens"] == [a, c]
    reads = await access_reads(service.settings.database_url, f"candidature-{agreed}")
    assert reads[-1] == (f"epci-{a}", "EPCI_CANDIDAT", "CANDIDAT")  # the repeat's answer is recorded as a read
    assert await service.types(f"candidature-{agreed}") == [
        "CandidatureInitiee",
        "AdhesionEpciDonnee",
        "CandidatureDeposee",
    ]


# --- the same EPCI twice in a wave, overlaps ------------------------------------------------------------------


async def test_deux_depots_concurrents_d_un_meme_epci_un_seul_est_accepte(service: Service) -> None:
    commun = siren()
    candidatures = [(new_id(), [siren(), commun]) for _ in range(5)]
    for cid, sirens in candidatures:
        await service.brouillon(cid, sirens)
    responses = await asyncio.gather(
        *(service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0])) for cid, sirens in candidatures)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409], [r.text for r in responses]
    winner = next(cid for (cid, _), r in zip(candidatures, responses, strict=True) if r.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"] == "epci_deja_candidat"
            assert commun in response.json()["detail"] and winner in response.json()["detail"]
    deposited = [cid for cid, _ in candidatures if "CandidatureDeposee" in await service.types(f"candidature-{cid}")]
    assert deposited == [winner]
    # the winner withdraws: its EPCIs are released, another candidature of the wave may carry them
    winner_sirens = dict(candidatures)[winner]
    withdrawn = await service.client.post(
        f"/candidatures/{winner}/retrait", json={"motif": "regroupement"}, headers=epci(winner_sirens[0])
    )
    assert withdrawn.status_code == 201 and withdrawn.json()["statut"] == "RETIREE"
    other, other_sirens = next((c, s) for c, s in candidatures if c != winner)
    assert (await service.client.post(f"/candidatures/{other}/depot", headers=epci(other_sirens[0]))).status_code == 201


async def test_un_meme_perimetre_dans_la_vague_est_accepte_avec_un_avertissement(service: Service) -> None:
    premier, second = new_id(), new_id()
    perimetre = f"CRTE Pays de {uuid.uuid4().hex[:6]}"
    assert (await service.depose(premier, [siren()], perimetre=perimetre)).status_code == 201
    response = await service.depose(second, [siren()], perimetre=f"  {perimetre.upper()} ")
    assert response.status_code == 201
    [warning] = response.json()["warnings"]
    assert (warning["motif"], warning["autre_candidature_id"], warning["vague"]) == ("MEME_PERIMETRE", premier, 4)
    [*_, recorded] = await service.app.state.runtime.store.read(f"candidature-{second}")
    assert [a.autre_candidature_id for a in recorded.event.avertissements] == [premier]


# --- confidentiality ----------------------------------------------------------------------------------------------


async def test_seuls_les_lecteurs_autorises_lisent_le_dossier_et_chaque_lecture_est_enregistree(
    service: Service,
) -> None:
    cid, sirens = new_id(), [siren(), siren()]
    await service.brouillon(cid, sirens)
    assert (await service.client.get(f"/candidatures/{cid}", headers=CDC)).status_code == 404  # a draft
    assert (await service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))).status_code == 201
    allowed = [epci(sirens[0]), epci(sirens[1]), CDC, DTI]
    denied = [
        epci(siren()),
        as_actor(Role.SGPI, "sgpi"),
        as_actor(Role.EXPERT_EXTERNE, "expert-x"),
        as_actor(Role.COMITE_MINISTERIEL, "comite"),
        as_actor(Role.COPIL_MEMBRE, "copil", cid),
    ]
    for headers in allowed:
        response = await service.client.get(f"/candidatures/{cid}", headers=headers)
        assert response.status_code == 200 and response.json()["dossier"]["epci_sirens"] == sirens
    unknown = await service.client.get(f"/candidatures/{new_id()}", headers=CDC)
    for headers in denied:
        response = await service.client.get(f"/candidatures/{cid}", headers=headers)
        assert response.status_code == 404 and response.json()["error"] == unknown.json()["error"]
    assert (await service.client.get(f"/candidatures/{cid}")).status_code == 401
    assert await access_reads(service.settings.database_url, f"candidature-{cid}") == [
        (f"epci-{sirens[0]}", "EPCI_CANDIDAT", "CANDIDAT"),
        (f"epci-{sirens[1]}", "EPCI_CANDIDAT", "CANDIDAT"),
        ("cdc-1", "INSTRUCTEUR_CDC", "INSTRUCTION"),
        ("dti-1", "DTI_ANCT", "INSTRUCTION"),
    ]
    assert await service.types(f"candidature-{cid}") == [
        "CandidatureInitiee",
        "AdhesionEpciDonnee",
        "CandidatureDeposee",
    ]


async def designer(service: Service, cid: str, expert_id: str, jusqu_au: date) -> None:
    """Publish a real ExpertDesigne envelope on instruction's topic, as its relay would."""
    event = ExpertDesigne(
        candidature_id=cid,
        expert_id=expert_id,
        domaine=DomaineExpertise.DIRE,
        acces_jusqu_au=jusqu_au,
        confidentialite_acceptee_le=date(2023, 8, 20),
    )
    context = CommandContext(
        actor=Actor(id="cdc-1", role=Role.INSTRUCTEUR_CDC),
        idempotency_key=f"test:{expert_id}",
        occurred_at=datetime(2023, 8, 28, 9, tzinfo=PARIS),
    )
    [recorded] = envelop(
        "instruction", f"dossier-{cid}-{expert_id}", [event], 0, None, context, TEST_SIGNERS["instruction"]
    )
    producer = AIOKafkaProducer(bootstrap_servers=service.settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            service.settings.topic(topics.INSTRUCTION),
            recorded.envelope.to_json(),
            key=recorded.envelope.stream_id.encode(),
        )
    finally:
        await producer.stop()


async def test_un_expert_designe_par_l_instruction_lit_le_dossier_tant_que_son_acces_dure(service: Service) -> None:
    cid, sirens = new_id(), [siren()]
    assert (await service.depose(cid, sirens)).status_code == 201
    await designer(service, cid, "expert-expire", date(2023, 8, 28))  # the day before the clock's
    await designer(service, cid, "expert-dire", date(2023, 9, 30))
    expert = as_actor(Role.EXPERT_EXTERNE, "expert-dire")

    async def lu() -> bool:
        return (await service.client.get(f"/candidatures/{cid}", headers=expert)).status_code == 200

    await eventually(lu, what="the designated expert to read the dossier")
    habilites = [t for t in await service.types(f"candidature-{cid}") if t == "ExpertHabilite"]
    assert habilites == ["ExpertHabilite", "ExpertHabilite"]
    expired = await service.client.get(f"/candidatures/{cid}", headers=as_actor(Role.EXPERT_EXTERNE, "expert-expire"))
    assert expired.status_code == 404
    reads = await access_reads(service.settings.database_url, f"candidature-{cid}")
    assert {(reader, purpose) for reader, _, purpose in reads} == {("expert-dire", "EXPERTISE")}


async def test_les_instructeurs_listent_les_candidatures_par_vague_et_statut(service: Service) -> None:
    kept, gone, draft = new_id(), new_id(), new_id()
    gone_sirens = [siren()]
    assert (await service.depose(kept, [siren()])).status_code == 201
    assert (await service.depose(gone, gone_sirens)).status_code == 201
    await service.client.post(f"/candidatures/{gone}/retrait", json={"motif": "m"}, headers=epci(gone_sirens[0]))
    await service.brouillon(draft, [siren()])

    async def ids(query: str, headers: dict[str, str] = CDC) -> set[str]:
        response = await service.client.get(f"/candidatures?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {line["candidature_id"] for line in response.json()}

    assert {kept, gone} <= await ids("vague=4") and draft not in await ids("vague=4")
    assert kept in await ids("vague=4&statut=DEPOSEE") and gone not in await ids("statut=DEPOSEE", DTI)
    assert gone in await ids("statut=RETIREE") and kept not in await ids("statut=RETIREE")
    assert await ids("vague=5") == set()
    assert (await service.client.get("/candidatures", headers=epci(gone_sirens[0]))).status_code == 403
    assert (await service.client.get("/candidatures")).status_code == 401


async def test_l_index_des_depots_se_reconstruit_depuis_le_journal(service: Service) -> None:
    pool = service.app.state.runtime.pool
    query = "SELECT * FROM {} ORDER BY 1, 2"
    async with pool.acquire() as conn:
        before = [await conn.fetch(query.format(t)) for t in ("candidature_depots", "candidature_reservations_epci")]
    assert await reconstruire(pool) > 0
    async with pool.acquire() as conn:
        after = [await conn.fetch(query.format(t)) for t in ("candidature_depots", "candidature_reservations_epci")]
    assert after == before and before[0]


# --- relève and early closure (last: the clock moves forward) ---------------------------------------------------


async def deposees_non_retirees(service: Service, vague: int) -> list[str]:
    """From the events table itself, not from the service's index."""
    async with service.app.state.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT d.envelope->'data'->>'candidature_id' AS id FROM events d WHERE d.event_type = "
            "'CandidatureDeposee' AND (d.envelope->'data'->>'vague')::int = $1 AND NOT EXISTS (SELECT 1 FROM events r "
            "WHERE r.stream_id = d.stream_id AND r.event_type = 'CandidatureRetiree') ORDER BY 1",
            vague,
        )
    return [row["id"] for row in rows]


async def relevee(service: Service, vague: int) -> list[Any]:
    return [r.event for r in await service.app.state.runtime.store.read(f"vague-{vague}")]


async def test_la_releve_fige_la_vague_et_l_enregistre_une_fois_avec_la_liste_exacte(service: Service) -> None:
    kept, gone, draft = new_id(), new_id(), new_id()
    kept_sirens, gone_sirens = [siren()], [siren()]
    assert (await service.depose(kept, kept_sirens)).status_code == 201
    assert (await service.depose(gone, gone_sirens)).status_code == 201
    await service.brouillon(draft, [siren()])
    await service.client.put("/ops/clock", headers=operator(), json={"now": "2023-10-01T11:59:00+02:00"})
    assert (
        await service.client.post(f"/candidatures/{gone}/retrait", json={"motif": "m"}, headers=epci(gone_sirens[0]))
    ).status_code == 201
    expected = await deposees_non_retirees(service, 4)
    assert kept in expected and gone not in expected and len(expected) >= 5
    assert await relevee(service, 4) == []
    await service.client.put("/ops/clock", headers=operator(), json={"now": "2023-10-01T12:05:00+02:00"})
    [event] = await eventually(lambda: relevee(service, 4), what="the relève of wave 4")
    assert event.candidatures == expected and event.releve_le == datetime(2023, 10, 1, 12, tzinfo=PARIS)
    assert [e.candidatures for v in (1, 2, 3) for e in await relevee(service, v)] == [[], [], []]  # late: all at once
    job = reactors.releve(service.app.state.runtime)
    await asyncio.gather(job(datetime(2023, 10, 1, 12, 6, tzinfo=PARIS)), job(datetime(2023, 10, 2, tzinfo=PARIS)))
    assert len(await relevee(service, 4)) == 1 and await relevee(service, 5) == []
    refused = await service.client.post(
        f"/candidatures/{kept}/retrait", json={"motif": "m"}, headers=epci(kept_sirens[0])
    )
    assert refused.status_code == 409 and refused.json()["error"] == "vague_relevee"
    frozen = await service.client.put(
        f"/candidatures/{kept}/dossier", json=dossier(kept_sirens), headers=epci(kept_sirens[0])
    )
    assert frozen.status_code == 409 and frozen.json()["error"] == "vague_relevee"
    assert (await service.client.get(f"/candidatures/{kept}", headers=CDC)).json()["statut"] == "RELEVEE"


async def signaler_seuil(service: Service, seuil: int, signer: str = "financement") -> None:
    """Publish a SeuilConsommationAtteint envelope on financement's topic, signed by `signer`'s key, as financement's
    relay would (with another service's key: a forgery)."""
    event = SeuilConsommationAtteint(
        seuil_pourcent=seuil,
        reserve_centimes=9_000_000_000 * seuil // 100,
        fonds_centimes=9_000_000_000,
        date_atteinte=date(2023, 9, 20),
    )
    context = CommandContext(
        actor=Actor(id="cdc-1", role=Role.INSTRUCTEUR_CDC),
        idempotency_key=f"test:seuil-{seuil}-{signer}",
        occurred_at=datetime(2023, 9, 20, 9, tzinfo=PARIS),
    )
    stream = f"programme-rebond-{uuid.uuid4().hex[:6]}"
    [recorded] = envelop("financement", stream, [event], 0, None, context, TEST_SIGNERS[signer])
    producer = AIOKafkaProducer(bootstrap_servers=service.settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            service.settings.topic(topics.FINANCEMENT), recorded.envelope.to_json(), key=stream.encode()
        )
    finally:
        await producer.stop()


async def test_apres_la_cloture_anticipee_tout_depot_est_refuse(service: Service) -> None:
    """The chain of DOMAIN-REFERENCE §4.5: financement's alert (over Kafka, signed) → the SGPI's opinion → the Prime
    Minister's arrêté; then every deposit is refused."""
    cid, sirens = new_id(), [siren()]
    await service.brouillon(cid, sirens)
    sgpi, pm = as_actor(Role.SGPI, "sgpi"), as_actor(Role.PM_CABINET, "pm")
    avis = {"date_avis": "2023-09-28", "favorable": True, "motif": "le fonds est réservé à 90 %"}
    arrete = {"date_arrete": "2023-10-01", "reference_arrete": "arrêté n° 2023-1001", "date_avis_sgpi": "2023-09-28"}
    early = await service.client.post("/ami/avis-sgpi-cloture", json=avis, headers=sgpi)
    assert early.status_code == 409 and early.json()["error"] == "aucun_seuil_de_consommation"
    no_opinion = await service.client.post("/ami/cloture-anticipee", json=arrete, headers=pm)
    assert no_opinion.status_code == 409 and no_opinion.json()["error"] == "avis_sgpi_manquant"
    await signaler_seuil(service, 100, signer="instruction")  # forged: not financement's key
    await signaler_seuil(service, 90)

    async def signale() -> bool:
        etat = (await service.client.get("/ami/cloture-anticipee", headers=sgpi)).json()
        return bool(etat["seuils_consommation"])

    await eventually(signale, what="financement's alert recorded on ami-rebond")
    assert (await service.client.get("/ami/cloture-anticipee", headers=CDC)).status_code == 403
    assert (await service.client.post("/ami/avis-sgpi-cloture", json=avis, headers=pm)).status_code == 403
    given = await service.client.post("/ami/avis-sgpi-cloture", json=avis, headers=sgpi)
    assert given.status_code == 201, given.text
    assert (await service.client.post("/ami/avis-sgpi-cloture", json=avis, headers=sgpi)).status_code == 200
    assert (await service.client.post("/ami/cloture-anticipee", json=arrete, headers=CDC)).status_code == 403
    assert (await service.client.post("/ami/cloture-anticipee", json=arrete, headers=sgpi)).status_code == 403
    other = await service.client.post(
        "/ami/cloture-anticipee", json={**arrete, "date_avis_sgpi": "2023-09-27"}, headers=pm
    )
    assert other.status_code == 409 and other.json()["error"] == "cloture_incoherente"
    closed = await service.client.post("/ami/cloture-anticipee", json=arrete, headers=pm)
    assert closed.status_code == 201 and closed.json()["effective_le"] == "2023-10-01T12:05:00+02:00"
    again = await service.client.post("/ami/cloture-anticipee", json=arrete, headers=pm)
    assert again.status_code == 200
    assert await service.types("ami-rebond") == [
        "SeuilConsommationSignale",
        "AvisSGPIClotureRendu",
        "AMIClotureAnticipee",
    ]
    etat = (await service.client.get("/ami/cloture-anticipee", headers=pm)).json()
    assert [s["seuil_pourcent"] for s in etat["seuils_consommation"]] == [90]  # the forged 100 % was not taken
    refused = await service.client.post(f"/candidatures/{cid}/depot", headers=epci(sirens[0]))
    assert refused.status_code == 409 and refused.json()["error"] == "ami_clos"
    calendar = (await service.client.get("/vagues")).json()
    assert calendar["vague_ouverte"] is None
    assert calendar["cloture_anticipee"]["reference_arrete"] == "arrêté n° 2023-1001"
    assert len(calendar["vagues"]) == 13
    # the wave open at the closure (5) is still relevée at its date; the next ones never are
    await service.client.put("/ops/clock", headers=operator(), json={"now": "2024-06-01T12:05:00+02:00"})
    await eventually(lambda: relevee(service, 5), what="the relève of wave 5")
    await asyncio.sleep(0.5)
    assert await relevee(service, 6) == []
