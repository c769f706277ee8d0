"""CandidatureDeposee v2 (the grille itself) and the upcasting of a v1 deposit recorded before it."""

from __future__ import annotations

import json
from pathlib import Path

from candidature.domain.candidature import Statut, decider
from candidature.domain.errors import DossiersFiges
from contracts import schemas
from contracts.candidature.v1 import CandidatureDeposee, CandidatureDeposeeV1, CandidatureRetiree
from contracts.catalog import decode, model_for
from kernel.testing import given
from tests.unit.candidature_exemples import CID, EPCI_1, retirer

EXAMPLES = Path(schemas.SCHEMA_DIR).parent / "examples"


def v1_payload() -> dict[str, object]:
    return {**json.loads((EXAMPLES / "CandidatureDeposee.v1.json").read_text()), "candidature_id": CID}


def test_la_version_2_est_la_derniere_et_la_1_reste_lisible() -> None:
    assert model_for("CandidatureDeposee") is CandidatureDeposee and CandidatureDeposee.schema_version == 2
    assert CandidatureDeposeeV1.schema_version == 1 and (schemas.SCHEMA_DIR / "CandidatureDeposee.v1.json").exists()


def test_un_depot_v1_est_lu_en_v2_sans_contenu_de_grille() -> None:
    event = decode("CandidatureDeposee", 1, v1_payload())
    assert isinstance(event, CandidatureDeposee)
    assert event.grille_impacts is None and event.avertissements == [] and event.vague == 2
    assert not hasattr(event, "grille_impacts_jointe")


def test_un_depot_v2_se_relit_a_l_identique() -> None:
    payload = json.loads((EXAMPLES / "CandidatureDeposee.v2.json").read_text())
    event = decode("CandidatureDeposee", 2, payload)
    assert event.model_dump(mode="json") == payload


def test_une_candidature_deposee_en_v1_se_replie_et_se_retire() -> None:
    depot = decode("CandidatureDeposee", 1, {**v1_payload(), "epci_sirens": [EPCI_1, "200040491"]})
    state = decider.fold([depot])
    assert state.statut is Statut.DEPOSEE and state.dossier is not None and state.dossier.grille_impacts is None
    veille = depot.releve_le.replace(hour=11)  # type: ignore[attr-defined]
    given(decider, depot).when(retirer(le=veille)).then(
        CandidatureRetiree(candidature_id=CID, vague=2, retiree_le=veille, motif=retirer().motif)
    )
    given(decider, depot).when(retirer(le=depot.releve_le)).then_refused(DossiersFiges)  # type: ignore[attr-defined]
