"""Reactors: what financement learns from instruction's published events (instruction.dossier.v1)."""

from __future__ import annotations

from contracts import topics
from contracts.base import DomainEvent
from contracts.instruction.projets import AideInstruite, ProjetAbandonne
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat
from financement.application import handlers
from financement.domain.commands import (
    AnnulerAidesDuProjet,
    Command,
    EnregistrerInstruction,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from kernel.adapters.runtime import ServiceRuntime
from kernel.reactor import Reaction

INSTRUCTION_EVENTS = "financement.instruction-events"  # consumer name: dedup identity and Kafka group


def commande_pour(event: DomainEvent) -> Command | None:
    """The command an instruction event asks of an envelope; None for events financement ignores."""
    match event:
        case TerritoireLaureat():
            return EnregistrerLaureat(
                territoire_id=event.territoire_id,
                nom_territoire=event.nom_territoire,
                region_code=event.region_code,
                date_decision=event.date_decision,
            )
        case ProjetQualifie():
            return EnregistrerProjetQualifie(
                territoire_id=event.territoire_id,
                projet_id=event.projet_id,
                siret=event.siret,
                assiette_estimee_centimes=event.assiette_estimee_centimes,
            )
        case AideInstruite():
            return EnregistrerInstruction(
                territoire_id=event.territoire_id,
                projet_id=event.projet_id,
                demande_id=event.demande_id,
                siret=event.siret,
                forme=event.forme,
                regime=event.regime,
                assiette_centimes=event.assiette_centimes,
                intensite_max_pour_mille=event.intensite_max_pour_mille,
                plafond_aide_centimes=event.plafond_aide_centimes,
                emplois_prevus=event.emplois_prevus,
                date_instruction=event.date_instruction,
            )
        case ProjetAbandonne():
            return AnnulerAidesDuProjet(
                territoire_id=event.territoire_id,
                projet_id=event.projet_id,
                motif=event.motif[:300],
                date_annulation=event.date,
            )
    return None


def register(runtime: ServiceRuntime) -> None:
    runtime.react(INSTRUCTION_EVENTS, Reaction[Command](commande_pour, handlers.executer), topics.INSTRUCTION)
