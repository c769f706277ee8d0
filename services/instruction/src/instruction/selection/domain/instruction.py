"""The CDC's instruction (with the DTI): eligibility, opening, complements, criteria, conclusions [000]."""

from __future__ import annotations

from contracts.instruction.v1 import (
    CandidatureJugeeIneligible,
    CandidatureJugeeRecevable,
    ComplementsDemandes,
    ComplementsFournis,
    ConclusionsInstructionTransmises,
    CritereEvalue,
    CritereSelection,
    InstructionOuverte,
    MotifIneligibilite,
)
from instruction.selection.domain.commands import (
    DemanderComplements,
    EvaluerCritere,
    FournirComplements,
    JugerRecevabilite,
    OuvrirInstruction,
    TransmettreConclusions,
)
from instruction.selection.domain.dossier import Dossier, Phase, Recevabilite
from instruction.selection.domain.errors import (
    CandidatureInconnue,
    ComplementsDejaFournis,
    ComplementsEnAttente,
    CriteresManquants,
    DateLimitePassee,
    DemandeExistante,
    DemandeInconnue,
    HorsPerimetre,
)
from instruction.selection.domain.regles import exiger, meme_fait, vague_de


def juger(command: JugerRecevabilite, state: Dossier) -> list[Recevabilite]:
    """Recevable when the 3 rules are satisfied; otherwise ineligible, naming each failed rule."""
    vague = vague_de(state, "juger la recevabilité")
    failed = [MotifIneligibilite(regle=a.regle, motif=a.commentaire) for a in command.appreciations if not a.satisfaite]
    verdict: Recevabilite = (
        CandidatureJugeeIneligible(
            candidature_id=command.candidature_id,
            vague=vague,
            appreciations=command.appreciations,
            jugee_le=command.le,
            regles_non_satisfaites=failed,
        )
        if failed
        else CandidatureJugeeRecevable(
            candidature_id=command.candidature_id, vague=vague, appreciations=command.appreciations, jugee_le=command.le
        )
    )
    if meme_fait(verdict, state.recevabilite, "jugee_le"):
        return []
    exiger(state, "juger la recevabilité", Phase.RELEVEE)
    return [verdict]


def ouvrir(command: OuvrirInstruction, state: Dossier) -> list[InstructionOuverte]:
    if state.instruction is not None:
        return []
    exiger(state, "ouvrir l'instruction", Phase.RECEVABLE)
    return [
        InstructionOuverte(
            candidature_id=command.candidature_id, vague=vague_de(state, "ouvrir l'instruction"), ouverte_le=command.le
        )
    ]


def demander_complements(command: DemanderComplements, state: Dossier) -> list[ComplementsDemandes]:
    """Idempotent on `demande_id`; the territory gets a date in the future to answer."""
    demande = ComplementsDemandes(
        candidature_id=command.candidature_id,
        demande_id=command.demande_id,
        objet=command.objet,
        date_limite=command.date_limite,
        demandes_le=command.le,
    )
    deja = state.complements.get(command.demande_id)
    if deja is not None:
        if meme_fait(demande, deja.demande, "demandes_le"):
            return []
        raise DemandeExistante(f"la demande {command.demande_id} existe déjà, en d'autres termes")
    exiger(state, "demander des compléments", Phase.EN_INSTRUCTION)
    if command.date_limite <= command.le:
        raise DateLimitePassee(f"date limite {command.date_limite} non postérieure au {command.le}")
    return [demande]


def fournir_complements(command: FournirComplements, state: Dossier) -> list[ComplementsFournis]:
    """By one of the candidature's EPCI, to an open request; an answer after its date_limite is flagged."""
    if state.candidature is None:
        raise CandidatureInconnue(f"aucune candidature {command.candidature_id} reçue par l'instruction")
    if command.siren not in state.candidature.epci_sirens:
        raise HorsPerimetre(f"l'EPCI {command.siren} ne porte pas la candidature {command.candidature_id}")
    complement = state.complements.get(command.demande_id)
    if complement is None:
        raise DemandeInconnue(f"aucune demande de compléments {command.demande_id} sur ce dossier")
    reponse = ComplementsFournis(
        candidature_id=command.candidature_id,
        demande_id=command.demande_id,
        reponse=command.reponse,
        pieces=command.pieces,
        siren=command.siren,
        fournis_le=command.le,
        hors_delai=command.le > complement.demande.date_limite,
    )
    if complement.reponse is not None:
        if meme_fait(reponse, complement.reponse, "fournis_le", "hors_delai"):
            return []
        raise ComplementsDejaFournis(f"la demande {command.demande_id} a déjà reçu une réponse")
    exiger(state, "fournir des compléments", Phase.EN_INSTRUCTION)
    return [reponse]


def evaluer(command: EvaluerCritere, state: Dossier) -> list[CritereEvalue]:
    """A criterion assessed again is replaced; the same assessment again records nothing."""
    evaluation = CritereEvalue(
        candidature_id=command.candidature_id,
        critere=command.critere,
        appreciation=command.appreciation,
        note=command.note,
        niveau=command.niveau,
        evalue_le=command.le,
    )
    if meme_fait(evaluation, state.criteres.get(command.critere), "evalue_le"):
        return []
    exiger(state, "évaluer un critère", Phase.EN_INSTRUCTION)
    return [evaluation]


def conclure(command: TransmettreConclusions, state: Dossier) -> list[ConclusionsInstructionTransmises]:
    """After the 7 criteria were assessed and every request for complements was answered."""
    conclusions = ConclusionsInstructionTransmises(
        candidature_id=command.candidature_id,
        vague=vague_de(state, "transmettre les conclusions"),
        proposition=command.proposition,
        recommandations=command.recommandations,
        propositions_soutien=command.propositions_soutien,
        montant_enveloppe_propose_centimes=command.montant_enveloppe_propose_centimes,
        transmises_le=command.le,
    )
    if meme_fait(conclusions, state.conclusions, "transmises_le"):
        return []
    exiger(state, "transmettre les conclusions", Phase.EN_INSTRUCTION)
    manquants = [c.value for c in CritereSelection if c not in state.criteres]
    if manquants:
        raise CriteresManquants(f"critères non évalués: {', '.join(manquants)}")
    en_attente = [d.demande_id for d in state.complements_en_attente()]
    if en_attente:
        raise ComplementsEnAttente(f"demandes de compléments sans réponse: {', '.join(en_attente)}")
    return [conclusions]
