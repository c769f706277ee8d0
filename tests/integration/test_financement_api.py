"""financement on real PostgreSQL and Kafka: fed by instruction's events, attributing envelopes, granting aids,
and never overspending an envelope under concurrent grants, within one instance or across two.

One financement app is started for the whole module (a consumer-group join costs seconds); each test works on
its own territory, fed through the real instruction topic."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from contracts import topics
from contracts.base import DomainEvent, FormeAide, Role
from contracts.envelope import Actor
from contracts.financement.v1 import FINANCEUR_ETAT
from contracts.instruction.projets import ProjetAbandonne
from contracts.instruction.v1 import CandidatureRecue, ProjetQualifie, TerritoireLaureat
from financement.app import create_app
from kernel.adapters.settings import Settings
from kernel.envelopes import envelop
from kernel.ports import CommandContext, RecordedEvent
from tests.fixtures import SIRET, TEST_SIGNERS, instruite
from tests.support import as_actor, eventually, isolated_settings, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

CDC = as_actor(Role.INSTRUCTEUR_CDC, "cdc-1")
BPI = as_actor(Role.BPIFRANCE_CHARGE, "bpi-1")


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    producer: AIOKafkaProducer

    async def stream(self, territoire: str) -> list[RecordedEvent]:
        return await self.app.state.runtime.store.read(f"enveloppe-{territoire}")


@pytest.fixture(scope="module")
async def service(infra) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    settings = await isolated_settings(infra, "financement")
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    app = create_app(settings)
    try:
        async with running(app) as client:
            yield Service(app, client, settings, producer)
    finally:
        await producer.stop()


# --- instruction's side, as it publishes ------------------------------------------------------------------------


def laureat(territoire: str) -> TerritoireLaureat:
    return TerritoireLaureat(
        territoire_id=territoire,
        candidature_id=f"c-{territoire}",
        vague=3,
        nom_territoire="Cambrésis",
        region_code="32",
        epci_sirens=["200068500"],
        date_decision=date(2023, 7, 1),
        date_notification=date(2023, 8, 28),
    )


def qualifie(territoire: str, projet: str, assiette: int = 400_000_000) -> ProjetQualifie:
    return ProjetQualifie(
        projet_id=projet,
        territoire_id=territoire,
        siret=SIRET,
        raison_sociale="Fonderie du Cambrésis",
        intitule="Nouvelle ligne de moulage",
        date_copil=date(2023, 10, 3),
        assiette_estimee_centimes=assiette,
        forme_envisagee=FormeAide.SUBVENTION,
    )


def instruction_envelopes(
    territoire: str,
    events: Sequence[DomainEvent],
    after: RecordedEvent | None = None,
) -> list[RecordedEvent]:
    """Sealed, chained envelopes on instruction's dossier stream, as its relay would publish them."""
    context = CommandContext(
        actor=Actor(id="copil-1", role=Role.COPIL_MEMBRE), occurred_at=datetime(2023, 10, 3, 10, tzinfo=UTC)
    )
    version = after.envelope.stream_version if after else 0
    previous = after.envelope.hash if after else None
    return envelop(
        "instruction", f"dossier-{territoire}", events, version, previous, context, TEST_SIGNERS["instruction"]
    )


async def publish(service: Service, *recorded: RecordedEvent) -> None:
    topic = service.settings.topic(topics.INSTRUCTION)
    for item in recorded:
        await service.producer.send_and_wait(topic, item.envelope.to_json(), key=item.envelope.stream_id.encode())


async def known(service: Service, territoire: str, projets: int, instructions: int = 0) -> dict[str, Any] | None:
    answer = await service.client.get(f"/enveloppes/{territoire}", headers=BPI)
    body = answer.json() if answer.status_code == 200 else None
    if body and body["laureat"] and len(body["projets_qualifies"]) >= projets:
        return body if len(body["instructions"]) >= instructions else None
    return None


