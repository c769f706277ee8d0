"""The services' signatures are RFC 8032's Ed25519, whatever library computes them: the keys in the settings and
the signatures already in the logs stay valid when the library changes (kernel.signing)."""

from __future__ import annotations

import base64

import pytest

from kernel.signing import Signer, UntrustedEvent, Verifier

# RFC 8032, section 7.1: TEST 1 (an empty message) and TEST 2 (the one byte 0x72, "r")
RFC_8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "r",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


def _b64(hexadecimal: str) -> str:
    return base64.b64encode(bytes.fromhex(hexadecimal)).decode()


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC_8032)
def test_signatures_are_rfc_8032_ed25519(secret: str, public: str, message: str, signature: str) -> None:
    signer = Signer.from_text(_b64(secret))
    assert signer.public_text == _b64(public)
    assert signer.private_text == _b64(secret)
    assert signer.sign(message) == _b64(signature)
    Verifier.from_text(f"financement:{_b64(public)}").verify_text("financement", message, _b64(signature), "event")


@pytest.mark.parametrize(
    "signature",
    [
        _b64("00" * 64),  # the right length, not the signature
        _b64("e556"),  # too short
        "pas du base64 !",
    ],
)
def test_a_signature_that_does_not_match_is_refused_not_a_crash(signature: str) -> None:
    public = RFC_8032[0][1]
    with pytest.raises(UntrustedEvent, match="does not match"):
        Verifier.from_text(f"financement:{_b64(public)}").verify_text("financement", "", signature, "event")
