"""What may be asked of a Dossier; times and dates arrive in the command (the domain has no clock).

Each step's command is split in two: what the caller says (the request body, validated at the edge:
a 422 names the field) and the command proper, which adds the dossier, who acts and the day (`le`,
Europe/Paris) from the request's context."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts.base import Centimes, Identifiant, RegionCode, Role, Siren
from contracts.instruction.v1 import (
    AppreciationRegle,
    CritereSelection,
    DomaineExpertise,
    NiveauAppreciation,
    Proposition,
    RegleEligibilite,
    Texte,
    Vague,
    VueDossier,
)

Motif = Annotated[str, Field(min_length=1, max_length=2000)]
Piece = Annotated[str, Field(min_length=1, max_length=300)]


class _Commande(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _SurDossier(_Commande):
    candidature_id: Identifiant
    le: date = Field(description="The day it happens (Europe/Paris), from the request's clock")


# --- from the candidature service (reactor) -----------------------------------------------------------


class EnregistrerCandidature(_Commande):
    """Take note of a candidature the candidature service recorded as deposited."""

    candidature_id: Identifiant
    vague: Vague
    nom_territoire: str
    region_code: RegionCode
    epci_sirens: Annotated[list[Siren], Field(min_length=1)]


class ReleverDossier(_Commande):
    """The relève of the candidature's wave passed: its file is frozen."""

    candidature_id: Identifiant
    vague: Vague
    releve_le: AwareDatetime


class CloreDossier(_Commande):
    """The candidature was withdrawn: its dossier will not be instructed."""

    candidature_id: Identifiant
    vague: Vague
    motif: Motif
    clos_le: AwareDatetime


# --- eligibility and instruction ---------------------------------------------------------------------


class Recevabilite(_Commande):
    """The instructor's assessment of each of the 3 eligibility rules (satisfied or not, with a comment)."""

    appreciations: list[AppreciationRegle] = Field(description="Exactly one per rule: " + ", ".join(RegleEligibilite))

    @field_validator("appreciations")
    @classmethod
    def _une_par_regle(cls, value: list[AppreciationRegle]) -> list[AppreciationRegle]:
        regles = sorted(a.regle for a in value)
        if regles != sorted(RegleEligibilite):
            raise ValueError(f"une appréciation par règle exactement ({', '.join(RegleEligibilite)}), reçu {regles}")
        order = list(RegleEligibilite)
        return sorted(value, key=lambda a: order.index(a.regle))


class JugerRecevabilite(Recevabilite, _SurDossier):
    pass


class OuvrirInstruction(_SurDossier):
    pass


class DemandeComplements(_Commande):
    demande_id: Identifiant = Field(description="Chosen by the instructor; repeating it is idempotent")
    objet: Texte
    date_limite: date = Field(description="After today")


class DemanderComplements(DemandeComplements, _SurDossier):
    pass


class ReponseComplements(_Commande):
    reponse: Texte
    pieces: Annotated[list[Piece], Field(max_length=50)] = []


class FournirComplements(ReponseComplements, _SurDossier):
    demande_id: Identifiant
    siren: Siren = Field(description="The answering EPCI (the caller's scope)")


class DesignationExpert(_Commande):
    expert_id: Identifiant
    domaine: DomaineExpertise
    acces_jusqu_au: date = Field(description="Last day (inclusive) of the expert's access to this dossier")
    confidentialite_acceptee_le: date | None = Field(
        default=None, description="When the expert acknowledged confidentiality; required, not in the future"
    )


class DesignerExpert(DesignationExpert, _SurDossier):
    pass


class AvisExpert(_Commande):
    avis: Texte


class RendreAvisExpert(AvisExpert, _SurDossier):
    expert_id: Identifiant = Field(description="The caller")


class EvaluationCritere(_Commande):
    """An appreciation with a score out of 20, a level, or both."""

    appreciation: Texte
    note: Annotated[int, Field(ge=0, le=20)] | None = None
    niveau: NiveauAppreciation | None = None

    @model_validator(mode="after")
    def _note_ou_niveau(self) -> EvaluationCritere:
        if self.note is None and self.niveau is None:
            raise ValueError("note (sur 20) ou niveau requis")
        return self


class EvaluerCritere(EvaluationCritere, _SurDossier):
    critere: CritereSelection


class Conclusions(_Commande):
    proposition: Proposition
    recommandations: Texte
    propositions_soutien: Annotated[list[Texte], Field(max_length=20)] = Field(
        default=[], description="The CDC's written proposals of support [000]"
    )
    montant_enveloppe_propose_centimes: Centimes | None = None


class TransmettreConclusions(Conclusions, _SurDossier):
    pass


# --- the comité, the SGPI, the Prime Minister -------------------------------------------------------------


class AvisComite(_Commande):
    favorable: bool
    avis: Texte
    cooperations_suggerees: list[Identifiant] = Field(default=[], description="Other candidatures' ids")
    commentaire_cooperations: Texte | None = Field(default=None, description="Required with cooperations")

    @field_validator("cooperations_suggerees")
    @classmethod
    def _sans_doublon(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _commentaire_si_cooperations(self) -> AvisComite:
        if self.cooperations_suggerees and self.commentaire_cooperations is None:
            raise ValueError("commentaire_cooperations requis quand des coopérations sont suggérées")
        return self


class RendreAvisComite(AvisComite, _SurDossier):
    pass


class AvisSGPI(_Commande):
    favorable: bool
    avis: Texte


class RendreAvisSGPI(AvisSGPI, _SurDossier):
    pass


class DeciderSelection(_Commande):
    """Record the Prime Minister's decision on a candidature, after the SGPI's opinion."""

    candidature_id: Identifiant
    laureat: bool
    date_decision: date
    date_notification: date
    enveloppe_cible_centimes: Centimes | None = None
    motif: Motif | None = None


class ConsignerConsultation(_Commande):
    """Record that someone read the dossier, and what they were shown."""

    candidature_id: Identifiant
    consulte_par: str
    role: Role
    vue: VueDossier
    consulte_le: datetime


Commande = (
    EnregistrerCandidature
    | ReleverDossier
    | CloreDossier
    | JugerRecevabilite
    | OuvrirInstruction
    | DemanderComplements
    | FournirComplements
    | DesignerExpert
    | RendreAvisExpert
    | EvaluerCritere
    | TransmettreConclusions
    | RendreAvisComite
    | RendreAvisSGPI
    | DeciderSelection
    | ConsignerConsultation
)
