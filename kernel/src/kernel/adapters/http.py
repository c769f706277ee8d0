"""What every service's HTTP API shares: the app factory, who is calling, and error answers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from faststream.specification import AsyncAPI
from pydantic import AwareDatetime, BaseModel

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import InvalidToken, read_token
from kernel.adapters.logs import configure_logging
from kernel.adapters.runtime import ServiceRuntime
from kernel.clock import Clock, SimulatedClock, SystemClock
from kernel.command_handler import Decision
from kernel.decider import DomainError, RefusalKind
from kernel.ports import CommandContext, ConcurrencyError, RecordedEvent

T = TypeVar("T")

# The domain names the kind of a refusal; HTTP is decided here, once for every service.
STATUS_OF_REFUSAL = {RefusalKind.REFUSED: 409, RefusalKind.NOT_FOUND: 404, RefusalKind.FORBIDDEN: 403}


class ClockMove(BaseModel):
    now: AwareDatetime


def create_service_app(
    runtime: ServiceRuntime, *routers: APIRouter, title: str, clock: Clock | None = None, version: str = "1"
) -> FastAPI:
    """A FastAPI app that starts/stops the runtime, answers /health and maps refusals to HTTP."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not structlog.is_configured():
            configure_logging(runtime.settings.service)
        await runtime.start()
        yield
        await runtime.stop()

    app = FastAPI(title=title, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.clock = runtime.clock = clock or SystemClock()

    @app.get("/health", tags=["ops"])
    async def health() -> dict[str, object]:
        return {**await runtime.health(), "now": app.state.clock().isoformat()}

    @app.get("/asyncapi.json", tags=["ops"])
    async def asyncapi() -> JSONResponse:
        """The Kafka side of this service (topics it consumes and publishes), as AsyncAPI 3."""
        document = AsyncAPI(runtime.broker, title=f"{title} — events", version=version)
        return JSONResponse(document.to_specification().to_jsonable())

    if isinstance(app.state.clock, SimulatedClock):

        @app.put("/ops/clock", tags=["ops"])
        async def move_clock(move: ClockMove) -> dict[str, str]:
            """Simulated clock only: move business time forward (demo, rehearsal)."""
            try:
                app.state.clock.move_to(move.now)
            except ValueError as error:
                raise HTTPException(422, detail=str(error)) from error
            runtime.wake_watchers()  # deadlines that just passed are recorded at once
            return {"now": app.state.clock().isoformat()}

    @app.exception_handler(DomainError)
    async def refused(_: Request, error: DomainError) -> JSONResponse:
        return JSONResponse(
            status_code=STATUS_OF_REFUSAL[error.kind],
            content={**error.details, "error": error.reason, "detail": str(error)},
        )

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, error: ConcurrencyError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"error": "concurrency_conflict", "detail": str(error)})

    @app.middleware("http")
    async def bind_correlation(request: Request, call_next):  # type: ignore[no-untyped-def]
        correlation_id = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
        response.headers["x-correlation-id"] = correlation_id
        return response

    for router in routers:
        app.include_router(router)
    return app


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
        return read_token(runtime_of(request).settings.auth_secret, credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(401, detail=f"invalid token: {error}") from error


def command_context(
    request: Request,
    actor: Annotated[Actor | None, Depends(caller)],
    x_correlation_id: Annotated[str | None, Header()] = None,
) -> CommandContext:
    """Who is calling (from the token) and when, by the app's clock."""
    if actor is None:
        raise HTTPException(401, detail="a bearer token is required to issue a command")
    return CommandContext(
        actor=actor,
        occurred_at=request.app.state.clock(),
        correlation_id=x_correlation_id
        or structlog.contextvars.get_contextvars().get("correlation_id")
        or str(uuid.uuid4()),
    )


def require_role(*roles: Role) -> Callable[[CommandContext], CommandContext]:
    """Dependency: the command is allowed to these roles only (403 otherwise)."""

    def check(context: Annotated[CommandContext, Depends(command_context)]) -> CommandContext:
        if context.actor.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, detail=f"role {context.actor.role.value} may not do this (allowed: {allowed})")
        return context

    return check


def answer(response: Response, decision: Decision[Any, Any], body: T) -> T:
    """The answer to a command: 201 when it recorded something now, 200 when it was already satisfied (the
    same request again: commands are idempotent); `body` is what the route shows of the result."""
    response.status_code = 201 if decision.created else 200
    return body


def appended(decision: Decision[Any, Any]) -> list[dict[str, Any]]:
    """The events a command appended, as its answer lists them."""
    return [_appended(recorded) for recorded in decision.recorded]


def _appended(recorded: RecordedEvent) -> dict[str, Any]:
    envelope = recorded.envelope
    return {
        "event_type": envelope.event_type,
        "event_id": str(envelope.event_id),
        "stream_version": envelope.stream_version,
    }
