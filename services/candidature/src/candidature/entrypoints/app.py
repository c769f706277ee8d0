"""Composition root of the candidature service: runtime (pool, relay to candidature.candidature.v1), HTTP."""
from __future__ import annotations

import os

from fastapi import FastAPI

from contracts import topics
from kernel.clock import Clock, clock_from_env
from kernel.http import create_service_app
from kernel.runtime import ServiceRuntime, Settings

from candidature.entrypoints.http import router

SERVICE = "candidature"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, publishes=(topics.CANDIDATURE,))  # reacts to nobody yet
    return create_service_app(runtime, router, title="Rebond · candidature", clock=clock)
