"""Tokens: short-lived, bounded, and revocable before they expire (one token, or every token of a subject)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import AUDIENCE, MAX_TTL, InvalidToken, Revocations, issue_token, main, read_token

SECRET = "unit-tests-secret-0123456789abcdef"
SGPI = Actor(id="agent-sgpi", role=Role.SGPI)


def claims_of(token: str) -> dict[str, object]:
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)


def test_a_token_lives_an_hour_by_default_and_twelve_at_most() -> None:
    claims = claims_of(issue_token(SECRET, SGPI))
    assert claims["exp"] - claims["iat"] == 3600 and len(str(claims["jti"])) == 32  # type: ignore[operator]
    with pytest.raises(ValueError, match="at most"):
        issue_token(SECRET, SGPI, ttl=MAX_TTL + timedelta(seconds=1))
    now = datetime.now(UTC)
    forever = {"jti": "x", "sub": "a", "role": "SGPI", "aud": AUDIENCE, "iat": now, "exp": now + timedelta(days=30)}
    with pytest.raises(InvalidToken, match="at most"):  # signed with the secret, but too long-lived
        read_token(SECRET, jwt.encode(forever, SECRET, algorithm="HS256"))
    without_id = {k: v for k, v in forever.items() if k != "jti"} | {"exp": now + timedelta(minutes=5)}
    with pytest.raises(InvalidToken, match="jti"):
        read_token(SECRET, jwt.encode(without_id, SECRET, algorithm="HS256"))


def test_a_revoked_token_and_every_earlier_token_of_a_revoked_subject_are_refused(tmp_path: Path) -> None:
    listed = tmp_path / "revoked.txt"
    revocations = Revocations(str(listed))
    first, second = issue_token(SECRET, SGPI), issue_token(SECRET, Actor(id="autre", role=Role.SGPI))
    assert read_token(SECRET, first, revocations) == SGPI  # no list yet: nothing revoked
    assert main(["--revoke", str(claims_of(first)["jti"]), "--file", str(listed)]) == 0
    revocations._checked = 0.0  # the list is re-read at most once a second
    with pytest.raises(InvalidToken, match="revoked"):
        read_token(SECRET, first, revocations)
    assert read_token(SECRET, second, revocations).id == "autre"
    time.sleep(1.1)  # iat has a resolution of one second
    assert main(["--revoke-subject", "autre", "--file", str(listed)]) == 0
    revocations._checked = 0.0
    with pytest.raises(InvalidToken, match="subject"):
        read_token(SECRET, second, revocations)
    time.sleep(1.1)
    later = issue_token(SECRET, Actor(id="autre", role=Role.SGPI))
    assert read_token(SECRET, later, revocations).id == "autre"  # a token issued after the revocation works
