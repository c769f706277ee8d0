"""The registration side of the published language: each versioned event module declares its models and the
upcasters of their older versions here. Reading (decode) lives in contracts.catalog, which imports every
versioned module, so that no reader can miss a type because nobody imported its module first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from contracts.base import DomainEvent

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]
E = TypeVar("E", bound=type[DomainEvent])

_LATEST: dict[str, type[DomainEvent]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


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


def registered() -> Mapping[str, type[DomainEvent]]:
    """The models registered so far (complete only once contracts.catalog is imported)."""
    return _LATEST


def upcasters() -> Mapping[tuple[str, int], Upcaster]:
    return _UPCASTERS
