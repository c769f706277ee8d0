"""Which broker and database to use, in DESIGN §4's order: environment, Docker, embedded."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from rebond_local.broker import EmbeddedBroker
from rebond_local.database import EmbeddedPostgres

log = structlog.get_logger(__name__)

# The secret that signs access tokens, shared by the services this process starts (one per run unless set).
AUTH_SECRET = os.environ.setdefault("REBOND_AUTH_SECRET", secrets.token_urlsafe(32))


@dataclass
class Infra:
    """Where the broker and the PostgreSQL server are, and how they were obtained."""

    kafka_bootstrap: str
    database_url: str
    kafka_origin: str
    database_origin: str
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def stop(self) -> None:
        self._stack.close()


def docker_answers() -> bool:
    """True when a Docker engine answers (the client alone is not enough)."""
    if os.environ.get("REBOND_NO_DOCKER"):
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no engine
        return False


def _register(stack: ExitStack, stop: Callable[[], None]) -> None:
    stack.callback(stop)


def provision(workdir: Path | None = None) -> Infra:
    """Start (or find) a broker and a PostgreSQL; the caller must call Infra.stop()."""
    stack = ExitStack()
    kafka, kafka_origin = os.environ.get("KAFKA_BOOTSTRAP"), "environment"
    database, database_origin = os.environ.get("DATABASE_URL"), "environment"
    use_docker = (not kafka or not database) and docker_answers()
    if not kafka:
        if use_docker:
            from testcontainers.kafka import KafkaContainer

            container = KafkaContainer("apache/kafka:3.9.1").with_kraft()
            container.start()
            _register(stack, container.stop)
            kafka, kafka_origin = container.get_bootstrap_server(), "docker"
        else:
            broker = EmbeddedBroker().start(workdir / "tansu.log" if workdir else None)
            _register(stack, broker.stop)
            kafka, kafka_origin = broker.bootstrap, "embedded tansu"
    if not database:
        if use_docker:
            from testcontainers.postgres import PostgresContainer

            pg = PostgresContainer("postgres:18.1", driver=None)
            pg.start()
            _register(stack, pg.stop)
            database, database_origin = pg.get_connection_url(), "docker"
        else:
            server = EmbeddedPostgres(workdir).start()
            _register(stack, server.stop)
            database, database_origin = server.url, "embedded postgres"
    log.info("infra.ready", kafka=kafka, kafka_origin=kafka_origin, database_origin=database_origin)
    return Infra(kafka, database, kafka_origin, database_origin, stack)