async def laureate(service: Service) -> str:
    """A fresh territory, laureate, with one project qualified and instructed favourably (through Kafka)."""
    territoire = f"ti-{uuid.uuid4().hex[:8]}"
    events = [laureat(territoire), qualifie(territoire, "p1"), instruite(territoire, "p1")]
    await publish(service, *instruction_envelopes(territoire, events))
    await eventually(lambda: known(service, territoire, 1, 1), what="the laureate and its instructed project")
    return territoire


async def laureate_with_envelope(service: Service, montant: int) -> str:
    """A fresh laureate territory with an instructed project, then its envelope attributed."""
    territoire = await laureate(service)
    answer = await service.client.post(f"/enveloppes/{territoire}", headers=CDC, json=attribution(montant))
    assert answer.status_code == 201, answer.text
    return territoire


def attribution(montant: int, etat: int | None = None) -> dict[str, Any]:
    etat = montant if etat is None else etat
    contributions = [{"financeur": FINANCEUR_ETAT, "montant_centimes": etat}]
    if montant > etat:
        contributions.append({"financeur": "CA de Cambrai", "montant_centimes": montant - etat})
    return {"montant_centimes": montant, "contributions": contributions, "date_attribution": "2023-09-01"}


def aide(aide_id: str, montant: int, **changes: Any) -> dict[str, Any]:
    return {
        "aide_id": aide_id,
        "projet_id": "p1",
        "forme": "SUBVENTION",
        "montant_centimes": montant,
        "instance_decision": "Comité des financeurs du territoire",
        "date_decision": "2023-11-02",
        **changes,
    }


def types(stream: list[RecordedEvent]) -> list[str]:
    return [r.envelope.event_type for r in stream]


# --- tests ----------------------------------------------------------------------------------------------------------


async def test_the_reactor_records_laureates_and_projects_once_despite_redeliveries(service: Service) -> None:
    territoire = f"ti-{uuid.uuid4().hex[:8]}"
    first = instruction_envelopes(territoire, [laureat(territoire), qualifie(territoire, "p1")])
    await publish(service, *first)
    await eventually(lambda: known(service, territoire, 1), what="the laureate and its project")
    ignored = CandidatureRecue(
        candidature_id="c9", vague=3, nom_territoire="x", region_code="32", epci_sirens=["200068500"]
    )
    # a redelivery of the very same message, a restatement under a new event id, an ignored type, then p2
    later = instruction_envelopes(territoire, [laureat(territoire), ignored, qualifie(territoire, "p2")], first[-1])
    await publish(service, first[0], *later)
    await eventually(lambda: known(service, territoire, 2), what="the second project")
    stream = await service.stream(territoire)
    assert types(stream) == ["LaureatEnregistre", "ProjetQualifieEnregistre", "ProjetQualifieEnregistre"]
    recorded = stream[0].envelope
    assert (recorded.causation_id, recorded.actor.role) == (str(first[0].envelope.event_id), Role.SYSTEME)
    assert stream[2].event.siret == SIRET  # type: ignore[attr-defined]


