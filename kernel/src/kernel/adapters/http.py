"""What every service's HTTP API shares: the app factory, who is calling (http_access), refusals and outages as
HTTP answers, the answer to a command, and the operators' routes (ops_http)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi_offline import FastAPIOffline
from faststream.specification import AsyncAPI
from pydantic import ValidationError

from contracts.envelope import Actor
from kernel.adapters.http_access import caller, command_context, require_role, runtime_of
from kernel.adapters.http_guard import InputGuard
from kernel.adapters.logs import configure_logging
from kernel.adapters.metrics import CONTENT_TYPE_LATEST
from kernel.adapters.ops_http import operations_router
from kernel.adapters.process import tune_garbage_collector
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.tracing import configure_tracing, flush_spans, instrument_app
from kernel.clock import Clock, SimulatedClock, SystemClock
from kernel.command_handler import Decision
from kernel.decider import DomainError, RefusalKind
from kernel.ports import ConcurrencyError, RecordedEvent

T = TypeVar("T")
__all__ = ["answer", "appended", "caller", "command_context", "create_service_app", "require_role", "runtime_of"]

# The domain names the kind of a refusal; HTTP is decided here, once for every service.
STATUS_OF_REFUSAL = {
    RefusalKind.REFUSED: 409,
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.FORBIDDEN: 403,
    RefusalKind.INVALID: 422,
    RefusalKind.RATE_LIMITED: 429,
}


RETRY_AFTER_SECONDS = 5
# SQLSTATE classes of a database that is away, overloaded or shutting down: connection exception (08), insufficient
# resources (53), object not in prerequisite state (55: not accepting connections, lock not available), operator
# intervention (57: shutdown, statement timeout), system error (58), and a deadlock or serialization failure (40).
UNAVAILABLE_SQLSTATES = ("08", "53", "55", "57", "58", "40")
CORRELATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")  # a caller's id is kept only when it is one
log = structlog.get_logger(__name__)
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _who(request: Request) -> dict[str, str | None]:
    """The caller a command named (its token's actor), for the log; nothing when it had no valid token."""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        return {}
    return {"actor_id": actor.id, "role": actor.role.value, "scope": actor.scope}


def _route_of(request: Request) -> str:
    """The route's template (`/enveloppes/{territoire_id}/aides`), not the path: ids stay out of the log's keys."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "?"))


def create_service_app(
    runtime: ServiceRuntime, *routers: APIRouter, title: str, clock: Clock | None = None, version: str = "1"
) -> FastAPI:
    """A FastAPI app that starts/stops the runtime, answers /health and maps refusals to HTTP."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not structlog.is_configured():
            configure_logging(runtime.settings.service)
        tune_garbage_collector()
        await runtime.start()
        yield
        await runtime.stop()
        flush_spans()

    # /docs with Swagger UI's script and style served by the service itself: it works offline, behind any firewall
    # (no /redoc: ReDoc's bundle still fetches its badge from a CDN)
    app = FastAPIOffline(title=title, version=version, lifespan=lifespan, redoc_url=None)
    if configure_tracing(runtime.settings.service):  # REBOND_TRACING: off unless asked
        instrument_app(app)
    app.state.runtime = runtime
    app.state.clock = runtime.clock = clock or SystemClock()

    @app.get("/health", tags=["ops"])
    async def health() -> JSONResponse:
        """200 when the service can serve (status ok, or degraded: a stream is blocked), 503 naming what is down."""
        report = {**await runtime.health(), "now": app.state.clock().isoformat()}
        return JSONResponse(report, status_code=503 if report["status"] == "down" else 200)

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    async def metrics() -> Response:
        """Prometheus text format: commands and refusals, append latency, dependencies, log head, relay lag, parked."""
        body = runtime.metrics.render(
            await runtime.health(), await runtime.consumer_lags(), await runtime.consumer_lag_seconds()
        )
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["ops"])
    async def asyncapi() -> JSONResponse:
        """The Kafka side of this service (topics it consumes and publishes), as AsyncAPI 3."""
        document = AsyncAPI(runtime.broker, title=f"{title} — events", version=version)
        return JSONResponse(document.to_specification().to_jsonable())

    app.include_router(operations_router(runtime, simulated_clock=isinstance(app.state.clock, SimulatedClock)))

    @app.exception_handler(asyncpg.PostgresError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.exceptions.InternalClientError)  # a connection broken mid-operation
    @app.exception_handler(OSError)
    @app.exception_handler(TimeoutError)
    async def unavailable(_: Request, error: Exception) -> JSONResponse:
        """The database (or the broker) is away or too slow: say so, and when to try again; nothing half-done.
        Any other database error is a fault of ours: logged, answered 500 without detail."""
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(error, asyncpg.PostgresError) and not str(sqlstate or "").startswith(UNAVAILABLE_SQLSTATES):
            log.error("http.database_error", error=repr(error), sqlstate=sqlstate)
            return JSONResponse(status_code=500, content={"error": "erreur_interne", "detail": "internal error"})
        log.warning("http.unavailable", error=repr(error), sqlstate=sqlstate)
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            content={"error": "service_indisponible", "detail": "database or broker unavailable, try again later"},
        )

    @app.exception_handler(DomainError)
    async def refused(request: Request, error: DomainError) -> JSONResponse:
        log.info("command.refused", reason=error.reason, kind=error.kind.value, **_who(request))
        runtime.metrics.refusal(error.reason)
        limited = error.kind is RefusalKind.RATE_LIMITED
        return JSONResponse(
            status_code=STATUS_OF_REFUSAL[error.kind],
            content={**error.details, "error": error.reason, "detail": str(error)},
            headers={"Retry-After": "60"} if limited else None,
        )

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, error: ConcurrencyError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"error": "concurrency_conflict", "detail": str(error)})

    @app.exception_handler(ValidationError)
    async def invalid(request: Request, error: ValidationError) -> JSONResponse:
        """A value a route's types let through but a command or an event refuses: the caller's fault, named."""
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors(include_input=False)
        ]
        fields = [".".join(str(part) for part in e["loc"]) for e in detail]
        log.info("command.invalid", fields=fields, **_who(request))
        return JSONResponse(status_code=422, content={"error": "entree_invalide", "detail": detail})

    @app.middleware("http")
    async def bind_correlation(request: Request, call_next):  # type: ignore[no-untyped-def]
        given = request.headers.get("x-correlation-id", "")
        correlation_id = given if CORRELATION_ID.fullmatch(given) else str(uuid.uuid4())
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
            if request.method in COMMAND_METHODS:  # every command, with who asked and what came of it
                runtime.metrics.command(_route_of(request), response.status_code)
                log.info(
                    "command.answered",
                    method=request.method,
                    route=_route_of(request),
                    status=response.status_code,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                    **_who(request),
                )
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
        response.headers["x-correlation-id"] = correlation_id
        return response

    for router in routers:
        app.include_router(router)
    app.add_middleware(InputGuard)  # outermost: bad bytes are refused before anything else runs
    return app


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
