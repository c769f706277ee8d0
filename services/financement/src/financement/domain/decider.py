"""The EnveloppeTerritoriale decider: each command goes to the rules of its concern (attribution, aides, suivi),
one `match` over the command."""

from __future__ import annotations

from financement.domain import aides, attribution, suivi
from financement.domain.commands import (
    AccorderAide,
    AjusterEnveloppe,
    AnnulerAidesDuProjet,
    AttribuerEnveloppe,
    Command,
    EnregistrerInstruction,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.domain.enveloppe import EnveloppeTerritoriale, evolve
from financement.domain.events import Event
from kernel.decider import Decider


def decide(command: Command, state: EnveloppeTerritoriale) -> list[Event]:
    """The events a command produces on this state; [] when it is already satisfied."""
    match command:
        case EnregistrerLaureat():
            return attribution.enregistrer_laureat(command, state)
        case EnregistrerProjetQualifie():
            return attribution.enregistrer_projet(command, state)
        case EnregistrerInstruction():
            return attribution.enregistrer_instruction(command, state)
        case AttribuerEnveloppe():
            return attribution.attribuer(command, state)
        case AjusterEnveloppe():
            return attribution.ajuster(command, state)
        case AccorderAide():
            return aides.accorder(command, state)
        case AnnulerAidesDuProjet():
            return aides.annuler(command, state)
    return suivi.decide_suivi(command, state)


decider: Decider[Command, Event, EnveloppeTerritoriale] = Decider(
    decide=decide, evolve=evolve, initial_state=EnveloppeTerritoriale()
)