async def test_the_relay_publishes_the_envelope_streams_to_financement_enveloppe_v1(service: Service) -> None:
    territoire = await laureate_with_envelope(service, 10_000_000)
    consumer = AIOKafkaConsumer(
        service.settings.topic(topics.FINANCEMENT),
        group_id=None,
        bootstrap_servers=service.settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    seen: list[str] = []

    async def attribution_published() -> bool:
        batches = await consumer.getmany(timeout_ms=500)
        seen.extend(
            json.loads(m.value)["event_type"]
            for msgs in batches.values()
            for m in msgs
            if m.key == f"enveloppe-{territoire}".encode()
        )
        return "EnveloppeTerritorialeAttribuee" in seen

    try:
        await eventually(attribution_published, what="the attribution on financement.enveloppe.v1")
    finally:
        await consumer.stop()
    assert seen[:4] == [
        "LaureatEnregistre",
        "ProjetQualifieEnregistre",
        "InstructionAideEnregistree",
        "EnveloppeTerritorialeAttribuee",
    ]


async def test_attributing_an_envelope(service: Service) -> None:
    client = service.client
    assert (await client.get("/enveloppes/inconnu", headers=BPI)).status_code == 404
    refused = await client.post("/enveloppes/inconnu", headers=CDC, json=attribution(500_000_000))
    assert (refused.status_code, refused.json()["error"]) == (409, "territoire_non_laureat")
    territoire = await laureate_with_envelope(service, 500_000_000)
    body = (await client.get(f"/enveloppes/{territoire}", headers=BPI)).json()
    assert (body["montant_centimes"], body["engage_centimes"], body["disponible_centimes"]) == (
        500_000_000,
        0,
        500_000_000,
    )
    again = await client.post(f"/enveloppes/{territoire}", headers=CDC, json=attribution(500_000_000))
    assert again.status_code == 200
    other = await client.post(f"/enveloppes/{territoire}", headers=CDC, json=attribution(600_000_000))
    assert (other.status_code, other.json()["error"]) == (409, "enveloppe_deja_attribuee")
    incoherent = await client.post(
        f"/enveloppes/{territoire}", headers=CDC, json={**attribution(500_000_000), "montant_centimes": 400_000_000}
    )
    assert (incoherent.status_code, incoherent.json()["error"]) == (409, "contributions_incoherentes")
    forbidden = await client.post(f"/enveloppes/{territoire}", headers=BPI, json=attribution(500_000_000))
    assert forbidden.status_code == 403
    assert types(await service.stream(territoire)).count("EnveloppeTerritorialeAttribuee") == 1


async def test_granting_aids(service: Service) -> None:
    client = service.client
    territoire = await laureate_with_envelope(service, 100_000_000)
    url = f"/enveloppes/{territoire}/aides"
    granted = await client.post(url, headers=BPI, json=aide("a1", 60_000_000))
    assert granted.status_code == 201, granted.text
    expected = {"siret": SIRET, "publication_obligatoire": True, "montant_centimes": 60_000_000}
    assert granted.json()["aide"].items() >= expected.items()
    assert granted.json()["enveloppe"]["disponible_centimes"] == 40_000_000
    assert (await client.post(url, headers=BPI, json=aide("a1", 60_000_000))).status_code == 200
    small = await client.post(url, headers=BPI, json=aide("a2", 1_000_000, forme="AVANCE_REMBOURSABLE"))
    # 10 000 € alone, but the project's aids now reach 610 000 €: published (the threshold is per project [003])
    assert (small.status_code, small.json()["aide"]["publication_obligatoire"]) == (201, True)
    for body, reason in [
        (aide("a3", 1_000, projet_id="p9"), "projet_non_qualifie"),
        (aide("a3", 339_000_001), "cumul_superieur_plafond"),
        (aide("a1", 50_000_000), "aide_deja_accordee"),
    ]:
        answer = await client.post(url, headers=BPI, json=body)
        assert (answer.status_code, answer.json()["error"]) == (409, reason)
    too_much = await client.post(url, headers=BPI, json=aide("a4", 40_000_000))
    assert (too_much.status_code, too_much.json()["error"]) == (409, "enveloppe_insuffisante")
    assert too_much.json()["enveloppe"]["disponible_centimes"] == 39_000_000
    assert (await client.post(url, headers=CDC, json=aide("a5", 1_000))).status_code == 403
    body = (await client.get(f"/enveloppes/{territoire}", headers=BPI)).json()
    assert ([a["aide_id"] for a in body["aides"]], body["engage_centimes"]) == (["a1", "a2"], 61_000_000)
    assert [r["aide_id"] for r in body["refus"]] == ["a4"]
    assert types(await service.stream(territoire))[-3:] == ["AideAccordee", "AideAccordee", "AideRefusee"]


async def test_no_aid_before_the_envelope_is_attributed(service: Service) -> None:
    territoire = f"ti-{uuid.uuid4().hex[:8]}"
    await publish(service, *instruction_envelopes(territoire, [laureat(territoire), qualifie(territoire, "p1")]))
    await eventually(lambda: known(service, territoire, 1), what="the laureate and its project")
    answer = await service.client.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=aide("a1", 1_000))
    assert (answer.status_code, answer.json()["error"]) == (409, "enveloppe_non_attribuee")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"montant_centimes": -100}, "montant_centimes"),
        ({"forme": "PRET_BONIFIE"}, "forme"),
        ({"instance_decision": ""}, "instance_decision"),
        ({"aide_id": "a b/c"}, "aide_id"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field_and_appends_nothing(
    service: Service, changes: dict[str, Any], field: str
) -> None:
    territoire = await laureate_with_envelope(service, 10_000_000)
    before = len(await service.stream(territoire))
    answer = await service.client.post(
        f"/enveloppes/{territoire}/aides", headers=BPI, json={**aide("a1", 1_000_000), **changes}
    )
    assert answer.status_code == 422
    assert [error["loc"][-1] for error in answer.json()["detail"]] == [field]
    assert len(await service.stream(territoire)) == before


async def grant_race(clients: Sequence[httpx.AsyncClient], territoire: str) -> list[httpx.Response]:
    """50 distinct aids of 1 000 000 centimes at once, spread over the clients."""
    url = f"/enveloppes/{territoire}/aides"
    return await asyncio.gather(
        *(clients[i % len(clients)].post(url, headers=BPI, json=aide(f"a{i:02d}", 1_000_000)) for i in range(50))
    )


async def assert_exactly_ten_granted(service: Service, territoire: str, answers: list[httpx.Response]) -> None:
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [409] * 40
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"enveloppe_insuffisante"}
    stream = await service.stream(territoire)
    granted = [r.event for r in stream if r.envelope.event_type == "AideAccordee"]
    # the 40 refused: one refusal recorded for the project that day, each answered 409 with it
    assert len(granted) == 10 and types(stream).count("AideRefusee") == 1
    assert sum(a.montant_centimes for a in granted) <= 10_000_000  # type: ignore[attr-defined]
    assert [r.envelope.stream_version for r in stream] == list(range(1, len(stream) + 1))
    body = (await service.client.get(f"/enveloppes/{territoire}", headers=BPI)).json()
    assert (body["engage_centimes"], body["disponible_centimes"]) == (10_000_000, 0)


