"""What may be asked of the census and of a project; dates arrive in the command (no clock). The bounds here are
those of what enters: every value the log accepts fits every consumer and projection."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import FormeAide, Identifiant, MontantCentimes, NombreEmplois, RegimeAide, Siren, Siret
from contracts.instruction.projets import Annee, CodeNaf, Cofinancement, Depense, Libelle, Texte

ASSIETTE_ESTIMEE_MINIMALE = 40_000_000  # a COPIL qualifies projects of ≥ 400 000 € of expenses [000]
Effectif = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
MontantDeclare = Annotated[int, Field(strict=True, ge=0, le=10**15, description="Centimes (comptes de l'entreprise)")]


class _Commande(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    territoire_id: Identifiant


class Entretien(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    entretien_id: Identifiant
    siren: Siren
    raison_sociale: Libelle
    date: date


class RencontrerEntreprises(_Commande):
    """The consultants record the companies they met (one interview or a sheet of them)."""

    entretiens: Annotated[tuple[Entretien, ...], Field(min_length=1, max_length=200)]


class RecenserProjet(_Commande):
    projet_id: Identifiant
    siren: Siren
    siret: Siret
    raison_sociale: Libelle
    intitule: Libelle
    effectif: Effectif
    chiffre_affaires_centimes: MontantDeclare
    total_bilan_centimes: MontantDeclare
    secteur_naf: CodeNaf
    investissement_centimes: MontantCentimes
    emplois_potentiels: NombreEmplois
    horizon: Annee
    date: date


class _SurProjet(_Commande):
    projet_id: Identifiant


class MettreAJourProjet(_SurProjet):
    investissement_centimes: MontantCentimes
    emplois_potentiels: NombreEmplois
    horizon: Annee
    motif: Texte
    date: date


class PrioriserProjet(_SurProjet):
    prioritaire: bool
    acteurs: Annotated[list[Libelle], Field(min_length=1, max_length=30)]
    date: date


class AccompagnerProjet(_SurProjet):
    nature: Texte
    dispositifs_identifies: Annotated[list[Libelle], Field(max_length=30)] = []
    date: date


class OrienterProjet(_SurProjet):
    dispositif: Libelle
    date: date


class AbandonnerProjet(_SurProjet):
    motif: Texte
    date: date


class QualifierProjet(_SurProjet):
    """The COPIL local, at the meeting `copil_id`, orients the project to the territory's envelope."""

    copil_id: Identifiant
    assiette_estimee_centimes: Annotated[MontantCentimes, Field(ge=ASSIETTE_ESTIMEE_MINIMALE)]
    forme_envisagee: FormeAide
    emplois_prevus: NombreEmplois


class DeposerDemandeAide(_SurProjet):
    demande_id: Identifiant
    forme: FormeAide
    montant_demande_centimes: MontantCentimes
    date_depot: date


class InstruireDemande(_SurProjet):
    """Bpifrance's technical and financial instruction of the deposited request."""

    demande_id: Identifiant
    regime: RegimeAide
    zone_afr: bool
    depenses: Annotated[list[Depense], Field(min_length=1, max_length=100)]
    debut_depenses: date
    fin_depenses: date
    debut_travaux: date
    dnsh_atteste: bool
    cofinancements: Annotated[list[Cofinancement], Field(max_length=30)] = []
    date_instruction: date


CommandeProjet = (
    RecenserProjet
    | MettreAJourProjet
    | PrioriserProjet
    | AccompagnerProjet
    | OrienterProjet
    | AbandonnerProjet
    | QualifierProjet
    | DeposerDemandeAide
    | InstruireDemande
)
