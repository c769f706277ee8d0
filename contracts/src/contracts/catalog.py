"""Every event type and version ever written, and how to read them: replay reads every version ever written, so
an old payload is upcast step by step (v1 → v2 → …) and then validated against the current model.

This module imports every versioned event module: whoever decodes through it knows every type this code knows.
An event type it does not know was written by a newer producer; readers must not drop it silently (the kernel's
consumer parks it, and the projection's rebuild counts it)."""

from __future__ import annotations

from typing import Any

import contracts.candidature.v1
import contracts.financement.v1
import contracts.instruction.mission
import contracts.instruction.projets
import contracts.instruction.v1
import contracts.public.v1
import contracts.reporting.v1  # noqa: F401 - imported for their registrations
from contracts.base import DomainEvent
from contracts.registry import registered, upcasters

VERSIONED_MODULES = (
    "contracts.candidature.v1",
    "contracts.instruction.v1",
    "contracts.instruction.mission",
    "contracts.instruction.projets",
    "contracts.financement.v1",
    "contracts.reporting.v1",
    "contracts.public.v1",
)


class UnknownEventType(LookupError):
    """An event type this code has never heard of (written by a newer producer)."""


class NewerSchemaVersion(ValueError):
    """A version of a known event type newer than this reader's model."""


def model_for(event_type: str) -> type[DomainEvent]:
    try:
        return registered()[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def decode(event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
    """Upcast a stored payload to the latest version of its type and validate it."""
    model = model_for(event_type)
    version = schema_version
    while version < model.schema_version:
        data = upcasters()[(event_type, version)](data)
        version += 1
    if version != model.schema_version:
        raise NewerSchemaVersion(f"{event_type} v{schema_version} is newer than this reader (v{model.schema_version})")
    return model.model_validate(data)


def all_models() -> dict[str, type[DomainEvent]]:
    """Every event type, with its latest model."""
    return dict(registered())