async def test_fifty_concurrent_grants_on_an_envelope_for_ten_grant_exactly_ten(service: Service) -> None:
    territoire = await laureate_with_envelope(service, 10_000_000)
    answers = await grant_race([service.client], territoire)
    await assert_exactly_ten_granted(service, territoire, answers)


async def test_the_same_race_across_two_instances_still_grants_exactly_ten(service: Service) -> None:
    """Two apps on one database (two pools, as two processes): only optimistic concurrency stands between them."""
    territoire = await laureate_with_envelope(service, 10_000_000)
    async with running(create_app(service.settings)) as second:
        answers = await grant_race([service.client, second], territoire)
    await assert_exactly_ten_granted(service, territoire, answers)


async def test_an_envelope_answers_only_those_who_oversee_the_money_or_sit_on_its_copil(service: Service) -> None:
    """Company-level data: no token 401, a role that has no business with it 403, the COPIL of another territory
    the same 404 as a territory that does not exist, the territory's own COPIL and the national roles 200."""
    territoire = await laureate_with_envelope(service, 500_000_000)
    client, path = service.client, f"/enveloppes/{territoire}"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=as_actor(Role.EPCI_CANDIDAT, "epci", "200068500"))).status_code == 403
    elsewhere = await client.get(path, headers=as_actor(Role.COPIL_MEMBRE, "copil-2", "lorient"))
    missing = await client.get("/enveloppes/nulle-part", headers=BPI)
    assert elsewhere.status_code == missing.status_code == 404
    assert elsewhere.json()["detail"].replace(territoire, "X") == missing.json()["detail"].replace("nulle-part", "X")
    for headers in (as_actor(Role.COPIL_MEMBRE, "copil-1", territoire), CDC, BPI, as_actor(Role.SGPI, "sgpi-1")):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("montant_centimes", "100000"),
        ("montant_centimes", 100000.0),
        ("montant_centimes", True),
        ("montant_centimes", 2**63),
        ("instance_decision", "x" * 301),
        ("date_decision", "2021-12-31"),
        ("date_decision", "9999-12-31"),
        ("aide_id", "a b"),
        ("aide_id", "x" * 81),
    ],
)
async def test_an_aid_out_of_bounds_is_refused_naming_the_field_and_leaves_no_trace(
    service: Service, field: str, value: Any
) -> None:
    territoire = await laureate_with_envelope(service, 500_000_000)
    before = (await service.client.get(f"/enveloppes/{territoire}", headers=BPI)).json()
    body = {**aide("a-bornes", 1_000_000), field: value}
    answer = await service.client.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=body)
    assert answer.status_code == 422, answer.text
    assert field in json.dumps(answer.json()["detail"])
    assert (await service.client.get(f"/enveloppes/{territoire}", headers=BPI)).json() == before


