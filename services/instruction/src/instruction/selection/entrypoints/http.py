"""HTTP API of the instruction service's selection chain: reading dossiers (each read recorded, §7) and
the routes of each step (http_instruction, http_selection), gathered in one router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from instruction.selection.application import handlers, queries
from instruction.selection.domain.acces import LECTEURS, NATIONAUX
from instruction.selection.domain.dossier import Phase
from instruction.selection.domain.errors import ExpertNonDesigne, HorsPerimetre
from instruction.selection.entrypoints import http_instruction, http_selection
from instruction.selection.entrypoints.responses import ERREURS, CandidatureId
from instruction.selection.entrypoints.views import rendre, resume
from kernel.adapters.http import command_context, require_role, runtime_of
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
    return [resume(*found) for found in await queries.lister_dossiers(runtime_of(request).store, vague, etat)]


@router.get(
    "/dossiers/{candidature_id}",
    summary="Read a dossier (the caller's view; the read is recorded)",
    responses={**ERREURS, 404: {"description": "Instruction never heard of this candidature"}},
    description=(
        "Confidential (DOMAIN-REFERENCE §7); every successful read is recorded in the access log (not in the "
        "dossier's stream), at most 120 a minute per reader (429 beyond).\n\n"
        "- INSTRUCTEUR_CDC, DTI_ANCT, COMITE_MINISTERIEL, SGPI, PM_CABINET: the whole dossier (`vue` COMPLETE), "
        "expert opinions and deliberations included.\n"
        "- EXPERT_EXTERNE designated on it, while its access lasts: the candidature, its own designation and opinion "
        "(`vue` EXPERT); 404 when not designated (as for a missing dossier), 403 `acces_expire` once it ended.\n"
        "- EPCI_CANDIDAT whose scope SIREN is one of the candidature's: its status, eligibility verdict, open requests "
        "for complements and the decision (`vue` TERRITOIRE), never the opinions; 404 otherwise (as if missing).\n"
        "- Any other role: 403. No token: 401."
    ),
)
async def lire_dossier(
    candidature_id: CandidatureId,
    request: Request,
    context: Annotated[CommandContext, Depends(command_context)],
) -> dict[str, Any]:
    if context.actor.role not in LECTEURS:
        raise HTTPException(403, detail=f"role {context.actor.role.value} may not read dossiers")
    try:
        runtime = runtime_of(request)
        found = await handlers.lire_dossier(runtime.store, runtime.access_log, candidature_id, context)
    except (HorsPerimetre, ExpertNonDesigne):
        found = None  # not theirs: the same answer as no dossier at all (no existence oracle)
    if found is None:
        raise HTTPException(404, detail=f"aucun dossier pour la candidature {candidature_id!r}")
    return rendre(candidature_id, *found, context.actor)


router.include_router(http_instruction.router)
router.include_router(http_selection.router)
