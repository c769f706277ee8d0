"""Request bodies of the mission's HTTP API (the territory comes from the path; validation errors → 422)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DateProgramme, Identifiant
from contracts.instruction.mission import Libelle, OperateurIngenierie, Texte
from instruction.mission.domain.commands import (
    Axes,
    JoursHommes,
    Participants,
    Signataires,
)


class _Corps(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Convention(_Corps):
    date_signature: DateProgramme = Field(description="Not in the future; after the notification")
    signataires: Signataires


class Lancement(_Corps):
    date_lancement: DateProgramme = Field(description="Not in the future; not before the convention")
    prestataire: Libelle
    jours_hommes: JoursHommes
    fin_prevue: DateProgramme = Field(description="3 to 4 calendar months after date_lancement")
    operateur: OperateurIngenierie = Field(
        OperateurIngenierie.BDT_FRANCE_2030, description="Banque des Territoires (France 2030) or ANCT [002]"
    )


class ComitePilotage(_Corps):
    copil_id: Identifiant
    date: DateProgramme = Field(description="Not in the future; not before the launch")
    participants: Participants
    ordre_du_jour: Texte


class FeuilleDeRoute(_Corps):
    axes: Axes


class Restitution(_Corps):
    date: DateProgramme = Field(description="Not in the future; not before the launch")


class Cloture(_Corps):
    date: DateProgramme = Field(description="Not in the future; not before the restitution")
    motif: Texte
