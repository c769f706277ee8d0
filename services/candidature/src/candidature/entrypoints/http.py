"""HTTP API: deposit a dossier, read a candidature, read the wave calendar."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel

from contracts.base import Role
from kernel.http import require_role, runtime_of
from kernel.ports import CommandContext

from candidature.application.handlers import Resultat, deposer_candidature
from candidature.application.queries import consulter_candidature
from candidature.domain.calendrier import CALENDRIER, vague_du_depot
from candidature.domain.commands import DossierCandidature

router = APIRouter(tags=["candidatures"])


class DepotEnregistre(BaseModel):
    candidature_id: str
    vague: int
    releve_le: datetime
    stream_version: int


class VagueAMI(BaseModel):
    vague: int
    releve_le: datetime


class Calendrier(BaseModel):
    vagues: list[VagueAMI]
    maintenant: datetime
    vague_ouverte: int | None  # the wave a deposit made now would join; None once the AMI is closed


@router.post("/candidatures", response_model=DepotEnregistre, status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "Same dossier already deposited: nothing recorded"},
                        409: {"description": "Refused (ami_clos, sections_manquantes, deja_deposee, …)"}})
async def deposer(
    dossier: DossierCandidature, request: Request, response: Response,
    context: Annotated[CommandContext, Depends(require_role(Role.EPCI_CANDIDAT))],
) -> DepotEnregistre:
    """Deposit a complete dossier; it joins the wave whose relève comes next (12:00 Europe/Paris)."""
    resultat = await deposer_candidature(runtime_of(request).store, dossier, context)
    if not resultat.nouveau:
        response.status_code = status.HTTP_200_OK
    depot = resultat.candidature.depot
    assert depot is not None  # the decider either deposited or refused
    return DepotEnregistre(candidature_id=depot.candidature_id, vague=depot.vague, releve_le=depot.releve_le,
                           stream_version=resultat.stream_version)


@router.get("/candidatures/{candidature_id}")
async def consulter(candidature_id: str, request: Request) -> dict[str, Any]:
    """The candidature as its events make it (404 when none was ever recorded)."""
    resultat = await consulter_candidature(runtime_of(request).store, candidature_id)
    if resultat is None:
        raise HTTPException(404, detail=f"aucune candidature {candidature_id}")
    return _vue(resultat)


@router.get("/vagues", response_model=Calendrier)
async def vagues(request: Request) -> Calendrier:
    """The AMI's 13 waves and their relèves, and the wave open at the service's business time."""
    maintenant: datetime = request.app.state.clock()
    ouverte = vague_du_depot(maintenant)
    return Calendrier(vagues=[VagueAMI(vague=v.numero, releve_le=v.releve_le) for v in CALENDRIER],
                      maintenant=maintenant, vague_ouverte=ouverte.numero if ouverte else None)


def _vue(resultat: Resultat) -> dict[str, Any]:
    candidature = resultat.candidature
    depot = candidature.depot.model_dump(mode="json") if candidature.depot else {}
    return {**depot, "statut": candidature.statut.value, "stream_version": resultat.stream_version}
