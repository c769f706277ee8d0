"""Reads Kafka topics from offset 0 to their end, without a consumer group (reporting's rebuild, the auditor).

All partitions of the topics are assigned by hand. Each partition's end is captured from the
highwater of the first fetch response that reached it (on the embedded tansu broker `end_offsets()`
answers wrong offsets for batched produces; the fetch's highwater is right). The replay stops when
every partition reached the end it had at the start; `more()` then reads what came after."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition


class KafkaLog:
    def __init__(
        self,
        bootstrap: str,
        topics: Sequence[str],
        idle_timeout: float = 30.0,
        batch_size: int = 2000,
        client_options: dict[str, Any] | None = None,  # TLS and SASL (KafkaConnection.client_options)
        client_id: str = "reporting.rebuild",
    ) -> None:
        self.client_id = client_id
        self.bootstrap = bootstrap
        self.client_options = client_options or {}
        self.topics = tuple(topics)
        self.idle_timeout = idle_timeout
        self.batch_size = batch_size
        self.ends: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> KafkaLog:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id=self.client_id,
            **self.client_options,
        )
        await consumer.start()
        self._consumer = consumer
        known = await consumer.topics()
        missing = [t for t in self.topics if t not in known]
        if missing:
            raise LookupError(f"topics not found on {self.bootstrap}: {missing}")
        self._partitions = [
            TopicPartition(t, p) for t in self.topics for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        consumer.assign(self._partitions)
        await consumer.seek_to_beginning(*self._partitions)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def until_end(self) -> AsyncIterator[list[bytes]]:
        """The bodies of every record up to the ends the partitions had at the start, in batches."""
        async for records in self.records_until_end():
            yield [body for _, body in records]

    async def records_until_end(self) -> AsyncIterator[list[tuple[str, bytes]]]:
        """(topic, body) of every record up to the ends the partitions had at the start, in batches."""
        consumer = self._require()
        last_progress = time.monotonic()
        while not await self._at_end(consumer):
            known = len(self.ends)
            fetched = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
            self._capture_ends(consumer)
            if fetched or len(self.ends) > known:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > self.idle_timeout:
                raise TimeoutError(f"the log replay made no progress for {self.idle_timeout}s")
            records = [
                (tp.topic, r.value)
                for tp, records in fetched.items()
                for r in records
                if r.value is not None and r.offset < self.ends[tp]
            ]
            if records:
                yield records
        for tp, end in self.ends.items():  # records fetched beyond the end are read again by more()
            consumer.seek(tp, end)

    async def more(self, timeout: float) -> list[bytes]:
        fetched = await self._require().getmany(timeout_ms=int(timeout * 1000), max_records=self.batch_size)
        return [r.value for records in fetched.values() for r in records if r.value is not None]

    def _capture_ends(self, consumer: AIOKafkaConsumer) -> None:
        for tp in self._partitions:
            if tp not in self.ends and consumer.last_poll_timestamp(tp) is not None:
                self.ends[tp] = consumer.highwater(tp)

    async def _at_end(self, consumer: AIOKafkaConsumer) -> bool:
        if len(self.ends) < len(self._partitions):
            return False
        for tp, end in self.ends.items():
            if await consumer.position(tp) < end:
                return False
        return True

    def _require(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("use `async with KafkaLog(...)` first")
        return self._consumer
