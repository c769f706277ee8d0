"""What every dossier route shares: building a command, running it, answering with the caller's view
of the dossier, and the OpenAPI text that says who may call a route, from which phases, and why it
may be refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from contracts.base import Identifiant, Role
from instruction.selection.application import handlers
from instruction.selection.application.handlers import DecisionDossier
from instruction.selection.domain.acces import INSTRUCTEURS, vue_autorisee
from instruction.selection.domain.commands import Commande
from instruction.selection.domain.dossier import Phase
from instruction.selection.domain.errors import NonHabilite
from instruction.selection.entrypoints.views import rendre
from kernel.adapters.http import answer, appended, require_role, runtime_of
from kernel.ports import CommandContext

CandidatureId = Annotated[Identifiant, Path(description="The candidature's id (its dossier is `dossier-<id>`)")]
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


async def executer(request: Request, response: Response, command: Commande, context: CommandContext) -> dict[str, Any]:
    """Run the command on its dossier: 201 with what was appended, or 200 when already satisfied; both with the
    caller's view of the dossier after the decision (none when the caller may not see it)."""
    decision = await handlers.traiter(runtime_of(request).store, command, context)
    return answer(response, decision, {"appended": appended(decision), **_vue(command, decision, context)})


def _vue(command: Commande, decision: DecisionDossier, context: CommandContext) -> dict[str, Any]:
    if decision.state.phase is Phase.AUCUNE:
        return {}
    try:
        vue = vue_autorisee(decision.state, context.actor, handlers.jour(context))
    except NonHabilite:
        return {}
    return rendre(command.candidature_id, decision.state, decision.version, vue, context.actor)
