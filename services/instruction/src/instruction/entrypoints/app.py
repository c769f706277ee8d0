"""Composition root of the instruction service: runtime, reactor to the candidature topic, HTTP API.

Its relay publishes the `dossier-*` streams to instruction.dossier.v1 (contracts.topics)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from contracts import topics
from instruction.entrypoints import http, mission_http, mission_reactors, reactors
from kernel.clock import Clock, clock_from_env
from kernel.http import create_service_app
from kernel.runtime import ServiceRuntime, Settings

SERVICE = "instruction"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, publishes=(topics.INSTRUCTION,))
    runtime.consume(reactors.CANDIDATURES_RECUES, reactors.candidatures_recues(runtime), topics.CANDIDATURE)
    mission_reactors.register(runtime)  # laureate → mission; deadline and COPIL watcher
    return create_service_app(runtime, mission_http.router, http.router, title="Rebond — instruction", clock=clock)
