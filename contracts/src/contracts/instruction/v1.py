"""Instruction events, schema version 1 (DOMAIN-REFERENCE §2.5 rows 3-9, §3.2, §7).

The selection chain of a candidature, stream `dossier-<candidature_id>`: reception, relève or closure,
eligibility, instruction (complements, experts, criteria, conclusions), the comité's and the SGPI's
opinions, the Prime Minister's decision; and every read of the dossier (confidentiality, §7)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Centimes, DomainEvent, FormeAide, Identifiant, NumeroVague, RegionCode, Role, Siren, Siret
from contracts.registry import register

Vague = NumeroVague  # one definition for every service's contracts
Texte = Annotated[str, Field(min_length=1, max_length=4000)]


@register
class CandidatureRecue(DomainEvent):
    """Instruction took note of a deposited candidature (learnt from candidature.candidature.v1)."""

    event_type = "CandidatureRecue"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]


@register
class TerritoireLaureat(DomainEvent):
    """The Prime Minister selected the territory, after the SGPI's opinion.

    The decision and its notification are kept apart: the 6-month convention clock runs from the
    notification. A laureate territory is identified by its winning candidature."""

    event_type = "TerritoireLaureat"
    territoire_id: Identifiant
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]
    date_decision: date
    date_notification: date
    enveloppe_cible_centimes: Centimes | None = None


@register
class CandidatureNonRetenue(DomainEvent):
    """The Prime Minister did not select the candidature (the territory may apply again in a later wave)."""

    event_type = "CandidatureNonRetenue"
    candidature_id: Identifiant
    vague: Annotated[int, Field(ge=1, le=13)]
    date_decision: date
    date_notification: date
    motif: Annotated[str, Field(min_length=1, max_length=2000)]


@register
class ProjetQualifie(DomainEvent):
    """The territory's COPIL local qualified an industrial project for the Rebond envelope."""

    event_type = "ProjetQualifie"
    projet_id: Identifiant
    territoire_id: Identifiant
    siret: Siret
    raison_sociale: Annotated[str, Field(min_length=1, max_length=200)]
    intitule: Annotated[str, Field(min_length=1, max_length=300)]
    date_copil: date
    assiette_estimee_centimes: Annotated[int, Field(ge=40_000_000, description="≥ 400 000 € [000]")]
    forme_envisagee: FormeAide
    emplois_prevus: Annotated[int, Field(ge=0)] = 0


class DomaineExpertise(StrEnum):
    """Experts instruction may consult [000]."""

    ADMINISTRATION = "ADMINISTRATION"
    PREFECTURE_REGION = "PREFECTURE_REGION"
    CONSEIL_REGIONAL = "CONSEIL_REGIONAL"
    DIRE = "DIRE"  # Délégation interministérielle aux restructurations d'entreprises
    UNIVERSITAIRE = "UNIVERSITAIRE"


@register
class ExpertDesigne(DomainEvent):
    """An expert is assigned to a candidature's file: read access to that dossier only, until `acces_jusqu_au`
    (inclusive), after acknowledging its confidentiality."""

    event_type = "ExpertDesigne"
    candidature_id: Identifiant
    expert_id: Identifiant
    domaine: DomaineExpertise
    acces_jusqu_au: date
    confidentialite_acceptee_le: date


# --- the selection chain (DOMAIN-REFERENCE §2.5 rows 3-8) ------------------------------------------------


class RegleEligibilite(StrEnum):
    """The 3 eligibility rules of [000], all required (DOMAIN-REFERENCE §2.3)."""

    DOSSIER_COMPLET = "DOSSIER_COMPLET"  # complete dossier, template respected
    DEMANDE_CONFORME = "DEMANDE_CONFORME"  # request in line with the cahier des charges
    PORTEUR_ELIGIBLE = "PORTEUR_ELIGIBLE"  # carried by an EPCI or a regroupement d'EPCI


class CritereSelection(StrEnum):
    """The 7 selection criteria of [000] (DOMAIN-REFERENCE §2.4)."""

    EXPOSITION_MUTATIONS = "EXPOSITION_MUTATIONS"
    FRAGILITE_TERRITOIRE = "FRAGILITE_TERRITOIRE"
    AMBITION_INDUSTRIELLE = "AMBITION_INDUSTRIELLE"
    CLARTE_BESOINS = "CLARTE_BESOINS"
    AMBITION_ENVIRONNEMENTALE_SOCIALE = "AMBITION_ENVIRONNEMENTALE_SOCIALE"
    ENTITES_COMITES_SUIVI = "ENTITES_COMITES_SUIVI"
    PERIMETRE_PERTINENT = "PERIMETRE_PERTINENT"


class NiveauAppreciation(StrEnum):
    TRES_SATISFAISANT = "TRES_SATISFAISANT"
    SATISFAISANT = "SATISFAISANT"
    PARTIELLEMENT_SATISFAISANT = "PARTIELLEMENT_SATISFAISANT"
    INSUFFISANT = "INSUFFISANT"


class Proposition(StrEnum):
    """What the CDC's conclusions propose to the comité ministériel."""

    PROPOSEE = "PROPOSEE"
    NON_PROPOSEE = "NON_PROPOSEE"


class CauseCloture(StrEnum):
    CANDIDATURE_RETIREE = "CANDIDATURE_RETIREE"


