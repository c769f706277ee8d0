"""ProjetIndustriel and the census: each rule of DOMAIN-REFERENCE §3 as given recorded events, when a command, then
events or the refusal that names the rule. The mission view is what the handler folds from the mission's stream."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from contracts.base import FormeAide, RegimeAide
from contracts.instruction.mission import MembreCopil
from contracts.instruction.projets import (
    AideInstructionDefavorable,
    AideInstruite,
    CategorieAideEtat,
    CategorieDepense,
    Cofinancement,
    DemandeAideDeposee,
    Depense,
    EntrepriseRencontree,
    ProjetOriente,
    ProjetRecense,
    TailleEntreprise,
)
from contracts.instruction.v1 import ProjetQualifie
from instruction.projets.domain import aides_etat, errors
from instruction.projets.domain import commands as c
from instruction.projets.domain.decider import decider_projet, decider_recensement
from instruction.projets.domain.mission_vue import Copil, MissionVue
from instruction.projets.domain.taille import categorie_de, taille_de
from kernel.testing import given
from tests.fixtures import SIRET

T, P = "lorient", "projet-lorient-01"
SIREN = SIRET[:9]
M = 100_000_000
LANCEE = MissionVue(
    ouverte=True,
    date_lancement=date(2024, 2, 5),
    copils={
        "complet": Copil(date(2024, 4, 10), frozenset()),
        "incomplet": Copil(date(2024, 4, 20), frozenset({MembreCopil.BUSINESS_FRANCE})),
    },
)
RECENSER = c.RecenserProjet(
    territoire_id=T,
    projet_id=P,
    siren=SIREN,
    siret=SIRET,
    raison_sociale="Forges de Lorient",
    intitule="Nouvelle ligne d'usinage",
    effectif=40,
    chiffre_affaires_centimes=8 * M,
    total_bilan_centimes=6 * M,
    secteur_naf="25.62B",
    investissement_centimes=2 * M,
    emplois_potentiels=12,
    horizon=2026,
    date=date(2024, 3, 1),
)
RECENSE = ProjetRecense(**RECENSER.model_dump(), taille=TailleEntreprise.PME, categorie=CategorieAideEtat.PETITE)
QUALIFIER = c.QualifierProjet(
    territoire_id=T,
    projet_id=P,
    copil_id="complet",
    assiette_estimee_centimes=M,
    forme_envisagee=FormeAide.SUBVENTION,
    emplois_prevus=10,
)
QUALIFIE = ProjetQualifie(
    projet_id=P,
    territoire_id=T,
    siret=SIRET,
    raison_sociale="Forges de Lorient",
    intitule="Nouvelle ligne d'usinage",
    date_copil=date(2024, 4, 10),
    assiette_estimee_centimes=M,
    forme_envisagee=FormeAide.SUBVENTION,
    emplois_prevus=10,
)
DEMANDE = DemandeAideDeposee(
    projet_id=P,
    territoire_id=T,
    demande_id="d1",
    forme=FormeAide.SUBVENTION,
    montant_demande_centimes=M // 4,
    date_depot=date(2024, 5, 2),
)
MACHINES = Depense(categorie=CategorieDepense.EQUIPEMENTS_MACHINES, montant_centimes=8 * M // 10)


def instruire(**change: object) -> c.InstruireDemande:
    fields: dict[str, object] = {
        "territoire_id": T,
        "projet_id": P,
        "demande_id": "d1",
        "regime": RegimeAide.ENVIRONNEMENT,
        "zone_afr": False,
        "depenses": [MACHINES],
        "debut_depenses": date(2024, 6, 1),
        "fin_depenses": date(2026, 5, 31),
        "debut_travaux": date(2024, 6, 1),
        "dnsh_atteste": True,
        "cofinancements": [],
        "date_instruction": date(2024, 6, 20),
    }
    return c.InstruireDemande(**(fields | change))


def projet(mission: MissionVue = LANCEE):  # type: ignore[no-untyped-def]
    return decider_projet(mission)


# ---- size by the EU definition ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effectif", "ca", "bilan", "taille", "categorie"),
    [
        (9, 1 * M, 5 * M, TailleEntreprise.TPE, CategorieAideEtat.PETITE),
        (9, 3 * M, 3 * M, TailleEntreprise.PME, CategorieAideEtat.PETITE),
        (49, 12 * M, 9 * M, TailleEntreprise.PME, CategorieAideEtat.PETITE),
        (49, 12 * M, 11 * M, TailleEntreprise.PME, CategorieAideEtat.MOYENNE),
        (249, 60 * M, 40 * M, TailleEntreprise.PME, CategorieAideEtat.MOYENNE),  # bilan ≤ 43 M€ suffices
        (249, 60 * M, 50 * M, TailleEntreprise.ETI, CategorieAideEtat.GRANDE),
        (300, 40 * M, 40 * M, TailleEntreprise.ETI, CategorieAideEtat.GRANDE),  # > 250 persons: never an SME
        (6000, 40 * M, 40 * M, TailleEntreprise.GE, CategorieAideEtat.GRANDE),
    ],
)
def test_size_follows_the_eu_definition(
    effectif: int, ca: int, bilan: int, taille: TailleEntreprise, categorie: CategorieAideEtat
) -> None:
    assert (taille_de(effectif, ca, bilan), categorie_de(effectif, ca, bilan)) == (taille, categorie)


# ---- census -------------------------------------------------------------------------------------------------------


def test_a_census_project_gets_its_size_and_is_recorded_once() -> None:
    given(projet()).when(RECENSER).then(RECENSE)
    given(projet(), RECENSE).when(RECENSER).then()
    other = RECENSER.model_copy(update={"investissement_centimes": 3 * M})
    given(projet(), RECENSE).when(other).then_refused(errors.ProjetDejaRecense)


@pytest.mark.parametrize(
    ("mission", "reason"),
    [
        (MissionVue(ouverte=True), "mission_non_lancee"),
        (MissionVue(ouverte=True, date_lancement=date(2024, 2, 5), date_cloture=date(2024, 9, 1)), "mission_cloturee"),
        (MissionVue(ouverte=True, date_lancement=date(2024, 3, 15)), "date_avant_lancement"),
    ],
)
def test_the_census_happens_while_the_mission_runs(mission: MissionVue, reason: str) -> None:
    given(projet(mission)).when(RECENSER).then_refused(errors.DomainError, reason)


def test_interviews_are_counted_once_per_id() -> None:
    entretien = c.Entretien(entretien_id="e1", siren=SIREN, raison_sociale="Forges", date=date(2024, 3, 1))
    feuille = c.RencontrerEntreprises(territoire_id=T, entretiens=(entretien,))
    event = EntrepriseRencontree(territoire_id=T, **entretien.model_dump())
    given(decider_recensement(LANCEE)).when(feuille).then(event)
    given(decider_recensement(LANCEE), event).when(feuille).then()
    autre = c.RencontrerEntreprises(territoire_id=T, entretiens=(entretien.model_copy(update={"raison_sociale": "X"}),))
    given(decider_recensement(LANCEE), event).when(autre).then_refused(errors.EntretienDejaEnregistre)


def test_a_siren_and_a_siret_are_checked() -> None:
    with pytest.raises(ValidationError, match="SIRET invalide"):
        c.RecenserProjet(**(RECENSER.model_dump() | {"siret": "73282932000075"}))


def test_another_territory_does_not_see_the_project() -> None:
    update = c.AbandonnerProjet(territoire_id="cambrai", projet_id=P, motif="x", date=date(2024, 4, 1))
    given(projet(), RECENSE).when(update).then_refused(errors.ProjetInconnu)


def test_an_oriented_project_is_closed_for_rebond() -> None:
    orienter = c.OrienterProjet(territoire_id=T, projet_id=P, dispositif="Fonds vert", date=date(2024, 4, 1))
    oriente = ProjetOriente(**orienter.model_dump())
    given(projet(), RECENSE).when(orienter).then(oriente)
    given(projet(), RECENSE, oriente).when(orienter).then()
    given(projet(), RECENSE, oriente).when(QUALIFIER).then_refused(errors.ProjetClos)


def test_no_fact_before_the_census() -> None:
    early = c.PrioriserProjet(territoire_id=T, projet_id=P, prioritaire=True, acteurs=["EPCI"], date=date(2024, 2, 9))
    given(projet(), RECENSE).when(early).then_refused(errors.DateAvantRecensement)


# ---- COPIL qualification ----------------------------------------------------------------------------------------


def test_a_complete_copil_qualifies_a_census_project() -> None:
    given(projet(), RECENSE).when(QUALIFIER).then(QUALIFIE)
    given(projet(), RECENSE, QUALIFIE).when(QUALIFIER).then()


def test_a_copil_without_the_required_members_cannot_qualify() -> None:
    refused = (
        given(projet(), RECENSE)
        .when(QUALIFIER.model_copy(update={"copil_id": "incomplet"}))
        .then_refused(errors.CopilIncomplet)
    )
    assert refused.details == {"membres_absents": ["BUSINESS_FRANCE"]}


def test_a_qualification_names_a_recorded_copil_and_a_census_project() -> None:
    given(projet(), RECENSE).when(QUALIFIER.model_copy(update={"copil_id": "x"})).then_refused(errors.CopilInconnu)
    given(projet()).when(QUALIFIER).then_refused(errors.ProjetInconnu)


# ---- the aid request and Bpifrance's instruction -------------------------------------------------------------------


def test_only_a_qualified_project_applies_to_bpifrance() -> None:
    deposer = c.DeposerDemandeAide(
        territoire_id=T,
        projet_id=P,
        demande_id="d1",
        forme=FormeAide.SUBVENTION,
        montant_demande_centimes=M // 4,
        date_depot=date(2024, 5, 2),
    )
    given(projet(), RECENSE).when(deposer).then_refused(errors.ProjetNonQualifie)
    given(projet(), RECENSE, QUALIFIE).when(deposer).then(DEMANDE)
    second = deposer.model_copy(update={"demande_id": "d2"})
    given(projet(), RECENSE, QUALIFIE, DEMANDE).when(second).then_refused(errors.DemandeEnCours)


def test_a_favourable_instruction_sets_the_ceiling_from_the_regime_and_the_cofinancing() -> None:
    cofinance = instruire(cofinancements=[Cofinancement(financeur="Région Bretagne", montant_centimes=M // 10)])
    state = projet().fold([RECENSE, QUALIFIE, DEMANDE])
    [event] = projet().decide(cofinance, state)
    assert isinstance(event, AideInstruite)
    # petite entreprise, environment regime: 55 % of 800 000 € = 440 000 €, less 100 000 € from the Région
    assert (event.assiette_centimes, event.intensite_max_pour_mille, event.plafond_aide_centimes) == (
        80_000_000,
        550,
        34_000_000,
    )
    assert "[003]" in event.source_intensite and event.emplois_prevus == 10


@pytest.mark.parametrize(
    ("change", "regle"),
    [
        (
            {"depenses": [Depense(categorie=CategorieDepense.EQUIPEMENTS_MACHINES, montant_centimes=39_999_999)]},
            "assiette_minimale",
        ),
        ({"fin_depenses": date(2026, 6, 1)}, "duree_depenses"),
        ({"fin_depenses": date(2024, 5, 1)}, "duree_depenses"),
        (
            {"depenses": [MACHINES, Depense(categorie=CategorieDepense.FORMATION, montant_centimes=M // 10)]},
            "depense_non_eligible",
        ),
        ({"dnsh_atteste": False}, "dnsh_non_atteste"),
        ({"regime": RegimeAide.AFR}, "hors_zone_afr"),
        ({"debut_travaux": date(2024, 5, 1), "debut_depenses": date(2024, 5, 1)}, "travaux_avant_demande"),
        (
            {"cofinancements": [Cofinancement(financeur="Département", montant_centimes=25 * M // 100)]},
            "intensite_depassee",
        ),
        ({"regime": RegimeAide.PME, "depenses": [MACHINES]}, "intensite_depassee"),  # 20 % of 800 k€ < 250 k€
    ],
)
def test_an_instruction_outside_a_rule_is_recorded_naming_it(change: dict[str, object], regle: str) -> None:
    state = projet().fold([RECENSE, QUALIFIE, DEMANDE])
    [event] = projet().decide(instruire(**change), state)
    assert isinstance(event, AideInstructionDefavorable)
    assert regle in event.regles


def test_the_pme_regime_is_closed_to_large_companies() -> None:
    grande = RECENSE.model_copy(update={"categorie": CategorieAideEtat.GRANDE, "taille": TailleEntreprise.ETI})
    state = projet().fold([grande, QUALIFIE, DEMANDE])
    [event] = projet().decide(instruire(regime=RegimeAide.PME), state)
    assert isinstance(event, AideInstructionDefavorable)
    assert "regime_ferme_a_cette_taille" in event.regles


def test_afr_needs_an_afr_zone_and_a_repayable_aid_gets_the_environment_bonus() -> None:
    dossier = aides_etat.Dossier(
        forme=FormeAide.AVANCE_REMBOURSABLE,
        montant_demande_centimes=M,
        date_depot=date(2024, 5, 2),
        regime=RegimeAide.ENVIRONNEMENT,
        categorie=CategorieAideEtat.GRANDE,
        zone_afr=False,
        depenses=(MACHINES,),
        debut_depenses=date(2024, 6, 1),
        fin_depenses=date(2025, 6, 1),
        debut_travaux=date(2024, 6, 1),
        dnsh_atteste=True,
        cofinancements=(),
    )
    assert aides_etat.intensite_max(dossier) == 450  # 35 % + 10 points for a repayable aid [003]
    assert all(b.source for b in aides_etat.BAREMES.values())


def test_a_second_request_may_follow_an_unfavourable_instruction() -> None:
    defavorable = AideInstructionDefavorable(
        projet_id=P, territoire_id=T, demande_id="d1", regles=["dnsh_non_atteste"], date_instruction=date(2024, 6, 20)
    )
    nouvelle = c.DeposerDemandeAide(
        territoire_id=T,
        projet_id=P,
        demande_id="d2",
        forme=FormeAide.SUBVENTION,
        montant_demande_centimes=M // 5,
        date_depot=date(2024, 7, 1),
    )
    [event] = projet().decide(nouvelle, projet().fold([RECENSE, QUALIFIE, DEMANDE, defavorable]))
    assert isinstance(event, DemandeAideDeposee)
    given(projet(), RECENSE, QUALIFIE, DEMANDE, defavorable).when(instruire(dnsh_atteste=False)).then()
