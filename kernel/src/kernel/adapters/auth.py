"""Who is calling: short-lived tokens (JWT, HS256) carrying an actor id, a role and, for a territory or
a COPIL, its scope. The services share the signing secret (REBOND_AUTH_SECRET); an identity provider
in front of Rebond would issue them in production.

    python -m kernel.adapters.auth --role SGPI --sub agent-sgpi [--scope cambrai] [--hours 8]   # prints a token"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta

import jwt

from contracts.base import Role
from contracts.envelope import Actor

ALGORITHM = "HS256"
AUDIENCE = "rebond"
SCOPED_ROLES = frozenset({Role.EPCI_CANDIDAT, Role.COPIL_MEMBRE, Role.PRESTATAIRE, Role.PORTEUR_PROJET})


class InvalidToken(Exception):
    """The token is missing a claim, expired, forged, or for someone else."""


def issue_token(secret: str, actor: Actor, *, ttl: timedelta = timedelta(hours=8), now: datetime | None = None) -> str:
    if actor.role in SCOPED_ROLES and not actor.scope:
        raise ValueError(f"a {actor.role.value} token needs a scope (territory or project)")
    issued = now or datetime.now(UTC)
    claims = {"sub": actor.id, "role": actor.role.value, "aud": AUDIENCE, "iat": issued, "exp": issued + ttl}
    if actor.scope:
        claims["scope"] = actor.scope
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Actor:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, options={"require": ["sub", "role", "exp"]}
        )
        actor = Actor(id=claims["sub"], role=Role(claims["role"]), scope=claims.get("scope"))
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error
    if actor.role in SCOPED_ROLES and not actor.scope:
        raise InvalidToken(f"a {actor.role.value} token needs a scope")
    return actor


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kernel.adapters.auth", description="Issue a Rebond access token.")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--sub", required=True, help="who (an agent or organisation id)")
    parser.add_argument("--scope", help="territory or project, for scoped roles")
    parser.add_argument("--hours", type=float, default=8)
    parser.add_argument("--secret", default=os.environ.get("REBOND_AUTH_SECRET"))
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret or set REBOND_AUTH_SECRET")
    actor = Actor(id=args.sub, role=Role(args.role), scope=args.scope)
    print(issue_token(args.secret, actor, ttl=timedelta(hours=args.hours)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
