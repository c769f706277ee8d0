"""The whole system as a newcomer runs it: the four services as processes, the demo over HTTP, Kafka between
them, and the figures rebuilt by reporting from the topics."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts import topics
from contracts.envelope import EventEnvelope
from kernel.adapters.kafka_log import KafkaLog
from kernel.signing import Verifier
from rebond_local.__main__ import print_figures
from rebond_local.demo import (
    CDC,
    DEMO_CLOCK_START,
    MISSIONS_PUBLIEES,
    PUBLIE_LE,
    SCENARIO,
    SGPI,
    TEMPS_II,
    actor,
    play_demo,
    synthetic_siren,
)
from rebond_local.demo_publication import ANNONCE
from rebond_local.supervisor import System, start_system

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
OPERATOR = actor("SYSTEME", "ops")


@pytest.fixture(scope="module")
async def system(infra, tmp_path_factory) -> AsyncIterator[System]:  # type: ignore[no-untyped-def]
    """The four services as processes, on topics and databases of their own, stopped at the end of the module."""
    unique = uuid.uuid4().hex[:8]
    started = await start_system(
        infra,
        tmp_path_factory.mktemp("system"),
        simulated_clock=DEMO_CLOCK_START,
        topic_prefix=f"e2e{unique}.",
        database_prefix=f"e2e_{unique}_",
    )
    try:
        yield started
    finally:
        started.stop()


M = 100_000_000  # one million euros, in cents


async def assert_the_announcement_was_public_only_once_cleared(system: System, seen: dict[str, Any]) -> None:
    """The announcement of 28/08/2023 (rebond_local.demo_publication): nothing of it reached the public when it
    was requested nor when all three had cleared it under embargo; after the embargo, the 19 laureates in 9 regions,
    with the 12 of the third wave named, and none of the candidates not selected; its digest recomputes from the
    log; downstream subscribers got it on the public topic, signed by reporting, and nothing else there."""
    for step in ("avant_la_demande", "demandee", "validee_sous_embargo"):
        assert seen[step] == {"liste": [], "annonce": 404}, step
    assert seen["apres_embargo"]["annonce"] == 200 and len(seen["apres_embargo"]["liste"]) == 1
    public = seen["publication"]
    assert {v["organisme"] for v in public["validations"]} == {"SGPI", "CDC", "DTI"}
    content = public["contenu"]
    assert (content["national"]["nb_laureats"], content["national"]["nb_regions_laureates"]) == (19, 9)
    named = {t["nom"] for t in content["territoires"]}
    assert len(named) == 19 and {t.nom for t in SCENARIO if t.vague == 3 and t.issue == "laureat"} <= named
    assert not named & {t.nom for t in SCENARIO if t.issue != "laureat"}
    assert seen["verification"]["identique"], seen["verification"]
    async with httpx.AsyncClient(timeout=30) as client:  # the internal figures are not public
        assert (await client.get(f"{system.url('reporting')}/figures/national")).status_code == 401
    verifier = Verifier.from_text(f"reporting:{system.signers['reporting'].public_text}")
    async with KafkaLog(system.kafka_bootstrap, [system.topic_prefix + topics.PUBLIC]) as log:
        bodies = [body async for batch in log.until_end() for body in batch]
    (message,) = bodies
    envelope = EventEnvelope.model_validate_json(message)
    verifier.verify(envelope)  # signed by reporting: a subscriber can tell it from a forgery
    assert envelope.event_type == "PublicationPublique" and envelope.data["digest"] == public["digest"]


def assert_the_published_figures(figures: dict[str, Any]) -> None:
    """Every figure the programme published (DOMAIN-REFERENCE §5.1), as reporting shows it (README: how each is
    read). Written out here from the sources, not taken from the demo's own tables."""
    announced = figures["national_au_2023-08-28"]
    assert (announced["nb_laureats"], announced["nb_regions_laureates"]) == (19, 9)  # [001]
    cambrai = figures["missions"]["cambrai"]  # at its restitution, 28/08/2023 [001]
    census = cambrai["recensement"]
    assert census["nb_entreprises_rencontrees"] == 44  # « près de 44 industriels »
    assert census["nb_projets_recenses"] == 88
    assert 286 * M < census["investissement_recense_centimes"] < 287 * M  # « plus de 286 millions d'euros »
    assert census["emplois_potentiels"] == 645
    assert cambrai["nb_projets_qualifies"] == 17  # « 17 projets … orientés vers l'enveloppe de 5 millions »
    assert cambrai["enveloppe_centimes"] == 5 * M
    assert 300 < cambrai["emplois_prevus"] < 400  # « plus de 300 créations prévisionnelles d'emplois »
    lorient = figures["missions"]["pays-de-lorient"]  # « restituée en juillet » [002]
    assert (lorient["recensement"]["nb_entretiens"], lorient["recensement"]["nb_projets_recenses"]) == (46, 120)
    assert lorient["recensement"]["investissement_recense_centimes"] == 224 * M
    assert lorient["recensement"]["emplois_potentiels"] == 740
    assert lorient["argent"]["nb_projets_aides"] == 6
    assert lorient["argent"]["investissement_soutenu_centimes"] == 48 * M // 10  # 4,8 M€ d'investissements
    assert lorient["aides_par_forme"]["SUBVENTION"]["montant_centimes"] == 15 * M // 10  # 1,5 M€ de subventions
    perigord = figures["missions"]["perigord-noir"]
    assert (perigord["recensement"]["nb_entretiens"], perigord["recensement"]["nb_projets_recenses"]) == (50, 81)
    assert perigord["recensement"]["investissement_recense_centimes"] == 638 * M // 10  # 63,8 M€
    assert perigord["recensement"]["emplois_potentiels"] == 308
    assert perigord["argent"]["nb_entreprises_aidees"] == 5
    assert perigord["enveloppe_centimes"] == 2 * M
    national = figures["national_publie"]  # as of November 2024 [002]
    assert (national["as_of"], national["missions_depuis"]) == (PUBLIE_LE, TEMPS_II)
    assert national["aides_par_forme"]["SUBVENTION"]["montant_centimes"] == 397 * M // 10  # 39,7 M€ de subventions
    assert national["nb_missions_lancees_depuis"] == 15  # « 15 missions » accompagnées depuis novembre 2023
    assert national["moyenne_projets_par_territoire"] == "113.0"  # « en moyenne 113 projets par territoire »
    assert 18 * M // 10 <= national["ingenierie"]["commandee_centimes"] < 2 * M  # « près de 2 M€ d'ingénierie »


