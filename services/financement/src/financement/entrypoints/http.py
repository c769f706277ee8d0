"""HTTP API of financement: attribute a territory envelope, grant aids out of it, read it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DateProgramme, FormeAide, Identifiant, MontantCentimes, RegimeAide, Role
from contracts.financement.v1 import Contribution
from financement.application import handlers, queries
from financement.domain.commands import ASSIETTE_MINIMALE_CENTIMES, AccorderAide, AttribuerEnveloppe
from kernel.adapters.http import answer, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(prefix="/enveloppes", tags=["enveloppes"])

TerritoireId = Annotated[Identifiant, Path(description="The laureate territory (its candidature's id)")]
InstructeurCdc = Annotated[CommandContext, Depends(require_role(Role.INSTRUCTEUR_CDC))]
ChargeBpifrance = Annotated[CommandContext, Depends(require_role(Role.BPIFRANCE_CHARGE))]
Financeur = Annotated[str, Field(min_length=1, max_length=120)]


class ContributionDemandee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    financeur: Financeur
    montant_centimes: MontantCentimes


class AttributionDemandee(BaseModel):
    """The envelope CDC attributes, and its co-financing (Σ contributions = montant)."""

    model_config = ConfigDict(extra="forbid")
    montant_centimes: MontantCentimes
    contributions: Annotated[list[ContributionDemandee], Field(min_length=1, max_length=50)]
    date_attribution: DateProgramme


class AideDemandee(BaseModel):
    """An aid Bpifrance decides for a qualified project of the territory."""

    model_config = ConfigDict(extra="forbid")
    aide_id: Identifiant
    projet_id: Identifiant
    forme: FormeAide
    montant_centimes: MontantCentimes
    assiette_centimes: Annotated[MontantCentimes, Field(ge=ASSIETTE_MINIMALE_CENTIMES, description="≥ 400 000 €")]
    regime: RegimeAide
    date_decision: DateProgramme


@router.post("/{territoire_id}", status_code=201)
async def attribuer_enveloppe(
    territoire_id: TerritoireId,
    demande: AttributionDemandee,
    context: InstructeurCdc,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """201 when attributed now, 200 when the very same attribution was already recorded."""
    contributions = tuple(Contribution(**c.model_dump()) for c in demande.contributions)
    command = AttribuerEnveloppe(
        territoire_id=territoire_id,
        montant_centimes=demande.montant_centimes,
        contributions=contributions,
        date_attribution=demande.date_attribution,
    )
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


# Company-level data (each aid's SIRET, amount, form and regime, the refusals, the projects' bases): for those who
# decide or oversee the money nationally, and for the members of the territory's own COPIL (scope = territory).
LECTEURS_NATIONAUX = (Role.BPIFRANCE_CHARGE, Role.INSTRUCTEUR_CDC, Role.SGPI, Role.DTI_ANCT)
Lecteur = Annotated[CommandContext, Depends(require_role(*LECTEURS_NATIONAUX, Role.COPIL_MEMBRE))]


@router.get("/{territoire_id}", summary="An envelope and its aids (Bpifrance, CDC, SGPI, DTI; the territory's COPIL)")
async def consulter_enveloppe(territoire_id: TerritoireId, request: Request, context: Lecteur) -> dict[str, Any]:
    """404 alike for a territory nothing is known of and for one the caller may not read (no existence oracle)."""
    state = await queries.enveloppe(runtime_of(request).store, territoire_id)
    national = context.actor.role in LECTEURS_NATIONAUX
    if state is None or not (national or context.actor.scope == territoire_id):
        raise HTTPException(404, detail=f"rien n'est connu du territoire {territoire_id}")
    return queries.vue_enveloppe(territoire_id, state)
