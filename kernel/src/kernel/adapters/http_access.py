"""Who is calling an HTTP API: the signed token's actor, the command context, the role a route requires."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import InvalidToken, read_token
from kernel.adapters.runtime import ServiceRuntime
from kernel.ports import CommandContext

OPERATORS = (Role.SYSTEME,)  # who runs the platform: the clock, rebuilds, parked messages


def runtime_of(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


_bearer = HTTPBearer(auto_error=False, description="A Rebond token: `python -m kernel.adapters.auth --role … --sub …`")


def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor | None:
    """The authenticated actor, or None for a public (anonymous) caller; 401 for a bad token."""
    if credentials is None:
        return None
    try:
        settings = runtime_of(request).settings
        return read_token(settings.auth_secret, credentials.credentials, settings.revocations)
    except InvalidToken as error:
        raise HTTPException(401, detail=f"invalid token: {error}") from error


def command_context(request: Request, actor: Annotated[Actor | None, Depends(caller)]) -> CommandContext:
    """Who is calling (from the token) and when, by the app's clock; the correlation id is the request's (the
    caller's X-Correlation-Id when it is a valid id, kernel.adapters.http)."""
    if actor is None:
        raise HTTPException(401, detail="a bearer token is required to issue a command")
    request.state.actor = actor  # who acts, for the command's log line (kernel.adapters.http)
    return CommandContext(
        actor=actor,
        occurred_at=request.app.state.clock(),
        correlation_id=structlog.contextvars.get_contextvars().get("correlation_id") or str(uuid.uuid4()),
    )


def require_role(*roles: Role) -> Callable[[CommandContext], CommandContext]:
    """Dependency: the command is allowed to these roles only (403 otherwise)."""

    def check(context: Annotated[CommandContext, Depends(command_context)]) -> CommandContext:
        if context.actor.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, detail=f"role {context.actor.role.value} may not do this (allowed: {allowed})")
        return context

    return check
