"""Events of the candidature service, published on topic candidature.candidature.v1 (the topic's version,
not the events'): each event carries its own schema_version (DOMAIN-REFERENCE §2.1, §2.2, §2.5 rows 1-3, §7).

CandidatureDeposee is at version 2 (the Grille d'impacts itself instead of a flag); its version 1 stays
readable as CandidatureDeposeeV1 and is upcast on read."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from contracts.base import DomainEvent, Identifiant, NumeroVague, RegionCode, Role, Siren
from contracts.candidature.dossier import (  # re-exported: part of the published language
    Avertissement as Avertissement,
)
from contracts.candidature.dossier import (
    Dossier as Dossier,
)
from contracts.candidature.dossier import (
    EvaluationImpact as EvaluationImpact,
)
from contracts.candidature.dossier import (
    GrilleImpacts as GrilleImpacts,
)
from contracts.candidature.dossier import (
    GrilleImpactsSaisie as GrilleImpactsSaisie,
)
from contracts.candidature.dossier import (
    ImpactAttendu as ImpactAttendu,
)
from contracts.candidature.dossier import (
    MotifAvertissement as MotifAvertissement,
)
from contracts.candidature.dossier import (
    ObjectifEnvironnemental as ObjectifEnvironnemental,
)
from contracts.candidature.dossier import (
    Porteur as Porteur,
)
from contracts.candidature.dossier import (
    SectionDossier as SectionDossier,
)
from contracts.registry import register, upcaster

Vague = NumeroVague  # one definition for every service's contracts


class FinaliteConsultation(StrEnum):
    """Why the reader had access: its own candidature, instruction (CDC, DTI), or an assigned expertise."""

    CANDIDAT = "CANDIDAT"
    INSTRUCTION = "INSTRUCTION"
    EXPERTISE = "EXPERTISE"


@register
class CandidatureInitiee(DomainEvent):
    """An EPCI opened a draft candidature (Brouillon): its dossier may still be incomplete."""

    event_type = "CandidatureInitiee"
    candidature_id: Identifiant
    initiee_le: AwareDatetime
    dossier: Dossier


@register
class DossierModifie(DomainEvent):
    """The territory saved a new content of its draft dossier (the whole dossier, replacing the previous)."""

    event_type = "DossierModifie"
    candidature_id: Identifiant
    modifie_le: AwareDatetime
    dossier: Dossier


class _Depot(DomainEvent):
    candidature_id: Identifiant
    vague: Vague
    releve_le: AwareDatetime = Field(description="Relève (12:00 Europe/Paris) the dossier belongs to")
    deposee_le: AwareDatetime
    porteur: Porteur
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]
    nom_territoire: Annotated[str, Field(min_length=2, max_length=200)]
    region_code: RegionCode
    perimetre: Annotated[str, Field(min_length=2, max_length=500, description="TI, CRTE or free perimeter")]
    filiere: Annotated[str, Field(min_length=2, max_length=200)]
    sections: Annotated[list[SectionDossier], Field(min_length=7, max_length=7)]
    nombre_pages: Annotated[int, Field(ge=1, le=20, description="Annexes comprises")]
    pages_synthese: Annotated[int, Field(ge=1, le=2)]


@register
class CandidatureDeposeeV1(_Depot):
    """Version 1 (released): a territory deposited its complete dossier; the grille was only a flag."""

    event_type = "CandidatureDeposee"
    grille_impacts_jointe: bool


@register
class CandidatureDeposee(_Depot):
    """A territory deposited its complete dossier before the relève of its wave (version 2).

    `grille_impacts` is None only for a deposit recorded in version 1 (which said just « jointe »);
    `avertissements` are criterion 7's overlap warnings, which do not prevent the deposit."""

    event_type = "CandidatureDeposee"
    schema_version = 2
    grille_impacts: GrilleImpacts | None
    avertissements: list[Avertissement] = []


