"""What a territory's envelope is given: the facts learnt from instruction (laureate, qualified projects,
Bpifrance's instructions), the attribution and its adjustments."""

from __future__ import annotations

from financement.domain import errors, politique
from financement.domain.commands import (
    AjusterEnveloppe,
    AttribuerEnveloppe,
    EnregistrerInstruction,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.domain.enveloppe import EnveloppeTerritoriale
from financement.domain.events import (
    EnveloppeTerritorialeAjustee,
    EnveloppeTerritorialeAttribuee,
    Event,
    InstructionAideEnregistree,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
)

FONDS_CENTIMES = politique.FONDS_INVESTISSEMENT_CENTIMES


def enregistrer_laureat(command: EnregistrerLaureat, state: EnveloppeTerritoriale) -> list[Event]:
    if state.laureat is not None:
        return []  # redelivery or a second notice: the territory is already known as laureate
    return [LaureatEnregistre(**command.model_dump())]


def enregistrer_projet(command: EnregistrerProjetQualifie, state: EnveloppeTerritoriale) -> list[Event]:
    """Recorded even before the laureate is known: instruction's streams are not ordered with each other."""
    if command.projet_id in state.projets:
        return []
    return [ProjetQualifieEnregistre(**command.model_dump())]


def enregistrer_instruction(command: EnregistrerInstruction, state: EnveloppeTerritoriale) -> list[Event]:
    recorded = state.instructions.get(command.projet_id)
    if recorded is not None and recorded.demande_id == command.demande_id:
        return []
    return [InstructionAideEnregistree(**command.model_dump())]


def attribuer(command: AttribuerEnveloppe, state: EnveloppeTerritoriale) -> list[Event]:
    if command.montant_centimes > FONDS_CENTIMES:
        raise errors.EnveloppeSuperieureAuFonds(
            f"enveloppe de {command.montant_centimes} centimes > fonds de {FONDS_CENTIMES} centimes"
        )
    financed = sum(c.montant_centimes for c in command.contributions)
    if financed != command.montant_centimes:
        raise errors.ContributionsIncoherentes(
            f"les contributions totalisent {financed} centimes, l'enveloppe {command.montant_centimes}"
        )
    if state.laureat is None:
        raise errors.TerritoireNonLaureat(f"le territoire {command.territoire_id} n'est pas lauréat")
    if command.date_attribution < state.laureat.date_decision:
        raise errors.DateAnterieure(
            f"{command.date_attribution} précède la décision du Premier ministre ({state.laureat.date_decision})"
        )
    attribuee = EnveloppeTerritorialeAttribuee(
        territoire_id=command.territoire_id,
        montant_centimes=command.montant_centimes,
        contributions=list(command.contributions),
        date_attribution=command.date_attribution,
    )
    previous = state.attribution
    if previous is None:
        return [attribuee]
    if (previous.montant_centimes, previous.contributions) == (attribuee.montant_centimes, attribuee.contributions):
        return []
    raise errors.EnveloppeDejaAttribuee(
        f"enveloppe déjà attribuée ({previous.montant_centimes} centimes); un changement passe par un ajustement"
    )


def ajuster(command: AjusterEnveloppe, state: EnveloppeTerritoriale) -> list[Event]:
    """Never below what is committed; the fund's side (the State's share) is reserved in the same transaction."""
    if state.attribution is None:
        raise errors.EnveloppeNonAttribuee(f"aucune enveloppe attribuée au territoire {command.territoire_id}")
    if any((a.motif, a.date_ajustement) == (command.motif, command.date_ajustement) for a in state.ajustements):
        return []  # the same adjustment asked again
    montant = state.montant_centimes + command.delta_centimes
    if montant < state.engage_centimes or montant <= 0:
        raise errors.AjustementSousEngagement(
            f"l'enveloppe passerait à {montant} centimes, sous les {state.engage_centimes} engagés",
            details={"engage_centimes": state.engage_centimes},
        )
    if command.date_ajustement < state.attribution.date_attribution:
        raise errors.DateAnterieure(f"{command.date_ajustement} précède l'attribution de l'enveloppe")
    return [EnveloppeTerritorialeAjustee(**command.model_dump(), montant_centimes=montant)]
