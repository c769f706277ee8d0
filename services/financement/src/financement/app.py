"""Composition root of financement: settings, clock, runtime (pool, broker, relay, reactors), HTTP API.

Its relay publishes the envelope streams (`enveloppe-*`) to financement.enveloppe.v1."""

from __future__ import annotations

import os

from fastapi import FastAPI

from contracts import topics
from financement.entrypoints import http, reactors
from kernel.adapters.http import create_service_app
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.settings import Settings
from kernel.clock import Clock, clock_from_env

SERVICE = "financement"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env(SERVICE)
    runtime = ServiceRuntime(settings, publishes=(topics.FINANCEMENT,))
    reactors.register(runtime)
    return create_service_app(
        runtime,
        http.router,
        http.programme_router,
        title="Rebond · financement",
        clock=clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK")),
    )
