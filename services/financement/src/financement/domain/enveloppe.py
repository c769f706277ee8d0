"""The EnveloppeTerritoriale aggregate: one territory's money, decided in one stream.

Every decision that moves a territory's money (attribution, adjustments, aids, conventions, payments, final
statements, repayment schedules and repayments, cancellations) is taken on this single stream, so optimistic
concurrency on its version guarantees that two concurrent grants can never overspend the envelope. What each
decision does to the envelope is financement.domain.politique.

The rules that decide on it are in attribution (what the territory is given), aides (grants and refusals) and
suivi (what follows a grant); `decider` assembles them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from financement.domain import politique
from financement.domain.events import (
    AideAccordee,
    AideAnnulee,
    AideRefusee,
    AideSoldee,
    ConventionAideSignee,
    EcheanceImpayee,
    EcheancierFixe,
    EnveloppeTerritorialeAjustee,
    EnveloppeTerritorialeAttribuee,
    Event,
    InstructionAideEnregistree,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
    RemboursementRecu,
    VersementEffectue,
)


def stream_id(territoire_id: str) -> str:
    return f"enveloppe-{territoire_id}"


@dataclass(frozen=True, slots=True)
class SuiviAide:
    """One granted aid after its grant: convention, payments, final statement, repayments, cancellation."""

    convention: ConventionAideSignee | None = None
    versements: Mapping[str, VersementEffectue] = field(default_factory=dict)
    verse_centimes: int = 0
    depenses_justifiees_centimes: int = 0
    solde: AideSoldee | None = None
    echeancier: EcheancierFixe | None = None
    remboursements: Mapping[str, RemboursementRecu] = field(default_factory=dict)
    rembourse_centimes: int = 0
    impayes: Mapping[str, EcheanceImpayee] = field(default_factory=dict)
    annulation: AideAnnulee | None = None

    @property
    def reduction_centimes(self) -> int:
        return self.solde.reduction_centimes if self.solde else 0

    @property
    def libere_centimes(self) -> int:
        return self.annulation.montant_libere_centimes if self.annulation else 0


@dataclass(frozen=True, slots=True)
class EnveloppeTerritoriale:
    """What the stream knows of one territory's money (decisions keyed by their ids)."""

    laureat: LaureatEnregistre | None = None
    attribution: EnveloppeTerritorialeAttribuee | None = None
    ajustements: tuple[EnveloppeTerritorialeAjustee, ...] = ()
    montant_centimes: int = 0  # attributed, then adjusted
    engage_centimes: int = 0  # what the aids consume (financement.domain.politique)
    projets: Mapping[str, ProjetQualifieEnregistre] = field(default_factory=dict)
    instructions: Mapping[str, InstructionAideEnregistree] = field(default_factory=dict)  # latest per project
    aides: Mapping[str, AideAccordee] = field(default_factory=dict)
    suivis: Mapping[str, SuiviAide] = field(default_factory=dict)
    refus: Mapping[str, AideRefusee] = field(default_factory=dict)

    @property
    def disponible_centimes(self) -> int:
        return self.montant_centimes - self.engage_centimes

    @property
    def verse_centimes(self) -> int:
        return sum(s.verse_centimes for s in self.suivis.values())

    @property
    def rembourse_centimes(self) -> int:
        return sum(s.rembourse_centimes for s in self.suivis.values())

    def suivi(self, aide_id: str) -> SuiviAide:
        return self.suivis.get(aide_id, SuiviAide())


def evolve(state: EnveloppeTerritoriale, event: Event) -> EnveloppeTerritoriale:
    """Fold one recorded fact into the state (total over the stream's event types)."""
    match event:
        case LaureatEnregistre():
            return replace(state, laureat=event)
        case EnveloppeTerritorialeAttribuee(montant_centimes=montant):
            return replace(state, attribution=event, montant_centimes=montant)
        case EnveloppeTerritorialeAjustee(montant_centimes=montant):
            return replace(state, ajustements=(*state.ajustements, event), montant_centimes=montant)
        case ProjetQualifieEnregistre(projet_id=projet_id):
            return replace(state, projets={**state.projets, projet_id: event})
        case InstructionAideEnregistree(projet_id=projet_id):
            return replace(state, instructions={**state.instructions, projet_id: event})
        case AideAccordee(aide_id=aide_id, montant_centimes=montant):
            aides = {**state.aides, aide_id: event}
            return replace(state, aides=aides, engage_centimes=state.engage_centimes + montant)
        case AideRefusee(aide_id=aide_id):
            return replace(state, refus={**state.refus, aide_id: event})
    return _evolve_suivi(state, event)


def _evolve_suivi(state: EnveloppeTerritoriale, event: Event) -> EnveloppeTerritoriale:
    """The facts that follow a grant, folded into its SuiviAide; the envelope's engagement moves by policy."""
    aide_id: str = getattr(event, "aide_id", "")
    suivi = state.suivi(aide_id)
    before = _engagement(state, aide_id, suivi)
    match event:
        case ConventionAideSignee():
            suivi = replace(suivi, convention=event)
        case VersementEffectue():
            suivi = replace(
                suivi,
                versements={**suivi.versements, event.versement_id: event},
                verse_centimes=suivi.verse_centimes + event.montant_centimes,
                depenses_justifiees_centimes=event.depenses_justifiees_centimes,
            )
        case AideSoldee():  # the balance is paid with the final statement
            suivi = replace(suivi, solde=event, verse_centimes=max(suivi.verse_centimes, event.montant_final_centimes))
        case EcheancierFixe():
            suivi = replace(suivi, echeancier=event)
        case RemboursementRecu():
            suivi = replace(
                suivi,
                remboursements={**suivi.remboursements, event.remboursement_id: event},
                rembourse_centimes=suivi.rembourse_centimes + event.montant_centimes,
            )
        case EcheanceImpayee():
            suivi = replace(suivi, impayes={**suivi.impayes, event.echeance.isoformat(): event})
        case AideAnnulee():
            suivi = replace(suivi, annulation=event)
        case _:
            raise TypeError(f"no evolve for {type(event).__name__} on an envelope stream")
    delta = _engagement(state, aide_id, suivi) - before
    return replace(state, suivis={**state.suivis, aide_id: suivi}, engage_centimes=state.engage_centimes + delta)


def _engagement(state: EnveloppeTerritoriale, aide_id: str, suivi: SuiviAide) -> int:
    aide = state.aides.get(aide_id)
    if aide is None:
        return 0
    return politique.engagement(aide.montant_centimes, suivi.reduction_centimes, suivi.libere_centimes)