@upcaster("CandidatureDeposee", 1)
def _depot_v1_vers_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 deposit had the grille attached outside the system: its content is unknown here."""
    upcast = {k: v for k, v in data.items() if k != "grille_impacts_jointe"}
    return {**upcast, "grille_impacts": None, "avertissements": []}


@register
class CandidatureRetiree(DomainEvent):
    """The territory withdrew its deposited candidature before the relève of its wave."""

    event_type = "CandidatureRetiree"
    candidature_id: Identifiant
    vague: Vague
    retiree_le: AwareDatetime
    motif: Annotated[str, Field(min_length=1, max_length=1000)]


@register
class VagueRelevee(DomainEvent):
    """The relève of a wave passed (12:00 Europe/Paris): the dossiers deposited in it are frozen and go to
    instruction. Recorded once per wave, on stream `vague-<N>`."""

    event_type = "VagueRelevee"
    vague: Vague
    releve_le: AwareDatetime
    candidatures: list[Identifiant]


@register
class SeuilConsommationSignale(DomainEvent):
    """Candidature took note of financement's alert (SeuilConsommationAtteint on financement.enveloppe.v1): the fund
    is being exhausted, so the SGPI may give its opinion on an early closure. Recorded on stream `ami-rebond`."""

    event_type = "SeuilConsommationSignale"
    seuil_pourcent: Annotated[int, Field(ge=1, le=100)]
    reserve_centimes: Annotated[int, Field(ge=0, le=10**15)]
    fonds_centimes: Annotated[int, Field(gt=0, le=10**15)]
    date_atteinte: date


@register
class AvisSGPIClotureRendu(DomainEvent):
    """The SGPI's opinion on closing the AMI early, « en cas d'épuisement des moyens financiers » [000], given once
    financement has signalled the fund's consumption. The latest opinion counts; the arrêté needs a favourable one.
    Recorded on stream `ami-rebond`; confidential until the arrêté, which names its date."""

    event_type = "AvisSGPIClotureRendu"
    date_avis: date
    favorable: bool
    motif: Annotated[str, Field(min_length=1, max_length=2000)]


@register
class AMIClotureAnticipee(DomainEvent):
    """The AMI was closed early by arrêté, after the SGPI's opinion [000]; later deposits are refused.
    Recorded on stream `ami-rebond`."""

    event_type = "AMIClotureAnticipee"
    date_arrete: date
    reference_arrete: Annotated[str, Field(min_length=1, max_length=200)]
    date_avis_sgpi: date
    effective_le: AwareDatetime


@register
class ExpertHabilite(DomainEvent):
    """An expert designated by instruction (ExpertDesigne) may read this candidature's dossier until
    `acces_jusqu_au` (inclusive, Paris date), having acknowledged its confidentiality."""

    event_type = "ExpertHabilite"
    candidature_id: Identifiant
    expert_id: Identifiant
    domaine: Annotated[str, Field(min_length=1, max_length=80)]
    acces_jusqu_au: date
    confidentialite_acceptee_le: date


@register
class AdhesionEpciDonnee(DomainEvent):
    """An EPCI named in a candidature agrees to be part of it. Each EPCI of a groupement but the depositor must
    agree before the deposit counts: otherwise an EPCI could name another one's SIREN, deposit first and lock it out
    of the wave (one EPCI in one candidature per wave [000])."""

    event_type = "AdhesionEpciDonnee"
    candidature_id: Identifiant
    siren: Siren
    donnee_le: AwareDatetime


@register
class DossierCandidatureConsulte(DomainEvent):
    """Someone read the candidature's dossier through the candidature service (§7: « L'ensemble des personnes
    ayant accès aux dossiers de candidature est tenu à la plus stricte confidentialité »): every read is recorded
    before it is answered. (Instruction's DossierConsulte records the reads of its own dossier.)"""

    event_type = "DossierCandidatureConsulte"
    candidature_id: Identifiant
    lecteur_id: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    finalite: FinaliteConsultation
    consulte_le: AwareDatetime
