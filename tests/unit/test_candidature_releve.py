"""The wave calendar, the Vague decider (relève), the AMI's early closure and criterion 7's warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from candidature.domain import ami, vague
from candidature.domain.calendrier import CALENDRIER, vague_du_depot, vagues_a_relever
from candidature.domain.chevauchement import Voisine, avertissements, cle_perimetre
from candidature.domain.commands import CloturerAMI, ReleverVague, RendreAvisSGPICloture, SignalerSeuilConsommation
from candidature.domain.errors import (
    AMIClos,
    AMIDejaClos,
    AucunSeuilSignale,
    AvisSGPIManquant,
    ClotureIncoherente,
    RelevePrematuree,
)
from contracts.candidature.v1 import (
    AMIClotureAnticipee,
    AvisSGPIClotureRendu,
    MotifAvertissement,
    SeuilConsommationSignale,
    VagueRelevee,
)
from kernel.testing import given
from tests.unit.candidature_exemples import PARIS, RELEVE_VAGUE_4

# --- calendar ---------------------------------------------------------------------------------------------


def test_le_calendrier_compte_13_releves_a_midi_heure_de_paris() -> None:
    assert [v.numero for v in CALENDRIER] == list(range(1, 14))
    assert CALENDRIER[0].releve_le == datetime(2022, 10, 1, 10, tzinfo=UTC)  # CEST: UTC+2
    assert CALENDRIER[1].releve_le == datetime(2023, 2, 1, 11, tzinfo=UTC)  # CET: UTC+1
    assert CALENDRIER[-1].releve_le == datetime(2026, 10, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "numero"),
    [
        (datetime(2022, 1, 1, tzinfo=PARIS), 1),
        (datetime(2023, 10, 1, 11, 59, 59, tzinfo=PARIS), 4),  # last second before the relève
        (datetime(2023, 10, 1, 12, 0, 0, tzinfo=PARIS), 5),  # at noon sharp: too late, next wave
        (datetime(2023, 10, 1, 9, 59, 59, tzinfo=UTC), 4),  # summer time: noon Paris is 10:00 UTC
        (datetime(2024, 2, 1, 10, 59, 59, tzinfo=UTC), 5),  # winter time: noon Paris is 11:00 UTC
        (datetime(2024, 2, 1, 11, 0, 0, tzinfo=UTC), 6),
        (datetime(2026, 10, 1, 11, 59, 59, tzinfo=PARIS), 13),
    ],
)
def test_un_depot_rejoint_la_prochaine_releve_strictement_apres_lui(instant: datetime, numero: int) -> None:
    trouvee = vague_du_depot(instant)
    assert trouvee is not None and trouvee.numero == numero


def test_apres_la_releve_finale_il_n_y_a_plus_de_vague() -> None:
    assert vague_du_depot(datetime(2026, 10, 1, 12, tzinfo=PARIS)) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        vague_du_depot(datetime(2023, 5, 10, 10))


def test_les_vagues_a_relever() -> None:
    assert vagues_a_relever(datetime(2022, 10, 1, 11, 59, tzinfo=PARIS)) == []
    assert [v.numero for v in vagues_a_relever(RELEVE_VAGUE_4)] == [1, 2, 3, 4]  # late: several at once
    assert len(vagues_a_relever(datetime(2030, 1, 1, tzinfo=UTC))) == 13


def test_apres_une_cloture_anticipee_seule_la_vague_ouverte_est_encore_relevee() -> None:
    close = datetime(2023, 11, 20, 15, tzinfo=PARIS)  # during wave 5
    assert [v.numero for v in vagues_a_relever(datetime(2025, 1, 1, tzinfo=UTC), close)] == [1, 2, 3, 4, 5]


# --- relève -----------------------------------------------------------------------------------------------


def relever(maintenant: datetime, *candidatures: str) -> ReleverVague:
    return ReleverVague(vague=4, releve_le=RELEVE_VAGUE_4, candidatures=list(candidatures), maintenant=maintenant)


def test_la_releve_enregistre_les_candidatures_de_la_vague() -> None:
    given(vague.decider).when(relever(RELEVE_VAGUE_4, "lorient", "cambrai", "lorient")).then(
        VagueRelevee(vague=4, releve_le=RELEVE_VAGUE_4, candidatures=["cambrai", "lorient"])
    )


def test_la_releve_n_est_enregistree_qu_une_fois() -> None:
    deja = VagueRelevee(vague=4, releve_le=RELEVE_VAGUE_4, candidatures=["cambrai"])
    given(vague.decider, deja).when(relever(datetime(2024, 1, 1, tzinfo=PARIS), "cambrai", "autre")).then()


def test_pas_de_releve_avant_midi() -> None:
    given(vague.decider).when(relever(datetime(2023, 10, 1, 11, 59, tzinfo=PARIS))).then_refused(
        RelevePrematuree, "releve_prematuree"
    )


# --- early closure ------------------------------------------------------------------------------------------

MAINTENANT = datetime(2024, 3, 5, 10, tzinfo=PARIS)


def cloturer(
    date_arrete: date = date(2024, 3, 4),
    avis: date = date(2024, 2, 28),
    reference: str = "2024-17",
    le: datetime = MAINTENANT,
) -> CloturerAMI:
    return CloturerAMI(date_arrete=date_arrete, reference_arrete=reference, date_avis_sgpi=avis, effective_le=le)


def signaler(seuil: int = 90, le: date = date(2024, 2, 1)) -> SignalerSeuilConsommation:
    reserve = 9_000_000_000 * seuil // 100
    return SignalerSeuilConsommation(
        seuil_pourcent=seuil, reserve_centimes=reserve, fonds_centimes=9_000_000_000, date_atteinte=le
    )


def avis_sgpi(le: date = date(2024, 2, 28), favorable: bool = True) -> RendreAvisSGPICloture:
    return RendreAvisSGPICloture(date_avis=le, favorable=favorable, motif="fonds réservé à 90 %", rendu_le=MAINTENANT)


def alerte(seuil: int = 90) -> SeuilConsommationSignale:
    [event] = ami.decide(signaler(seuil), ami.AMI())
    assert isinstance(event, SeuilConsommationSignale)
    return event


def avis(le: date = date(2024, 2, 28), favorable: bool = True) -> AvisSGPIClotureRendu:
    return AvisSGPIClotureRendu(date_avis=le, favorable=favorable, motif="fonds réservé à 90 %")


def test_chaque_seuil_signale_par_le_financement_est_enregistre_une_fois() -> None:
    given(ami.decider).when(signaler()).then(alerte())
    given(ami.decider, alerte()).when(signaler()).then()  # a redelivery
    given(ami.decider, alerte()).when(signaler(100)).then(alerte(100))


def test_le_sgpi_rend_son_avis_une_fois_le_fonds_signale_et_le_dernier_compte() -> None:
    given(ami.decider).when(avis_sgpi()).then_refused(AucunSeuilSignale, "aucun_seuil_de_consommation")
    given(ami.decider, alerte()).when(avis_sgpi()).then(avis())
    given(ami.decider, alerte(), avis()).when(avis_sgpi()).then()  # the same opinion again
    given(ami.decider, alerte(), avis(favorable=False)).when(avis_sgpi()).then(avis())
    given(ami.decider, alerte()).when(avis_sgpi(le=date(2024, 1, 31))).then_refused(
        ClotureIncoherente, "cloture_incoherente"
    )  # before the alert
    given(ami.decider, alerte()).when(avis_sgpi(le=date(2024, 3, 6))).then_refused(ClotureIncoherente)  # future


def test_la_cloture_anticipee_est_enregistree_sur_avis_favorable_du_sgpi() -> None:
    given(ami.decider, alerte(), avis()).when(cloturer()).then(
        AMIClotureAnticipee(
            date_arrete=date(2024, 3, 4),
            reference_arrete="2024-17",
            date_avis_sgpi=date(2024, 2, 28),
            effective_le=MAINTENANT,
        )
    )


def test_sans_avis_favorable_du_sgpi_pas_d_arrete() -> None:
    given(ami.decider).when(cloturer()).then_refused(AvisSGPIManquant, "avis_sgpi_manquant")
    given(ami.decider, alerte()).when(cloturer()).then_refused(AvisSGPIManquant)
    given(ami.decider, alerte(), avis(favorable=False)).when(cloturer()).then_refused(AvisSGPIManquant)
    given(ami.decider, alerte(), avis(), avis(favorable=False)).when(cloturer()).then_refused(AvisSGPIManquant)


def test_le_meme_arrete_repete_n_enregistre_rien_un_autre_est_refuse() -> None:
    [close] = ami.decider.decide(cloturer(), ami.decider.fold([alerte(), avis()]))
    given(ami.decider, alerte(), avis(), close).when(cloturer(le=datetime(2024, 4, 1, tzinfo=PARIS))).then()
    given(ami.decider, alerte(), avis(), close).when(cloturer(reference="2024-99")).then_refused(
        AMIDejaClos, "ami_deja_clos"
    )
    given(ami.decider, alerte(), avis(), close).when(avis_sgpi(favorable=False)).then_refused(AMIDejaClos)


def test_l_arrete_vise_l_avis_rendu_et_n_est_pas_dans_le_futur() -> None:
    chain = (alerte(), avis())
    given(ami.decider, *chain).when(cloturer(avis=date(2024, 2, 27))).then_refused(
        ClotureIncoherente, "cloture_incoherente"
    )  # not the opinion given
    given(ami.decider, *chain).when(cloturer(date_arrete=date(2024, 2, 27))).then_refused(ClotureIncoherente)
    given(ami.decider, *chain).when(cloturer(date_arrete=date(2024, 3, 6))).then_refused(ClotureIncoherente)


def test_apres_la_releve_finale_il_n_y_a_plus_rien_a_clore() -> None:
    given(ami.decider).when(cloturer(le=datetime(2026, 10, 2, tzinfo=PARIS))).then_refused(AMIClos, "ami_clos")


# --- criterion 7 -----------------------------------------------------------------------------------------------


def test_deux_graphies_d_un_meme_perimetre_sont_egales() -> None:
    assert cle_perimetre("TI Cambraisis – Douaisis - Valenciennois") == cle_perimetre(
        "ti cambraisis douaisis  valenciennois"
    )
    assert cle_perimetre("CRTE Pays d'Évian") == cle_perimetre("crte pays d evian")
    assert cle_perimetre("CRTE Pays de Lorient") != cle_perimetre("CRTE Pays de Loudéac")


def test_les_avertissements_de_chevauchement() -> None:
    voisines = [
        Voisine("douaisis", 4, meme_perimetre=True, sirens_communs=()),
        Voisine("cambrai-2022", 1, meme_perimetre=False, sirens_communs=("200068500",)),
        Voisine("valenciennes", 4, meme_perimetre=False, sirens_communs=()),
    ]
    found = avertissements(4, voisines)
    assert [(a.motif, a.autre_candidature_id, a.vague) for a in found] == [
        (MotifAvertissement.EPCI_AUTRE_VAGUE, "cambrai-2022", 1),
        (MotifAvertissement.MEME_PERIMETRE, "douaisis", 4),
    ]
    assert "200068500" in found[0].detail
