"""HTTP routes of the selection after the CDC's conclusions: the comité ministériel's opinion, the SGPI's
opinion, the Prime Minister's decision (DOMAIN-REFERENCE §2.5 rows 7-9)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from contracts.base import DateProgramme, MontantCentimes, Role
from instruction.selection.application.handlers import jour
from instruction.selection.domain.commands import (
    AvisComite,
    AvisSGPI,
    DeciderSelection,
    Motif,
    RendreAvisComite,
    RendreAvisSGPI,
)
from instruction.selection.entrypoints.responses import CandidatureId, construire, doc, executer
from kernel.adapters.http import require_role
from kernel.business_time import not_in_the_future
from kernel.ports import CommandContext

router = APIRouter(tags=["selection"])
Comite = Annotated[CommandContext, Depends(require_role(Role.COMITE_MINISTERIEL))]
SGPI = Annotated[CommandContext, Depends(require_role(Role.SGPI))]
Cabinet = Annotated[CommandContext, Depends(require_role(Role.PM_CABINET))]
ETAT = ["etat_incompatible", "candidature_inconnue"]


class DecisionSelection(BaseModel):
    """The Prime Minister's decision on a candidature (after the SGPI's opinion)."""

    model_config = ConfigDict(extra="forbid")
    laureat: bool
    date_decision: DateProgramme = Field(description="Not before the SGPI's opinion")
    date_notification: DateProgramme = Field(
        description="Starts the 6-month convention clock; not before date_decision"
    )
    enveloppe_cible_centimes: MontantCentimes | None = None
    motif: Motif | None = Field(default=None, validate_default=True, description="Required when not laureate")

    @field_validator("date_notification")
    @classmethod
    def _apres_decision(cls, value: date, info: ValidationInfo) -> date:
        decision = info.data.get("date_decision")
        if decision is not None and value < decision:
            raise ValueError(f"la notification ne peut précéder la décision (date_decision {decision})")
        return value

    @field_validator("motif")
    @classmethod
    def _motif_si_non_retenue(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("laureat") is False:
            raise ValueError("motif requis pour une candidature non retenue")
        return value


@router.post(
    "/dossiers/{candidature_id}/avis-comite",
    status_code=201,
    **doc(
        "Record the comité ministériel's opinion",
        "Records `AvisComiteRendu` (favorable or not) on the CDC's "
        "conclusions; the comité may suggest cooperations with other candidatures (their ids, with a comment).",
        [Role.COMITE_MINISTERIEL],
        "PROPOSEE, NON_PROPOSEE",
        [*ETAT, "cooperation_invalide"],
    ),
)
async def rendre_avis_comite(
    candidature_id: CandidatureId,
    body: AvisComite,
    request: Request,
    response: Response,
    context: Comite,
) -> dict[str, Any]:
    command = construire(RendreAvisComite, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/avis-sgpi",
    status_code=201,
    **doc(
        "Record the SGPI's opinion",
        "Records `AvisSGPIRendu` (favorable or not), required before the Prime Minister's decision.",
        [Role.SGPI],
        "AVIS_COMITE",
        ETAT,
    ),
)
async def rendre_avis_sgpi(
    candidature_id: CandidatureId,
    body: AvisSGPI,
    request: Request,
    response: Response,
    context: SGPI,
) -> dict[str, Any]:
    command = construire(RendreAvisSGPI, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/decision",
    status_code=201,
    **doc(
        "Record the Prime Minister's decision",
        "`TerritoireLaureat` (the territory's id is the candidature's; "
        "optional target envelope in cents) or `CandidatureNonRetenue` (with its motif). The decision date and the "
        "notification date are kept apart: the 6-month convention clock runs from the notification.",
        [Role.PM_CABINET],
        "AVIS_SGPI",
        [*ETAT, "avis_sgpi_requis", "decision_avant_avis_sgpi", "deja_decidee", "motif_requis"],
    ),
)
async def decider_selection(
    candidature_id: CandidatureId,
    body: DecisionSelection,
    request: Request,
    response: Response,
    context: Cabinet,
) -> dict[str, Any]:
    not_in_the_future(body.date_decision, context.occurred_at, "date_decision")
    command = construire(DeciderSelection, candidature_id=candidature_id, **dict(body))
    return await executer(request, response, command, context)
