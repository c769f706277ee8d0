"""Notices when the broker lost what it held, and mends it: the database is the source of truth.

A broker may come back empty (the embedded one keeps topics in memory; a real cluster can lose a topic): no topic
exists any more, writes to them are acknowledged and lost, and consumers wait at offsets that will never come. Every
service runs this watch every second:

- a missing topic is created again with its configured partitions and retention (never left to auto-creation);
- an incarnation marker, a topic `<prefix>rebond.incarnation.<uuid>` created by the first watch that finds none, tells
  every service the broker is a new one even if another service recreated the topics before it looked;
- on a new incarnation (or when the relay sees offsets go back) the service republishes its whole log and restarts its
  consumers from the earliest offset; the consumers' (stream_id, version) dedup absorbs what they already applied."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from kernel.adapters.kafka import UNLIMITED_RETENTION
from kernel.adapters.kafka_connection import KafkaConnection

log = structlog.get_logger(__name__)

OnReset = Callable[[str], Awaitable[None]]  # why: the broker lost what it held


class BrokerWatch:
    def __init__(
        self,
        bootstrap: str,
        names: Sequence[str],
        prefix: str,
        on_reset: OnReset,
        connection: KafkaConnection | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.names = tuple(names)
        self.marker_prefix = f"{prefix}rebond.incarnation."
        self.connection = connection or KafkaConnection()  # TLS/SASL, and the partitions topics are created with
        self.partitions = self.connection.partitions
        self.on_reset = on_reset
        self.incarnation: str | None = None
        self.problems: list[str] = []  # what an operator must fix by hand (a topic with other partitions)
        self.reachable = False
        self._admin: AIOKafkaAdminClient | None = None

    async def check(self) -> None:
        admin = await self._connected()
        existing = set(await admin.list_topics())
        missing = [n for n in self.names if n not in existing]
        if missing:
            await self._create(admin, missing, self.partitions, self.connection.replication_factor)
            log.warning("broker.topics_recreated", topics=missing)
        markers = sorted(t for t in existing if t.startswith(self.marker_prefix))
        if not markers:
            marker = f"{self.marker_prefix}{uuid.uuid4().hex}"
            await self._create(admin, [marker], 1, self.connection.replication_factor)
            markers = sorted(t for t in await admin.list_topics() if t.startswith(self.marker_prefix))
        current = markers[0] if markers else None
        if self.incarnation is not None and current is not None and current != self.incarnation:
            self.incarnation = current
            await self.on_reset(f"new broker incarnation {current}")
        elif current is not None:
            self.incarnation = current
        self.problems = await self._partition_problems(admin)
        self.reachable = True

    async def run(self, every: float = 1.0) -> None:
        while True:
            try:
                await self.check()
            except Exception as error:  # noqa: BLE001 - the broker is away: look again
                self.reachable = False
                log.info("broker.watch_failed", error=repr(error))
                await self.close()
            await asyncio.sleep(every)

    async def close(self) -> None:
        if self._admin is not None:
            admin, self._admin = self._admin, None
            await admin.close()

    async def _connected(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap, request_timeout_ms=5000, **self.connection.client_options()
            )
            await admin.start()
            self._admin = admin
        return self._admin

    @staticmethod
    async def _create(admin: AIOKafkaAdminClient, names: Sequence[str], partitions: int, replicas: int) -> None:
        try:
            await admin.create_topics(
                [
                    NewTopic(
                        n, num_partitions=partitions, replication_factor=replicas, topic_configs=UNLIMITED_RETENTION
                    )
                    for n in names
                ]
            )
        except TopicAlreadyExistsError:
            pass  # another service's watch was faster

    async def _partition_problems(self, admin: AIOKafkaAdminClient) -> list[str]:
        described = await admin.describe_topics(list(self.names))
        return [
            f"topic {d['topic']} has {len(d['partitions'])} partitions, {self.partitions} expected"
            for d in described
            if d.get("partitions") and len(d["partitions"]) != self.partitions
        ]
