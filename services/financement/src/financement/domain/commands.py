"""What can be asked of a territory envelope. Time arrives in the command (business dates)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Centimes, FormeAide, Identifiant, MontantCentimes, RegimeAide, RegionCode, Siret
from contracts.financement.v1 import Echeance, Libelle
from financement.domain.events import Contribution


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    territoire_id: Identifiant


class EnregistrerLaureat(_Command):
    """Take note that the Prime Minister selected the territory (from instruction)."""

    nom_territoire: str
    region_code: RegionCode
    date_decision: date


class EnregistrerProjetQualifie(_Command):
    """Take note that the territory's COPIL qualified a project (from instruction)."""

    projet_id: Identifiant
    siret: Siret
    assiette_estimee_centimes: Centimes


class EnregistrerInstruction(_Command):
    """Take note of Bpifrance's favourable instruction of a project's request (from instruction)."""

    projet_id: Identifiant
    demande_id: Identifiant
    siret: Siret
    forme: FormeAide
    regime: RegimeAide
    assiette_centimes: Centimes
    intensite_max_pour_mille: int
    plafond_aide_centimes: Centimes
    emplois_prevus: int
    date_instruction: date


class AttribuerEnveloppe(_Command):
    """CDC sets the territory's envelope and who co-finances it."""

    montant_centimes: Annotated[int, Field(gt=0)]
    contributions: Annotated[tuple[Contribution, ...], Field(min_length=1)]
    date_attribution: date


class AjusterEnveloppe(_Command):
    """CDC changes the envelope by `delta_centimes` (the financeur's share), for a stated reason."""

    delta_centimes: int
    financeur: Annotated[str, Field(min_length=1, max_length=120)]
    motif: Libelle
    date_ajustement: date


class AccorderAide(_Command):
    """The deciding body grants an aid to a project Bpifrance instructed favourably, out of the envelope."""

    aide_id: Identifiant
    projet_id: Identifiant
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    instance_decision: Libelle
    date_decision: date


class SurAide(_Command):
    """A command on one granted aid."""

    aide_id: Identifiant


class SignerConventionAide(SurAide):
    date_signature: date


class VerserTranche(SurAide):
    versement_id: Identifiant
    montant_centimes: MontantCentimes
    depenses_justifiees_centimes: Annotated[int, Field(strict=True, ge=0, le=10**13)]
    date_versement: date


class SolderAide(SurAide):
    depenses_realisees_centimes: Annotated[int, Field(strict=True, ge=0, le=10**13)]
    date_solde: date


class FixerEcheancier(SurAide):
    echeances: Annotated[tuple[Echeance, ...], Field(min_length=1, max_length=240)]


class EnregistrerRemboursement(SurAide):
    remboursement_id: Identifiant
    montant_centimes: MontantCentimes
    date_remboursement: date


class ConstaterImpaye(SurAide):
    echeance: date
    date_constat: date


class AnnulerAidesDuProjet(_Command):
    """The project was abandoned (from instruction): its aids are cancelled."""

    projet_id: Identifiant
    motif: Libelle
    date_annulation: date


Command = (
    EnregistrerLaureat
    | EnregistrerProjetQualifie
    | EnregistrerInstruction
    | AttribuerEnveloppe
    | AjusterEnveloppe
    | AccorderAide
    | SignerConventionAide
    | VerserTranche
    | SolderAide
    | FixerEcheancier
    | EnregistrerRemboursement
    | ConstaterImpaye
    | AnnulerAidesDuProjet
)
