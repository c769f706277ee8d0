"""Helpers shared by the tests: run a service app in-process, wait for asynchronous outcomes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
from fastapi import FastAPI

from contracts import topics
from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import issue_token
from kernel.adapters.kafka import ensure_topics
from kernel.adapters.runtime import Settings
from rebond_local.database import create_database
from rebond_local.infra import Infra

T = TypeVar("T")


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (pool, broker, relay, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield client


TEST_AUTH_SECRET = "tests-only-secret-0123456789abcdef"


async def isolated_settings(infra: Infra, service: str) -> Settings:
    """A service's Settings on a fresh database and on topics of its own (created up front), so that an app
    started once for a whole test module shares nothing with the other tests."""
    unique = uuid.uuid4().hex[:10]
    prefix = f"t{unique}."
    await ensure_topics(infra.kafka_bootstrap, [prefix + name for name in topics.ALL])
    return Settings(
        service=service,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        database_url=await create_database(infra.database_url, f"t_{unique}_{service}"),
    )


def as_actor(role: Role, actor_id: str = "agent-1", scope: str | None = None) -> dict[str, str]:
    """Headers of a caller acting in `role` (and, for a territory or a COPIL, its scope): a signed token."""
    token = issue_token(TEST_AUTH_SECRET, Actor(id=actor_id, role=role, scope=scope))
    return {"Authorization": f"Bearer {token}"}


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0, what: str = "") -> T:
    """Poll `probe` until it returns something truthy (events cross Kafka asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        await asyncio.sleep(0.1)
