"""Run the whole system locally: infra, the four services as processes, health checks, clean stop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts import topics
from kernel.adapters.kafka import ensure_topics
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.signing import Signer
from rebond_local.broker import free_port
from rebond_local.database import create_reader, create_scratch, create_service_database, with_database
from rebond_local.infra import AUTH_SECRET, Infra

SERVICES = ("candidature", "instruction", "financement", "reporting")
# The register of aids names its attribuant by its SIRET, which no source of the programme gives: for the demo, the
# SIREN of Bpifrance SA with a NIC chosen for its check digit (a deployment sets its own: REBOND_SCDL_ID_ATTRIBUANT).
DEMO_ATTRIBUANT_SIRET = "50752367800013"


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class System:
    """The four running services; stop() terminates them (the infra is stopped by its owner)."""

    services: dict[str, ServiceProcess] = field(default_factory=dict)
    signers: dict[str, Signer] = field(default_factory=dict)  # this run's keys (a bench signs as a producer)
    audit_arguments: list[str] = field(default_factory=list)  # what an auditor gives rebond_audit verify
    figures_arguments: list[str] = field(default_factory=list)  # … and rebond_audit figures (before --publication)
    kafka_bootstrap: str = ""  # where a downstream subscriber reads the topics
    topic_prefix: str = ""

    def url(self, name: str) -> str:
        return self.services[name].url

    def stop(self) -> None:
        for service in self.services.values():
            if service.process.poll() is None:
                service.process.terminate()
        for service in self.services.values():
            try:
                service.process.wait(15)
            except subprocess.TimeoutExpired:
                service.process.kill()


async def start_system(
    infra: Infra,
    workdir: Path,
    *,
    base_port: int | None = None,
    simulated_clock: str | None = None,
    topic_prefix: str = "",
    database_prefix: str = "",
) -> System:
    """Create databases and topics, start the services, wait until each answers /health."""
    connection = KafkaConnection.from_env()  # a cluster of one's own may need TLS/SASL; the services read the same
    await ensure_topics(infra.kafka_bootstrap, [topic_prefix + t for t in topics.ALL], connection=connection)
    signers = {name: Signer.generate() for name in SERVICES}  # this run's keys: each service signs with its own
    system = System(signers=signers, kafka_bootstrap=infra.kafka_bootstrap, topic_prefix=topic_prefix)
    trusted = ",".join(f"{name}:{signer.public_text}" for name, signer in signers.items())
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    reader = f"{database_prefix}log_reader" if database_prefix else "rebond_log_reader"
    reader_url = await create_reader(infra.database_url, reader)
    producers = [name for name in SERVICES if name != "reporting"]
    try:
        for index, name in enumerate(SERVICES):
            port = base_port + index if base_port else free_port()
            database = await create_service_database(infra.database_url, database_prefix + name, readers=(reader,))
            env = {
                **{
                    k: v
                    for k, v in os.environ.items()
                    if not k.startswith(("REBOND_SIGNING_KEY", "REBOND_TRUSTED_KEYS"))
                },
                "DATABASE_URL": database.url,  # a role of its own: it cannot change or delete the log
                "DATABASE_MIGRATION_URL": database.migration_url,
                "KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
                "KAFKA_TOPIC_PREFIX": topic_prefix,
                "REBOND_AUTH_SECRET": AUTH_SECRET,
                "REBOND_SIGNING_KEY": signers[name].private_text,
                "REBOND_TRUSTED_KEYS": trusted,
                "PYTHONUNBUFFERED": "1",
            }
            env["DATABASE_LOG_READERS"] = reader  # reporting's log too: the publications an auditor proves
            if (
                name not in producers
            ):  # reporting rebuilds from the producers' logs, read-only; its register of aids names the attribuant
                env.setdefault("REBOND_SCDL_ID_ATTRIBUANT", DEMO_ATTRIBUANT_SIRET)
                env["REBOND_SOURCE_DATABASES"] = ",".join(
                    f"{producer}={with_database(reader_url, database_prefix + producer)}" for producer in producers
                )
            if simulated_clock:
                env["REBOND_SIMULATED_CLOCK"] = simulated_clock
            log_path = logs / f"{name}.log"
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    f"{name}.app:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                ],
                env=env,
                stdout=open(log_path, "ab"),
                stderr=subprocess.STDOUT,
            )  # noqa: SIM115
            system.services[name] = ServiceProcess(name, port, process, log_path)
        logs_read = [f"--database={p}={with_database(reader_url, database_prefix + p)}" for p in producers]
        system.audit_arguments = [
            *logs_read,
            f"--broker={infra.kafka_bootstrap}",
            f"--trusted-keys={trusted}",
            *([f"--topic-prefix={topic_prefix}"] if topic_prefix else []),
        ]
        scratch = await create_scratch(infra.database_url, database_prefix + "audit_scratch", reader)
        system.figures_arguments = [
            *logs_read,
            f"--publications={with_database(reader_url, database_prefix + 'reporting')}",
            f"--scratch={with_database(reader_url, scratch)}",
            f"--trusted-keys={trusted}",
        ]
        await wait_healthy(system)
    except BaseException:
        system.stop()
        raise
    return system


async def wait_healthy(system: System, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        for service in system.services.values():
            while True:
                if service.process.poll() is not None:
                    raise RuntimeError(
                        f"{service.name} exited; see {service.log_path}:\n" + service.log_path.read_text()[-3000:]
                    )
                try:
                    if (await client.get(f"{service.url}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service.name} not healthy after {timeout}s; see {service.log_path}")
                await asyncio.sleep(0.2)
