"""Reactions to the candidature service's events: a deposit opens a dossier, a withdrawal closes it, the
relève of a wave freezes the dossiers it lists (DOMAIN-REFERENCE §2.5 rows 2-3).

The relève (stream `vague-<N>`) and the deposits (streams `candidature-<id>`) are keyed differently, so
they may reach us in any order: a candidature listed by a relève before its deposit arrived gets its
`DossierReleve` at once (phase RELEVEE_SANS_DEPOT) and becomes RELEVEE when the deposit follows. The relève's
dossiers are all recorded in the consumer's transaction: they commit together with its dedup record."""

from __future__ import annotations

from collections.abc import Sequence

from contracts import topics
from contracts.base import DomainEvent
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree, VagueRelevee
from instruction.selection.application import handlers
from instruction.selection.domain.commands import CloreDossier, Commande, EnregistrerCandidature, ReleverDossier
from kernel.adapters.runtime import ServiceRuntime
from kernel.reactor import Reaction

CANDIDATURES_RECUES = "instruction.candidatures-recues"  # consumer name: dedup identity and Kafka group


def commandes_pour(event: DomainEvent) -> Sequence[Commande]:
    """What a candidature event asks of the dossiers; nothing for drafts and the AMI's early closure."""
    match event:
        case CandidatureDeposee():
            return [
                EnregistrerCandidature(
                    candidature_id=event.candidature_id,
                    vague=event.vague,
                    nom_territoire=event.nom_territoire,
                    region_code=event.region_code,
                    epci_sirens=event.epci_sirens,
                )
            ]
        case CandidatureRetiree():
            return [
                CloreDossier(
                    candidature_id=event.candidature_id, vague=event.vague, motif=event.motif, clos_le=event.retiree_le
                )
            ]
        case VagueRelevee():
            return [
                ReleverDossier(candidature_id=candidature_id, vague=event.vague, releve_le=event.releve_le)
                for candidature_id in event.candidatures
            ]
    return []


def register(runtime: ServiceRuntime) -> None:
    runtime.react(CANDIDATURES_RECUES, Reaction[Commande](commandes_pour, handlers.traiter), topics.CANDIDATURE)