async def published_figures(url: str, client: httpx.AsyncClient) -> dict[str, Any]:
    """The same figures as play_demo returns them, read again (after a rebuild swapped in)."""

    async def get(path: str, **params: str) -> dict[str, Any]:
        answer = await client.get(f"{url}{path}", params=params, headers=SGPI)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    return {
        "national_au_2023-08-28": await get("/figures/national", as_of="2023-08-28"),
        "national_publie": await get("/figures/national", as_of=PUBLIE_LE, missions_depuis=TEMPS_II),
        "missions": {
            tid: await get(f"/figures/territoires/{tid}", as_of=day) for tid, day in MISSIONS_PUBLIEES.items()
        },
    }


async def test_the_demo_flows_through_the_four_services(system: System) -> None:
    urls = {name: service.url for name, service in system.services.items()}
    figures = await play_demo(urls)
    print_figures(figures)  # what `python3 dev.py run` shows
    assert_the_published_figures(figures)
    await assert_the_announcement_was_public_only_once_cleared(system, figures["annonce"])
    await assert_an_auditor_recomputes_the_announcement(system, figures["annonce"]["publication"]["digest"])
    national = figures["national"]
    assert national["nb_candidatures"] == len(SCENARIO)
    assert (national["nb_candidatures_retirees"], national["nb_ineligibles"], national["nb_non_retenues"]) == (1, 1, 2)
    assert national["nb_missions_ouvertes"] == 19
    assert national["nb_conventions_en_retard"] >= 1  # Vallée de l'Arve: notified 25/11/2022, none by 25/05/2023
    assert national["nb_missions_restituees"] == 16
    assert national["missions_par_operateur"] == {"ANCT": 1, "BDT_FRANCE_2030": 15}
    # the programme's ledgers: the State's shares within the 90 M€ fund, the orders within the 10 M€
    assert national["fonds_investissement"]["part_etat_engagee_centimes"] <= 90 * M
    assert national["part_etat_centimes"] == national["fonds_investissement"]["part_etat_engagee_centimes"]
    assert national["nb_aides_refusees"] == 1  # Lorient's seventh project: the envelope is spent
    # after the grants: a settlement reduced pro rata gave money back, an advance was partly repaid, one échéance missed
    assert (
        national["rendu_centimes"] > 0 and national["rembourse_centimes"] > 0 and national["nb_echeances_impayees"] == 1
    )
    assert national["engage_centimes"] == national["accorde_centimes"] - national["rendu_centimes"]
    assert figures["national_au_2023-06-30"]["nb_laureats"] == 7  # the first two waves
    names = {t["nom"] for t in figures["territoires"]["territoires"]}
    assert "Vosges" not in names and "Thiérache" not in names  # only laureates are named
    for t in figures["territoires"]["territoires"]:
        assert t["engage_centimes"] <= t["enveloppe_centimes"], t["territoire_id"]
    assert_commands_are_logged(system)

    async with httpx.AsyncClient(timeout=60) as client:
        envelope = (await client.get(f"{urls['financement']}/enveloppes/cambrai", headers=CDC)).json()
        assert envelope["engage_centimes"] <= envelope["montant_centimes"]
        assert (await client.get(f"{urls['candidature']}/candidatures/cambrai")).status_code == 401  # public
        assert (await client.post(f"{urls['reporting']}/ops/rebuild")).status_code == 401  # operators only
        rebuilt = (await client.post(f"{urls['reporting']}/ops/rebuild", headers=OPERATOR)).json()
        assert rebuilt["identical"] is True, (rebuilt.get("differences"), rebuilt.get("facts"))
        assert rebuilt["source"] == "database"  # the producers' own tables, read through a read-only role
        assert rebuilt["facts"]["live"] == rebuilt["facts"]["rebuilt"] > 0
        from_topics = (
            await client.post(f"{urls['reporting']}/ops/rebuild", headers=OPERATOR, params={"source": "topics"})
        ).json()
        assert from_topics["identical"] is True and from_topics["facts"] == rebuilt["facts"]
        swapped = (
            await client.post(f"{urls['reporting']}/ops/rebuild", headers=OPERATOR, params={"swap": "true"})
        ).json()
        assert swapped["swapped"] is True, swapped
        assert_the_published_figures(await published_figures(urls["reporting"], client))  # from the rebuilt schema
    token = OPERATOR["Authorization"].removeprefix("Bearer ")
    listed = await ops_cli("--url", urls["reporting"], "--token", token, "parked")
    assert (listed.returncode, listed.stdout.strip()) == (0, "nothing parked"), listed.stderr
    refused = await ops_cli(
        "--url", urls["reporting"], "--token", token, "skip", "reporting.projection", "x-1", "--note", "rien"
    )
    assert refused.returncode == 1 and "refused (409)" in refused.stderr, refused
    assert (await ops_cli("--url", urls["reporting"], "parked")).returncode == 2  # no token
    wrong = await ops_cli("--url", urls["reporting"], "--token", "nope", "actions", "--json")
    assert wrong.returncode == 3, wrong
    actions = await ops_cli("--url", urls["reporting"], "--token", token, "actions", "--json")
    assert [a["action"] for a in json.loads(actions.stdout)] == ["skip"]  # the refused skip is recorded too
    async with httpx.AsyncClient(timeout=60) as client:
        for name, url in urls.items():
            openapi = (await client.get(f"{url}/openapi.json")).json()
            assert openapi["paths"] and "HTTPBearer" in openapi["components"]["securitySchemes"], name
            health = (await client.get(f"{url}/health")).json()
            assert health["parked_messages"] == 0, name
            metrics = (await client.get(f"{url}/metrics")).text
            assert f'rebond_dependency_up{{dependency="database",service="{name}"}} 1.0' in metrics, name
            if name != "reporting":
                assert health["relay_lag"] == 0, name
                channels = (await client.get(f"{url}/asyncapi.json")).json()["channels"]
                assert any(f"{name}." in channel for channel in channels), name


