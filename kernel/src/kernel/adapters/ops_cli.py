"""`python -m kernel.adapters.ops_cli`: the operators' tool for parked messages, over a service's /ops routes.

    python -m kernel.adapters.ops_cli --url http://127.0.0.1:8004 parked
    python -m kernel.adapters.ops_cli --url … show 12
    python -m kernel.adapters.ops_cli --url … skip reporting.projection enveloppe-cambrai --note "type inconnu"

The token is an operator's (role SYSTEME), from --token or REBOND_OPERATOR_TOKEN; every release and skip is
recorded by the service with the operator's id and the note (`actions` lists them). Exit status: 0 done,
1 refused by the service (nothing to release, not found, still failing), 2 bad usage, 3 unreachable or not allowed."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import httpx

DONE, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m kernel.adapters.ops_cli", description=__doc__.split("\n\n")[0])
    cli.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8004")
    cli.add_argument("--token", default=os.environ.get("REBOND_OPERATOR_TOKEN"), help="an operator's token")
    cli.add_argument("--json", action="store_true", help="print the service's JSON answer as is")
    anywhere = argparse.ArgumentParser(add_help=False)  # --json before or after the command
    anywhere.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = cli.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("parked", parents=[anywhere], help="list parked messages (unresolved by default)")
    listing.add_argument("--consumer")
    listing.add_argument("--stream", dest="stream_id")
    listing.add_argument("--resolved", action="store_true", help="those already resolved, instead")
    show = commands.add_parser("show", parents=[anywhere], help="one parked message, with its envelope")
    show.add_argument("parked_id", type=int)
    for name, what in (("release", "retry a blocked stream with today's code"), ("skip", "skip its blocking message")):
        mend = commands.add_parser(name, parents=[anywhere], help=what)
        mend.add_argument("consumer")
        mend.add_argument("stream_id")
        mend.add_argument("--note", required=True, help="why (kept in the record of operators' actions)")
    actions = commands.add_parser("actions", parents=[anywhere], help="what operators did, newest first")
    actions.add_argument("--limit", type=int, default=100)
    return cli


def request(arguments: argparse.Namespace) -> tuple[str, str, dict[str, Any]]:
    """The HTTP call for a command: method, path, and its query or body."""
    match arguments.command:
        case "parked":
            query = {"consumer": arguments.consumer, "stream_id": arguments.stream_id, "resolved": arguments.resolved}
            return "GET", "/ops/parked", {"params": {k: v for k, v in query.items() if v not in (None, False)}}
        case "show":
            return "GET", f"/ops/parked/{arguments.parked_id}", {}
        case "release" | "skip":
            body = {"consumer": arguments.consumer, "stream_id": arguments.stream_id, "note": arguments.note}
            return "POST", f"/ops/parked/{arguments.command}", {"json": body}
        case "actions":
            return "GET", "/ops/actions", {"params": {"limit": arguments.limit}}
    raise AssertionError(arguments.command)


def readable(command: str, answer: Any) -> str:
    """A few lines an operator reads at a glance (--json gives everything)."""
    if command == "parked":
        lines = [
            f"{p['id']:>6}  {p['kind']:<12} {p['consumer']}  {p['stream_id']} v{p['stream_version']}  {p['reason']}"
            for p in answer
        ]
        return "\n".join(lines) or "nothing parked"
    if command == "actions":
        return "\n".join(f"{a['at']}  {a['actor']}  {a['action']}  {a['stream_id']}  {a['outcome']}" for a in answer)
    return json.dumps(answer, indent=2, ensure_ascii=False)


def main(argv: list[str] | None = None, transport: httpx.BaseTransport | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not arguments.token:
        print("an operator's token is needed: --token or REBOND_OPERATOR_TOKEN", file=sys.stderr)
        return USAGE
    method, path, extra = request(arguments)
    headers = {"Authorization": f"Bearer {arguments.token}"}
    try:
        with httpx.Client(base_url=arguments.url, timeout=30, transport=transport) as client:
            answer = client.request(method, path, headers=headers, **extra)
    except httpx.HTTPError as error:
        print(f"{arguments.url} unreachable: {error}", file=sys.stderr)
        return UNREACHABLE
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else answer.text
    if answer.status_code in (401, 403):
        print(f"not allowed ({answer.status_code}): an operator's token is needed", file=sys.stderr)
        return UNREACHABLE
    if answer.status_code >= 400:
        detail = body.get("detail", body) if isinstance(body, dict) else body
        print(f"refused ({answer.status_code}): {detail}", file=sys.stderr)
        return REFUSED
    print(json.dumps(body, indent=2, ensure_ascii=False) if arguments.json else readable(arguments.command, body))
    return DONE


if __name__ == "__main__":
    sys.exit(main())
