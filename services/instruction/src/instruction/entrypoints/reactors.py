"""Reactions to the candidature service's events: a deposit opens a dossier, a withdrawal closes it, the
relève of a wave freezes the dossiers it lists (DOMAIN-REFERENCE §2.5 rows 2-3).

The relève (stream `vague-<N>`) and the deposits (streams `candidature-<id>`) are keyed differently, so
they may reach us in any order: a candidature listed by a relève before its deposit arrived gets its
`DossierReleve` at once (phase RELEVEE_SANS_DEPOT) and becomes RELEVEE when the deposit follows."""

from __future__ import annotations

import asyncpg

from contracts.base import Role
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree, VagueRelevee
from contracts.codec import ReceivedEvent
from contracts.envelope import Actor
from instruction.application import handlers
from instruction.domain.commands import CloreDossier, EnregistrerCandidature, ReleverDossier
from kernel.consumer import Apply
from kernel.ports import CommandContext
from kernel.runtime import ServiceRuntime

CANDIDATURES_RECUES = "instruction.candidatures-recues"  # consumer name: dedup identity and Kafka group
SYSTEME = Actor(id="instruction", role=Role.SYSTEME)


def candidatures_recues(runtime: ServiceRuntime) -> Apply:
    """Apply one candidature event inside the consumer's transaction (events + dedup record commit together)."""

    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        store = runtime.store.bound(conn)
        match received.event:
            case CandidatureDeposee() as deposee:
                await handlers.traiter(store, enregistrer(deposee), context(CANDIDATURES_RECUES, received))
            case CandidatureRetiree() as retiree:
                command = CloreDossier(
                    candidature_id=retiree.candidature_id,
                    vague=retiree.vague,
                    motif=retiree.motif,
                    clos_le=retiree.retiree_le,
                )
                await handlers.traiter(store, command, context(CANDIDATURES_RECUES, received))
            case VagueRelevee() as releve:
                await relever(runtime, releve, received)
            case _:
                pass  # drafts, the early closure of the AMI: nothing to instruct

    return apply


async def relever(runtime: ServiceRuntime, releve: VagueRelevee, received: ReceivedEvent) -> None:
    """One DossierReleve per listed candidature, each in its own transaction, not the consumer's: holding
    the events-table lock of one dossier's append while queueing for the next dossier's stream lock could
    deadlock with a request on that dossier. A redelivery is harmless (deterministic event ids, and decide
    records a relève once)."""
    for candidature_id in releve.candidatures:
        command = ReleverDossier(candidature_id=candidature_id, vague=releve.vague, releve_le=releve.releve_le)
        await handlers.traiter(runtime.store, command, context(CANDIDATURES_RECUES, received, candidature_id))


def enregistrer(deposee: CandidatureDeposee) -> EnregistrerCandidature:
    return EnregistrerCandidature(
        candidature_id=deposee.candidature_id,
        vague=deposee.vague,
        nom_territoire=deposee.nom_territoire,
        region_code=deposee.region_code,
        epci_sirens=deposee.epci_sirens,
    )


def context(consumer: str, received: ReceivedEvent, target: str = "") -> CommandContext:
    """Business time, correlation and causation come from the message; its id (and, for a message that
    touches several dossiers, the dossier's) makes the append idempotent."""
    envelope = received.envelope
    key = f"{consumer}:{envelope.event_id}" + (f":{target}" if target else "")
    return CommandContext(
        actor=SYSTEME,
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        idempotency_key=key,
    )
