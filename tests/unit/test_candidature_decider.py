"""The Candidature decider: drafts, deposit (completeness, DNSH, closure), withdrawal and the relève freeze."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from candidature.domain.candidature import Statut, decider
from candidature.domain.commands import AdhererCandidature
from candidature.domain.errors import (
    AdhesionsManquantes,
    AMIClos,
    CandidatureExistante,
    CandidatureIntrouvable,
    DejaDeposee,
    DejaRetiree,
    DossierIncomplet,
    DossiersFiges,
    HorsPerimetre,
    NonDeposee,
    PorteurIncoherent,
    PrejudiceImportant,
)
from contracts.candidature.v1 import (
    Avertissement,
    CandidatureDeposee,
    CandidatureInitiee,
    CandidatureRetiree,
    DossierModifie,
    MotifAvertissement,
    SectionDossier,
)
from kernel.testing import given
from tests.unit.candidature_exemples import (
    CID,
    EPCI_1,
    EPCI_2,
    EPCI_3,
    LE_29_AOUT_2023,
    PARIS,
    RELEVE_VAGUE_4,
    adhesion,
    brouillon,
    cloture,
    deposee,
    deposer,
    dossier,
    grille,
    initiee,
    initier,
    modifier,
    retirer,
)

# --- drafts -----------------------------------------------------------------------------------------------


def test_un_brouillon_s_ouvre_avec_son_seul_porteur() -> None:
    command = initier(brouillon())
    given(decider).when(command).then(
        CandidatureInitiee(candidature_id=CID, initiee_le=command.initiee_le, dossier=brouillon())
    )


def test_les_sections_du_brouillon_sont_rangees_dans_l_ordre_du_cahier_des_charges() -> None:
    desordre = [*reversed(list(SectionDossier)), SectionDossier.STRATEGIE_REBOND]
    [event] = decider.decide(initier(dossier(sections=desordre)), decider.initial_state)
    assert event.dossier.sections == list(SectionDossier)


def test_l_epci_qui_ouvre_le_brouillon_doit_en_etre_porteur() -> None:
    given(decider).when(initier(brouillon(), demandeur=EPCI_3)).then_refused(HorsPerimetre, "hors_perimetre")


@pytest.mark.parametrize(
    ("porteur", "sirens"),
    [("EPCI", [EPCI_1, EPCI_2]), ("GROUPEMENT_EPCI", [EPCI_1]), ("GROUPEMENT_EPCI", [EPCI_1, EPCI_1])],
)
def test_le_porteur_doit_etre_coherent_avec_ses_sirens(porteur: str, sirens: list[str]) -> None:
    given(decider).when(initier(brouillon(porteur=porteur, epci_sirens=sirens))).then_refused(
        PorteurIncoherent, "porteur_incoherent"
    )


def test_la_meme_ouverture_repetee_n_enregistre_rien() -> None:
    given(decider, initiee(brouillon())).when(initier(brouillon())).then()


@pytest.mark.parametrize("demandeur", [EPCI_1, EPCI_3])
def test_un_identifiant_deja_pris_est_refuse(demandeur: str) -> None:
    given(decider, initiee(brouillon())).when(initier(dossier(), demandeur=demandeur)).then_refused(
        CandidatureExistante, "candidature_existante"
    )


def test_le_brouillon_se_modifie() -> None:
    given(decider, initiee(brouillon())).when(modifier(dossier())).then(
        DossierModifie(candidature_id=CID, modifie_le=LE_29_AOUT_2023, dossier=dossier())
    )


def test_un_brouillon_inchange_n_enregistre_rien() -> None:
    given(decider, initiee(dossier())).when(modifier(dossier())).then()


def test_un_autre_epci_ne_voit_pas_le_brouillon() -> None:
    given(decider, initiee()).when(modifier(dossier(), demandeur=EPCI_3)).then_refused(
        CandidatureIntrouvable, "candidature_introuvable"
    )
    given(decider).when(modifier(dossier())).then_refused(CandidatureIntrouvable)


def test_l_epci_ne_peut_se_retirer_lui_meme_du_porteur() -> None:
    given(decider, initiee()).when(modifier(dossier(porteur="EPCI", epci_sirens=[EPCI_2]))).then_refused(
        HorsPerimetre, "hors_perimetre"
    )


def test_un_dossier_depose_ne_se_modifie_plus() -> None:
    given(decider, initiee(), deposee()).when(modifier(dossier(filiere="ferroviaire"))).then_refused(
        DejaDeposee, "deja_deposee"
    )


def test_apres_la_releve_le_dossier_est_fige() -> None:
    given(decider, initiee(), deposee()).when(modifier(dossier(), le=RELEVE_VAGUE_4)).then_refused(
        DossiersFiges, "vague_relevee"
    )


def test_un_dossier_retire_ne_se_modifie_plus() -> None:
    history = (
        initiee(),
        deposee(),
        CandidatureRetiree(candidature_id=CID, vague=4, retiree_le=LE_29_AOUT_2023, motif="m"),
    )
    given(decider, *history).when(modifier(dossier())).then_refused(DejaRetiree, "candidature_retiree")


# --- deposit ----------------------------------------------------------------------------------------------


def test_un_dossier_complet_est_depose_dans_la_vague_de_la_prochaine_releve() -> None:
    given(decider, initiee(), adhesion()).when(deposer()).then(deposee())


def test_le_depot_a_midi_pile_un_jour_de_releve_va_a_la_vague_suivante() -> None:
    midi = datetime(2023, 10, 1, 12, tzinfo=PARIS)
    given(decider, initiee(), adhesion()).when(deposer(le=midi)).then(
        deposee(le=midi, vague=5, releve_le=datetime(2024, 2, 1, 12, tzinfo=PARIS))
    )


def test_le_depot_enregistre_la_grille_et_les_avertissements() -> None:
    avertissement = Avertissement(
        motif=MotifAvertissement.MEME_PERIMETRE, autre_candidature_id="douaisis", vague=4, detail="même périmètre"
    )
    [event] = decider.decide(deposer(avertissements=[avertissement]), decider.fold([initiee(), adhesion()]))
    assert isinstance(event, CandidatureDeposee) and event.schema_version == 2
    assert event.avertissements == [avertissement]
    assert event.grille_impacts is not None and event.grille_impacts.pollution.impact.value == "NEUTRE"


def test_un_brouillon_vide_nomme_tout_ce_qui_manque() -> None:
    refus = (
        given(decider, initiee(brouillon()), adhesion())
        .when(deposer())
        .then_refused(DossierIncomplet, "dossier_incomplet")
    )
    elements = [m.element for m in refus.manquants]  # type: ignore[attr-defined]
    assert elements == [
        "nom_territoire",
        "region_code",
        "perimetre",
        "filiere",
        *(f"sections.{s.value}" for s in SectionDossier),
        "nombre_pages",
        "pages_synthese",
        "grille_impacts",
    ]
    assert "grille_impacts" in str(refus) and "sections.DEFICIT_INGENIERIE" in str(refus)


@pytest.mark.parametrize(
    ("changes", "elements"),
    [
        ({"nombre_pages": 21}, ["nombre_pages"]),
        ({"pages_synthese": 1}, ["pages_synthese"]),
        ({"pages_synthese": 3}, ["pages_synthese"]),
        ({"nombre_pages": 1}, ["pages_synthese"]),  # 2 pages of synthesis in a 1-page dossier
        ({"nombre_pages": 24, "pages_synthese": 4}, ["nombre_pages", "pages_synthese"]),
        (
            {"sections": [s for s in SectionDossier if s is not SectionDossier.FRAGILITE_TISSU_ECONOMIQUE]},
            ["sections.FRAGILITE_TISSU_ECONOMIQUE"],
        ),
        ({"perimetre": None, "filiere": None}, ["perimetre", "filiere"]),
    ],
)
def test_ce_qui_manque_est_nomme_exactement(changes: dict[str, object], elements: list[str]) -> None:
    refus = given(decider, initiee(dossier(**changes)), adhesion()).when(deposer()).then_refused(DossierIncomplet)
    assert [m.element for m in refus.manquants] == elements  # type: ignore[attr-defined]


def test_les_objectifs_absents_de_la_grille_sont_nommes() -> None:
    partielle = {k: v for k, v in grille().items() if k not in ("pollution", "economie_circulaire", "methodologie")}
    refus = (
        given(decider, initiee(dossier(grille_impacts=partielle)), adhesion())
        .when(deposer())
        .then_refused(DossierIncomplet)
    )
    assert [m.element for m in refus.manquants] == [  # type: ignore[attr-defined]
        "grille_impacts.methodologie",
        "grille_impacts.economie_circulaire",
        "grille_impacts.pollution",
    ]


def test_un_prejudice_important_declare_exclut_le_dossier() -> None:
    nocive = dossier(grille_impacts=grille(biodiversite_ecosystemes="PREJUDICE_IMPORTANT"))
    refus = (
        given(decider, initiee(nocive), adhesion())
        .when(deposer())
        .then_refused(PrejudiceImportant, "dnsh_prejudice_important")
    )
    assert refus.objectifs == ["biodiversite_ecosystemes"]  # type: ignore[attr-defined]
    assert "DNSH" in str(refus)


def test_un_impact_negatif_argumente_sans_prejudice_important_est_accepte() -> None:
    contenu = dossier(grille_impacts=grille(pollution="NEGATIF"))
    given(decider, initiee(contenu), adhesion()).when(deposer()).then(deposee(contenu))


def test_apres_la_releve_finale_l_ami_est_clos() -> None:
    given(decider, initiee(), adhesion()).when(deposer(le=datetime(2026, 10, 1, 12, tzinfo=PARIS))).then_refused(
        AMIClos, "ami_clos"
    )


def test_apres_la_cloture_anticipee_tout_depot_est_refuse() -> None:
    close = cloture(datetime(2023, 8, 20, 15, tzinfo=PARIS))
    refus = given(decider, initiee(), adhesion()).when(deposer(cloture=close)).then_refused(AMIClos, "ami_clos")
    assert "anticipée" in str(refus)


def test_avant_la_cloture_anticipee_le_depot_est_accepte() -> None:
    close = cloture(LE_29_AOUT_2023 + timedelta(seconds=1))
    given(decider, initiee(), adhesion()).when(deposer(cloture=close)).then(deposee())


def test_le_meme_depot_repete_n_enregistre_rien_meme_apres_la_cloture() -> None:
    given(decider, initiee(), deposee(), adhesion()).when(deposer(le=datetime(2027, 1, 1, tzinfo=UTC))).then()


def test_une_candidature_retiree_ne_se_redepose_pas() -> None:
    retrait = CandidatureRetiree(candidature_id=CID, vague=4, retiree_le=LE_29_AOUT_2023, motif="m")
    given(decider, initiee(), deposee(), retrait).when(deposer()).then_refused(DejaRetiree, "candidature_retiree")


def test_seuls_ses_epci_deposent_la_candidature() -> None:
    given(decider, initiee(), adhesion()).when(deposer(demandeur=EPCI_3)).then_refused(CandidatureIntrouvable)
    given(decider).when(deposer()).then_refused(CandidatureIntrouvable, "candidature_introuvable")


# --- withdrawal and freeze ----------------------------------------------------------------------------------


def test_le_retrait_avant_la_releve_est_enregistre() -> None:
    la_veille = RELEVE_VAGUE_4 - timedelta(seconds=1)
    given(decider, initiee(), deposee()).when(retirer(le=la_veille)).then(
        CandidatureRetiree(candidature_id=CID, vague=4, retiree_le=la_veille, motif=retirer().motif)
    )


@pytest.mark.parametrize("instant", [RELEVE_VAGUE_4, RELEVE_VAGUE_4 + timedelta(days=3)])
def test_apres_la_releve_le_retrait_est_refuse(instant: datetime) -> None:
    given(decider, initiee(), deposee()).when(retirer(le=instant)).then_refused(DossiersFiges, "vague_relevee")


def test_un_brouillon_ne_se_retire_pas() -> None:
    given(decider, initiee()).when(retirer()).then_refused(NonDeposee, "non_deposee")


def test_le_meme_retrait_repete_n_enregistre_rien_un_autre_est_refuse() -> None:
    history = (initiee(), deposee(), *decider.decide(retirer(), decider.fold([initiee(), deposee()])))
    given(decider, *history).when(retirer(le=LE_29_AOUT_2023 + timedelta(hours=1))).then()
    given(decider, *history).when(retirer(motif="autre")).then_refused(DejaRetiree)


def test_un_autre_epci_ne_retire_pas_la_candidature() -> None:
    given(decider, initiee(), deposee()).when(retirer(demandeur=EPCI_3)).then_refused(CandidatureIntrouvable)


# --- evolve and command shape -----------------------------------------------------------------------------


def test_le_cycle_de_vie_des_statuts() -> None:
    assert decider.initial_state.statut is Statut.NOUVELLE
    assert decider.fold([initiee()]).statut is Statut.BROUILLON
    state = decider.fold([initiee(), deposee()])
    assert state.statut is Statut.DEPOSEE and state.depot == deposee() and state.dossier == dossier()
    assert not state.figee_a(RELEVE_VAGUE_4 - timedelta(microseconds=1)) and state.figee_a(RELEVE_VAGUE_4)
    retrait = CandidatureRetiree(candidature_id=CID, vague=4, retiree_le=LE_29_AOUT_2023, motif="m")
    assert decider.fold([initiee(), deposee(), retrait]).statut is Statut.RETIREE


def test_la_commande_refuse_un_siren_invalide_et_un_instant_sans_fuseau() -> None:
    with pytest.raises(ValidationError, match="epci_sirens"):
        brouillon(epci_sirens=["123456789"])
    with pytest.raises(ValidationError, match="deposee_le"):
        deposer(le=datetime(2023, 5, 10, 10))


def test_le_depot_attend_l_adhesion_de_chaque_autre_epci_du_groupement() -> None:
    refus = given(decider, initiee()).when(deposer()).then_refused(AdhesionsManquantes, "adhesions_manquantes")
    assert refus.details == {"sirens": [EPCI_2]}
    given(decider, initiee()).when(adherer(EPCI_2)).then(adhesion())
    given(decider, initiee(), adhesion()).when(adherer(EPCI_2)).then()  # agreeing again records nothing
    given(decider, initiee()).when(adherer(EPCI_3)).then_refused(CandidatureIntrouvable)  # not named in it
    given(decider, initiee(), adhesion(), deposee()).when(adherer(EPCI_1)).then_refused(DejaDeposee)


def adherer(siren: str) -> AdhererCandidature:
    return AdhererCandidature(candidature_id=CID, demandeur=siren, adhere_le=LE_29_AOUT_2023)
