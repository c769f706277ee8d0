"""The candidature dossier's shared value types: its carrier, its 7 sections, the « Grille d'impacts »
self-assessment (Annexe 1 of the cahier des charges [000]) and the overlap warnings of a deposit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Identifiant, RegionCode, Siren

Texte = Annotated[str, Field(min_length=1, max_length=4000)]


class _Valeur(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Porteur(StrEnum):
    EPCI = "EPCI"
    GROUPEMENT_EPCI = "GROUPEMENT_EPCI"


class SectionDossier(StrEnum):
    """The 7 required sections of the dossier [000]."""

    IDENTITE_INDUSTRIELLE = "IDENTITE_INDUSTRIELLE"
    EXPOSITION_MUTATIONS = "EXPOSITION_MUTATIONS"
    FRAGILITE_TISSU_ECONOMIQUE = "FRAGILITE_TISSU_ECONOMIQUE"
    AMBITION_INDUSTRIELLE = "AMBITION_INDUSTRIELLE"
    AMBITION_ENVIRONNEMENTALE_SOCIALE = "AMBITION_ENVIRONNEMENTALE_SOCIALE"
    STRATEGIE_REBOND = "STRATEGIE_REBOND"
    DEFICIT_INGENIERIE = "DEFICIT_INGENIERIE"


class ObjectifEnvironnemental(StrEnum):
    """The six environmental objectives of the EU taxonomy (règlement 2020/852, art. 9), Annexe 1 [000].
    Each value is also the name of its field in the grille."""

    ATTENUATION = "attenuation_changement_climatique"
    ADAPTATION = "adaptation_changement_climatique"
    RESSOURCES_AQUATIQUES = "ressources_aquatiques_marines"
    ECONOMIE_CIRCULAIRE = "economie_circulaire"
    POLLUTION = "pollution"
    BIODIVERSITE = "biodiversite_ecosystemes"


class ImpactAttendu(StrEnum):
    """The foreseeable impact on one objective, « par rapport à une solution de référence explicite,
    argumentée et pertinente » [000]. PREJUDICE_IMPORTANT is the significant harm of the DNSH principle
    (art. 17 of the taxonomy regulation): « Les projets causant un préjudice important … seront exclus »;
    NEGATIF is an unfavourable impact below that threshold, which the territory must argue."""

    POSITIF = "POSITIF"
    NEUTRE = "NEUTRE"
    NEGATIF = "NEGATIF"
    PREJUDICE_IMPORTANT = "PREJUDICE_IMPORTANT"


class EvaluationImpact(_Valeur):
    impact: ImpactAttendu
    justification: Texte


class GrilleImpacts(_Valeur):
    """The mandatory annexe « Grille d'impacts », complete: the reference solution, the methodology and
    hypotheses used (« Le dossier précise la méthodologie et les hypothèses utilisées »), and the six
    objectives. A life-cycle analysis is optional (« En tant que de besoin »)."""

    solution_reference: Texte
    methodologie: Texte
    hypotheses: Texte
    analyse_cycle_de_vie: bool = False
    attenuation_changement_climatique: EvaluationImpact
    adaptation_changement_climatique: EvaluationImpact
    ressources_aquatiques_marines: EvaluationImpact
    economie_circulaire: EvaluationImpact
    pollution: EvaluationImpact
    biodiversite_ecosystemes: EvaluationImpact


class GrilleImpactsSaisie(_Valeur):
    """The grille as a draft holds it: anything may still be missing (the deposit names what is)."""

    solution_reference: Texte | None = None
    methodologie: Texte | None = None
    hypotheses: Texte | None = None
    analyse_cycle_de_vie: bool = False
    attenuation_changement_climatique: EvaluationImpact | None = None
    adaptation_changement_climatique: EvaluationImpact | None = None
    ressources_aquatiques_marines: EvaluationImpact | None = None
    economie_circulaire: EvaluationImpact | None = None
    pollution: EvaluationImpact | None = None
    biodiversite_ecosystemes: EvaluationImpact | None = None


class Dossier(_Valeur):
    """A candidature's dossier as the territory edits it: only its carrier (porteur and EPCI SIRENs) is
    required while it is a draft; the deposit checks the rest and names what is missing."""

    porteur: Porteur
    epci_sirens: Annotated[list[Siren], Field(min_length=1, max_length=100)]
    nom_territoire: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    region_code: RegionCode | None = None
    perimetre: (
        Annotated[
            str,
            Field(
                min_length=2,
                max_length=500,
                description="Perimeter of contractualisation: a Territoire d'industrie "
                "or CRTE reference, or a free description",
            ),
        ]
        | None
    ) = None
    filiere: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    sections: Annotated[list[SectionDossier], Field(max_length=50, description="Sections present")] = []
    nombre_pages: (
        Annotated[int, Field(ge=1, le=1000, description="Pages, annexes comprises (20 at most to deposit)")] | None
    ) = None
    pages_synthese: Annotated[int, Field(ge=0, le=1000, description="Exactly 2 to deposit")] | None = None
    grille_impacts: GrilleImpactsSaisie | None = None


class MotifAvertissement(StrEnum):
    """Criterion 7 [000]: « Les candidatures séparées d'intercommunalités contiguës ou relevant d'un même
    périmètre de contractualisation sont de préférence à éviter » (a preference, hence a warning)."""

    MEME_PERIMETRE = "MEME_PERIMETRE"  # same perimeter as another candidature of the same wave
    EPCI_AUTRE_VAGUE = "EPCI_AUTRE_VAGUE"  # an EPCI already in a candidature of another wave


class Avertissement(_Valeur):
    motif: MotifAvertissement
    autre_candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13, description="The other candidature's wave")]
    detail: Annotated[str, Field(min_length=1, max_length=1000)]
