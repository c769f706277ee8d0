"""Who may act on, or read, a territory's census and projects (DOMAIN-REFERENCE §7): the territory's consultants
and COPIL members (token scope = territoire_id), Bpifrance for the aid files, the company for its own project
(PORTEUR_PROJET, scope = projet_id), and the national roles that follow the programme.

No `from __future__ import annotations` here: the scoped dependency's annotation refers to a closure variable,
which FastAPI can only see as a live object."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path

from contracts.base import Identifiant, Role
from kernel.adapters.http import command_context
from kernel.ports import CommandContext

TerritoireId = Annotated[Identifiant, Path(description="territoire_id (== the winning candidature_id)")]
ProjetId = Annotated[Identifiant, Path(description="projet_id, as the census recorded it")]
NATIONAUX = frozenset({Role.INSTRUCTEUR_CDC, Role.DTI_ANCT, Role.SGPI, Role.BPIFRANCE_CHARGE})


def _refus(context: CommandContext) -> HTTPException:
    return HTTPException(403, detail=f"role {context.actor.role.value} (portée {context.actor.scope!r}) ne peut pas")


def du_territoire(*roles: Role) -> Callable[..., CommandContext]:
    """One of `roles`, acting for the territory in the path (403 otherwise)."""

    def check(
        territoire_id: TerritoireId, context: Annotated[CommandContext, Depends(command_context)]
    ) -> CommandContext:
        if context.actor.role not in roles or context.actor.scope != territoire_id:
            raise _refus(context)
        return context

    return check


consultant = du_territoire(Role.PRESTATAIRE)
consultant_ou_copil = du_territoire(Role.PRESTATAIRE, Role.COPIL_MEMBRE)
membre_du_copil = du_territoire(Role.COPIL_MEMBRE)


def bpifrance(context: Annotated[CommandContext, Depends(command_context)]) -> CommandContext:
    if context.actor.role is not Role.BPIFRANCE_CHARGE:
        raise _refus(context)
    return context


def demandeur(projet_id: ProjetId, context: Annotated[CommandContext, Depends(command_context)]) -> CommandContext:
    """The company for its own project, or Bpifrance receiving the request on its behalf."""
    role, scope = context.actor.role, context.actor.scope
    if role is Role.BPIFRANCE_CHARGE or (role is Role.PORTEUR_PROJET and scope == projet_id):
        return context
    raise _refus(context)


def lecteur_du_projet(
    territoire_id: TerritoireId, projet_id: ProjetId, context: Annotated[CommandContext, Depends(command_context)]
) -> CommandContext:
    """Company-level data: the national roles, the territory's COPIL and consultants, the company itself."""
    role, scope = context.actor.role, context.actor.scope
    if (
        role in NATIONAUX
        or (role in (Role.COPIL_MEMBRE, Role.PRESTATAIRE) and scope == territoire_id)
        or (role is Role.PORTEUR_PROJET and scope == projet_id)
    ):
        return context
    raise _refus(context)
