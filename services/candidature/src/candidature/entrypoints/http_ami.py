"""HTTP API of the AMI itself: its public wave calendar, and its early closure by arrêté."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from candidature.application.handlers import cloture_anticipee, cloturer_ami
from candidature.domain.calendrier import CALENDRIER, vague_du_depot
from candidature.domain.commands import CloturerAMI
from contracts.base import DateProgramme, Role
from contracts.candidature.v1 import AMIClotureAnticipee
from kernel.adapters.http import answer, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(tags=["AMI"])


class ClotureAnticipee(BaseModel):
    date_arrete: DateProgramme
    reference_arrete: Annotated[str, Field(min_length=1, max_length=200)]
    date_avis_sgpi: DateProgramme


class VagueAMI(BaseModel):
    vague: int
    releve_le: datetime


class Calendrier(BaseModel):
    vagues: list[VagueAMI]
    maintenant: datetime
    vague_ouverte: int | None = Field(
        description="The wave a deposit made now would join; None once the AMI is "
        "closed (final relève passed, or early closure)"
    )
    cloture_anticipee: AMIClotureAnticipee | None


@router.post(
    "/ami/cloture-anticipee",
    response_model=AMIClotureAnticipee,
    status_code=201,
    responses={
        200: {"description": "The same arrêté again: nothing recorded"},
        409: {"description": "ami_deja_clos, ami_clos (after the final relève), cloture_incoherente"},
    },
)
async def cloturer(
    body: ClotureAnticipee,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(require_role(Role.SGPI, Role.PM_CABINET))],
) -> AMIClotureAnticipee:
    """Record the arrêté closing the AMI early « pris sur avis du SGPI » (AMIClotureAnticipee on `ami-rebond`),
    effective now: every later deposit is refused (`ami_clos`). The wave open now is still relevée at its date."""
    command = CloturerAMI(**body.model_dump(), effective_le=context.occurred_at)
    decision = await cloturer_ami(runtime_of(request).store, command, context)
    assert decision.state.cloture is not None  # recorded now or before
    return answer(response, decision, decision.state.cloture)


@router.get("/vagues", response_model=Calendrier)
async def vagues(request: Request) -> Calendrier:
    """Public: the AMI's 13 waves and their relèves (12:00 Europe/Paris), the wave open at the service's business
    time, and the early closure if any."""
    maintenant: datetime = request.app.state.clock()
    cloture = await cloture_anticipee(runtime_of(request).store)
    ouverte = vague_du_depot(maintenant)
    if cloture is not None and maintenant >= cloture.effective_le:
        ouverte = None
    return Calendrier(
        vagues=[VagueAMI(vague=v.numero, releve_le=v.releve_le) for v in CALENDRIER],
        maintenant=maintenant,
        vague_ouverte=ouverte.numero if ouverte else None,
        cloture_anticipee=cloture,
    )
