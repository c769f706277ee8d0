"""HTTP API of the publication workflow and of the public side.

Internal (`/publications`): the SGPI, the CDC and the DTI request a publication, read it, clear or refuse it, each
in its role, and check that it is what the log said (`/verification`). Public (`/public/publications`): only the
publications all three cleared, from their embargo on, as frozen when requested; anything else is answered as if it
did not exist."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import DateProgramme, Identifiant, Role
from contracts.public.v1 import PublicationPublique
from contracts.reporting.v1 import Digest, Motif, Organisme, Titre
from kernel.adapters.http import answer
from kernel.adapters.http_access import require_role, runtime_of
from kernel.adapters.runtime import ServiceRuntime, Watcher
from kernel.decider import DomainError, RefusalKind
from kernel.ports import CommandContext
from kernel.reactor import system_actor
from reporting.application import publications
from reporting.domain import publication as p
from reporting.entrypoints.projection import projection_store

router = APIRouter(prefix="/publications", tags=["publications"])
public = APIRouter(prefix="/public", tags=["public"])

ORGANISME_DU_ROLE = {Role.SGPI: Organisme.SGPI, Role.INSTRUCTEUR_CDC: Organisme.CDC, Role.DTI_ANCT: Organisme.DTI}
Clearer = Annotated[CommandContext, Depends(require_role(*ORGANISME_DU_ROLE))]
DIFFUSION = "reporting.diffusion"  # the watcher that releases cleared publications; the actor of what it records
DIFFUSION_SECONDES = 30.0


class DemandePublication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publication_id: Identifiant
    titre: Titre
    as_of: DateProgramme = Field(description="The figures as they stood at the end of this day")
    embargo_jusqu_au: AwareDatetime = Field(description="Public from this moment on, once cleared by all three")


class ValidationPublication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digest: Digest = Field(description="The digest of the content read: a clearance is of those very bytes")


class RefusPublication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    motif: Motif


def _vue(state: p.Publication, with_content: bool = True) -> dict[str, Any]:
    demande = state.demande
    assert demande is not None
    view: dict[str, Any] = {
        "publication_id": demande.publication_id,
        "titre": demande.titre,
        "statut": state.statut,
        "as_of": demande.as_of.isoformat(),
        "known_at": demande.known_at.isoformat(),
        "embargo_jusqu_au": demande.embargo_jusqu_au.isoformat(),
        "demandee_le": demande.demandee_le.isoformat(),
        "digest": demande.digest,
        "positions": demande.positions,
        "validations": {o.value: v.validee_le.isoformat() for o, v in state.validations.items()},
        "refus": {"organisme": state.refus.organisme.value, "motif": state.refus.motif} if state.refus else None,
        "diffusee_le": state.diffusion.diffusee_le.isoformat() if state.diffusion else None,
    }
    return view | ({"contenu": demande.contenu} if with_content else {})


@router.post("", status_code=201, responses={200: {"description": "The same request again: nothing recorded"}})
async def demander(body: DemandePublication, request: Request, response: Response, context: Clearer) -> dict[str, Any]:
    """Request a publication: its content is computed now from the figures as of `as_of`, as the log is known at
    this moment, and frozen with its digest (a repeat of the same request keeps the first content)."""
    runtime = runtime_of(request)
    await _caught_up(runtime)
    store = projection_store(runtime.pool)
    known_at, positions = await store.head()
    decision = await publications.demander(
        runtime.store,
        store,
        context,
        publication_id=body.publication_id,
        titre=body.titre,
        as_of=body.as_of,
        embargo_jusqu_au=body.embargo_jusqu_au,
        known_at=known_at or datetime.now(UTC),  # recording time (not the business clock)
        positions=positions,
    )
    return answer(response, decision, _vue(decision.state))


async def _caught_up(runtime: ServiceRuntime, patience: float = 10.0) -> None:
    """A publication is computed from a projection that has read every message on its topics: it is then the log as
    reporting knows it (as known at its latest fact), and anyone who recomputes it later gets the same bytes."""
    deadline = asyncio.get_running_loop().time() + patience
    while any(lag for lags in (await runtime.consumer_lags()).values() for lag in lags.values()):
        if asyncio.get_running_loop().time() > deadline:
            raise ProjectionEnRetard("les chiffres ne sont pas à jour du journal: réessayez dans un instant")
        await asyncio.sleep(0.1)


class ProjectionEnRetard(DomainError):
    reason = "projection_en_retard"
    kind = RefusalKind.RATE_LIMITED  # answered 429 with Retry-After: the same request succeeds a moment later


@router.get("")
async def lister(request: Request, _: Clearer) -> dict[str, Any]:
    """Every publication and where it stands (without the contents)."""
    found = await publications.toutes(runtime_of(request).store)
    return {"publications": [_vue(state, with_content=False) for state in found if state.demande]}


@router.get("/{publication_id}")
async def lire(publication_id: Identifiant, request: Request, _: Clearer) -> dict[str, Any]:
    """The publication with its frozen content, its digest, who cleared it and when."""
    return _vue(await publications.etat(runtime_of(request).store, publication_id))


@router.post("/{publication_id}/validation", status_code=201)
async def valider(
    publication_id: Identifiant, body: ValidationPublication, request: Request, response: Response, context: Clearer
) -> dict[str, Any]:
    """Clear the publication in the caller's role (SGPI, CDC or DTI), naming the digest read."""
    organisme = ORGANISME_DU_ROLE[context.actor.role]
    decision = await publications.valider(runtime_of(request).store, context, publication_id, organisme, body.digest)
    return answer(response, decision, _vue(decision.state, with_content=False))


