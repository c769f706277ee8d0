"""Where two sets of figures differ (live projection vs. rebuild), as readable paths."""

from __future__ import annotations

from typing import Any

# Lists of these records are compared by identity, not by position.
KEYS = ("territoire_id", "code", "vague")


def differences(live: Any, rebuilt: Any, path: str = "") -> list[str]:
    """Every leaf that differs, e.g. `regions.32.nb_laureats: 2 != 1` (live first, rebuilt second)."""
    if isinstance(live, dict) and isinstance(rebuilt, dict):
        found: list[str] = []
        for key in sorted(live.keys() | rebuilt.keys()):
            where = f"{path}.{key}" if path else str(key)
            if key not in rebuilt:
                found.append(f"{where}: only in live")
            elif key not in live:
                found.append(f"{where}: only in rebuild")
            else:
                found.extend(differences(live[key], rebuilt[key], where))
        return found
    if isinstance(live, list) and isinstance(rebuilt, list):
        key = _record_key(live + rebuilt)
        if key is None:
            return [f"{path}: {live!r} != {rebuilt!r}"] if live != rebuilt else []
        return differences({r[key]: r for r in live}, {r[key]: r for r in rebuilt}, path)
    return [] if live == rebuilt else [f"{path}: {live!r} != {rebuilt!r}"]


def _record_key(records: list[Any]) -> str | None:
    for key in KEYS:
        if records and all(isinstance(r, dict) and key in r for r in records):
            return key
    return None
