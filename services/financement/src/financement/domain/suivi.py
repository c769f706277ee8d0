"""What follows a grant: the aid convention, tranches paid against expenditure statements, the final statement
(reduced pro rata), an advance's repayment schedule, repayments and missed échéances."""

from __future__ import annotations

from datetime import date

from contracts.base import FormeAide
from financement.domain import errors, politique
from financement.domain.commands import (
    Command,
    ConstaterImpaye,
    EnregistrerRemboursement,
    FixerEcheancier,
    SignerConventionAide,
    SolderAide,
    VerserTranche,
)
from financement.domain.enveloppe import EnveloppeTerritoriale, SuiviAide
from financement.domain.events import (
    AideAccordee,
    AideSoldee,
    ConventionAideSignee,
    EcheanceImpayee,
    EcheancierFixe,
    Event,
    RemboursementRecu,
    VersementEffectue,
)


def decide_suivi(command: Command, state: EnveloppeTerritoriale) -> list[Event]:
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
