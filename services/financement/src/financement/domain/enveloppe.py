"""The EnveloppeTerritoriale aggregate: one territory's money, decided in one stream.

Every decision that moves a territory's money (attribution, aids; later adjustments, payments,
repayments) is taken on this single stream, so optimistic concurrency on its version guarantees
that two concurrent grants can never overspend the envelope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from financement.domain import errors
from financement.domain.commands import (
    AccorderAide,
    AttribuerEnveloppe,
    Command,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.domain.events import (
    SEUIL_PUBLICATION_CENTIMES,
    AideAccordee,
    AideRefusee,
    EnveloppeTerritorialeAttribuee,
    Event,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
)
from kernel.decider import Decider

MOTIF_ENVELOPPE_INSUFFISANTE = "enveloppe_insuffisante"
FONDS_CENTIMES = 9_000_000_000  # the programme's fund: 90 M€ of subsidies [002]


def stream_id(territoire_id: str) -> str:
    return f"enveloppe-{territoire_id}"


@dataclass(frozen=True, slots=True)
class EnveloppeTerritoriale:
    """What the stream knows of one territory's money (decisions keyed by their ids)."""

    laureat: LaureatEnregistre | None = None
    attribution: EnveloppeTerritorialeAttribuee | None = None
    montant_centimes: int = 0  # attributed; later issues add the recorded adjustments
    engage_centimes: int = 0  # Σ aids granted, subventions and avances alike (face value)
    projets: Mapping[str, ProjetQualifieEnregistre] = field(default_factory=dict)
    aides: Mapping[str, AideAccordee] = field(default_factory=dict)
    refus: Mapping[str, AideRefusee] = field(default_factory=dict)

    @property
    def disponible_centimes(self) -> int:
        return self.montant_centimes - self.engage_centimes


def evolve(state: EnveloppeTerritoriale, event: Event) -> EnveloppeTerritoriale:
    """Fold one recorded fact into the state (total over the stream's event types)."""
    match event:
        case LaureatEnregistre():
            return replace(state, laureat=event)
        case EnveloppeTerritorialeAttribuee(montant_centimes=montant):
            return replace(state, attribution=event, montant_centimes=montant)
        case ProjetQualifieEnregistre(projet_id=projet_id):
            return replace(state, projets={**state.projets, projet_id: event})
        case AideAccordee(aide_id=aide_id, montant_centimes=montant):
            aides = {**state.aides, aide_id: event}
            return replace(state, aides=aides, engage_centimes=state.engage_centimes + montant)
        case AideRefusee(aide_id=aide_id):
            return replace(state, refus={**state.refus, aide_id: event})
    raise TypeError(f"no evolve for {type(event).__name__} on an envelope stream")


def decide(command: Command, state: EnveloppeTerritoriale) -> list[Event]:
    """The events a command produces on this state; [] when it is already satisfied."""
    match command:
        case EnregistrerLaureat():
            return _enregistrer_laureat(command, state)
        case EnregistrerProjetQualifie():
            return _enregistrer_projet(command, state)
        case AttribuerEnveloppe():
            return _attribuer(command, state)
        case AccorderAide():
            return _accorder(command, state)
    raise TypeError(f"unknown command {type(command).__name__}")


def _enregistrer_laureat(command: EnregistrerLaureat, state: EnveloppeTerritoriale) -> list[Event]:
    if state.laureat is not None:
        return []  # redelivery or a second notice: the territory is already known as laureate
    return [LaureatEnregistre(**command.model_dump())]


def _enregistrer_projet(command: EnregistrerProjetQualifie, state: EnveloppeTerritoriale) -> list[Event]:
    """Recorded even before the laureate is known: instruction's streams are not ordered with each other."""
    if command.projet_id in state.projets:
        return []
    return [ProjetQualifieEnregistre(**command.model_dump())]


def _attribuer(command: AttribuerEnveloppe, state: EnveloppeTerritoriale) -> list[Event]:
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