async def test_a_decision_dated_after_the_business_day_is_refused(service: Service) -> None:
    territoire = await laureate_with_envelope(service, 500_000_000)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    body = {**aide("a-demain", 1_000_000), "date_decision": tomorrow}
    answer = await service.client.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=body)
    assert (answer.status_code, answer.json()["error"], answer.json()["field"]) == (
        422,
        "entree_invalide",
        "date_decision",
    )


async def test_a_burst_of_refused_aids_under_fresh_ids_records_one_refusal(service: Service) -> None:
    """190 requests under fresh ids at a full envelope used to append 190 refusals; now each is answered 409 with
    the refusal recorded for that project and day, and the envelope's stream grows by one event."""
    territoire = await laureate_with_envelope(service, 50_000_000)
    assert await service.client.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=aide("plein", 50_000_000))
    before = len(await service.app.state.runtime.store.read(f"enveloppe-{territoire}"))
    answers = await asyncio.gather(
        *(
            service.client.post(f"/enveloppes/{territoire}/aides", headers=BPI, json=aide(f"rafale-{i}", 1_000_000))
            for i in range(20)
        )
    )
    assert {a.status_code for a in answers} == {409}
    assert {a.json()["refus"]["aide_id"] for a in answers} <= {f"rafale-{i}" for i in range(20)}
    after = await service.app.state.runtime.store.read(f"enveloppe-{territoire}")
    assert [r.envelope.event_type for r in after[before:]] == ["AideRefusee"]


async def test_an_adjustment_moves_the_envelope_and_the_fund_never_below_what_is_committed(service: Service) -> None:
    territoire = await laureate_with_envelope(service, 100_000_000)
    url = f"/enveloppes/{territoire}"
    await service.client.post(f"{url}/aides", headers=BPI, json=aide("a1", 60_000_000))
    fund = (await service.client.get("/programme", headers=CDC)).json()["fonds_reserve_centimes"]
    body = {"delta_centimes": -40_000_001, "motif": "Moins de projets que prévu", "date_ajustement": "2023-12-01"}
    below = await service.client.post(f"{url}/ajustements", headers=CDC, json=body)
    assert (below.status_code, below.json()["error"]) == (409, "ajustement_sous_engagement")
    ok = await service.client.post(f"{url}/ajustements", headers=CDC, json=body | {"delta_centimes": -40_000_000})
    assert (ok.status_code, ok.json()["montant_centimes"], ok.json()["disponible_centimes"]) == (201, 60_000_000, 0)
    assert (await service.client.get("/programme", headers=CDC)).json()["fonds_reserve_centimes"] == fund - 40_000_000


