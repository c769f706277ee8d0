"""What a consumer accepts as proven: a message's hash checked as it arrived, and a producer's signature checked
once per chain of a stream, every shortcut accepting exactly what the full check accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.base import Role
from contracts.codec import hash_is_intact, open_envelope
from contracts.envelope import Actor, EventEnvelope, seal
from kernel.envelopes import envelop
from kernel.ports import CommandContext
from kernel.signing import Signer, UntrustedEvent, Verifier
from tests.fixtures import TEST_SIGNERS, TEST_TRUSTED_KEYS, TEST_VERIFIER, signed
from tests.unit.test_kernel import _refus

CONTEXT = CommandContext(
    actor=Actor(id="bpi", role=Role.BPIFRANCE_CHARGE), occurred_at=datetime(2023, 5, 1, tzinfo=UTC)
)


def _fields(**data: Any) -> dict[str, Any]:
    return {
        "event_id": "7d4a3c8e-1111-4b7c-9d2e-2b3c4d5e6f70",
        "event_type": "Essai",
        "schema_version": 1,
        "stream_id": "essai-1",
        "stream_version": 1,
        "occurred_at": "2023-07-10T09:00:00+02:00",
        "recorded_at": "2023-07-10T07:00:00.123456Z",
        "correlation_id": "c-1",
        "actor": {"id": "pm", "role": Role.PM_CABINET.value, "scope": None},
        "producer": "financement",
        "previous_hash": None,
        "data": data,
    }


TRICKY = 'é\u2028\x1f\x7f"\\/😀<>&\t\n\r\b\f\x00\uffff'


@pytest.mark.parametrize(
    "data",
    [{"texte": TRICKY, "liste": [1, -2, 10**18, True, None]}, {TRICKY: 1, "z": {"é": 2, "A": 3, "\U0001f600": 4}}],
)
def test_a_producer_s_own_json_is_intact_as_it_arrived(data: dict[str, Any]) -> None:
    envelope = seal(_fields(**data))
    opened, intact = open_envelope(envelope.to_json())
    assert intact and opened == envelope


def test_a_body_another_serialiser_wrote_is_judged_as_the_model_renders_it() -> None:
    """Spaces, another key order, an offset instead of Z: not the producer's bytes, the same document."""
    envelope = seal(_fields(montant=12))
    document = json.loads(envelope.to_json())
    document["recorded_at"] = "2023-07-10T07:00:00.123456+00:00"
    body = json.dumps(dict(reversed(list(document.items()))), indent=2).encode()
    opened, intact = open_envelope(body)
    assert intact and opened == envelope


def test_an_altered_body_is_not_intact_by_either_path() -> None:
    envelope = seal(_fields(montant=12))
    altered = envelope.to_json().replace(b'"montant":12', b'"montant":13')
    opened, intact = open_envelope(altered)
    assert not intact and not hash_is_intact(opened)


def test_a_duplicated_key_is_judged_on_the_document_that_is_validated() -> None:
    """Whichever value a parser keeps, the envelope acted upon is the one whose hash was checked."""
    envelope = seal(_fields(montant=12))
    body = envelope.to_json().replace(b'"montant":12', b'"montant":13,"montant":12')
    opened, intact = open_envelope(body)
    assert opened.data["montant"] == 12 and intact
    body = envelope.to_json().replace(b'"montant":12', b'"montant":12,"montant":13')
    opened, intact = open_envelope(body)
    assert opened.data["montant"] == 13 and not intact


def test_an_integer_beyond_64_bits_is_judged_exactly() -> None:
    """orjson reads it as a float: the body is then judged by pydantic's parser, which keeps it exact."""
    envelope = seal(_fields(montant=2**70))
    opened, intact = open_envelope(envelope.to_json())
    assert intact and opened.data["montant"] == 2**70


def test_what_is_not_an_envelope_is_refused() -> None:
    for body in (b"not json", b"[1, 2]", b'{"event_id": 1}'):
        with pytest.raises(ValueError):
            open_envelope(body)


def _chain(length: int, stream_id: str = "enveloppe-essai", signer: Signer | None = None) -> list[EventEnvelope]:
    found: list[EventEnvelope] = []
    for i in range(length):
        previous = found[-1].hash if found else None
        (recorded,) = envelop(
            "financement", stream_id, [_refus(i)], i, previous, CONTEXT, signer or TEST_SIGNERS["financement"]
        )
        found.append(recorded.envelope)
    return found


class CountingVerifier(Verifier):
    checked = 0

    def verify(self, envelope: EventEnvelope) -> None:
        self.checked += 1
        super().verify(envelope)


def test_a_chain_costs_one_signature_and_vouches_for_what_it_links() -> None:
    verifier = CountingVerifier.from_text(TEST_TRUSTED_KEYS)
    assert isinstance(verifier, CountingVerifier)
    chain = _chain(5)
    unsigned_before = [e.model_copy(update={"signature": None}) for e in chain[:-1]] + [chain[-1]]
    assert verifier.verify_chains(unsigned_before[::-1]) == [None] * 5
    assert verifier.checked == 1
    other = _chain(3, "enveloppe-autre")
    assert verifier.verify_chains([*chain, *other]) == [None] * 8
    assert verifier.checked == 3


def test_a_forged_tail_vouches_for_nothing_and_each_other_event_is_checked_alone() -> None:
    chain = _chain(3)
    forger = Signer.generate()
    forged = chain[:2] + [chain[2].model_copy(update={"signature": forger.sign(chain[2].hash)})]
    errors = TEST_VERIFIER.verify_chains(forged)
    assert errors[:2] == [None, None] and isinstance(errors[2], UntrustedEvent)
    unsigned = [chain[0].model_copy(update={"signature": None}), forged[1].model_copy(update={"signature": None})]
    errors = TEST_VERIFIER.verify_chains([*unsigned, forged[2]])
    assert all(isinstance(error, UntrustedEvent) for error in errors)


def test_a_link_vouches_only_within_its_stream_and_its_producer() -> None:
    chain = _chain(2)
    elsewhere = signed(chain[0].model_copy(update={"stream_id": "enveloppe-ailleurs"}))
    other_producer = seal({**chain[0].model_dump(mode="json"), "producer": "instruction", "hash": ""})
    for impostor in (elsewhere, other_producer):
        unsigned = impostor.model_copy(update={"signature": None, "hash": chain[0].hash})
        errors = TEST_VERIFIER.verify_chains([unsigned, chain[1]])
        assert isinstance(errors[0], UntrustedEvent) and errors[1] is None
