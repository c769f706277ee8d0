"""Events that prove their origin: each service signs the hash of every event it records (Ed25519), with a private
key it reads from its configuration and the database never holds; every consumer checks the signature with the
producer's public key before applying. The hash covers every other field of the envelope (its producer, its place
in the stream, the previous event's hash), so a valid signature vouches for all of it.

    python -m kernel.signing keygen candidature instruction financement reporting   # prints the settings

Keys travel as base64 of their 32 raw bytes (REBOND_SIGNING_KEY, REBOND_TRUSTED_KEYS="service:key,service:key").

Ed25519 is libsodium's, through PyNaCl: it checks a signature in half the time OpenSSL takes (measured here: 54 µs
against 103; it signs in 19 µs against 31), and releases the GIL while it does, so a batch's checks run on threads
(kernel.adapters.proof). Both are RFC 8032's Ed25519: the same keys, the same signatures (tests/unit/test_signing.py
holds the RFC's vectors), so what was signed before still verifies."""

from __future__ import annotations

import base64
import sys
from collections.abc import Mapping, Sequence

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from contracts.envelope import EventEnvelope


class UntrustedEvent(Exception):
    """The event does not prove where it comes from: unsigned, unknown producer, or a signature that fails."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as error:
        raise ValueError(f"{what}: not base64") from error
    if len(raw) != 32:
        raise ValueError(f"{what}: an Ed25519 key is 32 bytes, got {len(raw)}")
    return raw


class Signer:
    """Signs event hashes with one service's private key."""

    def __init__(self, private_key: SigningKey) -> None:
        self._key = private_key

    @classmethod
    def from_text(cls, text: str) -> Signer:
        return cls(SigningKey(_raw(text, "signing key")))

    @classmethod
    def generate(cls) -> Signer:
        return cls(SigningKey.generate())

    def sign(self, text: str) -> str:
        """The signature of an event's hash, or of a log checkpoint's signed text."""
        return _b64(self._key.sign(text.encode()).signature)

    @property
    def public_text(self) -> str:
        return _b64(bytes(self._key.verify_key))

    @property
    def private_text(self) -> str:
        return _b64(bytes(self._key))  # the 32-byte seed, as RFC 8032 names the private key


class Verifier:
    """Checks that an envelope was signed by the service it names as its producer."""

    def __init__(self, public_keys: Mapping[str, VerifyKey]) -> None:
        self._keys = dict(public_keys)

    @classmethod
    def from_text(cls, text: str) -> Verifier:
        """`service:key,service:key` (commas or new lines)."""
        keys: dict[str, VerifyKey] = {}
        for item in text.replace("\n", ",").split(","):
            if item.strip():
                producer, _, key = item.partition(":")
                keys[producer.strip()] = VerifyKey(_raw(key, f"public key of {producer}"))
        return cls(keys)

    @property
    def producers(self) -> frozenset[str]:
        return frozenset(self._keys)

    def verify(self, envelope: EventEnvelope) -> None:
        self.verify_text(envelope.producer, envelope.hash, envelope.signature, "event")

    def check(self, envelope: EventEnvelope) -> UntrustedEvent | None:
        """`verify` as a value: None when the envelope's producer signed it."""
        try:
            self.verify(envelope)
        except UntrustedEvent as error:
            return error
        return None

    def verify_chains(
        self, envelopes: Sequence[EventEnvelope], checked: Mapping[int, UntrustedEvent | None] | None = None
    ) -> list[UntrustedEvent | None]:
        """`verify` for many envelopes whose hashes are intact, one signature checked per chain: each envelope's
        error, or None when its producer vouches for it.

        A signature covers an envelope's hash, which covers its `previous_hash`, so a producer that signed version n
        of a stream vouched for the envelope whose hash is that `previous_hash`, and through it for the one before:
        each stream is walked from its latest version down, and only an envelope that no proven successor (of the
        same producer) names is checked on its own signature. An Ed25519 check costs about ten times the rest of an
        event's decoding; a batch of a stream's successive events now pays one. `checked`: signatures already
        checked, by index (`chain_tails`, checked in parallel by the caller)."""
        errors: list[UntrustedEvent | None] = [None] * len(envelopes)
        vouched: set[tuple[str, str, str]] = set()  # (producer, stream_id, hash) a proven successor names
        order = sorted(range(len(envelopes)), key=lambda i: (envelopes[i].stream_id, -envelopes[i].stream_version))
        for index in order:
            envelope = envelopes[index]
            if (envelope.producer, envelope.stream_id, envelope.hash) not in vouched:
                error = checked[index] if checked is not None and index in checked else self.check(envelope)
                if error is not None:
                    errors[index] = error
                    continue
            if envelope.previous_hash is not None:
                vouched.add((envelope.producer, envelope.stream_id, envelope.previous_hash))
        return errors

    @staticmethod
    def chain_tails(envelopes: Sequence[EventEnvelope]) -> list[int]:
        """The envelopes no other one names as its predecessor: whose signatures `verify_chains` checks first (all of
        them when nothing is forged), so a caller may check them in parallel beforehand."""
        named = {(e.producer, e.stream_id, e.previous_hash) for e in envelopes if e.previous_hash is not None}
        return [i for i, e in enumerate(envelopes) if (e.producer, e.stream_id, e.hash) not in named]

    def verify_text(self, producer: str, text: str, signature: str | None, what: str) -> None:
        """`signature` is `producer`'s signature of `text` (an event's hash, a log checkpoint)."""
        key = self._keys.get(producer)
        if key is None:
            raise UntrustedEvent(f"no public key for producer {producer!r}")
        if signature is None:
            raise UntrustedEvent(f"unsigned {what}")
        try:
            key.verify(text.encode(), base64.b64decode(signature))
        except (BadSignatureError, ValueError, TypeError) as error:
            raise UntrustedEvent(f"the signature of {producer!r} does not match the {what}") from error


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "keygen":
        print(__doc__)
        return 2
    signers = {service: Signer.generate() for service in argv[1:]}
    for service, signer in signers.items():
        print(f"REBOND_SIGNING_KEY_{service.upper()}={signer.private_text}")  # the compose file reads these
    print("REBOND_TRUSTED_KEYS=" + ",".join(f"{s}:{signer.public_text}" for s, signer in signers.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