async def test_an_aid_is_paid_against_expenses_settled_pro_rata_and_an_abandonment_frees_the_rest(
    service: Service,
) -> None:
    territoire = await laureate_with_envelope(service, 300_000_000)
    url = f"/enveloppes/{territoire}/aides"
    await service.client.post(url, headers=BPI, json=aide("a1", 100_000_000))  # 1 M€ on a base of 4 M€
    early = await service.client.post(
        f"{url}/a1/versements",
        headers=BPI,
        json={
            "versement_id": "v1",
            "montant_centimes": 1,
            "depenses_justifiees_centimes": 0,
            "date_versement": "2023-12-01",
        },
    )
    assert (early.status_code, early.json()["error"]) == (409, "convention_non_signee")
    signed = await service.client.post(f"{url}/a1/convention", headers=BPI, json={"date_signature": "2023-11-20"})
    assert signed.status_code == 201
    tranche = {
        "versement_id": "v1",
        "montant_centimes": 50_000_001,
        "depenses_justifiees_centimes": 200_000_000,
        "date_versement": "2024-01-10",
    }
    too_much = await service.client.post(f"{url}/a1/versements", headers=BPI, json=tranche)
    assert (too_much.status_code, too_much.json()["error"]) == (409, "versement_superieur_aux_depenses")
    paid = await service.client.post(
        f"{url}/a1/versements", headers=BPI, json=tranche | {"montant_centimes": 50_000_000}
    )
    assert (paid.status_code, paid.json()["verse_centimes"]) == (201, 50_000_000)
    settled = await service.client.post(
        f"{url}/a1/solde", headers=BPI, json={"depenses_realisees_centimes": 300_000_000, "date_solde": "2024-06-01"}
    )
    body = settled.json()
    # 3 M€ spent of a 4 M€ base: the aid is 750 000 €, and 250 000 € go back to the envelope
    assert (body["soldee"]["montant_final_centimes"], body["soldee"]["reduction_centimes"]) == (75_000_000, 25_000_000)
    assert body["enveloppe"]["engage_centimes"] == 75_000_000


async def test_an_abandoned_project_gives_back_what_its_aids_did_not_pay(service: Service) -> None:
    territoire = await laureate_with_envelope(service, 300_000_000)
    url = f"/enveloppes/{territoire}/aides"
    await service.client.post(url, headers=BPI, json=aide("a1", 100_000_000))
    await service.client.post(f"{url}/a1/convention", headers=BPI, json={"date_signature": "2023-11-20"})
    tranche = {
        "versement_id": "v1",
        "montant_centimes": 30_000_000,
        "depenses_justifiees_centimes": 120_000_000,
        "date_versement": "2024-01-10",
    }
    assert (await service.client.post(f"{url}/a1/versements", headers=BPI, json=tranche)).status_code == 201
    abandon = ProjetAbandonne(
        projet_id="p1", territoire_id=territoire, motif="Cessation d'activité", date=date(2024, 7, 1)
    )
    # instruction's project stream publishes the abandonment (its own stream, version 1 here)
    context = CommandContext(actor=Actor(id="prestataire", role=Role.PRESTATAIRE), occurred_at=datetime.now(UTC))
    sealed = envelop("instruction", f"projet-{territoire}-p1", [abandon], 0, None, context, TEST_SIGNERS["instruction"])
    await publish(service, *sealed)

    async def cancelled() -> dict[str, Any] | None:
        body = (await service.client.get(f"/enveloppes/{territoire}", headers=BPI)).json()
        return body if body["engage_centimes"] == 30_000_000 else None

    body = await eventually(cancelled, what="the aid's unpaid part given back")
    assert (body["disponible_centimes"], body["verse_centimes"]) == (270_000_000, 30_000_000)
    assert types(await service.stream(territoire))[-1] == "AideAnnulee"


