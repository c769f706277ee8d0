"""HTTP API of the instruction service: the Prime Minister's decision, COPIL qualifications, dossier reads."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from contracts.base import Centimes, FormeAide, Identifiant, Role, Siret
from kernel.http import require_role, runtime_of
from kernel.ports import CommandContext, EventStore, RecordedEvent

from instruction.application import handlers
from instruction.domain.commands import (
    AssietteEstimee, DeciderSelection, Emplois, Intitule, Motif, QualifierProjet, RaisonSociale)
from instruction.domain.dossier import Dossier, stream_id

router = APIRouter(tags=["instruction"])
IdChemin = Annotated[Identifiant, Path()]


class DecisionSelection(BaseModel):
    """The Prime Minister's decision on a candidature (after the SGPI's opinion)."""

    model_config = ConfigDict(extra="forbid")
    laureat: bool
    date_decision: date
    date_notification: date = Field(description="Starts the 6-month convention clock; not before date_decision")
    enveloppe_cible_centimes: Centimes | None = None
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


class QualificationProjet(BaseModel):
    """A project as the territory's COPIL local qualifies it."""

    model_config = ConfigDict(extra="forbid")
    projet_id: Identifiant
    siret: Siret
    raison_sociale: RaisonSociale
    intitule: Intitule
    date_copil: date
    assiette_estimee_centimes: AssietteEstimee
    forme_envisagee: FormeAide
    emplois_prevus: Emplois = 0


def membre_du_copil(
    territoire_id: IdChemin, context: Annotated[CommandContext, Depends(require_role(Role.COPIL_MEMBRE))]
) -> CommandContext:
    """A COPIL member acts for the one territory of its scope."""
    if context.actor.scope != territoire_id:
        raise HTTPException(403, detail=f"portée {context.actor.scope!r}: pas membre du COPIL de {territoire_id!r}")
    return context


@router.post("/dossiers/{candidature_id}/decision", status_code=201)
async def decider_selection(
    candidature_id: IdChemin, body: DecisionSelection, request: Request, response: Response,
    context: Annotated[CommandContext, Depends(require_role(Role.PM_CABINET))],
) -> dict[str, Any]:
    store = runtime_of(request).store
    command = DeciderSelection(candidature_id=candidature_id, **body.model_dump())
    appended = await handlers.decider_selection(store, command, context)
    return await _answer(store, candidature_id, appended, response)


@router.post("/territoires/{territoire_id}/projets", status_code=201)
async def qualifier_projet(
    territoire_id: IdChemin, body: QualificationProjet, request: Request, response: Response,
    context: Annotated[CommandContext, Depends(membre_du_copil)],
) -> dict[str, Any]:
    store = runtime_of(request).store
    command = QualifierProjet(territoire_id=territoire_id, **body.model_dump())
    appended = await handlers.qualifier_projet(store, command, context)
    return await _answer(store, territoire_id, appended, response)


@router.get("/dossiers/{candidature_id}")
async def consulter_dossier(candidature_id: IdChemin, request: Request) -> dict[str, Any]:
    found = await handlers.consulter_dossier(runtime_of(request).store, candidature_id)
    if found is None:
        raise HTTPException(404, detail=f"aucun dossier pour la candidature {candidature_id!r}")
    return vue(candidature_id, *found)


async def _answer(
    store: EventStore, candidature_id: str, appended: list[RecordedEvent], response: Response
) -> dict[str, Any]:
    """201 with what was appended, or 200 when the command was already satisfied; both with the dossier."""
    if not appended:
        response.status_code = 200
    found = await handlers.consulter_dossier(store, candidature_id)
    assert found is not None, "a command was accepted on this dossier, so it exists"
    appended_view = [{"event_type": r.envelope.event_type, "event_id": str(r.envelope.event_id),
                      "stream_version": r.envelope.stream_version} for r in appended]
    return {"appended": appended_view, **vue(candidature_id, *found)}


def vue(candidature_id: str, state: Dossier, version: int) -> dict[str, Any]:
    """The dossier as JSON: its phase and the facts that brought it there."""
    return {"stream_id": stream_id(candidature_id), "version": version, **state.model_dump(mode="json")}
