"""What every part of the demo shares: the actors' tokens (signed with this run's secret), synthetic identifiers,
and a client that moves the business clocks and posts commands, failing loudly on any refusal it did not expect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from stdnum import luhn

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import issue_token
from rebond_local.infra import AUTH_SECRET

PARIS = ZoneInfo("Europe/Paris")
M_EUR = 100_000_000  # one million euros, in cents


def synthetic_siren(seed: int) -> str:
    base = f"{seed:08d}"
    return base + luhn.calc_check_digit(base)


def synthetic_siret(seed: int, etablissement: int = 1) -> str:
    base = synthetic_siren(seed) + f"{etablissement:04d}"
    return base + luhn.calc_check_digit(base)


def actor(role: str, actor_id: str, scope: str | None = None) -> dict[str, str]:
    """Headers of someone acting in `role`: a token signed with this run's secret."""
    token = issue_token(AUTH_SECRET, Actor(id=actor_id, role=Role(role), scope=scope))
    return {"Authorization": f"Bearer {token}"}


CDC, DTI = actor("INSTRUCTEUR_CDC", "cdc-instructeur"), actor("DTI_ANCT", "dti-1")
OPERATEUR = actor("SYSTEME", "exploitation")  # moves the simulated clock (an operator's token)
COMITE, SGPI, PM = actor("COMITE_MINISTERIEL", "comite-transport"), actor("SGPI", "sgpi-1"), actor("PM_CABINET", "pm")
BPI = actor("BPIFRANCE_CHARGE", "bpi-1")


async def until(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def check(response: httpx.Response, *ok: int) -> dict[str, Any]:
    if response.status_code not in (ok or (200, 201)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text}"
        )
    return response.json()  # type: ignore[no-any-return]


class Client:
    """The four services' URLs and one HTTP client; the business clocks move forward only."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self.client, self.urls = client, urls
        self.cand, self.instr = urls["candidature"], urls["instruction"]
        self.fin, self.rep = urls["financement"], urls["reporting"]

    async def at(self, day: str) -> None:
        """Move every service's business clock to 10:00 (Paris time) on `day`."""
        now = datetime.combine(date.fromisoformat(day), dtime(10), tzinfo=PARIS).isoformat()

        async def move(url: str) -> None:
            await check(await self.client.put(f"{url}/ops/clock", headers=OPERATEUR, json={"now": now}))

        await asyncio.gather(*(move(url) for url in self.urls.values()))

    async def post(self, url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
        return await check(await self.client.post(url, headers=headers, json=body))
