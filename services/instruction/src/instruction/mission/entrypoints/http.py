"""HTTP API of a laureate's mission: convention, engineering, COPIL meetings,
feuille de route, restitution, close; reads of one mission and of all of them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from contracts.envelope import Actor
from instruction.mission.application import handlers, queries
from instruction.mission.domain import commands as c
from instruction.mission.domain.calendrier import jour_a_paris
from instruction.mission.domain.mission import EtatMission
from instruction.mission.entrypoints.access import (
    TerritoireId,
    cdc,
    cdc_ou_dti,
    consultant,
    consultant_ou_copil,
    lecteur_de_la_mission,
    lecteur_national,
)
from instruction.mission.entrypoints.bodies import (
    Cloture,
    ComitePilotage,
    Convention,
    FeuilleDeRoute,
    Lancement,
    Restitution,
)
from instruction.mission.entrypoints.views import resume, vue
from kernel.adapters.http import answer, appended, runtime_of
from kernel.ports import CommandContext

router = APIRouter(tags=["mission"])


async def _executer(
    request: Request, response: Response, command: c.Commande, context: CommandContext, **dates: date
) -> dict[str, Any]:
    """Facts are not dated in the future (422 naming the field); 201 with what was appended, or 200
    when the command was already satisfied; both with the mission."""
    today = jour_a_paris(request.app.state.clock())
    for field, value in dates.items():
        if value > today:
            raise HTTPException(
                422,
                detail=[
                    {
                        "loc": ["body", field],
                        "type": "date_future",
                        "msg": f"{field} {value} est postérieure à aujourd'hui ({today})",
                    }
                ],
            )
    decision = await handlers.executer(runtime_of(request).store, command, context)
    return answer(
        response,
        decision,
        {"appended": appended(decision), **vue(command.territoire_id, decision.state, decision.version)},
    )


@router.post(
    "/missions/{territoire_id}/convention",
    status_code=201,
    summary="Record the signed convention",
    description="CDC (INSTRUCTEUR_CDC). Convention CDC–territoire, due within 6 months of the "
    "notification; signed late it is still recorded, with `en_retard: true`. "
    "409 `mission_inconnue`, `convention_deja_signee`, `signature_avant_notification`.",
)
async def signer_convention(
    territoire_id: TerritoireId,
    body: Convention,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(cdc)],
) -> dict[str, Any]:
    command = c.SignerConvention(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context, date_signature=body.date_signature)


@router.post(
    "/missions/{territoire_id}/ingenierie",
    status_code=201,
    summary="Launch the engineering mission",
    description="CDC (INSTRUCTEUR_CDC) orders the consultant: requires the signed convention, planned "
    "end 3 to 4 months after the launch. 409 `convention_non_signee`, "
    "`lancement_avant_convention`, `duree_mission_hors_bornes`, `mission_deja_lancee`.",
)
async def lancer_ingenierie(
    territoire_id: TerritoireId,
    body: Lancement,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(cdc)],
) -> dict[str, Any]:
    command = c.LancerIngenierie(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context, date_lancement=body.date_lancement)


@router.post(
    "/missions/{territoire_id}/copils",
    status_code=201,
    summary="Record a COPIL local meeting",
    description="The territory's PRESTATAIRE or a COPIL_MEMBRE (scope = territoire_id), once the "
    "mission is launched and until its close. 409 `mission_non_lancee`, "
    "`copil_avant_lancement`, `copil_deja_tenu`, `mission_cloturee`.",
)
async def tenir_comite(
    territoire_id: TerritoireId,
    body: ComitePilotage,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant_ou_copil)],
) -> dict[str, Any]:
    command = c.TenirComitePilotage(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(
    "/missions/{territoire_id}/feuille-de-route",
    status_code=201,
    summary="Deliver the feuille de route",
    description="The territory's PRESTATAIRE delivers the feuille de route (at least one axis) while "
    "the mission is in progress. 409 `mission_non_lancee`, `feuille_de_route_deja_restituee`.",
)
async def restituer_feuille(
    territoire_id: TerritoireId,
    body: FeuilleDeRoute,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant)],
) -> dict[str, Any]:
    command = c.RestituerFeuilleDeRoute(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context)


@router.post(
    "/missions/{territoire_id}/restitution",
    status_code=201,
    summary="Record the mission's restitution",
    description="The territory's PRESTATAIRE or a COPIL_MEMBRE, once the feuille de route is delivered. "
    "409 `feuille_de_route_manquante`, `mission_non_lancee`, `restitution_avant_lancement`, "
    "`mission_deja_restituee`.",
)
async def restituer_mission(
    territoire_id: TerritoireId,
    body: Restitution,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant_ou_copil)],
) -> dict[str, Any]:
    command = c.RestituerMission(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(
    "/missions/{territoire_id}/cloture",
    status_code=201,
    summary="Close the mission",
    description="INSTRUCTEUR_CDC or DTI_ANCT, after the restitution. 409 `mission_non_restituee`, "
    "`cloture_avant_restitution`, `mission_deja_cloturee`.",
)
async def cloturer(
    territoire_id: TerritoireId,
    body: Cloture,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(cdc_ou_dti)],
) -> dict[str, Any]:
    command = c.CloturerMission(territoire_id=territoire_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.get(
    "/missions/{territoire_id}",
    summary="Read a mission",
    description="National roles (CDC, DTI, SGPI, Bpifrance) and the territory's COPIL_MEMBRE or "
    "PRESTATAIRE; 401 without a token, 403 for anyone else, 404 when no mission is open.",
)
async def consulter_mission(
    territoire_id: TerritoireId, request: Request, _: Annotated[Actor, Depends(lecteur_de_la_mission)]
) -> dict[str, Any]:
    found = await handlers.consulter_mission(runtime_of(request).store, territoire_id)
    if found is None:
        raise HTTPException(404, detail=f"aucune mission pour le territoire {territoire_id!r}")
    return vue(territoire_id, *found)


@router.get(
    "/missions",
    summary="List the missions (national roles)",
    description="National roles only (CDC, DTI, SGPI, Bpifrance): every mission, or those in `etat`.",
)
async def lister_missions(
    request: Request,
    _: Annotated[Actor, Depends(lecteur_national)],
    etat: Annotated[EtatMission | None, Query(description="Filtre sur l'état")] = None,
) -> list[dict[str, Any]]:
    found = await queries.missions(runtime_of(request).store, etat)
    return [resume(m.territoire_id, m.mission) for m in found]
