"""Composition root of the reporting service: its projection consumer, its own log (the publication workflow,
relayed to the internal publication topic and to the public topic), the diffusion watcher, HTTP."""

from __future__ import annotations

import os

from fastapi import FastAPI

from contracts import topics
from kernel.adapters.http import create_service_app
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.settings import Settings
from kernel.clock import Clock, clock_from_env
from reporting.entrypoints.http import ops, router
from reporting.entrypoints.http_opendata import registre  # also joins its public routes to /public
from reporting.entrypoints.http_publications import public, register_diffusion
from reporting.entrypoints.http_publications import router as publications
from reporting.entrypoints.http_tableau import router as tableau
from reporting.entrypoints.projection import MIGRATIONS, register

SERVICE = "reporting"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, publishes=(topics.PUBLICATION, topics.PUBLIC))
    register(runtime)
    register_diffusion(runtime)
    return create_service_app(
        runtime, router, registre, publications, public, ops, tableau, title="Rebond · reporting", clock=clock
    )
