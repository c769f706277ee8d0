"""Who is calling: short-lived tokens (JWT, HS256, one hour by default, twelve at most) carrying an id (jti), an
actor id, a role and, for a territory or a COPIL, its scope. The services share the signing secret
(REBOND_AUTH_SECRET); an identity provider in front of Rebond would issue them in production.

A token can be revoked before it expires, by its id or with every token of a subject issued until now: the services
read the revocation list from REBOND_REVOKED_TOKENS_FILE (a mounted file; re-read when it changes).

    python -m kernel.adapters.auth --role SGPI --sub agent-sgpi [--scope cambrai] [--hours 1]   # prints a token
    python -m kernel.adapters.auth --revoke <jti> --file revoked.txt
    python -m kernel.adapters.auth --revoke-subject agent-sgpi --file revoked.txt"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from contracts.base import Role
from contracts.envelope import Actor

ALGORITHM = "HS256"
AUDIENCE = "rebond"
SCOPED_ROLES = frozenset({Role.EPCI_CANDIDAT, Role.COPIL_MEMBRE, Role.PRESTATAIRE, Role.PORTEUR_PROJET})
DEFAULT_TTL = timedelta(hours=1)
MAX_TTL = timedelta(hours=12)  # a token that claims to live longer is refused, whoever signed it


class InvalidToken(Exception):
    """The token is missing a claim, expired, forged, or for someone else."""


def issue_token(secret: str, actor: Actor, *, ttl: timedelta = DEFAULT_TTL, now: datetime | None = None) -> str:
    if actor.role in SCOPED_ROLES and not actor.scope:
        raise ValueError(f"a {actor.role.value} token needs a scope (territory or project)")
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"a token lives at most {MAX_TTL}")
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "jti": uuid.uuid4().hex,
        "sub": actor.id,
        "role": actor.role.value,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl,
    }
    if actor.scope:
        claims["scope"] = actor.scope
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class Revocations:
    """The revocation list: lines `jti <id>` (one token) or `sub <id> <ISO time>` (every token of a subject issued
    until then). Re-read when the file changes (checked at most once a second); a missing file revokes nothing."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self._jtis: frozenset[str] = frozenset()
        self._subjects: dict[str, datetime] = {}
        self._seen: float | None = None
        self._checked = 0.0

    def refuses(self, claims: dict[str, object]) -> str | None:
        """Why this token is revoked, or None."""
        self._refresh()
        if claims.get("jti") in self._jtis:
            return "revoked"
        until = self._subjects.get(str(claims.get("sub")))
        issued = claims.get("iat")
        if until is not None and isinstance(issued, int | float) and datetime.fromtimestamp(issued, UTC) <= until:
            return "revoked (every token of its subject)"
        return None

    def _refresh(self) -> None:
        if self.path is None or time.monotonic() - self._checked < 1.0:
            return
        self._checked = time.monotonic()
        try:
            changed = self.path.stat().st_mtime
        except FileNotFoundError:
            self._jtis, self._subjects, self._seen = frozenset(), {}, None
            return
        if changed == self._seen:
            return
        jtis, subjects = set(), {}
        for line in self.path.read_text().splitlines():
            match line.split():
                case ["jti", jti]:
                    jtis.add(jti)
                case ["sub", subject, moment]:
                    subjects[subject] = datetime.fromisoformat(moment)
        self._jtis, self._subjects, self._seen = frozenset(jtis), subjects, changed


NO_REVOCATIONS = Revocations(None)


def read_token(secret: str, token: str, revocations: Revocations = NO_REVOCATIONS) -> Actor:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["jti", "sub", "role", "iat", "exp"]},
        )
        actor = Actor(id=claims["sub"], role=Role(claims["role"]), scope=claims.get("scope"))
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error
    if claims["exp"] - claims["iat"] > MAX_TTL.total_seconds():
        raise InvalidToken(f"a token lives at most {MAX_TTL}")
    if why := revocations.refuses(claims):
        raise InvalidToken(why)
    if actor.role in SCOPED_ROLES and not actor.scope:
        raise InvalidToken(f"a {actor.role.value} token needs a scope")
    return actor


def revoke(path: Path, line: str) -> None:
    """Append a line to the revocation list (the services see it within a second)."""
    with path.open("a") as revoked:
        revoked.write(line + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kernel.adapters.auth", description="Issue or revoke tokens.")
    parser.add_argument("--role", choices=[r.value for r in Role])
    parser.add_argument("--sub", help="who (an agent or organisation id)")
    parser.add_argument("--scope", help="territory or project, for scoped roles")
    parser.add_argument("--hours", type=float, default=DEFAULT_TTL.total_seconds() / 3600)
    parser.add_argument("--secret", default=os.environ.get("REBOND_AUTH_SECRET"))
    parser.add_argument("--revoke", metavar="JTI", help="revoke one token (its jti)")
    parser.add_argument("--revoke-subject", metavar="SUB", help="revoke every token of a subject issued until now")
    parser.add_argument("--file", default=os.environ.get("REBOND_REVOKED_TOKENS_FILE"), help="the revocation list")
    args = parser.parse_args(argv)
    if args.revoke or args.revoke_subject:
        if not args.file:
            parser.error("give --file or set REBOND_REVOKED_TOKENS_FILE")
        line = f"jti {args.revoke}" if args.revoke else f"sub {args.revoke_subject} {datetime.now(UTC).isoformat()}"
        revoke(Path(args.file), line)
        return 0
    if not (args.role and args.sub):
        parser.error("give --role and --sub to issue a token")
    if not args.secret:
        parser.error("give --secret or set REBOND_AUTH_SECRET")
    actor = Actor(id=args.sub, role=Role(args.role), scope=args.scope)
    print(issue_token(args.secret, actor, ttl=timedelta(hours=args.hours)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
