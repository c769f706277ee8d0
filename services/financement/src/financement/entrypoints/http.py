"""HTTP API of financement: attribute a territory envelope, grant aids out of it, read it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.base import FormeAide, Identifiant, RegimeAide, Role
from contracts.financement.v1 import Contribution
from financement.application import handlers, queries
from financement.domain.commands import ASSIETTE_MINIMALE_CENTIMES, AccorderAide, AttribuerEnveloppe
from kernel.adapters.http import answer, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(prefix="/enveloppes", tags=["enveloppes"])

TerritoireId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
InstructeurCdc = Annotated[CommandContext, Depends(require_role(Role.INSTRUCTEUR_CDC))]
ChargeBpifrance = Annotated[CommandContext, Depends(require_role(Role.BPIFRANCE_CHARGE))]


class AttributionDemandee(BaseModel):
    """The envelope CDC attributes, and its co-financing (Σ contributions = montant)."""

    model_config = ConfigDict(extra="forbid")
    montant_centimes: Annotated[int, Field(gt=0)]
    contributions: Annotated[list[Contribution], Field(min_length=1)]
    date_attribution: date


class AideDemandee(BaseModel):
    """An aid Bpifrance decides for a qualified project of the territory."""

    model_config = ConfigDict(extra="forbid")
    aide_id: Identifiant
    projet_id: Identifiant
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    assiette_centimes: Annotated[int, Field(ge=ASSIETTE_MINIMALE_CENTIMES, description="≥ 400 000 €")]
    regime: RegimeAide
    date_decision: date


@router.post("/{territoire_id}", status_code=201)
async def attribuer_enveloppe(
    territoire_id: TerritoireId,
    demande: AttributionDemandee,
    context: InstructeurCdc,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """201 when attributed now, 200 when the very same attribution was already recorded."""
    command = AttribuerEnveloppe(territoire_id=territoire_id, **dict(demande))
    decision = await handlers.executer(runtime_of(request).store, command, context)
    return answer(response, decision, queries.vue_enveloppe(territoire_id, decision.state))


@router.post("/{territoire_id}/aides", status_code=201)
async def accorder_aide(
    territoire_id: TerritoireId,
    demande: AideDemandee,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> Any:
    """201 granted now, 200 already granted (retry), 409 refused (the refusal itself is recorded)."""
    command = AccorderAide(territoire_id=territoire_id, **dict(demande))
    result = await handlers.accorder_aide(runtime_of(request).store, command, context)
    enveloppe = result.enveloppe
    amounts = {
        "montant_centimes": enveloppe.montant_centimes,
        "engage_centimes": enveloppe.engage_centimes,
        "disponible_centimes": enveloppe.disponible_centimes,
    }
    decision = result.decision.model_dump(mode="json")
    if not result.accordee:
        return JSONResponse(
            status_code=409,
            content={
                "error": decision["motif"],
                "detail": f"l'enveloppe ne peut contenir l'aide {command.aide_id}",
                "refus": decision,
                "enveloppe": amounts,
            },
        )
    response.status_code = 201 if result.nouvelle else 200
    return {"aide": decision, "enveloppe": amounts}


@router.get("/{territoire_id}")
async def consulter_enveloppe(territoire_id: TerritoireId, request: Request) -> dict[str, Any]:
    return await _vue(request, territoire_id)


async def _vue(request: Request, territoire_id: str) -> dict[str, Any]:
    state = await queries.enveloppe(runtime_of(request).store, territoire_id)
    if state is None:
        raise HTTPException(404, detail=f"rien n'est connu du territoire {territoire_id}")
    return queries.vue_enveloppe(territoire_id, state)