async def test_metrics_count_commands_refusals_and_appends_in_the_prometheus_format(service: Service) -> None:
    """`GET /metrics` (Prometheus text): commands by route template and status, refusals by reason, the append
    latency and the appends per commit, the dependencies, the relay's lag and the parked messages; counts only, no id
    in any label."""
    territoire = await laureate_with_envelope(service, 1_000_000)
    url = f"/enveloppes/{territoire}/aides"
    before = await service.client.get("/metrics")
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
    assert (await service.client.post(url, headers=BPI, json=aide("a1", 500_000))).status_code == 201
    assert (await service.client.post(url, headers=BPI, json=aide("a2", 1_000, projet_id="x"))).status_code == 409
    text = (await service.client.get("/metrics")).text

    def value(prefix: str, body: str) -> float:
        return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith(prefix))

    grants = 'rebond_commands_total{route="/enveloppes/{territoire_id}/aides",service="financement",status="201"}'
    assert value(grants, text) == value(grants, before.text) + 1
    refused = 'rebond_refusals_total{reason="projet_non_qualifie",service="financement"}'
    assert value(refused, text) == value(refused, before.text) + 1
    assert value('rebond_append_seconds_count{service="financement"}', text) > 0
    assert value('rebond_append_group_size_count{service="financement"}', text) > 0  # appends, each in a group
    assert 'rebond_dependency_up{dependency="database",service="financement"} 1.0' in text
    assert 'rebond_relay_lag_events{service="financement"}' in text
    assert 'rebond_parked_messages{kind="forged",service="financement"}' in text
    assert territoire not in text  # routes are templates: no territory, aid or project id

    async def idle_group_at_zero() -> bool:
        body = (await service.client.get("/metrics")).text
        lines = [line for line in body.splitlines() if line.startswith("rebond_consumer_lag_messages{")]
        seconds = [line for line in body.splitlines() if line.startswith("rebond_consumer_lag_seconds{")]
        return bool(lines) and value("rebond_consumer_lag_messages{", body) == 0 and bool(seconds)

    # the instruction events financement consumed: its group's lag reaches 0 once they are processed, in messages and
    # in seconds
    await eventually(idle_group_at_zero, what="the consumer group's lag to reach 0")
    assert value("rebond_consumer_lag_seconds{", (await service.client.get("/metrics")).text) == 0


async def test_concurrent_attributions_across_territories_never_exceed_the_fund(service: Service) -> None:
    """Five territories attributed at once, each a third of what the 90 M€ fund still holds: exactly three fit.

    Last in this module: it spends what the fund holds, so no later test could attribute an envelope."""
    before = (await service.client.get("/programme", headers=CDC)).json()
    third = before["fonds_disponible_centimes"] // 3
    territoires = [await laureate(service) for _ in range(5)]
    answers = await asyncio.gather(
        *(service.client.post(f"/enveloppes/{t}", headers=CDC, json=attribution(third)) for t in territoires)
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 201, 409, 409]
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"fonds_insuffisant"}
    after = (await service.client.get("/programme", headers=CDC)).json()
    assert after["fonds_reserve_centimes"] == before["fonds_reserve_centimes"] + 3 * third <= 9_000_000_000
    # the attribution that crossed 90 % of the fund recorded the SGPI's alert with it, once (100 % if it was reached)
    full = after["fonds_reserve_centimes"] == 9_000_000_000
    assert after["seuils_consommation_atteints"] == ([90, 100] if full else [90])
    programme = [r.envelope.event_type for r in await service.app.state.runtime.store.read("programme-rebond")]
    assert programme.count("SeuilConsommationAtteint") == len(after["seuils_consommation_atteints"])
    refused = [t for t, a in zip(territoires, answers, strict=True) if a.status_code == 409]
    for territoire in refused:  # nothing of the refused attribution was recorded, on either stream
        body = (await service.client.get(f"/enveloppes/{territoire}", headers=CDC)).json()
        assert body["attribuee"] is False
    assert (await service.client.get("/programme", headers=BPI)).status_code == 200
    assert (await service.client.get("/programme", headers=as_actor(Role.COPIL_MEMBRE, "c", "x"))).status_code == 403
