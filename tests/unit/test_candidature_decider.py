"""The Candidature decider and the wave calendar: every decide branch, and the relève edges."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contracts.candidature.v1 import CandidatureDeposee, Porteur, SectionDossier
from kernel.testing import given

from candidature.domain.calendrier import CALENDRIER, vague_du_depot
from candidature.domain.candidature import Statut, decider
from candidature.domain.commands import DeposerCandidature
from candidature.domain.errors import (
    AMIClos,
    DejaDeposee,
    GrilleImpactsManquante,
    PagesIncoherentes,
    PorteurIncoherent,
    SectionsManquantes,
)

PARIS = ZoneInfo("Europe/Paris")
EPCI_1, EPCI_2 = "200068500", "200040863"  # Luhn-valid SIRENs made up for the tests
TOUTES_SECTIONS = list(SectionDossier)
LE_29_AOUT_2023 = datetime(2023, 8, 29, 10, tzinfo=PARIS)
RELEVE_VAGUE_4 = datetime(2023, 10, 1, 12, tzinfo=PARIS)


def depot(**changes: object) -> DeposerCandidature:
    fields: dict[str, object] = dict(
        candidature_id="cambresis-2023", porteur=Porteur.GROUPEMENT_EPCI, epci_sirens=[EPCI_1, EPCI_2],
        nom_territoire="Cambrésis et Caudrésis-Catésis", region_code="32", perimetre="Territoire d'industrie",
        filiere="automobile", sections=TOUTES_SECTIONS, nombre_pages=20, pages_synthese=2,
        grille_impacts_jointe=True, deposee_le=LE_29_AOUT_2023)
    return DeposerCandidature.model_validate({**fields, **changes})


def deposee(command: DeposerCandidature, vague: int, releve_le: datetime) -> CandidatureDeposee:
    fields = command.model_dump(exclude={"deposee_le"})
    return CandidatureDeposee(**fields, vague=vague, releve_le=releve_le, deposee_le=command.deposee_le)


# --- calendar ---------------------------------------------------------------------------------------------

def test_le_calendrier_compte_13_releves_a_midi_heure_de_paris() -> None:
    assert [v.numero for v in CALENDRIER] == list(range(1, 14))
    assert CALENDRIER[0].releve_le == datetime(2022, 10, 1, 10, tzinfo=UTC)  # CEST: UTC+2
    assert CALENDRIER[1].releve_le == datetime(2023, 2, 1, 11, tzinfo=UTC)  # CET: UTC+1
    assert CALENDRIER[-1].releve_le == datetime(2026, 10, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(("instant", "vague"), [
    (datetime(2022, 1, 1, tzinfo=PARIS), 1),
    (datetime(2023, 10, 1, 11, 59, 59, tzinfo=PARIS), 4),  # last second before the relève
    (datetime(2023, 10, 1, 12, 0, 0, tzinfo=PARIS), 5),  # at noon sharp: too late, next wave
    (datetime(2023, 10, 1, 9, 59, 59, tzinfo=UTC), 4),  # summer time: noon Paris is 10:00 UTC
    (datetime(2023, 10, 1, 10, 0, 0, tzinfo=UTC), 5),
    (datetime(2024, 2, 1, 10, 59, 59, tzinfo=UTC), 5),  # winter time: noon Paris is 11:00 UTC
    (datetime(2024, 2, 1, 11, 0, 0, tzinfo=UTC), 6),
    (datetime(2024, 2, 1, 11, 30, tzinfo=PARIS), 5),
    (datetime(2026, 10, 1, 11, 59, 59, tzinfo=PARIS), 13),
])
def test_un_depot_rejoint_la_prochaine_releve_strictement_apres_lui(instant: datetime, vague: int) -> None:
    trouvee = vague_du_depot(instant)
    assert trouvee is not None and trouvee.numero == vague


@pytest.mark.parametrize("instant", [datetime(2026, 10, 1, 12, tzinfo=PARIS), datetime(2027, 1, 1, tzinfo=UTC)])
def test_apres_la_releve_finale_il_n_y_a_plus_de_vague(instant: datetime) -> None:
    assert vague_du_depot(instant) is None


def test_un_instant_sans_fuseau_est_refuse() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        vague_du_depot(datetime(2023, 5, 10, 10))


# --- decide -----------------------------------------------------------------------------------------------

def test_un_dossier_complet_est_depose_dans_la_vague_de_la_prochaine_releve() -> None:
    command = depot()
    given(decider).when(command).then(deposee(command, 4, RELEVE_VAGUE_4))


def test_le_depot_a_midi_pile_un_jour_de_releve_va_a_la_vague_suivante() -> None:
    command = depot(deposee_le=datetime(2023, 10, 1, 12, tzinfo=PARIS))
    given(decider).when(command).then(deposee(command, 5, datetime(2024, 2, 1, 12, tzinfo=PARIS)))


def test_le_depot_une_seconde_avant_midi_reste_dans_la_vague() -> None:
    command = depot(deposee_le=datetime(2023, 10, 1, 11, 59, 59, tzinfo=PARIS))
    given(decider).when(command).then(deposee(command, 4, RELEVE_VAGUE_4))


def test_un_epci_seul_peut_deposer() -> None:
    command = depot(porteur=Porteur.EPCI, epci_sirens=[EPCI_1])
    given(decider).when(command).then(deposee(command, 4, RELEVE_VAGUE_4))


def test_les_sections_sont_enregistrees_dans_l_ordre_du_cahier_des_charges() -> None:
    command = depot(sections=[*reversed(TOUTES_SECTIONS), SectionDossier.STRATEGIE_REBOND])
    [event] = decider.decide(command, decider.initial_state)
    assert event.sections == TOUTES_SECTIONS


def test_apres_la_releve_finale_l_ami_est_clos() -> None:
    given(decider).when(depot(deposee_le=datetime(2026, 10, 1, 12, tzinfo=PARIS))).then_refused(AMIClos, "ami_clos")


def test_sans_grille_d_impacts_le_depot_est_refuse() -> None:
    given(decider).when(depot(grille_impacts_jointe=False)).then_refused(
        GrilleImpactsManquante, "grille_impacts_manquante")


def test_les_sections_manquantes_sont_nommees() -> None:
    presentes = [s for s in TOUTES_SECTIONS
                 if s not in (SectionDossier.FRAGILITE_TISSU_ECONOMIQUE, SectionDossier.DEFICIT_INGENIERIE)]
    refus = given(decider).when(depot(sections=presentes)).then_refused(SectionsManquantes, "sections_manquantes")
    assert refus.manquantes == ["FRAGILITE_TISSU_ECONOMIQUE", "DEFICIT_INGENIERIE"]  # type: ignore[attr-defined]
    assert "FRAGILITE_TISSU_ECONOMIQUE" in str(refus) and "DEFICIT_INGENIERIE" in str(refus)


def test_sans_aucune_section_les_sept_manquent() -> None:
    refus = given(decider).when(depot(sections=[])).then_refused(SectionsManquantes)
    assert len(refus.manquantes) == 7  # type: ignore[attr-defined]


@pytest.mark.parametrize(("porteur", "sirens"), [
    (Porteur.EPCI, [EPCI_1, EPCI_2]),
    (Porteur.GROUPEMENT_EPCI, [EPCI_1]),
    (Porteur.GROUPEMENT_EPCI, [EPCI_1, EPCI_1]),
])
def test_le_porteur_doit_etre_coherent_avec_ses_sirens(porteur: Porteur, sirens: list[str]) -> None:
    given(decider).when(depot(porteur=porteur, epci_sirens=sirens)).then_refused(
        PorteurIncoherent, "porteur_incoherent")


def test_la_synthese_ne_peut_depasser_le_dossier() -> None:
    given(decider).when(depot(nombre_pages=1, pages_synthese=2)).then_refused(PagesIncoherentes, "pages_incoherentes")


def test_le_meme_dossier_redepose_n_enregistre_rien() -> None:
    first = depot()
    again = depot(deposee_le=LE_29_AOUT_2023 + timedelta(hours=1), sections=list(reversed(TOUTES_SECTIONS)),
                  epci_sirens=[EPCI_2, EPCI_1])
    given(decider, deposee(first, 4, RELEVE_VAGUE_4)).when(again).then()


def test_le_meme_dossier_redepose_apres_la_cloture_n_enregistre_rien_non_plus() -> None:
    first = depot()
    again = depot(deposee_le=datetime(2027, 1, 1, tzinfo=UTC))
    given(decider, deposee(first, 4, RELEVE_VAGUE_4)).when(again).then()


def test_un_autre_dossier_sous_le_meme_identifiant_est_refuse() -> None:
    first = depot()
    given(decider, deposee(first, 4, RELEVE_VAGUE_4)).when(depot(filiere="ferroviaire")).then_refused(
        DejaDeposee, "deja_deposee")


# --- evolve and command shape -----------------------------------------------------------------------------

def test_le_depot_rend_la_candidature_deposee() -> None:
    event = deposee(depot(), 4, RELEVE_VAGUE_4)
    state = decider.fold([event])
    assert state.statut is Statut.DEPOSEE and state.depot == event
    assert decider.initial_state.statut is Statut.NOUVELLE


def test_la_commande_refuse_un_siren_invalide_et_un_instant_sans_fuseau() -> None:
    with pytest.raises(ValidationError, match="epci_sirens"):
        depot(epci_sirens=["123456789"])
    with pytest.raises(ValidationError, match="deposee_le"):
        depot(deposee_le=datetime(2023, 5, 10, 10))
