"""Helpers shared by the tests: run a service app in-process, wait for asynchronous outcomes."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
from fastapi import FastAPI

from contracts.base import Role
from contracts.envelope import Actor
from kernel.auth import issue_token

T = TypeVar("T")


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (pool, broker, relay, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield client


TEST_AUTH_SECRET = "tests-only-secret-0123456789abcdef"


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
