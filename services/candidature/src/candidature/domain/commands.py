"""What can be asked of the candidature service's aggregates. Times are business time from the command
context (never the caller's); `demandeur` is the acting EPCI's SIREN (its token's scope)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Identifiant
from contracts.candidature.v1 import AMIClotureAnticipee, Avertissement, Dossier
from contracts.envelope import Actor


class _Commande(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InitierCandidature(_Commande):
    """Open a draft; the demandeur's EPCI must be among its carriers."""

    candidature_id: Identifiant
    demandeur: str | None
    initiee_le: AwareDatetime
    dossier: Dossier


class ModifierDossier(_Commande):
    """Replace the draft's dossier with a new content (saved as it is, complete or not)."""

    candidature_id: Identifiant
    demandeur: str | None
    modifie_le: AwareDatetime
    dossier: Dossier


class DeposerCandidature(_Commande):
    """Deposit the draft. The application adds what other streams know: the AMI's early closure, if any,
    and criterion 7's overlap warnings."""

    candidature_id: Identifiant
    demandeur: str | None
    deposee_le: AwareDatetime
    cloture: AMIClotureAnticipee | None = None
    avertissements: list[Avertissement] = []


class RetirerCandidature(_Commande):
    candidature_id: Identifiant
    demandeur: str | None
    retiree_le: AwareDatetime
    motif: Annotated[str, Field(min_length=1, max_length=1000)]


class AdhererCandidature(_Commande):
    """An EPCI named in the candidature agrees to be part of it (its own scope: the SIREN that agrees)."""

    candidature_id: Identifiant
    demandeur: str | None
    adhere_le: AwareDatetime


class ConsulterDossier(_Commande):
    """Read the dossier: allowed or not by §7's rules, and recorded when allowed."""

    candidature_id: Identifiant
    lecteur: Actor
    consulte_le: AwareDatetime


class HabiliterExpert(_Commande):
    """Instruction designated an expert for this candidature (learnt from its ExpertDesigne)."""

    candidature_id: Identifiant
    expert_id: Identifiant
    domaine: str
    acces_jusqu_au: date
    confidentialite_acceptee_le: date


Command = (
    InitierCandidature
    | ModifierDossier
    | DeposerCandidature
    | RetirerCandidature
    | AdhererCandidature
    | ConsulterDossier
    | HabiliterExpert
)


class ReleverVague(_Commande):
    """Record the relève of wave `vague` with the candidatures deposited in it and not withdrawn."""

    vague: Annotated[int, Field(ge=1, le=13)]
    releve_le: AwareDatetime
    candidatures: list[Identifiant]
    maintenant: AwareDatetime


class SignalerSeuilConsommation(_Commande):
    """Financement signalled that the fund reached a threshold of consumption (learnt from its
    SeuilConsommationAtteint): the SGPI may now give its opinion on an early closure."""

    seuil_pourcent: int
    reserve_centimes: int
    fonds_centimes: int
    date_atteinte: date


class RendreAvisSGPICloture(_Commande):
    """The SGPI's opinion on closing the AMI early, once the fund's consumption has been signalled."""

    date_avis: date
    favorable: bool
    motif: Annotated[str, Field(min_length=1, max_length=2000)]
    rendu_le: AwareDatetime


class CloturerAMI(_Commande):
    """Record the Prime Minister's arrêté closing the AMI early, taken on the SGPI's favourable opinion [000]."""

    date_arrete: date
    reference_arrete: Annotated[str, Field(min_length=1, max_length=200)]
    date_avis_sgpi: date
    effective_le: AwareDatetime
