"""Generate the JSON Schemas of the envelope and of every event into contracts/schemas/.

    python -m contracts.schemas          # (re)write the schemas of the current versions
    python -m contracts.schemas --check  # exit 1 if a committed schema differs from the code

A published version's schema is frozen: changing an event's shape means a new schema_version with an
upcaster from the previous one (contracts.registry.upcaster), never an edit of a released one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contracts.catalog import all_models
from contracts.envelope import EventEnvelope

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for the envelope and the latest version of each event type."""
    schemas = {"EventEnvelope.json": EventEnvelope.model_json_schema()}
    for event_type, model in sorted(all_models().items()):
        schema = model.model_json_schema()
        schema["x-event-type"] = event_type
        schema["x-schema-version"] = model.schema_version
        schemas[f"{event_type}.v{model.schema_version}.json"] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def differences() -> list[str]:
    """Names of schemas whose committed file is missing or differs from the code."""
    return [
        name
        for name, schema in current_schemas().items()
        if not (SCHEMA_DIR / name).exists() or (SCHEMA_DIR / name).read_text() != render(schema)
    ]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = differences()
        for name in stale:
            print(f"schema out of date: {name}")
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in current_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema))
    print(f"wrote {len(current_schemas())} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
