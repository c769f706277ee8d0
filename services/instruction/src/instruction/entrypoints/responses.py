"""What every dossier route shares: building a command, running it, answering with the caller's view
of the dossier, and the OpenAPI text that says who may call a route, from which phases, and why it
may be refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from contracts.base import Identifiant, Role
from instruction.application import handlers
from instruction.domain.acces import INSTRUCTEURS, vue_autorisee
from instruction.domain.commands import Commande
from instruction.domain.errors import NonHabilite
from instruction.entrypoints.views import rendre
from kernel.http import require_role, runtime_of
from kernel.ports import CommandContext, RecordedEvent

IdChemin = Annotated[Identifiant, Path(description="The candidature's id (its dossier is `dossier-<id>`)")]
Instructeur = Annotated[CommandContext, Depends(require_role(*INSTRUCTEURS))]
C = TypeVar("C", bound=BaseModel)

ERREURS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token, or an invalid one"},
    403: {"description": "Role not allowed, or not on this dossier (another territory, an expert not designated)"},
    409: {"description": 'Refused by the domain: `{"error": <reason code>, "detail": <why>}`'},
    422: {"description": "Invalid body: the field and the reason are named; nothing is recorded"},
}


def doc(summary: str, what: str, roles: Sequence[Role], phases: str, reasons: Sequence[str]) -> dict[str, Any]:
    """The OpenAPI summary and description of a command route."""
    description = (
        f"{what}\n\n**Who**: {', '.join(r.value for r in roles)} (403 for any other role).\n\n"
        f"**From phases**: {phases}.\n\n**409 reason codes**: {', '.join(f'`{r}`' for r in reasons)}.\n\n"
        "201 with the appended events and the caller's view of the dossier; 200 with nothing appended when "
        "the same command was already satisfied (commands are idempotent)."
    )
    return {"summary": summary, "description": description, "responses": ERREURS}


def construire(model: type[C], **fields: Any) -> C:
    """A command from the body and the context; a field the context brings that does not fit is a 422."""
    try:
        return model(**fields)
    except ValidationError as error:
        raise RequestValidationError(
            error.errors(include_url=False, include_context=False, include_input=False)
        ) from error


def interdit(error: NonHabilite) -> HTTPException:
    return HTTPException(403, detail=f"{error.reason}: {error}")


async def executer(request: Request, response: Response, command: Commande, context: CommandContext) -> dict[str, Any]:
    """Run the command on its dossier: 201 with what was appended, or 200 when already satisfied."""
    store = runtime_of(request).store
    try:
        appended = await handlers.traiter(store, command, context)
    except NonHabilite as error:
        raise interdit(error) from error
    if not appended:
        response.status_code = 200
    return {"appended": [_appended(r) for r in appended], **await _vue_apres(request, command, context)}


async def _vue_apres(request: Request, command: Commande, context: CommandContext) -> dict[str, Any]:
    found = await handlers.consulter_dossier(runtime_of(request).store, command.candidature_id)
    if found is None:
        return {}
    state, version = found
    try:
        vue = vue_autorisee(state, context.actor, handlers.jour(context))
    except NonHabilite:
        return {}
    return rendre(command.candidature_id, state, version, vue, context.actor)


def _appended(recorded: RecordedEvent) -> dict[str, Any]:
    envelope = recorded.envelope
    return {
        "event_type": envelope.event_type,
        "event_id": str(envelope.event_id),
        "stream_version": envelope.stream_version,
    }
