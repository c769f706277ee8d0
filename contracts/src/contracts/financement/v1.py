"""Financement events, schema version 1 (DOMAIN-REFERENCE §3.2, §4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Centimes, DomainEvent, FormeAide, Identifiant, RegimeAide, RegionCode, Siret
from contracts.registry import register, upcaster

SEUIL_PUBLICATION_CENTIMES = 50_000_000  # 500 000 € per project: EU transparency obligation [003]
FINANCEUR_ETAT = "ETAT_FRANCE_2030"  # the contribution to an envelope that the 90 M€ fund carries
Libelle = Annotated[str, Field(min_length=1, max_length=300)]


@register
class LaureatEnregistre(DomainEvent):
    """Financement took note of a laureate territory (learnt from instruction.dossier.v1)."""

    event_type = "LaureatEnregistre"
    territoire_id: Identifiant
    nom_territoire: str
    region_code: RegionCode
    date_decision: date


class Contribution(BaseModel):
    """One financeur's share of a territory envelope (State F2030, an EPCI, a Région…)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    financeur: Annotated[str, Field(min_length=1, max_length=120)]
    montant_centimes: Annotated[int, Field(gt=0)]


@register
class EnveloppeTerritorialeAttribuee(DomainEvent):
    """The territory's envelope of investment support, set at the launch of its mission."""

    event_type = "EnveloppeTerritorialeAttribuee"
    territoire_id: Identifiant
    montant_centimes: Annotated[int, Field(gt=0)]
    contributions: Annotated[list[Contribution], Field(min_length=1)]
    date_attribution: date


@register
class ProjetQualifieEnregistre(DomainEvent):
    """Financement took note of a project qualified by the territory's COPIL."""

    event_type = "ProjetQualifieEnregistre"
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    assiette_estimee_centimes: Centimes


@register
class AideAccordeeV1(DomainEvent):
    """Version 1 (released): granted on a base and regime the request stated, not on an instruction."""

    event_type = "AideAccordee"
    aide_id: Identifiant
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    assiette_centimes: Annotated[int, Field(ge=40_000_000)]
    regime: RegimeAide
    date_decision: date
    publication_obligatoire: bool


@register
class AideAccordee(DomainEvent):
    """An aid granted to a project Bpifrance instructed favourably, out of the territory's envelope (version 2).

    `instance_decision` records which body decided and in which capacity: the sources do not name it
    (DOMAIN-REFERENCE §9 q5); `plafond_aide_centimes` is the instruction's ceiling for all aids of the project."""

    event_type = "AideAccordee"
    schema_version = 2
    aide_id: Identifiant
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    assiette_centimes: Annotated[int, Field(ge=40_000_000)]
    regime: RegimeAide
    date_decision: date
    publication_obligatoire: bool
    demande_id: Identifiant | None
    plafond_aide_centimes: Centimes | None
    instance_decision: Libelle
    emplois_prevus: Annotated[int, Field(ge=0)] = 0


