"""The published contract: schemas committed and frozen per version, every old event still readable."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from contracts import schemas
from contracts.base import Role
from contracts.catalog import all_models, decode
from contracts.codec import decode_message, hash_is_intact
from contracts.envelope import seal

EXAMPLES = Path(schemas.SCHEMA_DIR).parent / "examples"


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def test_committed_schemas_match_the_code() -> None:
    """A change to an event's shape must regenerate its schema, and a released version must not change:
    bump schema_version and add an upcaster instead (python -m contracts.schemas)."""
    assert schemas.differences() == []


def test_every_event_type_has_an_example_of_its_latest_version() -> None:
    covered = {path.stem for path in example_files()}
    missing = [f"{t}.v{m.schema_version}" for t, m in all_models().items() if f"{t}.v{m.schema_version}" not in covered]
    assert missing == [], f"add examples to contracts/examples/ for {missing}"


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_every_version_ever_written_still_decodes(path: Path) -> None:
    """Replay reads every version ever written: old payloads are upcast to the latest model."""
    event_type, version = path.stem.rsplit(".v", 1)
    payload = json.loads(path.read_text())
    event = decode(event_type, int(version), payload)
    assert event.event_type == event_type
    old_schema = Path(schemas.SCHEMA_DIR, f"{path.stem}.json")
    jsonschema.validate(payload, json.loads(old_schema.read_text()))  # the example is what that version allowed


def test_an_envelope_round_trips_through_json_with_its_hash_intact() -> None:
    payload = json.loads(next(p for p in example_files() if p.stem.startswith("TerritoireLaureat")).read_text())
    envelope = seal(
        {
            "event_id": "7d4a3c8e-1111-4b7c-9d2e-2b3c4d5e6f70",
            "event_type": "TerritoireLaureat",
            "schema_version": 1,
            "stream_id": "dossier-cambrai",
            "stream_version": 2,
            "occurred_at": "2023-07-10T09:00:00+02:00",
            "recorded_at": "2023-07-10T07:00:00.123456Z",
            "correlation_id": "c-1",
            "causation_id": None,
            "actor": {"id": "pm", "role": Role.PM_CABINET.value, "scope": None},
            "producer": "instruction",
            "previous_hash": "ab" * 32,
            "data": payload,
        }
    )
    received = decode_message(envelope.to_json())
    assert received.envelope == envelope and hash_is_intact(received.envelope)
    tampered = received.envelope.model_copy(update={"data": {**payload, "vague": 3}})
    assert not hash_is_intact(tampered)


def test_an_invalid_siren_is_refused_with_a_clear_reason() -> None:
    payload = json.loads(next(p for p in example_files() if p.stem.startswith("CandidatureDeposee")).read_text())
    with pytest.raises(ValidationError, match="SIREN invalide"):
        decode("CandidatureDeposee", 1, {**payload, "epci_sirens": ["200068501"]})
