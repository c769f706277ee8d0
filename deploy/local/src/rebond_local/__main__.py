"""`python -m rebond_local run`: embedded (or given) infra, the four services, the demo, then wait.

Options: --exit (stop after the demo, e.g. for CI), --ports N (services on N..N+3, default 8001)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Any

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import MAX_TTL, SCOPED_ROLES, issue_token
from kernel.adapters.logs import configure_logging
from rebond_local.demo import DEMO_CLOCK_START, play_demo, publies, synthetic_siren
from rebond_local.demo_publication import ANNONCE
from rebond_local.infra import AUTH_SECRET, provision
from rebond_local.supervisor import start_system

ROOT = Path(__file__).resolve().parents[4]


async def run(args: argparse.Namespace) -> int:
    workdir = ROOT / ".rebond" / time.strftime("run-%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"· starting the broker and PostgreSQL (work dir {workdir})", flush=True)
    infra = provision(workdir)
    system = None
    try:
        print(f"  broker: {infra.kafka_origin} at {infra.kafka_bootstrap}; database: {infra.database_origin}")
        print("· starting the four services", flush=True)
        system = await start_system(infra, workdir, base_port=args.ports, simulated_clock=DEMO_CLOCK_START)
        for name, service in system.services.items():
            print(f"  {name:<12} {service.url}/docs   (log: {service.log_path})")
        tokens = write_tokens(workdir / "tokens.txt")
        print(f"  access tokens for each role (Authorize in /docs, or Authorization: Bearer …): {tokens}")
        print("· playing the demo scenario (selection of 19 laureates, 16 missions to the end of 2024)", flush=True)
        started = time.monotonic()
        figures = await play_demo({name: s.url for name, s in system.services.items()})
        print_figures(figures)
        print(f"\nThe demo played in {time.monotonic() - started:.1f} s (figures included).")
        reporting = system.url("reporting")
        print(
            f"\nThe public side (no token): what SGPI, CDC and DTI cleared, from its embargo on:\n"
            f"  {reporting}/public/publications\n  {reporting}/public/publications/{ANNONCE}\n"
            f"  {reporting}/tableau-de-bord   (the dashboard, in French, for people)\n"
            f"The internal figures, rebuilt from the Kafka event log (a token of SGPI, CDC, DTI… from {tokens.name}):\n"
            f"  {reporting}/figures/national\n  {reporting}/figures/regions\n  {reporting}/figures/territoires\n"
            f"  {reporting}/figures/national?as_of=2023-06-30   (as of a date; &known_at=… as the log was known then)\n"
            f"  {reporting}/docs   (all queries; POST /ops/rebuild replays the topics from offset 0)"
        )
        audit = " ".join([f"python3 {ROOT / 'dev.py'} audit verify", *map(shlex.quote, system.audit_arguments)])
        (workdir / "audit.sh").write_text(f'#!/bin/sh\nexec {audit} "$@"\n')
        prove = " ".join([f"python3 {ROOT / 'dev.py'} audit figures", *map(shlex.quote, system.figures_arguments)])
        (workdir / "audit-figures.sh").write_text(f'#!/bin/sh\nexec {prove} --publication {ANNONCE} "$@"\n')
        print(
            "\nThe auditor's proof that the log is intact (signatures, signed checkpoints, Kafka's copy), with this "
            f"run's read-only database role, broker and public keys:\n  sh {workdir / 'audit.sh'}\n"
            f"and that the announcement's published figures are what the log said (recomputed from the producers' "
            f"logs):\n  sh {workdir / 'audit-figures.sh'}"
        )
        if args.exit:
            return 0
        print("\nRunning. Press Ctrl+C to stop everything.", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        return 0
    finally:
        print("· stopping the services and the servers", flush=True)
        if system is not None:
            system.stop()
        infra.stop()


def write_tokens(path: Path) -> Path:
    """One token per role, signed with this run's secret (scoped roles act for Cambrai)."""
    lines = []
    for role in Role:
        scope = {Role.EPCI_CANDIDAT: synthetic_siren(20006850)}.get(role, "cambrai" if role in SCOPED_ROLES else None)
        actor = Actor(id=f"demo-{role.value.lower()}", role=role, scope=scope)
        token = issue_token(AUTH_SECRET, actor, ttl=MAX_TTL)  # a demo session: the longest a token may live
        lines.append(f"{role.value:<20} scope={scope or '-':<12} {token}")
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # bearer tokens: the user's eyes only
    with os.fdopen(descriptor, "w") as tokens:
        tokens.write("\n".join(lines) + "\n")
    return path


def euros(cents: int) -> str:
    return f"{cents / 100:,.0f} €".replace(",", " ")


def print_figures(figures: dict[str, Any]) -> None:
    """National figures, then one line per laureate territory."""
    national = figures["national"]
    print("\nNational figures (reporting, rebuilt from the topics):")
    print(json.dumps({k: v for k, v in national.items() if k != "as_of"}, indent=2, ensure_ascii=False))
    print(f"\n{'territoire':<32}{'région':<28}{'mission':<22}{'enveloppe':>13}{'engagé':>13}{'aides':>6}")
    for t in figures["territoires"]["territoires"]:
        mission = (t.get("mission") or {}).get("etat") or "-"
        print(
            f"{t['nom']:<32}{(t['region'] or {}).get('nom') or '-':<28}{mission:<22}"
            f"{euros(t['enveloppe_centimes']):>13}{euros(t['engage_centimes']):>13}{t['nb_aides']:>6}"
        )
    print("\nWhat the programme published, and what reporting rebuilt from the log (DOMAIN-REFERENCE §5.1):")
    for label, source, value in publies(figures):
        shown = euros(value) if isinstance(value, int) and value >= 10_000_000 else value
        print(f"  {label:<48}{source:<7}{shown!s:>18}")
    before = figures["national_au_2023-06-30"]
    print(
        f"\nAs of 30/06/2023: {before['nb_laureats']} laureates in {before['nb_regions_laureates']} regions; "
        f"today: {national['nb_laureats']} in {national['nb_regions_laureates']} regions."
    )
    annonce = figures.get("annonce")
    if annonce:
        seen = annonce["validee_sous_embargo"]["annonce"], annonce["apres_embargo"]["annonce"]
        content = annonce["publication"]["contenu"]["national"]
        print(
            f"\nThe announcement of 28/08/2023, cleared by SGPI, CDC and DTI: HTTP {seen[0]} for the public under its "
            f"embargo, {seen[1]} after it ({content['nb_laureats']} laureates in {content['nb_regions_laureates']} "
            f"regions); recomputed from the log: {'same' if annonce['verification']['identique'] else 'DIFFERENT'} "
            f"digest {annonce['publication']['digest'][:16]}…"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run the system and the demo scenario")
    run_parser.add_argument("--exit", action="store_true", help="stop once the demo has played")
    run_parser.add_argument("--ports", type=int, default=8001, help="first HTTP port (default 8001)")
    args = parser.parse_args()
    configure_logging("rebond-local", level="WARNING")
    signal.signal(signal.SIGTERM, _interrupt)  # until the demo is played: stop everything started so far
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