def log_lines(system: System, service: str) -> list[dict[str, Any]]:
    lines = system.services[service].log_path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def assert_commands_are_logged(system: System) -> None:
    """Every command is one JSON line with its route template, status, duration, correlation id and who asked;
    every refusal names its reason, with the same correlation id and actor."""
    financement = [e for e in log_lines(system, "financement") if e["event"] == "command.answered"]
    grants = [e for e in financement if e["route"] == "/enveloppes/{territoire_id}/aides"]
    assert len(grants) == 159 and {e["status"] for e in grants} == {201, 409}  # 158 granted, 1 refused
    assert {e["role"] for e in grants} == {"BPIFRANCE_CHARGE"} and all(e["correlation_id"] for e in grants)
    instruction = log_lines(system, "instruction")
    refused = [e for e in instruction if e["event"] == "command.refused"]
    assert {e["reason"] for e in refused} >= {"instruction_defavorable"}
    for refusal in refused:
        same = [
            e
            for e in instruction
            if e["event"] == "command.answered" and e["correlation_id"] == refusal["correlation_id"]
        ]
        assert same and same[0]["status"] >= 400 and same[0]["actor_id"] == refusal["actor_id"], refusal


async def assert_an_auditor_recomputes_the_announcement(system: System, digest: str) -> None:
    """With the read-only role on the four databases, a scratch database and the public keys, the auditor's tool
    replays the producers' logs and gets the announcement's very bytes; and the figures as of any other date."""
    command = [sys.executable, "-m", "rebond_audit", "--json", "figures", *system.figures_arguments]
    proved = await asyncio.to_thread(
        subprocess.run, [*command, "--publication", ANNONCE], capture_output=True, text=True, timeout=180
    )
    assert proved.returncode == 0, (proved.stdout[-2000:], proved.stderr[-2000:])
    report = json.loads(proved.stdout)
    assert (report["identique"], report["digest_publie"], report["digest_recalcule"]) == (True, digest, digest)
    assert report["validee_par"] == ["CDC", "DTI", "SGPI"] and report["replay"]["forged"] == 0
    assert report["replay"]["applied"] == report["replay"]["read"] > 0
    assert set(report["positions"]) == {"candidature", "instruction", "financement"}
    earlier = await asyncio.to_thread(
        subprocess.run, [*command, "--as-of", "2023-06-30"], capture_output=True, text=True, timeout=180
    )
    assert earlier.returncode == 0, earlier.stderr[-2000:]
    assert json.loads(earlier.stdout)["contenu"]["national"]["nb_laureats"] == 7  # the first two waves
    unknown = await asyncio.to_thread(
        subprocess.run, [*command, "--publication", "inconnue"], capture_output=True, text=True, timeout=180
    )
    assert unknown.returncode == 1 and "no publication inconnue" in unknown.stderr


