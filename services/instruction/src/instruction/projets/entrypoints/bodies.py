"""Request bodies of the projects' HTTP API: the command without what the path gives (territory, project), and
every date within the programme (kernel.business_time then refuses one in the business future)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import (
    DateProgramme,
    FormeAide,
    Identifiant,
    MontantCentimes,
    NombreEmplois,
    RegimeAide,
    Siren,
    Siret,
)
from contracts.instruction.projets import Annee, CodeNaf, Cofinancement, Depense, Libelle, Texte
from instruction.projets.domain.commands import ASSIETTE_ESTIMEE_MINIMALE, Effectif, MontantDeclare

MAX_PAR_IMPORT = 200


class _Corps(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Entretien(_Corps):
    entretien_id: Identifiant
    siren: Siren
    raison_sociale: Libelle
    date: DateProgramme


class Entretiens(_Corps):
    """One interview or a consultant's sheet of up to 200, recorded together on the census's stream."""

    entretiens: Annotated[list[Entretien], Field(min_length=1, max_length=MAX_PAR_IMPORT)]


class ProjetDuRecensement(_Corps):
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
    emplois_potentiels: NombreEmplois = Field(description="Emplois potentiels dans les 3 à 5 ans")
    horizon: Annee
    date: DateProgramme


class Recensement(_Corps):
    """Up to 200 projects at once (a consultant's census sheet); each is its own stream and its own answer."""

    projets: Annotated[list[ProjetDuRecensement], Field(min_length=1, max_length=MAX_PAR_IMPORT)]


class MiseAJour(_Corps):
    investissement_centimes: MontantCentimes
    emplois_potentiels: NombreEmplois
    horizon: Annee
    motif: Texte
    date: DateProgramme


class Priorisation(_Corps):
    prioritaire: bool
    acteurs: Annotated[list[Libelle], Field(min_length=1, max_length=30)]
    date: DateProgramme


class Accompagnement(_Corps):
    nature: Texte
    dispositifs_identifies: Annotated[list[Libelle], Field(max_length=30)] = []
    date: DateProgramme


class Orientation(_Corps):
    dispositif: Libelle
    date: DateProgramme


class Abandon(_Corps):
    motif: Texte
    date: DateProgramme


class Qualification(_Corps):
    copil_id: Identifiant = Field(description="A COPIL recorded on the territory's mission, with its members")
    assiette_estimee_centimes: Annotated[MontantCentimes, Field(ge=ASSIETTE_ESTIMEE_MINIMALE)]
    forme_envisagee: FormeAide
    emplois_prevus: NombreEmplois


class DemandeAide(_Corps):
    demande_id: Identifiant
    forme: FormeAide
    montant_demande_centimes: MontantCentimes
    date_depot: DateProgramme


class Instruction(_Corps):
    demande_id: Identifiant
    regime: RegimeAide
    zone_afr: bool
    depenses: Annotated[list[Depense], Field(min_length=1, max_length=100)]
    debut_depenses: DateProgramme
    fin_depenses: DateProgramme
    debut_travaux: DateProgramme = Field(description="Not before the request's deposit (incentive effect)")
    dnsh_atteste: bool
    cofinancements: Annotated[list[Cofinancement], Field(max_length=30)] = []
    date_instruction: DateProgramme
