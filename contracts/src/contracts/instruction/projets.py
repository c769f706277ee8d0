"""Events of the industrial projects of a laureate territory, schema version 1 (DOMAIN-REFERENCE §3).

The census by the engineering consultants (companies met, projects identified, their prioritisation, support,
orientation elsewhere or abandonment), the COPIL's qualification, the aid request the company deposits with
Bpifrance and Bpifrance's instruction under the state-aid rules. Streams `recensement-<territoire_id>` (the
companies met) and `projet-<projet_id>` (one project's path), published on instruction.dossier.v1;
`ProjetQualifie` (instruction v1) is recorded on the project's stream."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import MAX_CENTIMES, Centimes, DomainEvent, FormeAide, Identifiant, RegimeAide, Siren, Siret
from contracts.registry import register

Libelle = Annotated[str, Field(min_length=1, max_length=300)]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]
CodeNaf = Annotated[str, Field(pattern=r"^\d{2}\.\d{2}[A-Z]$", description="Code APE/NAF rév. 2, ex. 25.62B")]
Annee = Annotated[int, Field(ge=2022, le=2040)]
Montant = Annotated[int, Field(strict=True, gt=0, le=MAX_CENTIMES, description="Centimes d'euro")]


class _Valeur(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TailleEntreprise(StrEnum):
    """The company's size by the EU definition (Recommandation 2003/361/CE, RGEC annexe I; [003] for GE)."""

    TPE = "TPE"  # micro: < 10 persons and CA or bilan ≤ 2 M€
    PME = "PME"  # < 250 persons and CA ≤ 50 M€ or bilan ≤ 43 M€ (petite: < 50 and ≤ 10 M€)
    ETI = "ETI"  # 250 – 4 999 persons; a GE for state aid [003]
    GE = "GE"


class CategorieAideEtat(StrEnum):
    """The size class the aid intensities are set by: petite (TPE included), moyenne, grande (ETI included)."""

    PETITE = "PETITE"
    MOYENNE = "MOYENNE"
    GRANDE = "GRANDE"


class CategorieDepense(StrEnum):
    """Expense categories; the AMI finances the first eight [000]: « infrastructures, … foncier, … immobilier, …
    immobilisations incorporelles, achat d'équipements et de machines, dépenses d'industrialisation, dépenses
    d'amélioration énergétique et environnementale des outils de production et dépenses de prestation de conseil
    associées »."""

    INFRASTRUCTURES = "INFRASTRUCTURES"
    FONCIER = "FONCIER"
    IMMOBILIER = "IMMOBILIER"
    IMMOBILISATIONS_INCORPORELLES = "IMMOBILISATIONS_INCORPORELLES"
    EQUIPEMENTS_MACHINES = "EQUIPEMENTS_MACHINES"
    INDUSTRIALISATION = "INDUSTRIALISATION"
    AMELIORATION_ENERGETIQUE_ENVIRONNEMENTALE = "AMELIORATION_ENERGETIQUE_ENVIRONNEMENTALE"
    CONSEIL_ASSOCIE = "CONSEIL_ASSOCIE"
    # declared by companies, not financed by the AMI
    BESOIN_EN_FONDS_DE_ROULEMENT = "BESOIN_EN_FONDS_DE_ROULEMENT"
    RECHERCHE_DEVELOPPEMENT = "RECHERCHE_DEVELOPPEMENT"
    FORMATION = "FORMATION"
    AUTRE = "AUTRE"


class Depense(_Valeur):
    categorie: CategorieDepense
    montant_centimes: Montant


class Cofinancement(_Valeur):
    """Another public aid on the same expense base (État, collectivité, fonds européens), declared by the company."""

    financeur: Libelle
    montant_centimes: Montant


@register
class EntrepriseRencontree(DomainEvent):
    """The consultants met a company of the territory (an interview of the census)."""

    event_type = "EntrepriseRencontree"
    territoire_id: Identifiant
    entretien_id: Identifiant
    siren: Siren
    raison_sociale: Libelle
    date: date


