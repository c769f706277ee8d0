"""Composition root of the reporting service: a read-only runtime (no relay), its projection consumer, HTTP."""

from __future__ import annotations

import os

from fastapi import FastAPI

from kernel.adapters.http import create_service_app
from kernel.adapters.runtime import ServiceRuntime, Settings
from kernel.clock import Clock, clock_from_env
from reporting.entrypoints.http import ops, router
from reporting.entrypoints.projection import MIGRATIONS, register

SERVICE = "reporting"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, migrations=MIGRATIONS, with_relay=False)  # records no events
    register(runtime)
    return create_service_app(runtime, router, ops, title="Rebond · reporting", clock=clock)
