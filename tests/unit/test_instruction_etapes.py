"""The Dossier's instruction steps (eligibility, opening, complements, experts, criteria, conclusions) and
the comité's and SGPI's opinions: every transition and every refusal, given/when/then."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.instruction.v1 import (
    AvisComiteRendu,
    AvisSGPIRendu,
    CandidatureJugeeIneligible,
    CritereSelection,
    DomaineExpertise,
    InstructionOuverte,
    MotifIneligibilite,
    Proposition,
    RegleEligibilite,
)
from instruction.selection.domain.commands import OuvrirInstruction
from instruction.selection.domain.decider import decider
from instruction.selection.domain.dossier import Phase
from instruction.selection.domain.errors import EtatIncompatible, NonHabilite
from kernel.decider import DomainError
from kernel.testing import given
from tests.unit.instruction_histoires import (
    A_AVIS_COMITE,
    A_AVIS_SGPI,
    A_RECEVABLE,
    A_RELEVEE,
    AUTRE_SIREN,
    AVIS_COMITE,
    AVIS_EXPERT,
    AVIS_SGPI,
    CID,
    CONCLUSIONS,
    CRITERES,
    DEMANDE,
    EN_INSTRUCTION,
    EXPERT,
    FOURNIS,
    INSTRUITE,
    JUGEE_LE,
    OUVERTE,
    PROPOSEE,
    RECEVABLE,
    RECUE,
    RELEVE,
    appreciations,
    avis_comite,
    avis_expert,
    avis_sgpi,
    conclure,
    critere,
    demander,
    designer,
    evaluer,
    fournir,
    juger,
)

# --- eligibility (the 3 rules of §2.3) ------------------------------------------------------------------------


def test_les_trois_regles_satisfaites_rendent_la_candidature_recevable() -> None:
    given(decider, *A_RELEVEE).when(juger()).then(RECEVABLE)


def test_une_regle_non_satisfaite_rend_la_candidature_ineligible_en_la_nommant() -> None:
    failed = [RegleEligibilite.DEMANDE_CONFORME, RegleEligibilite.PORTEUR_ELIGIBLE]
    expected = CandidatureJugeeIneligible(
        candidature_id=CID,
        vague=3,
        appreciations=appreciations(*failed),
        jugee_le=JUGEE_LE,
        regles_non_satisfaites=[
            MotifIneligibilite(regle=r, motif=f"non satisfaite: {r.value.lower()}") for r in failed
        ],
    )
    given(decider, *A_RELEVEE).when(juger(*failed)).then(expected)
    assert decider.fold([*A_RELEVEE, expected]).phase is Phase.IRRECEVABLE


@pytest.mark.parametrize("history", [(RECUE,), ()], ids=["avant-la-releve", "inconnue"])
def test_la_recevabilite_se_juge_apres_la_releve(history: tuple[Any, ...]) -> None:
    reason = "etat_incompatible" if history else "candidature_inconnue"
    given(decider, *history).when(juger()).then_refused(DomainError, reason)


def test_le_refus_pour_etat_incompatible_dit_la_phase_et_les_phases_attendues() -> None:
    error = given(decider, RECUE).when(juger()).then_refused(EtatIncompatible)
    assert (error.phase, error.attendues) == ("RECUE", ("RELEVEE",))  # type: ignore[attr-defined]


def test_le_meme_jugement_repete_meme_un_autre_jour_n_ajoute_rien() -> None:
    given(decider, *A_RECEVABLE).when(juger(le=date(2023, 6, 9))).then()
    given(decider, *EN_INSTRUCTION).when(juger()).then()


def test_un_autre_jugement_apres_le_jugement_est_refuse() -> None:
    given(decider, *A_RECEVABLE).when(juger(RegleEligibilite.DOSSIER_COMPLET)).then_refused(
        DomainError, "etat_incompatible"
    )


# --- opening the instruction ------------------------------------------------------------------------------------


def test_une_candidature_recevable_entre_en_instruction() -> None:
    given(decider, *A_RECEVABLE).when(OuvrirInstruction(candidature_id=CID, le=OUVERTE.ouverte_le)).then(OUVERTE)


def test_ouvrir_deux_fois_n_ajoute_rien_et_une_candidature_non_recevable_n_est_pas_instruite() -> None:
    ouvrir = OuvrirInstruction(candidature_id=CID, le=date(2023, 6, 9))
    given(decider, *EN_INSTRUCTION).when(ouvrir).then()
    given(decider, *A_RELEVEE).when(ouvrir).then_refused(DomainError, "etat_incompatible")
    assert isinstance(decider.fold(EN_INSTRUCTION).instruction, InstructionOuverte)


# --- complements ------------------------------------------------------------------------------------------------


def test_l_instruction_demande_des_complements() -> None:
    given(decider, *EN_INSTRUCTION).when(demander()).then(DEMANDE)


@pytest.mark.parametrize(
    "command, reason",
    [
        (demander(date_limite=date(2023, 6, 7)), "date_limite_passee"),
        (demander(objet="autre chose"), "demande_existante"),
    ],
)
def test_une_demande_mal_datee_ou_un_identifiant_reutilise_est_refuse(command: Any, reason: str) -> None:
    history = (*EN_INSTRUCTION, DEMANDE) if reason == "demande_existante" else EN_INSTRUCTION
    given(decider, *history).when(command).then_refused(DomainError, reason)


def test_la_meme_demande_repetee_n_ajoute_rien_et_pas_de_demande_hors_instruction() -> None:
    given(decider, *EN_INSTRUCTION, DEMANDE).when(demander(le=date(2023, 6, 8))).then()
    given(decider, *A_RECEVABLE).when(demander()).then_refused(DomainError, "etat_incompatible")


def test_un_epci_du_territoire_fournit_les_complements() -> None:
    given(decider, *EN_INSTRUCTION, DEMANDE).when(fournir()).then(FOURNIS)


def test_une_reponse_apres_la_date_limite_est_acceptee_et_signalee() -> None:
    late = FOURNIS.model_copy(update={"fournis_le": date(2023, 6, 17), "hors_delai": True})
    given(decider, *EN_INSTRUCTION, DEMANDE).when(fournir(le=date(2023, 6, 17))).then(late)


def test_un_autre_epci_n_est_pas_habilite() -> None:
    error = given(decider, *EN_INSTRUCTION, DEMANDE).when(fournir(siren=AUTRE_SIREN)).then_refused(NonHabilite)
    assert error.reason == "hors_perimetre"


@pytest.mark.parametrize(
    "history, command, reason",
    [
        (EN_INSTRUCTION, fournir(), "demande_inconnue"),
        ((*EN_INSTRUCTION, DEMANDE, FOURNIS), fournir(reponse="autre réponse"), "complements_deja_fournis"),
        ((), fournir(), "candidature_inconnue"),
    ],
)
def test_une_reponse_sans_demande_ouverte_est_refusee(history: Any, command: Any, reason: str) -> None:
    given(decider, *history).when(command).then_refused(DomainError, reason)


def test_la_meme_reponse_repetee_n_ajoute_rien() -> None:
    given(decider, *EN_INSTRUCTION, DEMANDE, FOURNIS).when(fournir(le=date(2023, 6, 20))).then()


# --- experts ----------------------------------------------------------------------------------------------------


def test_un_expert_est_designe_apres_avoir_accepte_la_confidentialite() -> None:
    given(decider, *EN_INSTRUCTION).when(designer()).then(EXPERT)


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"confidentialite_acceptee_le": None}, "confidentialite_non_acceptee"),
        ({"confidentialite_acceptee_le": date(2023, 6, 9)}, "confidentialite_non_acceptee"),  # in the future
        ({"acces_jusqu_au": date(2023, 6, 7)}, "acces_deja_expire"),
    ],
)
def test_une_designation_sans_confidentialite_ou_deja_expiree_est_refusee(changes: Any, reason: str) -> None:
    given(decider, *EN_INSTRUCTION).when(designer(**changes)).then_refused(DomainError, reason)


def test_redesigner_le_meme_expert_remplace_sa_designation_sauf_a_l_identique() -> None:
    longer = designer(acces_jusqu_au=date(2023, 7, 15))
    given(decider, *EN_INSTRUCTION, EXPERT).when(longer).then(
        EXPERT.model_copy(update={"acces_jusqu_au": date(2023, 7, 15)})
    )
    given(decider, *EN_INSTRUCTION, EXPERT).when(designer(le=date(2023, 6, 10))).then()
    given(decider, *A_RECEVABLE).when(designer()).then_refused(DomainError, "etat_incompatible")


def test_l_expert_designe_rend_son_avis_dans_son_domaine() -> None:
    given(decider, *EN_INSTRUCTION, EXPERT).when(avis_expert()).then(AVIS_EXPERT)
    assert decider.fold([*EN_INSTRUCTION, EXPERT, AVIS_EXPERT]).experts["dire-1"].avis == AVIS_EXPERT


@pytest.mark.parametrize(
    "history, command, reason",
    [
        (EN_INSTRUCTION, avis_expert(), "expert_non_designe"),
        ((*EN_INSTRUCTION, EXPERT), avis_expert(expert_id="autre-expert"), "expert_non_designe"),
        ((*EN_INSTRUCTION, EXPERT), avis_expert(le=date(2023, 7, 1)), "acces_expire"),
    ],
)
def test_seul_l_expert_designe_et_dans_son_delai_rend_un_avis(history: Any, command: Any, reason: str) -> None:
    error = given(decider, *history).when(command).then_refused(NonHabilite)
    assert error.reason == reason


def test_un_seul_avis_par_expert_et_pendant_l_instruction() -> None:
    given(decider, *EN_INSTRUCTION, EXPERT, AVIS_EXPERT).when(avis_expert(le=date(2023, 6, 22))).then()
    given(decider, *EN_INSTRUCTION, EXPERT, AVIS_EXPERT).when(avis_expert(avis="autre")).then_refused(
        DomainError, "avis_deja_rendu"
    )
    given(decider, *INSTRUITE, EXPERT, CONCLUSIONS).when(avis_expert()).then_refused(DomainError, "etat_incompatible")


def test_l_avis_garde_le_domaine_de_la_designation() -> None:
    universitaire = EXPERT.model_copy(update={"domaine": DomaineExpertise.UNIVERSITAIRE})
    given(decider, *EN_INSTRUCTION, universitaire).when(avis_expert()).then(
        AVIS_EXPERT.model_copy(update={"domaine": DomaineExpertise.UNIVERSITAIRE})
    )


# --- criteria and conclusions -------------------------------------------------------------------------------------


def test_chaque_critere_est_evalue_et_une_reevaluation_le_remplace() -> None:
    c = CritereSelection.PERIMETRE_PERTINENT
    given(decider, *EN_INSTRUCTION).when(evaluer(c)).then(critere(c))
    given(decider, *EN_INSTRUCTION, critere(c)).when(evaluer(c, note=9)).then(critere(c, note=9))
    assert decider.fold([*EN_INSTRUCTION, critere(c), critere(c, note=9)]).criteres[c].note == 9
    given(decider, *EN_INSTRUCTION, critere(c)).when(evaluer(c, le=date(2023, 6, 22))).then()
    given(decider, *A_RECEVABLE).when(evaluer(c)).then_refused(DomainError, "etat_incompatible")


def test_les_conclusions_suivent_l_evaluation_des_sept_criteres() -> None:
    given(decider, *INSTRUITE).when(conclure()).then(CONCLUSIONS)
    non_proposee = conclure(proposition=Proposition.NON_PROPOSEE, montant_enveloppe_propose_centimes=None)
    expected = CONCLUSIONS.model_copy(
        update={"proposition": Proposition.NON_PROPOSEE, "montant_enveloppe_propose_centimes": None}
    )
    given(decider, *INSTRUITE).when(non_proposee).then(expected)
    assert decider.fold([*INSTRUITE, expected]).phase is Phase.NON_PROPOSEE


def test_des_conclusions_sans_les_sept_criteres_sont_refusees_en_les_nommant() -> None:
    error = (
        given(decider, *EN_INSTRUCTION, *CRITERES[:5]).when(conclure()).then_refused(DomainError, "criteres_manquants")
    )
    assert "ENTITES_COMITES_SUIVI" in str(error) and "PERIMETRE_PERTINENT" in str(error)


def test_des_conclusions_avec_une_demande_de_complements_ouverte_sont_refusees() -> None:
    given(decider, *INSTRUITE, DEMANDE).when(conclure()).then_refused(DomainError, "complements_en_attente")
    given(decider, *INSTRUITE, DEMANDE, FOURNIS).when(conclure()).then(CONCLUSIONS)


def test_les_conclusions_une_fois() -> None:
    given(decider, *PROPOSEE).when(conclure(le=date(2023, 6, 27))).then()
    given(decider, *PROPOSEE).when(conclure(recommandations="autre")).then_refused(DomainError, "etat_incompatible")
    given(decider, *A_RECEVABLE).when(conclure()).then_refused(DomainError, "etat_incompatible")


# --- the comité and the SGPI ---------------------------------------------------------------------------------------


def test_le_comite_rend_son_avis_sur_les_conclusions_proposees_ou_non() -> None:
    given(decider, *PROPOSEE).when(avis_comite()).then(AVIS_COMITE)
    non_proposee = CONCLUSIONS.model_copy(update={"proposition": Proposition.NON_PROPOSEE})
    given(decider, *INSTRUITE, non_proposee).when(avis_comite(favorable=False)).then(
        AVIS_COMITE.model_copy(update={"favorable": False})
    )


def test_le_comite_peut_suggerer_des_cooperations_entre_territoires() -> None:
    command = avis_comite(
        cooperations_suggerees=["valenciennes", "douaisis", "douaisis"], commentaire_cooperations="Foncier partagé"
    )
    expected = AvisComiteRendu(
        candidature_id=CID,
        favorable=True,
        avis="Favorable",
        rendu_le=AVIS_COMITE.rendu_le,
        cooperations_suggerees=["douaisis", "valenciennes"],
        commentaire_cooperations="Foncier partagé",
    )
    given(decider, *PROPOSEE).when(command).then(expected)


def test_une_cooperation_avec_elle_meme_est_refusee() -> None:
    command = avis_comite(cooperations_suggerees=[CID], commentaire_cooperations="?")
    given(decider, *PROPOSEE).when(command).then_refused(DomainError, "cooperation_invalide")


@pytest.mark.parametrize("history", [EN_INSTRUCTION, A_AVIS_SGPI], ids=["avant-conclusions", "apres-sgpi"])
def test_le_comite_se_prononce_apres_les_conclusions_et_une_fois(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(avis_comite(favorable=False)).then_refused(DomainError, "etat_incompatible")


def test_l_avis_du_comite_repete_n_ajoute_rien() -> None:
    given(decider, *A_AVIS_COMITE).when(avis_comite(le=date(2023, 7, 4))).then()


def test_le_sgpi_rend_son_avis_apres_le_comite() -> None:
    given(decider, *A_AVIS_COMITE).when(avis_sgpi()).then(AVIS_SGPI)
    given(decider, *A_AVIS_COMITE).when(avis_sgpi(favorable=False)).then(
        AvisSGPIRendu(candidature_id=CID, favorable=False, avis="Favorable", rendu_le=AVIS_SGPI.rendu_le)
    )
    given(decider, *PROPOSEE).when(avis_sgpi()).then_refused(DomainError, "etat_incompatible")
    given(decider, *A_AVIS_SGPI).when(avis_sgpi(le=date(2023, 7, 7))).then()
    given(decider, *A_AVIS_SGPI).when(avis_sgpi(favorable=False)).then_refused(DomainError, "etat_incompatible")


def test_une_candidature_ineligible_ne_va_pas_plus_loin() -> None:
    ineligible = decider.decide(juger(RegleEligibilite.DOSSIER_COMPLET), decider.fold(A_RELEVEE))
    history = (RECUE, RELEVE, *ineligible)
    for command in (
        OuvrirInstruction(candidature_id=CID, le=date(2023, 6, 6)),
        demander(),
        conclure(),
        avis_comite(),
        avis_sgpi(),
    ):
        given(decider, *history).when(command).then_refused(DomainError, "etat_incompatible")


def test_toute_la_chaine_de_la_releve_a_l_avis_du_sgpi() -> None:
    assert [decider.fold(h).phase for h in (A_RELEVEE, EN_INSTRUCTION, INSTRUITE, PROPOSEE, A_AVIS_SGPI)] == [
        Phase.RELEVEE,
        Phase.EN_INSTRUCTION,
        Phase.EN_INSTRUCTION,
        Phase.PROPOSEE,
        Phase.AVIS_SGPI,
    ]
    assert decider.fold(A_AVIS_SGPI).avis_comite == AVIS_COMITE
