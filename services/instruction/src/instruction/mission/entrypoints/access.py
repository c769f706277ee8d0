"""Who may act on, or read, a mission (DOMAIN-REFERENCE §7): national roles, and the territory's own
COPIL members and consultant, whose token scope is the territoire_id.

No `from __future__ import annotations` here: the scoped dependency's annotation refers to a closure
variable, which FastAPI can only see as a live object."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path

from contracts.base import Identifiant, Role
from contracts.envelope import Actor
from kernel.adapters.http import caller, require_role
from kernel.ports import CommandContext

TerritoireId = Annotated[Identifiant, Path(description="territoire_id (== the winning candidature_id)")]
NATIONAUX = (Role.INSTRUCTEUR_CDC, Role.DTI_ANCT, Role.SGPI, Role.BPIFRANCE_CHARGE)  # readers of every mission
DU_TERRITOIRE = (Role.COPIL_MEMBRE, Role.PRESTATAIRE)  # scoped to one territory

cdc = require_role(Role.INSTRUCTEUR_CDC)
cdc_ou_dti = require_role(Role.INSTRUCTEUR_CDC, Role.DTI_ANCT)


def du_territoire(*roles: Role) -> Callable[..., CommandContext]:
    """Dependency: one of `roles`, acting for the territory in the path (403 otherwise)."""

    def check(
        territoire_id: TerritoireId, context: Annotated[CommandContext, Depends(require_role(*roles))]
    ) -> CommandContext:
        if context.actor.scope != territoire_id:
            raise HTTPException(403, detail=f"portée {context.actor.scope!r}: n'agit pas pour {territoire_id!r}")
        return context

    return check


consultant = du_territoire(Role.PRESTATAIRE)
membre_du_copil = du_territoire(Role.COPIL_MEMBRE)
consultant_ou_copil = du_territoire(Role.PRESTATAIRE, Role.COPIL_MEMBRE)


def lecteur_national(actor: Annotated[Actor | None, Depends(caller)]) -> Actor:
    if actor is None:
        raise HTTPException(401, detail="a bearer token is required to read missions")
    if actor.role not in NATIONAUX:
        raise HTTPException(403, detail=f"role {actor.role.value} may not list missions")
    return actor


def lecteur_de_la_mission(territoire_id: TerritoireId, actor: Annotated[Actor | None, Depends(caller)]) -> Actor:
    if actor is None:
        raise HTTPException(401, detail="a bearer token is required to read a mission")
    if actor.role in NATIONAUX or (actor.role in DU_TERRITOIRE and actor.scope == territoire_id):
        return actor
    raise HTTPException(403, detail=f"role {actor.role.value} (portée {actor.scope!r}) may not read this mission")
