"""The event store contract on the in-memory store (no server needed)."""

from __future__ import annotations

import pytest

from kernel.memory import InMemoryEventStore
from tests.event_store_contract import EventStoreContract


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryEventStore:
        return InMemoryEventStore("tests")
