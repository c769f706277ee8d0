"""HTTP API of the instruction service's selection chain: reading dossiers (each read recorded, §7) and
the routes of each step (http_instruction, http_selection), gathered in one router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from instruction.adapters.dossiers_pg import HistoriquesPostgres
from instruction.application import handlers
from instruction.domain.acces import LECTEURS, NATIONAUX
from instruction.domain.dossier import Phase
from instruction.domain.errors import NonHabilite
from instruction.entrypoints import http_instruction, http_selection
from instruction.entrypoints.responses import ERREURS, IdChemin, interdit
from instruction.entrypoints.views import rendre, resume
from kernel.http import command_context, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(tags=["dossiers"])
National = Annotated[CommandContext, Depends(require_role(*sorted(NATIONAUX)))]


@router.get(
    "/dossiers",
    summary="List the dossiers (national roles)",
    responses=ERREURS,
    description=(
        "One line per dossier (candidature id, phase, wave, territory, region), optionally filtered by `vague` and "
        f"`etat` (a phase). **Who**: {', '.join(sorted(NATIONAUX))} (403 otherwise, 401 without a token)."
    ),
)
async def lister_dossiers(
    request: Request,
    _: National,
    vague: Annotated[int | None, Query(ge=1, le=13)] = None,
    etat: Annotated[Phase | None, Query()] = None,
) -> list[dict[str, Any]]:
    historiques = HistoriquesPostgres(runtime_of(request).pool)
    return [resume(*found) for found in await handlers.lister_dossiers(historiques, vague, etat)]


@router.get(
    "/dossiers/{candidature_id}",
    summary="Read a dossier (the caller's view; the read is recorded)",
    responses={**ERREURS, 404: {"description": "Instruction never heard of this candidature"}},
    description=(
        "Confidential (DOMAIN-REFERENCE §7); every successful read is recorded as `DossierConsulte`.\n\n"
        "- INSTRUCTEUR_CDC, DTI_ANCT, COMITE_MINISTERIEL, SGPI, PM_CABINET: the whole dossier (`vue` COMPLETE), "
        "expert opinions and deliberations included.\n"
        "- EXPERT_EXTERNE designated on it, while its access lasts: the candidature, its own designation and opinion "
        "(`vue` EXPERT); 403 `expert_non_designe` / `acces_expire` otherwise.\n"
        "- EPCI_CANDIDAT whose scope SIREN is one of the candidature's: its status, eligibility verdict, open requests "
        "for complements and the decision (`vue` TERRITOIRE), never the opinions; 403 `hors_perimetre` otherwise.\n"
        "- Any other role: 403. No token: 401."
    ),
)
async def lire_dossier(
    candidature_id: IdChemin,
    request: Request,
    context: Annotated[CommandContext, Depends(command_context)],
) -> dict[str, Any]:
    if context.actor.role not in LECTEURS:
        raise HTTPException(403, detail=f"role {context.actor.role.value} may not read dossiers")
    try:
        found = await handlers.lire_dossier(runtime_of(request).store, candidature_id, context)
    except NonHabilite as error:
        raise interdit(error) from error
    if found is None:
        raise HTTPException(404, detail=f"aucun dossier pour la candidature {candidature_id!r}")
    return rendre(candidature_id, *found, context.actor)


router.include_router(http_instruction.router)
router.include_router(http_selection.router)
