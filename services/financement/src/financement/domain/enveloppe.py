"""The EnveloppeTerritoriale aggregate: one territory's money, decided in one stream.

Every decision that moves a territory's money (attribution, adjustments, aids, conventions, payments, final
statements, repayment schedules and repayments, cancellations) is taken on this single stream, so optimistic
concurrency on its version guarantees that two concurrent grants can never overspend the envelope. What each
decision does to the envelope is financement.domain.politique."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from contracts.base import FormeAide
from financement.domain import errors, politique
from financement.domain.commands import (
    AccorderAide,
    AjusterEnveloppe,
    AnnulerAidesDuProjet,
    AttribuerEnveloppe,
    Command,
    ConstaterImpaye,
    EnregistrerInstruction,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
    EnregistrerRemboursement,
    FixerEcheancier,
    SignerConventionAide,
    SolderAide,
    VerserTranche,
)
from financement.domain.events import (
    SEUIL_PUBLICATION_CENTIMES,
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
from kernel.decider import Decider

MOTIF_ENVELOPPE_INSUFFISANTE = "enveloppe_insuffisante"
FONDS_CENTIMES = politique.FONDS_INVESTISSEMENT_CENTIMES


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


def decide(command: Command, state: EnveloppeTerritoriale) -> list[Event]:
    """The events a command produces on this state; [] when it is already satisfied."""
    match command:
        case EnregistrerLaureat():
            return _enregistrer_laureat(command, state)
        case EnregistrerProjetQualifie():
            return _enregistrer_projet(command, state)
        case EnregistrerInstruction():
            return _enregistrer_instruction(command, state)
        case AttribuerEnveloppe():
            return _attribuer(command, state)
        case AjusterEnveloppe():
            return _ajuster(command, state)
        case AccorderAide():
            return _accorder(command, state)
        case AnnulerAidesDuProjet():
            return _annuler(command, state)
    return suivi_decide(command, state)


def suivi_decide(command: Command, state: EnveloppeTerritoriale) -> list[Event]:
    """Convention, payments, final statement, repayments, cancellation of a granted aid."""
    aide = state.aides.get(getattr(command, "aide_id", ""))
    if aide is None:
        raise errors.AideInconnue(f"aucune aide {getattr(command, 'aide_id', '?')} accordée sur cette enveloppe")
    suivi = state.suivi(aide.aide_id)
    match command:
        case SignerConventionAide():
            return _signer(command, aide, suivi)
        case VerserTranche():
            return _verser(command, aide, suivi)
        case SolderAide():
            return _solder(command, aide, suivi)
        case FixerEcheancier():
            return _echeancier(command, aide, suivi)
        case EnregistrerRemboursement():
            return _rembourser(command, aide, suivi)
        case ConstaterImpaye():
            return _impaye(command, aide, suivi)
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


def _enregistrer_instruction(command: EnregistrerInstruction, state: EnveloppeTerritoriale) -> list[Event]:
    recorded = state.instructions.get(command.projet_id)
    if recorded is not None and recorded.demande_id == command.demande_id:
        return []
    return [InstructionAideEnregistree(**command.model_dump())]


def _ajuster(command: AjusterEnveloppe, state: EnveloppeTerritoriale) -> list[Event]:
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


def _accorder(command: AccorderAide, state: EnveloppeTerritoriale) -> list[Event]:
    """Both formes consume the envelope at face value (financement.domain.politique, §9 q6)."""
    if state.attribution is None:
        raise errors.EnveloppeNonAttribuee(f"aucune enveloppe attribuée au territoire {command.territoire_id}")
    if command.projet_id not in state.projets:
        raise errors.ProjetNonQualifie(f"le projet {command.projet_id} n'est pas qualifié pour ce territoire")
    instruction = state.instructions.get(command.projet_id)
    if instruction is None:
        raise errors.ProjetNonInstruit(f"Bpifrance n'a pas instruit favorablement le projet {command.projet_id}")
    if command.aide_id in state.aides:
        recorded = state.aides[command.aide_id]
        return _deja_accordee(recorded, _aide_accordee(command, instruction, recorded.publication_obligatoire))
    if command.date_decision < instruction.date_instruction:
        raise errors.DecisionAvantInstruction(
            f"{command.date_decision} précède l'instruction de Bpifrance ({instruction.date_instruction})"
        )
    cumul = sum(
        politique.engagement(a.montant_centimes, state.suivi(a.aide_id).reduction_centimes, 0)
        for a in state.aides.values()
        if a.projet_id == command.projet_id
    )
    if cumul + command.montant_centimes > instruction.plafond_aide_centimes:
        raise errors.CumulSuperieurPlafond(
            f"les aides du projet {command.projet_id} totaliseraient {cumul + command.montant_centimes} centimes,"
            f" au-delà de son plafond de {instruction.plafond_aide_centimes} centimes (assiette "
            f"{instruction.assiette_centimes} × {instruction.intensite_max_pour_mille} ‰, moins les cofinancements)",
            details={"plafond_aide_centimes": instruction.plafond_aide_centimes, "deja_accorde_centimes": cumul},
        )
    # published from 500 000 € of aid per project, whatever the forms [003]
    accordee = _aide_accordee(command, instruction, cumul + command.montant_centimes >= SEUIL_PUBLICATION_CENTIMES)
    if command.montant_centimes > state.disponible_centimes:
        return _refuser(command, state)
    return [accordee]


def _aide_accordee(command: AccorderAide, instruction: InstructionAideEnregistree, publication: bool) -> AideAccordee:
    return AideAccordee(
        aide_id=command.aide_id,
        projet_id=command.projet_id,
        territoire_id=command.territoire_id,
        siret=instruction.siret,
        forme=command.forme,
        montant_centimes=command.montant_centimes,
        assiette_centimes=instruction.assiette_centimes,
        regime=instruction.regime,
        date_decision=command.date_decision,
        publication_obligatoire=publication,
        demande_id=instruction.demande_id,
        plafond_aide_centimes=instruction.plafond_aide_centimes,
        instance_decision=command.instance_decision,
        emplois_prevus=instruction.emplois_prevus,
    )


def _apres(jour: date, reference: date, quoi: str) -> None:
    if jour < reference:
        raise errors.DateAnterieure(f"{jour} précède {quoi} ({reference})")


def _signer(command: SignerConventionAide, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    if suivi.convention is not None:
        return []
    _apres(command.date_signature, aide.date_decision, "la décision d'aide")
    return [ConventionAideSignee(**command.model_dump())]


def _verser(command: VerserTranche, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    if (recorded := suivi.versements.get(command.versement_id)) is not None:
        same = VersementEffectue(**command.model_dump())
        if recorded == same:
            return []
        raise errors.VersementSuperieurAuxDepenses(f"le versement {command.versement_id} existe en d'autres termes")
    if suivi.convention is None:
        raise errors.ConventionNonSignee(f"la convention de l'aide {aide.aide_id} n'est pas signée")
    if suivi.solde is not None or suivi.annulation is not None:
        raise errors.AideDejaSoldee(f"l'aide {aide.aide_id} est soldée ou annulée")
    _apres(command.date_versement, suivi.convention.date_signature, "la convention")
    versable = politique.versable(aide.montant_centimes, aide.assiette_centimes, command.depenses_justifiees_centimes)
    if suivi.verse_centimes + command.montant_centimes > versable:
        raise errors.VersementSuperieurAuxDepenses(
            f"{suivi.verse_centimes + command.montant_centimes} centimes versés au total, au-delà des {versable} "
            f"que justifient {command.depenses_justifiees_centimes} centimes de dépenses",
            details={"versable_centimes": versable, "deja_verse_centimes": suivi.verse_centimes},
        )
    return [VersementEffectue(**command.model_dump())]


def _solder(command: SolderAide, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    """The balance is reduced pro rata when the expenses made fall short of the base; the last tranche is paid."""
    final = politique.montant_final(aide.montant_centimes, aide.assiette_centimes, command.depenses_realisees_centimes)
    event = AideSoldee(
        aide_id=aide.aide_id,
        territoire_id=aide.territoire_id,
        depenses_realisees_centimes=command.depenses_realisees_centimes,
        montant_final_centimes=max(final, suivi.verse_centimes),
        reduction_centimes=aide.montant_centimes - max(final, suivi.verse_centimes),
        date_solde=command.date_solde,
    )
    if suivi.solde is not None:
        if suivi.solde == event:
            return []
        raise errors.AideDejaSoldee(f"l'aide {aide.aide_id} est déjà soldée")
    if suivi.convention is None:
        raise errors.ConventionNonSignee(f"la convention de l'aide {aide.aide_id} n'est pas signée")
    if suivi.annulation is not None:
        raise errors.AideDejaSoldee(f"l'aide {aide.aide_id} est annulée")
    _apres(command.date_solde, suivi.convention.date_signature, "la convention")
    return [event]


def _echeancier(command: FixerEcheancier, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    if aide.forme is not FormeAide.AVANCE_REMBOURSABLE:
        raise errors.PasUneAvance(f"l'aide {aide.aide_id} est une subvention")
    event = EcheancierFixe(aide_id=aide.aide_id, territoire_id=aide.territoire_id, echeances=list(command.echeances))
    if suivi.echeancier is not None:
        if suivi.echeancier == event:
            return []
        raise errors.EcheancierIncoherent(f"l'échéancier de l'aide {aide.aide_id} est déjà fixé")
    if suivi.solde is None and suivi.annulation is None:
        raise errors.AideNonSoldee("l'échéancier suit le solde (ou l'annulation) de l'avance")
    total = sum(e.montant_centimes for e in command.echeances)
    dates = [e.date for e in command.echeances]
    if total != suivi.verse_centimes or dates != sorted(set(dates)):
        raise errors.EcheancierIncoherent(
            f"les échéances totalisent {total} centimes pour {suivi.verse_centimes} versés, ou ne sont pas datées "
            "dans l'ordre strict",
        )
    return [event]


def _rembourser(command: EnregistrerRemboursement, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    if aide.forme is not FormeAide.AVANCE_REMBOURSABLE:
        raise errors.PasUneAvance(f"l'aide {aide.aide_id} est une subvention: rien n'est remboursé")
    event = RemboursementRecu(**command.model_dump())
    if (recorded := suivi.remboursements.get(command.remboursement_id)) is not None:
        if recorded == event:
            return []
        raise errors.RemboursementSuperieurAuDu(f"le remboursement {command.remboursement_id} existe autrement")
    if suivi.echeancier is None:
        raise errors.EcheancierIncoherent(f"aucun échéancier fixé pour l'aide {aide.aide_id}")
    du = sum(e.montant_centimes for e in suivi.echeancier.echeances)
    if suivi.rembourse_centimes + command.montant_centimes > du:
        raise errors.RemboursementSuperieurAuDu(
            f"{suivi.rembourse_centimes + command.montant_centimes} centimes remboursés pour {du} dus"
        )
    return [event]


def _impaye(command: ConstaterImpaye, aide: AideAccordee, suivi: SuiviAide) -> list[Event]:
    if suivi.echeancier is None:
        raise errors.EcheancierIncoherent(f"aucun échéancier fixé pour l'aide {aide.aide_id}")
    if command.echeance.isoformat() in suivi.impayes:
        return []
    dues = [e for e in suivi.echeancier.echeances if e.date <= command.echeance]
    if not dues or dues[-1].date != command.echeance:
        raise errors.EcheancierIncoherent(f"aucune échéance le {command.echeance}")
    if command.date_constat <= command.echeance:
        raise errors.EcheanceNonEchue(f"l'échéance du {command.echeance} n'est pas passée le {command.date_constat}")
    du = sum(e.montant_centimes for e in dues)
    rembourse = sum(
        r.montant_centimes for r in suivi.remboursements.values() if r.date_remboursement <= command.echeance
    )
    if rembourse >= du:
        return []  # paid on time: nothing to record
    return [
        EcheanceImpayee(
            aide_id=aide.aide_id,
            territoire_id=aide.territoire_id,
            echeance=command.echeance,
            du_centimes=du,
            rembourse_centimes=rembourse,
            date_constat=command.date_constat,
        )
    ]


def _annuler(command: AnnulerAidesDuProjet, state: EnveloppeTerritoriale) -> list[Event]:
    """Each aid of the abandoned project not yet settled or cancelled gives back what was not paid out of it."""
    annulees: list[Event] = []
    for aide in state.aides.values():
        suivi = state.suivi(aide.aide_id)
        if aide.projet_id != command.projet_id or suivi.annulation is not None or suivi.solde is not None:
            continue
        libere = politique.libere_par_annulation(aide.montant_centimes, suivi.reduction_centimes, suivi.verse_centimes)
        annulees.append(
            AideAnnulee(
                aide_id=aide.aide_id,
                territoire_id=aide.territoire_id,
                montant_libere_centimes=libere,
                motif=command.motif,
                date_annulation=command.date_annulation,
            )
        )
    return annulees


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
