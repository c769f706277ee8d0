"""Real infrastructure for the whole suite: a Kafka-protocol broker and a PostgreSQL server, chosen in
DESIGN §4's order (KAFKA_BOOTSTRAP/DATABASE_URL, then Docker, then the embedded wheels), started once
per session and stopped at its end. Each test gets fresh databases and its own topic prefix."""

from __future__ import annotations

import os
import signal
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from contracts import topics
from kernel.adapters.kafka import ensure_topics
from kernel.adapters.logs import configure_logging
from kernel.adapters.postgres import create_pool, migrate
from kernel.adapters.settings import Settings
from rebond_local.database import create_database
from rebond_local.infra import Infra, provision
from tests.fixtures import TEST_SIGNERS, TEST_TRUSTED_KEYS
from tests.support import TEST_AUTH_SECRET

configure_logging("tests", level="WARNING")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt  # pytest then tears the session down: the servers it started are stopped


signal.signal(signal.SIGTERM, _interrupt)
os.environ["REBOND_AUTH_SECRET"] = TEST_AUTH_SECRET  # the services under test verify the tokens it signs
# The register of aids names its attribuant by its SIRET, which no source gives: a valid one for the tests (the SIREN
# of Bpifrance SA, a NIC chosen for its check digit; deployments set their own, REBOND_SCDL_ID_ATTRIBUANT).
os.environ.setdefault("REBOND_SCDL_ID_ATTRIBUANT", "50752367800013")
for _producer, _signer in TEST_SIGNERS.items():  # each service under test signs with its own key
    os.environ[f"REBOND_SIGNING_KEY_{_producer.upper()}"] = _signer.private_text
os.environ["REBOND_TRUSTED_KEYS"] = TEST_TRUSTED_KEYS


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    workdir = Path(tempfile.mkdtemp(prefix="rebond-tests-"))
    started = provision(workdir)
    print(f"\nbroker: {started.kafka_origin} ({started.kafka_bootstrap}); database: {started.database_origin}")
    yield started
    started.stop()


@pytest.fixture
def unique() -> str:
    """A short id that keeps this test's databases, topics and groups apart from the others'."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def new_database(infra: Infra, unique: str):  # type: ignore[no-untyped-def]
    """Factory: a fresh, empty database on the test server; returns its URL."""
    counter = iter(range(1000))

    async def make(label: str = "db") -> str:
        return await create_database(infra.database_url, f"t_{unique}_{label}_{next(counter)}")

    return make


@pytest.fixture
async def pool(new_database) -> AsyncIterator[asyncpg.Pool]:  # type: ignore[no-untyped-def]
    """A pool on a fresh database that already has the kernel's tables."""
    url = await new_database("kernel")
    await migrate(url)
    created = await create_pool(url, max_size=20)
    yield created
    await created.close()


@pytest.fixture
async def topic_prefix(infra: Infra, unique: str) -> str:
    """This test's topics (created up front, with their final partition count)."""
    prefix = f"t{unique}."
    await ensure_topics(infra.kafka_bootstrap, [prefix + name for name in topics.ALL])
    return prefix


@pytest.fixture
def settings_for(infra: Infra, new_database, topic_prefix: str):  # type: ignore[no-untyped-def]
    """Factory: a service's Settings on a fresh database and this test's topics."""

    async def make(service: str) -> Settings:
        return Settings(
            service=service,
            database_url=await new_database(service),
            kafka_bootstrap=infra.kafka_bootstrap,
            topic_prefix=topic_prefix,
        )

    return make