def _accorder(command: AccorderAide, state: EnveloppeTerritoriale) -> list[Event]:
    """Both formes consume the envelope at face value (DOMAIN-REFERENCE §9 q6, a documented choice)."""
    if state.attribution is None:
        raise errors.EnveloppeNonAttribuee(f"aucune enveloppe attribuée au territoire {command.territoire_id}")
    projet = state.projets.get(command.projet_id)
    if projet is None:
        raise errors.ProjetNonQualifie(f"le projet {command.projet_id} n'est pas qualifié pour ce territoire")
    if command.montant_centimes > command.assiette_centimes:
        raise errors.MontantSuperieurAssiette(
            f"montant {command.montant_centimes} > assiette {command.assiette_centimes} centimes"
        )
    if command.aide_id in state.aides:
        recorded = state.aides[command.aide_id]
        return _deja_accordee(recorded, _aide_accordee(command, projet, recorded.publication_obligatoire))
    cumul = sum(a.montant_centimes for a in state.aides.values() if a.projet_id == command.projet_id)
    if cumul + command.montant_centimes > command.assiette_centimes:
        raise errors.CumulSuperieurAssiette(
            f"les aides du projet {command.projet_id} totaliseraient {cumul + command.montant_centimes} centimes,"
            f" au-delà de son assiette de {command.assiette_centimes} centimes"
        )
    # published from 500 000 € of aid per project, whatever the forms [003]
    accordee = _aide_accordee(command, projet, cumul + command.montant_centimes >= SEUIL_PUBLICATION_CENTIMES)
    if command.montant_centimes > state.disponible_centimes:
        return _refuser(command, state)
    return [accordee]


def _aide_accordee(command: AccorderAide, projet: ProjetQualifieEnregistre, publication: bool) -> AideAccordee:
    return AideAccordee(
        aide_id=command.aide_id,
        projet_id=command.projet_id,
        territoire_id=command.territoire_id,
        siret=projet.siret,
        forme=command.forme,
        montant_centimes=command.montant_centimes,
        assiette_centimes=command.assiette_centimes,
        regime=command.regime,
        date_decision=command.date_decision,
        publication_obligatoire=publication,
    )


def _refuser(command: AccorderAide, state: EnveloppeTerritoriale) -> list[Event]:
    """The envelope cannot hold it: a refusal other services must learn of, hence an event.

    A refusal is not final: once the envelope can hold it (or for a smaller amount), the same aide_id may be
    granted. One refusal per project and day is recorded: the same refusal asked again, or a burst of requests for
    the same project under fresh ids, is answered with the refusal already recorded and appends nothing (a stream
    that grew with every retry would slow every later decision on the envelope)."""
    if refus_du_jour(state, command) is not None:
        return []
    return [
        AideRefusee(
            aide_id=command.aide_id,
            projet_id=command.projet_id,
            territoire_id=command.territoire_id,
            montant_centimes=command.montant_centimes,
            motif=MOTIF_ENVELOPPE_INSUFFISANTE,
            date_decision=command.date_decision,
        )
    ]


def refus_du_jour(state: EnveloppeTerritoriale, command: AccorderAide) -> AideRefusee | None:
    """The refusal already recorded for this aid, else for the same project on the same day."""
    if (same := state.refus.get(command.aide_id)) is not None:
        return same
    return next(
        (
            r
            for r in state.refus.values()
            if (r.projet_id, r.date_decision) == (command.projet_id, command.date_decision)
        ),
        None,
    )


def _deja_accordee(recorded: AideAccordee, asked: AideAccordee) -> list[Event]:
    if recorded == asked:
        return []  # the same grant asked again (a retry)
    raise errors.AideDejaAccordee(f"l'aide {asked.aide_id} est déjà accordée, à d'autres conditions")


decider: Decider[Command, Event, EnveloppeTerritoriale] = Decider(
    decide=decide, evolve=evolve, initial_state=EnveloppeTerritoriale()
)
