"""Composition root of the candidature service: runtime (pool, index migration, relay to
candidature.candidature.v1, the experts reactor, the relève watcher) and its HTTP API."""

from __future__ import annotations

import os

from fastapi import FastAPI

from candidature.adapters.index_depots import MIGRATION
from candidature.entrypoints import http, http_ami, reactors
from contracts import topics
from kernel.adapters.http import create_service_app
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.settings import Settings
from kernel.clock import Clock, clock_from_env

SERVICE = "candidature"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, migrations=(MIGRATION,), publishes=(topics.CANDIDATURE,))
    reactors.register(runtime)
    return create_service_app(runtime, http.router, http_ami.router, title="Rebond · candidature", clock=clock)