@upcaster("AideAccordee", 1)
def _aide_v1_vers_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 grant named no instruction and no deciding body."""
    return {**data, "demande_id": None, "plafond_aide_centimes": None, "instance_decision": "non enregistrée (v1)"}


@register
class AideRefusee(DomainEvent):
    """A requested aid was refused; `motif` says why (e.g. the envelope cannot hold it)."""

    event_type = "AideRefusee"
    aide_id: Identifiant
    projet_id: Identifiant
    territoire_id: Identifiant
    montant_centimes: Centimes
    motif: str
    date_decision: date


@register
class InstructionAideEnregistree(DomainEvent):
    """Financement took note of Bpifrance's favourable instruction of a project's request (from instruction)."""

    event_type = "InstructionAideEnregistree"
    projet_id: Identifiant
    territoire_id: Identifiant
    demande_id: Identifiant
    siret: Siret
    forme: FormeAide
    regime: RegimeAide
    assiette_centimes: Centimes
    intensite_max_pour_mille: Annotated[int, Field(ge=0, le=1000)]
    plafond_aide_centimes: Centimes
    emplois_prevus: Annotated[int, Field(ge=0)]
    date_instruction: date


@register
class EnveloppeTerritorialeAjustee(DomainEvent):
    """The envelope was changed by `delta_centimes` (either sign), for the stated reason, never below what is
    committed [000]: « pourra être ajustée en fonction du nombre de projets de qualité détectés »."""

    event_type = "EnveloppeTerritorialeAjustee"
    territoire_id: Identifiant
    delta_centimes: int
    financeur: Annotated[str, Field(min_length=1, max_length=120)]
    montant_centimes: Centimes  # the envelope after the adjustment
    motif: Libelle
    date_ajustement: date


@register
class ConventionAideSignee(DomainEvent):
    event_type = "ConventionAideSignee"
    aide_id: Identifiant
    territoire_id: Identifiant
    date_signature: date


@register
class VersementEffectue(DomainEvent):
    """A tranche paid against an expenditure statement (`depenses_justifiees_centimes`, cumulative)."""

    event_type = "VersementEffectue"
    aide_id: Identifiant
    territoire_id: Identifiant
    versement_id: Identifiant
    montant_centimes: Annotated[int, Field(gt=0)]
    depenses_justifiees_centimes: Centimes
    date_versement: date


@register
class AideSoldee(DomainEvent):
    """The final statement: the aid is reduced pro rata when less was spent than its base; `reduction_centimes`
    goes back to the envelope (financement.domain.politique)."""

    event_type = "AideSoldee"
    aide_id: Identifiant
    territoire_id: Identifiant
    depenses_realisees_centimes: Centimes
    montant_final_centimes: Centimes
    reduction_centimes: Centimes
    date_solde: date


class Echeance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    date: date
    montant_centimes: Annotated[int, Field(gt=0)]


@register
class EcheancierFixe(DomainEvent):
    """The repayment schedule of a repayable advance (Σ échéances = the amount paid out)."""

    event_type = "EcheancierFixe"
    aide_id: Identifiant
    territoire_id: Identifiant
    echeances: Annotated[list[Echeance], Field(min_length=1)]


@register
class RemboursementRecu(DomainEvent):
    event_type = "RemboursementRecu"
    aide_id: Identifiant
    territoire_id: Identifiant
    remboursement_id: Identifiant
    montant_centimes: Annotated[int, Field(gt=0)]
    date_remboursement: date


@register
class EcheanceImpayee(DomainEvent):
    """An échéance fell due and what was repaid by then falls short of the schedule (recorded once per échéance)."""

    event_type = "EcheanceImpayee"
    aide_id: Identifiant
    territoire_id: Identifiant
    echeance: date
    du_centimes: Centimes
    rembourse_centimes: Centimes
    date_constat: date


@register
class AideAnnulee(DomainEvent):
    """The project was abandoned: what was not paid out goes back to the envelope (financement.domain.politique)."""

    event_type = "AideAnnulee"
    aide_id: Identifiant
    territoire_id: Identifiant
    montant_libere_centimes: Centimes
    motif: Libelle
    date_annulation: date


@register
class PartEtatReservee(DomainEvent):
    """The programme's 90 M€ investment fund reserved (or, negative, released) the State's share of an envelope."""

    event_type = "PartEtatReservee"
    territoire_id: Identifiant
    reference: Identifiant
    montant_centimes: int
    total_reserve_centimes: Centimes
    date_reservation: date


@register
class SeuilConsommationAtteint(DomainEvent):
    """The State's shares reserved on the 90 M€ fund reached a threshold of it (SEUILS_CONSOMMATION_POURCENT):
    the alert that prompts the SGPI's opinion on an early closure « en cas d'épuisement des moyens financiers »
    [000] (DOMAIN-REFERENCE §4.5). Recorded once per threshold on `programme-rebond`, by the reservation that
    crosses it, in the same decision."""

    event_type = "SeuilConsommationAtteint"
    seuil_pourcent: Annotated[int, Field(ge=1, le=100)]
    reserve_centimes: Centimes
    fonds_centimes: Annotated[int, Field(gt=0)]
    date_atteinte: date


@register
class BonDeCommandeIngenierieEmis(DomainEvent):
    """The CDC ordered consultant days for a mission, against the programme's 10 M€ of engineering."""

    event_type = "BonDeCommandeIngenierieEmis"
    bon_id: Identifiant
    territoire_id: Identifiant
    jours_hommes: Annotated[int, Field(ge=1)]
    montant_centimes: Annotated[int, Field(gt=0)]
    total_commande_centimes: Centimes
    date_commande: date
