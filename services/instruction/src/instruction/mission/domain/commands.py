"""What may be asked of a Mission; dates and the watchers' `maintenant` arrive in the command (no clock)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Identifiant, RegionCode
from contracts.instruction.mission import AxeFeuilleDeRoute, Libelle, Mois, OperateurIngenierie, ParticipantCopil, Texte

JoursHommes = Annotated[int, Field(ge=1, le=10_000, description="Temps de consultant, en jours-hommes")]
Signataires = Annotated[list[Libelle], Field(min_length=2, description="La CDC et le ou les EPCI signataires")]
Participants = Annotated[list[ParticipantCopil], Field(min_length=1, max_length=200)]
Axes = Annotated[list[AxeFeuilleDeRoute], Field(min_length=1, description="Au moins un axe thématique")]


class _Commande(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    territoire_id: Identifiant


class OuvrirMission(_Commande):
    """The Prime Minister's laureate decision reached instruction's mission reactor."""

    candidature_id: Identifiant
    nom_territoire: str
    region_code: RegionCode
    date_notification: date


class SignerConvention(_Commande):
    """The CDC records the convention it signed with the territory."""

    date_signature: date
    signataires: Signataires


class ConstaterRetardConvention(_Commande):
    """Watcher: has the convention's deadline passed at `maintenant` with no convention signed?"""

    maintenant: AwareDatetime


class LancerIngenierie(_Commande):
    """The CDC orders the engineering mission from a consultant (bon de commande)."""

    date_lancement: date
    prestataire: Libelle
    jours_hommes: JoursHommes
    fin_prevue: date
    operateur: OperateurIngenierie = OperateurIngenierie.BDT_FRANCE_2030


class TenirComitePilotage(_Commande):
    """The COPIL local met (recorded by its consultant or one of its members)."""

    copil_id: Identifiant
    date: date
    participants: Participants
    ordre_du_jour: Texte


class SignalerComitePilotageManquant(_Commande):
    """Watcher: record that calendar month `mois`, wholly past at `maintenant`, had no COPIL."""

    mois: Mois
    maintenant: AwareDatetime


class RestituerFeuilleDeRoute(_Commande):
    """The consultant delivers the feuille de route and its thematic axes."""

    axes: Axes


class RestituerMission(_Commande):
    """The mission is restituted to the territory (its feuille de route delivered first)."""

    date: date


class CloturerMission(_Commande):
    """The CDC or the DTI closes a restituted mission."""

    date: date
    motif: Texte


Commande = (
    OuvrirMission
    | SignerConvention
    | ConstaterRetardConvention
    | LancerIngenierie
    | TenirComitePilotage
    | SignalerComitePilotageManquant
    | RestituerFeuilleDeRoute
    | RestituerMission
    | CloturerMission
)