@router.post("/{publication_id}/refus", status_code=201)
async def refuser(
    publication_id: Identifiant, body: RefusPublication, request: Request, response: Response, context: Clearer
) -> dict[str, Any]:
    """Refuse the publication in the caller's role: it will never be public."""
    organisme = ORGANISME_DU_ROLE[context.actor.role]
    decision = await publications.refuser(runtime_of(request).store, context, publication_id, organisme, body.motif)
    return answer(response, decision, _vue(decision.state, with_content=False))


@router.get("/{publication_id}/verification")
async def verifier(publication_id: Identifiant, request: Request, _: Clearer) -> dict[str, Any]:
    """Recompute the content from the log, as of its date and as known at its recording time: the same digest?"""
    runtime = runtime_of(request)
    found = await publications.verifier(runtime.store, projection_store(runtime.pool), publication_id)
    return {
        "publication_id": found.publication_id,
        "digest_publie": found.digest_publie,
        "digest_recalcule": found.digest_recalcule,
        "identique": found.identique,
    }


@public.get("/publications")
async def publiques(request: Request) -> dict[str, Any]:
    """The publications the SGPI, the CDC and the DTI cleared, from their embargo on (no token needed)."""
    found = await publications.publiques(runtime_of(request).store)
    return {
        "publications": [
            {
                "publication_id": e.publication_id,
                "titre": e.titre,
                "as_of": e.as_of.isoformat(),
                "diffusee_le": e.diffusee_le.isoformat(),
                "digest": e.digest,
            }
            for e in found
        ]
    }


@public.get("/publications/{publication_id}", response_model=PublicationPublique)
async def publique(publication_id: Identifiant, request: Request) -> PublicationPublique:
    """One public publication as it was cleared; a publication not public (yet) is answered as unknown."""
    found = await publications.publique(runtime_of(request).store, publication_id)
    if found is None:
        raise HTTPException(404, detail=f"aucune publication publique {publication_id}")
    return found


def register_diffusion(runtime: ServiceRuntime) -> None:
    runtime.every(DIFFUSION, DIFFUSION_SECONDES, _diffusion(runtime))


def _diffusion(runtime: ServiceRuntime) -> Watcher:
    """Every 30 s, and at once when business time moves: release what is cleared and out of embargo."""

    async def job(now: datetime) -> None:
        context = CommandContext(actor=system_actor(DIFFUSION), occurred_at=now, correlation_id=str(uuid.uuid4()))
        await publications.diffuser_echues(runtime.unit_of_work, runtime.store, context)

    return job
