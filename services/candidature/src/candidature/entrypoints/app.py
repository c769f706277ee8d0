"""Composition root of the candidature service: runtime (pool, index migration, relay to
candidature.candidature.v1, the experts consumer, the relève watcher)
and HTTP (each refusal carries its own status: 403 out of scope, 404 unseen)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from candidature.adapters.index_depots import MIGRATION
from candidature.entrypoints import http, http_ami, reactors
from contracts import topics
from kernel.clock import Clock, clock_from_env
from kernel.http import create_service_app
from kernel.runtime import ServiceRuntime, Settings

SERVICE = "candidature"
RELEVE_SECONDES = 60


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, migrations=(MIGRATION,), publishes=(topics.CANDIDATURE,))
    runtime.consume(reactors.EXPERTS_DESIGNES, reactors.experts_designes(runtime), topics.INSTRUCTION)
    runtime.every(reactors.RELEVE, RELEVE_SECONDES, reactors.releve(runtime))
    return create_service_app(runtime, http.router, http_ami.router, title="Rebond · candidature", clock=clock)
