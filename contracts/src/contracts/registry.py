"""Every event type and version ever written, and the upcasters that bring old versions to the latest.

Replay reads every version ever written: an old payload is upcast step by step (v1 → v2 → …) and then
validated against the current model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from contracts.base import DomainEvent

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]
E = TypeVar("E", bound=type[DomainEvent])

_LATEST: dict[str, type[DomainEvent]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnknownEventType(LookupError):
    """An event type this code has never heard of (a reader may skip it)."""


def register(model: E) -> E:
    """Class decorator: `model` is the latest version of its event type."""
    known = _LATEST.get(model.event_type)
    if known is not None and known is not model and known.schema_version >= model.schema_version:
        raise ValueError(f"{model.event_type} v{model.schema_version} registered after v{known.schema_version}")
    _LATEST[model.event_type] = model
    return model


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: turn a v`from_version` payload into a v`from_version + 1` payload."""

    def decorate(function: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_version)] = function
        return function

    return decorate


def model_for(event_type: str) -> type[DomainEvent]:
    try:
        return _LATEST[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def decode(event_type: str, schema_version: int, data: Payload) -> DomainEvent:
    """Upcast a stored payload to the latest version of its type and validate it."""
    model = model_for(event_type)
    version = schema_version
    while version < model.schema_version:
        data = _UPCASTERS[(event_type, version)](data)
        version += 1
    if version != model.schema_version:
        raise ValueError(f"{event_type} v{schema_version} is newer than this reader (v{model.schema_version})")
    return model.model_validate(data)


def all_models() -> dict[str, type[DomainEvent]]:
    _load_all()
    return dict(_LATEST)


def _load_all() -> None:
    import contracts.candidature.v1  # noqa: F401
    import contracts.financement.v1  # noqa: F401
    import contracts.instruction.mission  # noqa: F401
    import contracts.instruction.v1  # noqa: F401
