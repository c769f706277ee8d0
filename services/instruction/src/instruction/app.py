"""Composition root of the instruction service: one runtime (pool, relay of the `dossier-*`, `mission-*`,
`recensement-*` and `projet-*` streams to instruction.dossier.v1, the slices' reactors and watchers) and the
slices' HTTP routes.

The service holds three slices that never import each other: `selection` (a candidature's dossier up to the Prime
Minister's decision), `mission` (a laureate's engineering mission) and `projets` (the census of its industrial
projects, their qualification by the COPIL and Bpifrance's instruction of their aid requests)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from contracts import topics
from instruction.mission.entrypoints import http as mission_http
from instruction.mission.entrypoints import reactors as mission_reactors
from instruction.projets.entrypoints import http as projets_http
from instruction.selection.entrypoints import http as selection_http
from instruction.selection.entrypoints import reactors as selection_reactors
from kernel.adapters.http import create_service_app
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.settings import Settings
from kernel.clock import Clock, clock_from_env

SERVICE = "instruction"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The service's app; without arguments it reads its environment (DATABASE_URL, KAFKA_BOOTSTRAP, …)."""
    settings = settings or Settings.from_env(SERVICE)
    clock = clock or clock_from_env(os.environ.get("REBOND_SIMULATED_CLOCK"))
    runtime = ServiceRuntime(settings, publishes=(topics.INSTRUCTION,))
    selection_reactors.register(runtime)  # deposits, withdrawals and relèves → dossiers
    mission_reactors.register(runtime)  # laureate → mission; deadline and COPIL watcher
    return create_service_app(
        runtime,
        mission_http.router,
        projets_http.router,
        selection_http.router,
        title="Rebond — instruction",
        clock=clock,
    )