class VueDossier(StrEnum):
    """How much of a dossier a reader was shown (§7: opinions are for the national roles only)."""

    COMPLETE = "COMPLETE"  # instructors, comité, SGPI, Prime Minister's cabinet
    EXPERT = "EXPERT"  # a designated expert: the candidature, its own designation and opinion
    TERRITOIRE = "TERRITOIRE"  # the candidate EPCI: status, open complement requests, decisions


class _Valeur(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AppreciationRegle(_Valeur):
    """The instructor's assessment of one eligibility rule."""

    regle: RegleEligibilite
    satisfaite: bool
    commentaire: Texte


class MotifIneligibilite(_Valeur):
    regle: RegleEligibilite
    motif: Texte


@register
class DossierReleve(DomainEvent):
    """The relève of its wave froze the candidature's file: instruction may start (from VagueRelevee).

    It may precede the CandidatureRecue of the same candidature: the two come from different streams."""

    event_type = "DossierReleve"
    candidature_id: Identifiant
    vague: Vague
    releve_le: AwareDatetime


@register
class DossierClos(DomainEvent):
    """The dossier is closed without instruction (its candidature was withdrawn before the relève)."""

    event_type = "DossierClos"
    candidature_id: Identifiant
    vague: Vague
    cause: CauseCloture
    motif: Texte
    clos_le: AwareDatetime


@register
class CandidatureJugeeRecevable(DomainEvent):
    """The 3 eligibility rules are satisfied: the candidature may be instructed."""

    event_type = "CandidatureJugeeRecevable"
    candidature_id: Identifiant
    vague: Vague
    appreciations: Annotated[list[AppreciationRegle], Field(min_length=3, max_length=3)]
    jugee_le: date


@register
class CandidatureJugeeIneligible(DomainEvent):
    """At least one eligibility rule fails: the candidature is not instructed. `regles_non_satisfaites`
    names each failed rule with its motif; `appreciations` keeps the assessment of all 3."""

    event_type = "CandidatureJugeeIneligible"
    candidature_id: Identifiant
    vague: Vague
    regles_non_satisfaites: Annotated[list[MotifIneligibilite], Field(min_length=1, max_length=3)]
    appreciations: Annotated[list[AppreciationRegle], Field(min_length=3, max_length=3)]
    jugee_le: date


@register
class InstructionOuverte(DomainEvent):
    """The CDC, with the DTI, starts instructing a recevable candidature."""

    event_type = "InstructionOuverte"
    candidature_id: Identifiant
    vague: Vague
    ouverte_le: date


@register
class ComplementsDemandes(DomainEvent):
    """The instruction asks the territory for complements, to be given by `date_limite`."""

    event_type = "ComplementsDemandes"
    candidature_id: Identifiant
    demande_id: Identifiant
    objet: Texte
    date_limite: date
    demandes_le: date


@register
class ComplementsFournis(DomainEvent):
    """The territory (one of its EPCI, `siren`) answered a request; `hors_delai` if after its date_limite."""

    event_type = "ComplementsFournis"
    candidature_id: Identifiant
    demande_id: Identifiant
    reponse: Texte
    pieces: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=50)] = []
    siren: Siren
    fournis_le: date
    hors_delai: bool


@register
class AvisExpertRecu(DomainEvent):
    """The opinion of an expert designated on this dossier (advisory only)."""

    event_type = "AvisExpertRecu"
    candidature_id: Identifiant
    expert_id: Identifiant
    domaine: DomaineExpertise
    avis: Texte
    rendu_le: date


@register
class CritereEvalue(DomainEvent):
    """The instruction's assessment of one selection criterion (a later one replaces it): an
    appreciation with a score out of 20, a level, or both."""

    event_type = "CritereEvalue"
    candidature_id: Identifiant
    critere: CritereSelection
    appreciation: Texte
    note: Annotated[int, Field(ge=0, le=20, description="Sur 20")] | None = None
    niveau: NiveauAppreciation | None = None
    evalue_le: date


@register
class ConclusionsInstructionTransmises(DomainEvent):
    """The CDC's conclusions to the comité ministériel: its recommendations and written proposals of
    support [000], after all 7 criteria were assessed."""

    event_type = "ConclusionsInstructionTransmises"
    candidature_id: Identifiant
    vague: Vague
    proposition: Proposition
    recommandations: Texte
    propositions_soutien: Annotated[list[Texte], Field(max_length=20)] = []
    montant_enveloppe_propose_centimes: Centimes | None = None
    transmises_le: date


@register
class AvisComiteRendu(DomainEvent):
    """The comité ministériel de pilotage opérationnel Transport's opinion; it may suggest cooperations
    between candidate territories [000]."""

    event_type = "AvisComiteRendu"
    candidature_id: Identifiant
    favorable: bool
    avis: Texte
    cooperations_suggerees: list[Identifiant] = Field(default=[], description="Other candidatures' ids")
    commentaire_cooperations: Texte | None = None
    rendu_le: date


@register
class AvisSGPIRendu(DomainEvent):
    """The SGPI's opinion, required before the Prime Minister's decision [000]."""

    event_type = "AvisSGPIRendu"
    candidature_id: Identifiant
    favorable: bool
    avis: Texte
    rendu_le: date


@register
class DossierConsulte(DomainEvent):
    """Someone read the dossier (§7: every read is recorded), and which view of it they were shown."""

    event_type = "DossierConsulte"
    candidature_id: Identifiant
    consulte_par: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    vue: VueDossier
    consulte_le: AwareDatetime