async def ops_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The operators' CLI as an operator runs it, in a process of its own."""
    command = [sys.executable, "-m", "kernel.adapters.ops_cli", *arguments]
    env = {k: v for k, v in os.environ.items() if k != "REBOND_OPERATOR_TOKEN"}
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60, env=env)


# Who fuzzes what: each service with the roles that act on it (and no token at all), so that the routes are reached
# past their role checks. A scoped role acts for the demo's Cambrai.
FUZZ_ROLES = {
    "candidature": [None, ("EPCI_CANDIDAT", synthetic_siren(20006850)), ("INSTRUCTEUR_CDC", None), ("SYSTEME", None)],
    "instruction": [
        None,
        ("INSTRUCTEUR_CDC", None),
        ("DTI_ANCT", None),
        ("EPCI_CANDIDAT", synthetic_siren(20006850)),
        ("EXPERT_EXTERNE", None),
        ("PM_CABINET", None),
        ("COPIL_MEMBRE", "cambrai"),
        ("PRESTATAIRE", "cambrai"),
        ("BPIFRANCE_CHARGE", None),
        ("PORTEUR_PROJET", "cambrai-p001"),
    ],
    "financement": [None, ("BPIFRANCE_CHARGE", None), ("INSTRUCTEUR_CDC", None), ("COPIL_MEMBRE", "cambrai")],
    "reporting": [None, ("SGPI", None), ("SYSTEME", None)],
}
FUZZ_EXAMPLES = 8  # per operation and run: bounded, so the suite stays fast; the seed makes a failure replayable
FUZZ_SEED = 20261202
FUZZ_LANES = 3  # schemathesis runs at once: with the four services, what two cores keep busy


