"""Composition root of the candidature service: runtime (pool, index migration, relay to
candidature.candidature.v1, the experts consumer, the relève watcher) and HTTP (refusals mapped to 403/404)."""
from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from contracts import topics
from kernel.clock import Clock, clock_from_env
from kernel.decider import DomainError
from kernel.http import create_service_app
from kernel.runtime import ServiceRuntime, Settings

from candidature.adapters.index_depots import MIGRATION
from candidature.domain.errors import CandidatureIntrouvable, DossierIncomplet, HorsPerimetre
from candidature.entrypoints import http, http_ami, reactors

SERVICE = "candidature"
RELEVE_SECONDES = 60


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, migrations=(MIGRATION,), publishes=(topics.CANDIDATURE,))
    runtime.consume(reactors.EXPERTS_DESIGNES, reactors.experts_designes(runtime), topics.INSTRUCTION)
    runtime.every(reactors.RELEVE, RELEVE_SECONDES, reactors.releve(runtime))
    app = create_service_app(runtime, http.router, http_ami.router, title="Rebond · candidature", clock=clock)
    app.add_exception_handler(CandidatureIntrouvable, _answer(404))
    app.add_exception_handler(HorsPerimetre, _answer(403))
    app.add_exception_handler(DossierIncomplet, _answer(409))
    return app


def _answer(status_code: int):  # type: ignore[no-untyped-def]
    """A refusal answered with its own status; an incomplete dossier also lists what is missing."""

    async def answer(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        body: dict[str, object] = {"error": error.reason, "detail": str(error)}
        if isinstance(error, DossierIncomplet):
            body["manquants"] = [{"element": m.element, "motif": m.motif} for m in error.manquants]
        return JSONResponse(status_code=status_code, content=body)

    return answer
