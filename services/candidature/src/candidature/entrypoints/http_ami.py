"""HTTP API of the AMI itself: its public wave calendar, and its early closure (the SGPI's opinion once financement
has signalled the fund's consumption, then the Prime Minister's arrêté)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from candidature.application.handlers import cloture_anticipee, cloturer_ami, etat_ami
from candidature.domain.calendrier import CALENDRIER, vague_du_depot
from candidature.domain.commands import CloturerAMI, RendreAvisSGPICloture
from contracts.base import DateProgramme, Role
from contracts.candidature.v1 import AMIClotureAnticipee, AvisSGPIClotureRendu, SeuilConsommationSignale
from kernel.adapters.http import answer, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(tags=["AMI"])


class ClotureAnticipee(BaseModel):
    date_arrete: DateProgramme
    reference_arrete: Annotated[str, Field(min_length=1, max_length=200)]
    date_avis_sgpi: DateProgramme


class AvisCloture(BaseModel):
    date_avis: DateProgramme
    favorable: bool
    motif: Annotated[str, Field(min_length=1, max_length=2000)]


class EtatCloture(BaseModel):
    seuils_consommation: list[SeuilConsommationSignale] = Field(description="financement's alerts, in order")
    avis_sgpi: AvisSGPIClotureRendu | None = Field(description="the SGPI's latest opinion on an early closure")
    cloture_anticipee: AMIClotureAnticipee | None


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
    "/ami/avis-sgpi-cloture",
    response_model=AvisSGPIClotureRendu,
    status_code=201,
    responses={
        200: {"description": "The same opinion again: nothing recorded"},
        409: {"description": "aucun_seuil_de_consommation, cloture_incoherente, ami_deja_clos"},
    },
)
async def rendre_avis(
    body: AvisCloture,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(require_role(Role.SGPI))],
) -> AvisSGPIClotureRendu:
    """Record the SGPI's opinion on closing the AMI early (AvisSGPIClotureRendu on `ami-rebond`). Only once
    financement has signalled a threshold of the fund's consumption (`aucun_seuil_de_consommation`); dated neither
    before that alert nor in the future (`cloture_incoherente`). A later opinion replaces it."""
    command = RendreAvisSGPICloture(**body.model_dump(), rendu_le=context.occurred_at)
    decision = await cloturer_ami(runtime_of(request).store, command, context)
    assert decision.state.avis_sgpi is not None  # recorded now or before
    return answer(response, decision, decision.state.avis_sgpi)


@router.get("/ami/cloture-anticipee", response_model=EtatCloture)
async def etat_cloture(
    request: Request, context: Annotated[CommandContext, Depends(require_role(Role.SGPI, Role.PM_CABINET))]
) -> EtatCloture:
    """For the SGPI and the Prime Minister's cabinet: the fund's alerts, the SGPI's latest opinion, the arrêté."""
    state = await etat_ami(runtime_of(request).store)
    return EtatCloture(
        seuils_consommation=list(state.seuils), avis_sgpi=state.avis_sgpi, cloture_anticipee=state.cloture
    )


@router.post(
    "/ami/cloture-anticipee",
    response_model=AMIClotureAnticipee,
    status_code=201,
    responses={
        200: {"description": "The same arrêté again: nothing recorded"},
        409: {
            "description": "avis_sgpi_manquant (no favourable opinion), cloture_incoherente, ami_deja_clos, ami_clos "
            "(after the final relève)"
        },
    },
)
async def cloturer(
    body: ClotureAnticipee,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(require_role(Role.PM_CABINET))],
) -> AMIClotureAnticipee:
    """Record the Prime Minister's arrêté closing the AMI early « pris sur avis du SGPI » (AMIClotureAnticipee on
    `ami-rebond`): it needs the SGPI's latest opinion favourable and names its date (`avis_sgpi_manquant`,
    `cloture_incoherente`); effective now: every later deposit is refused (`ami_clos`). The wave open now is still
    relevée at its date."""
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