async def test_a_bounded_fuzz_of_every_openapi_finds_no_5xx_and_no_answer_off_its_schema(
    system: System, tmp_path: Path
) -> None:
    """schemathesis over each service's OpenAPI (its coverage and fuzzing phases, valid and invalid data), after the
    demo: no answer is a 5xx, and every documented answer matches its schema. Several runs go at once (each service
    is its own process, and concurrent callers are what a service must bear anyway)."""
    totals = {"runs": 0, "operations": 0, "requests": 0, "failures": 0}
    problems: list[str] = []

    async def fuzz(name: str, role: tuple[str, str | None] | None) -> None:
        headers = [] if role is None else ["-H", "Authorization: " + actor(role[0], "fuzz", role[1])["Authorization"]]
        report = tmp_path / f"{name}-{role[0] if role else 'public'}.json"
        run = await asyncio.to_thread(
            subprocess.run,
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{system.url(name)}/openapi.json",
                *headers,
                "--checks=not_a_server_error,response_schema_conformance",
                f"--max-examples={FUZZ_EXAMPLES}",
                f"--seed={FUZZ_SEED}",
                "--phases=coverage,fuzzing",
                "--generation-database=none",
                "--no-color",
                "--report=json",
                f"--report-json-path={report}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        result: dict[str, Any] = json.loads(report.read_text()) if report.exists() else {}
        cases = result.get("test_cases", {})
        totals["runs"] += 1
        totals["operations"] += result.get("operations", {}).get("tested", 0)
        totals["requests"] += cases.get("generated", 0)
        totals["failures"] += cases.get("unique_failures", 0)
        if run.returncode != 0 or result.get("failures") or result.get("errors"):
            problems.append(f"{name} as {role}: exit {run.returncode}\n{run.stdout[-3000:]}{run.stderr[-1000:]}")

    # every (service, role) run, the services interleaved, taken by FUZZ_LANES workers at a time
    runs = [
        (name, roles[i])
        for i in range(max(map(len, FUZZ_ROLES.values())))
        for name, roles in FUZZ_ROLES.items()
        if i < len(roles)
    ]

    async def lane() -> None:
        while runs:
            await fuzz(*runs.pop(0))

    await asyncio.gather(*(lane() for _ in range(FUZZ_LANES)))
    print(f"\nfuzz: {totals} (seed {FUZZ_SEED}, {FUZZ_EXAMPLES} examples per operation and run)")
    assert problems == [], "\n\n".join(problems)
    assert totals["requests"] > 1000
