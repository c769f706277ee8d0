"""rebond-audit: what an auditor runs with the services' database URLs and the broker's address, nothing else.

    rebond-audit verify --database financement=postgresql://auditor@db/financement --broker kafka:9092
    rebond-audit history --database financement=postgresql://… enveloppe-T-200054781
    rebond-audit figures --database candidature=… --database instruction=… --database financement=… \
        --publications postgresql://auditor@db/reporting --scratch postgresql://me@mydb/scratch --publication ID
    rebond-audit --json verify …                       # one JSON document on stdout, for a pipeline

The public keys come from --trusted-keys or REBOND_TRUSTED_KEYS (`service:key,…`, as the services read them).
Exit codes: 0 the log is intact (figures: the recomputed digest is the published one), 1 something was found (each
finding names its kind; figures: they differ), 2 a usage error, 3 a database or the broker could not be read."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from contracts import topics
from contracts.catalog import decode
from contracts.envelope import EventEnvelope
from kernel.adapters.audit import audit_database, count_events, database_checkpoints, read_kafka
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.adapters.postgres import create_pool
from kernel.adapters.process import tune_garbage_collector
from kernel.log_audit import KINDS, compare_with_kafka, reconcile_checkpoints
from kernel.signing import Verifier
from rebond_audit.figures import PRODUCERS, PublicationIllisible, figures, print_report
from rebond_audit.folds import fold_for, plain

INTACT, FOUND, USAGE, UNREACHABLE = 0, 1, 2, 3
SERVICES = ("candidature", "instruction", "financement")  # the services that record events


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="rebond-audit",
        description="Prove from the log, and from the copies Kafka holds, that nothing was altered.",
        epilog="Finding kinds: " + "; ".join(f"{kind}: {why}" for kind, why in KINDS.items()),
    )
    top.add_argument("--json", action="store_true", help="print one JSON document on stdout, no progress bar")
    commands = top.add_subparsers(dest="command", required=True)

    verify = commands.add_parser("verify", help="verify each service's log, its signed checkpoints, and Kafka's copy")
    _databases(verify)
    verify.add_argument("--broker", help="Kafka bootstrap address: compare with the topics and published checkpoints")
    verify.add_argument("--topic-prefix", default=os.environ.get("KAFKA_TOPIC_PREFIX", ""), help="of every topic")
    verify.add_argument("--trusted-keys", help="service:public_key,… (default: REBOND_TRUSTED_KEYS)")

    history = commands.add_parser("history", help="an aggregate's state after each of its events")
    _databases(history)
    history.add_argument("stream", help="the stream id, e.g. enveloppe-T-200054781")

    recompute = commands.add_parser(
        "figures", help="recompute a cleared publication (or the figures as of a date) from the producers' logs"
    )
    _databases(recompute)
    recompute.add_argument(
        "--scratch", required=True, help="a PostgreSQL database where the replay may create a schema"
    )
    recompute.add_argument("--publications", help="reporting's database (its log holds the publications)")
    which = recompute.add_mutually_exclusive_group(required=True)
    which.add_argument("--publication", help="the id of the publication to prove, e.g. annonce-laureats-2023-08-28")
    which.add_argument("--as-of", help="instead: the figures as they stood at the end of this day (YYYY-MM-DD)")
    recompute.add_argument("--known-at", help="with --as-of: as the log was known at this time (ISO 8601, offset)")
    recompute.add_argument("--trusted-keys", help="service:public_key,… (default: REBOND_TRUSTED_KEYS)")
    return top


def _databases(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--database",
        action="append",
        required=True,
        metavar="SERVICE=URL",
        help=f"a service's database (repeat for each; services: {', '.join(SERVICES)})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    tune_garbage_collector()
    try:
        databases = _named(args.database)
    except ValueError as error:
        print(f"rebond-audit: {error}", file=sys.stderr)
        return USAGE
    try:
        if args.command == "verify":
            return asyncio.run(verify(args, databases))
        if args.command == "figures":
            return asyncio.run(recompute(args, databases))
        return asyncio.run(history(args, databases))
    except UsageError as error:
        print(f"rebond-audit: {error}", file=sys.stderr)
        return USAGE
    except PublicationIllisible as error:
        print(f"rebond-audit: {error}", file=sys.stderr)
        return FOUND
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError, LookupError) as error:
        print(f"rebond-audit: cannot read: {error}", file=sys.stderr)
        return UNREACHABLE


def _named(items: Sequence[str]) -> dict[str, str]:
    named: dict[str, str] = {}
    for item in items:
        service, sep, url = item.partition("=")
        if not sep or service not in SERVICES or not url:
            raise ValueError(f"--database wants SERVICE=URL with SERVICE one of {', '.join(SERVICES)}: {item!r}")
        named[service] = url
    return named


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled or not console.is_terminal,
        transient=True,
    ) as progress:
        yield progress


async def verify(args: argparse.Namespace, databases: dict[str, str]) -> int:
    keys = args.trusted_keys or os.environ.get("REBOND_TRUSTED_KEYS", "")
    verifier = Verifier.from_text(keys) if keys else None
    reports = []
    with _progress(not args.json) as progress:
        for service, url in databases.items():
            reports.append(await _verify_service(service, url, args, verifier, progress))
    found = sum(len(r["findings"]) for r in reports)
    if args.json:
        print(json.dumps({"intact": found == 0, "signatures_checked": verifier is not None, "services": reports}))
    else:
        for report in reports:
            _print_report(report)
        if verifier is None:
            print("signatures NOT checked: give --trusted-keys or REBOND_TRUSTED_KEYS")
        print("intact" if found == 0 else f"{found} finding(s)")
    return INTACT if found == 0 else FOUND


async def _verify_service(
    service: str, url: str, args: argparse.Namespace, verifier: Verifier | None, progress: Progress
) -> dict[str, Any]:
    kafka = None
    if args.broker:
        task = progress.add_task(f"{service}: Kafka", total=None)
        kafka = await read_kafka(
            args.broker,
            service,
            args.topic_prefix,
            KafkaConnection.from_env().client_options(),
            verifier,
            progress=lambda n: progress.advance(task, n),
        )
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            checkpoints, findings = reconcile_checkpoints(
                service, await database_checkpoints(conn, service), kafka.checkpoints if kafka else None, verifier
            )
            task = progress.add_task(f"{service}: log", total=await count_events(conn))
            found = await audit_database(
                conn, service, verifier, checkpoints, progress=lambda n: progress.advance(task, n)
            )
    finally:
        await pool.close()
    findings = findings + found.audit.findings
    report: dict[str, Any] = {
        "service": service,
        "events": found.audit.events,
        "streams": found.audit.streams,
        "checkpoints": len(checkpoints),
        "checkpoints_matched": found.audit.checkpoints_matched,
    }
    if kafka is not None:
        compared = compare_with_kafka(found.keyed, kafka.events)
        findings += compared.findings
        report |= {
            "kafka_events": compared.on_kafka,
            "not_yet_on_kafka": compared.not_yet_on_kafka,
            "kafka_unreadable": kafka.unreadable,
            "kafka_unproven": kafka.unproven,
        }
    report["findings"] = [f.as_dict() for f in findings]
    return report


def _print_report(report: dict[str, Any]) -> None:
    line = (
        f"{report['service']}: {report['events']} events in {report['streams']} streams; "
        f"{report['checkpoints_matched']}/{report['checkpoints']} signed checkpoints agree"
    )
    if "kafka_events" in report:
        line += f"; Kafka holds {report['kafka_events']} ({report['not_yet_on_kafka']} not yet published)"
    print(line)
    for finding in report["findings"]:
        print(f"  {finding['kind'].upper():<20} {finding['where']}: {finding['detail']}")


class UsageError(ValueError):
    pass


async def recompute(args: argparse.Namespace, databases: dict[str, str]) -> int:
    missing = [service for service in PRODUCERS if service not in databases]
    keys = args.trusted_keys or os.environ.get("REBOND_TRUSTED_KEYS", "")
    if missing:
        raise UsageError(f"figures replays every producer's log: give --database for {', '.join(missing)}")
    if not keys:
        raise UsageError("figures applies only what the producers signed: give --trusted-keys or REBOND_TRUSTED_KEYS")
    if args.publication and not args.publications:
        raise UsageError("--publication is read from reporting's log: give --publications URL")
    if args.known_at and not args.as_of:
        raise UsageError("--known-at goes with --as-of (a publication carries its own)")
    try:
        if args.as_of:
            date.fromisoformat(args.as_of)
        identical, report = await _recompute(args, databases, Verifier.from_text(keys))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=str))
    else:
        print_report(report)
    return INTACT if identical else FOUND


async def _recompute(
    args: argparse.Namespace, databases: dict[str, str], verifier: Verifier
) -> tuple[bool, dict[str, Any]]:
    with _progress(not args.json) as progress:
        return await figures(args, databases, verifier, progress)


async def history(args: argparse.Namespace, databases: dict[str, str]) -> int:
    stream_id: str = args.stream
    try:
        initial, evolve = fold_for(stream_id)
        service = topics.topic_for_stream(stream_id).split(".", 1)[0]
    except (LookupError, ValueError) as error:
        print(f"rebond-audit: {error}", file=sys.stderr)
        return USAGE
    if service not in databases:
        print(f"rebond-audit: {stream_id} is in {service}'s log: give --database {service}=URL", file=sys.stderr)
        return USAGE
    pool = await create_pool(databases[service], min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT envelope::text AS envelope FROM events WHERE stream_id = $1 ORDER BY version", stream_id
            )
    finally:
        await pool.close()
    if not rows:
        print(f"rebond-audit: no stream {stream_id} in {service}'s log", file=sys.stderr)
        return FOUND
    state, steps = initial, []
    for row in rows:
        envelope = EventEnvelope.model_validate_json(row["envelope"])
        state = evolve(state, decode(envelope.event_type, envelope.schema_version, envelope.data))
        steps.append(
            {
                "version": envelope.stream_version,
                "event_type": envelope.event_type,
                "recorded_at": envelope.recorded_at.isoformat(),
                "actor": envelope.actor.model_dump(mode="json"),
                "state": plain(state),
            }
        )
    if args.json:
        print(json.dumps({"stream_id": stream_id, "history": steps}, ensure_ascii=False))
    else:
        for step in steps:
            print(f"v{step['version']} {step['event_type']} at {step['recorded_at']} by {step['actor']['id']}")
            print("   " + json.dumps(step["state"], ensure_ascii=False, sort_keys=True))
    return INTACT