@register
class ProjetRecense(DomainEvent):
    """A project of industrial investment identified by the census; `taille` follows from the declared size."""

    event_type = "ProjetRecense"
    projet_id: Identifiant
    territoire_id: Identifiant
    siren: Siren
    siret: Siret
    raison_sociale: Libelle
    intitule: Libelle
    taille: TailleEntreprise
    categorie: CategorieAideEtat
    effectif: Annotated[int, Field(ge=0)]
    chiffre_affaires_centimes: Centimes
    total_bilan_centimes: Centimes
    secteur_naf: CodeNaf
    investissement_centimes: Annotated[int, Field(gt=0)]
    emplois_potentiels: Annotated[int, Field(ge=0, description="Emplois potentiels dans les 3 à 5 ans")]
    horizon: Annee
    date: date


@register
class ProjetMisAJour(DomainEvent):
    """A new estimate of a census project (the earlier one stays in the log)."""

    event_type = "ProjetMisAJour"
    projet_id: Identifiant
    territoire_id: Identifiant
    investissement_centimes: Annotated[int, Field(gt=0)]
    emplois_potentiels: Annotated[int, Field(ge=0)]
    horizon: Annee
    motif: Texte
    date: date


@register
class ProjetPriorise(DomainEvent):
    """The project's priority, set with the local actors [000] (« Prioriser, en lien avec les acteurs locaux »)."""

    event_type = "ProjetPriorise"
    projet_id: Identifiant
    territoire_id: Identifiant
    prioritaire: bool
    acteurs: Annotated[list[Libelle], Field(min_length=1, max_length=30)]
    date: date


@register
class ProjetAccompagne(DomainEvent):
    """Support given to the project's holder (strategy, aid schemes identified) [000]."""

    event_type = "ProjetAccompagne"
    projet_id: Identifiant
    territoire_id: Identifiant
    nature: Texte
    dispositifs_identifies: Annotated[list[Libelle], Field(max_length=30)] = []
    date: date


@register
class ProjetOriente(DomainEvent):
    """The project goes to another scheme: terminal for Rebond, whose money is for projects financed nowhere else."""

    event_type = "ProjetOriente"
    projet_id: Identifiant
    territoire_id: Identifiant
    dispositif: Libelle
    date: date


@register
class ProjetAbandonne(DomainEvent):
    """The holder gave the project up (terminal)."""

    event_type = "ProjetAbandonne"
    projet_id: Identifiant
    territoire_id: Identifiant
    motif: Texte
    date: date


@register
class DemandeAideDeposee(DomainEvent):
    """The company deposited its aid request with Bpifrance: its date is the incentive-effect reference [003]."""

    event_type = "DemandeAideDeposee"
    projet_id: Identifiant
    territoire_id: Identifiant
    demande_id: Identifiant
    forme: FormeAide
    montant_demande_centimes: Annotated[int, Field(gt=0)]
    date_depot: date


@register
class AideInstruite(DomainEvent):
    """Bpifrance's technical and financial instruction found the request within every rule: the aid may be
    granted up to `plafond_aide_centimes` (assiette × the regime's maximum intensity, less the declared
    co-financing). `intensite_max_pour_mille` and `source_intensite` say which rate and where it comes from."""

    event_type = "AideInstruite"
    projet_id: Identifiant
    territoire_id: Identifiant
    demande_id: Identifiant
    siret: Siret
    forme: FormeAide
    regime: RegimeAide
    categorie: CategorieAideEtat
    zone_afr: bool
    depenses: Annotated[list[Depense], Field(min_length=1)]
    assiette_centimes: Annotated[int, Field(ge=40_000_000)]
    debut_depenses: date
    fin_depenses: date
    debut_travaux: date
    dnsh_atteste: bool
    cofinancements: list[Cofinancement] = []
    intensite_max_pour_mille: Annotated[int, Field(ge=0, le=1000)]
    source_intensite: Libelle
    plafond_aide_centimes: Centimes
    emplois_prevus: Annotated[int, Field(ge=0)]
    date_instruction: date


@register
class AideInstructionDefavorable(DomainEvent):
    """Bpifrance's instruction found the request outside the rules; `regles` names each rule it breaks."""

    event_type = "AideInstructionDefavorable"
    projet_id: Identifiant
    territoire_id: Identifiant
    demande_id: Identifiant
    regles: Annotated[list[Identifiant], Field(min_length=1)]
    date_instruction: date
