"""`rebond-audit figures`: recompute a cleared publication's figures from the producers' logs and compare digests.

The publication is read from reporting's own log (stream `publication-<id>`, signed by reporting); the producers'
events are replayed, each checked against its producer's key, into a schema of the scratch database (created, then
dropped), with reporting's own projection and content rules; the content is computed as of the publication's date
and as known at its recording time. With `--as-of` instead of a publication: the figures as of that date (and as
known at `--known-at`, default: everything recorded), for an auditor's own reading."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

import asyncpg

from contracts.catalog import decode
from contracts.codec import hash_is_intact
from contracts.envelope import EventEnvelope
from kernel.adapters.audit import count_events
from kernel.adapters.postgres import create_pool
from kernel.signing import UntrustedEvent, Verifier
from reporting.adapters.database_log import DatabaseLog
from reporting.adapters.schema import migration
from reporting.adapters.store import PostgresProjectionStore
from reporting.application.recompute import recalculer
from reporting.domain import publication
from reporting.domain.compare import differences

PRODUCERS = ("candidature", "instruction", "financement")
AUDITOR = "rebond-audit"  # the replay's consumer name: it skips nothing an operator skipped live (it shows them)


class PublicationIllisible(LookupError):
    """The publication is not in reporting's log, or its events do not prove where they came from."""


async def read_publication(url: str, publication_id: str, verifier: Verifier) -> dict[str, Any]:
    """The request (its content, digest, date and recording time) and where it stands, every event checked."""
    conn = await asyncpg.connect(url, server_settings={"default_transaction_read_only": "on"})
    try:
        rows = await conn.fetch(
            "SELECT envelope::text AS body FROM events WHERE stream_id = $1 ORDER BY version",
            f"publication-{publication_id}",
        )
    finally:
        await conn.close()
    if not rows:
        raise PublicationIllisible(f"no publication {publication_id} in reporting's log")
    events = []
    for row in rows:
        envelope = EventEnvelope.model_validate_json(row["body"])
        if not hash_is_intact(envelope):
            raise PublicationIllisible(f"{envelope.stream_id} v{envelope.stream_version}: its hash does not match")
        try:
            verifier.verify(envelope)
        except UntrustedEvent as error:
            raise PublicationIllisible(f"{envelope.stream_id} v{envelope.stream_version}: {error}") from None
        events.append(decode(envelope.event_type, envelope.schema_version, envelope.data))
    state = publication.decider.fold(events)  # where it stands, as reporting itself folds it
    demande = state.demande
    if demande is None:
        raise PublicationIllisible(f"publication {publication_id}: no request in its stream")
    return {
        "publication_id": publication_id,
        "titre": demande.titre,
        "as_of": demande.as_of,
        "known_at": demande.known_at,
        "digest": demande.digest,
        "contenu": demande.contenu,
        "validee_par": sorted(o.value for o in state.validations),
        "diffusee_le": state.diffusion.diffusee_le.isoformat() if state.diffusion else None,
        "positions": demande.positions,
    }


async def figures(
    args: argparse.Namespace, databases: dict[str, str], verifier: Verifier, progress: Any
) -> tuple[bool, dict[str, Any]]:
    """(identical or nothing to compare, report)."""
    publication = None
    if args.publication:
        publication = await read_publication(args.publications, args.publication, verifier)
        as_of, known_at = publication["as_of"], publication["known_at"]
    else:
        as_of, known_at = date.fromisoformat(args.as_of), _known_at(args.known_at)
    total, recorded = 0, {}
    for service in PRODUCERS:
        counting = await asyncpg.connect(databases[service])
        try:
            total += await count_events(counting)
            if known_at is not None:
                recorded[service] = int(
                    await counting.fetchval("SELECT count(*) FROM events WHERE recorded_at <= $1", known_at)
                )
        finally:
            await counting.close()
    task = progress.add_task("replay", total=total)
    pool = await create_pool(args.scratch, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await conn.execute(migration())
        store = PostgresProjectionStore(pool, consumer=AUDITOR, verifier=verifier, skipped=frozenset())
        log = DatabaseLog({service: databases[service] for service in PRODUCERS})
        again = await recalculer(store, log, as_of, known_at, progress=lambda n: progress.advance(task, n))
    finally:
        await pool.close()
    counts = again.counts
    report: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "replay": {
            "read": counts.read,
            "applied": counts.applied,
            "duplicates": counts.duplicates,
            "unreadable": counts.unreadable,
            "broken_chain": counts.broken_chain,
            "forged": counts.forged,
            "waiting": len(counts.ahead),
        },
        "digest_recalcule": again.digest,
    }
    if publication is None:
        return True, report | {"contenu": again.contenu}
    found = differences(publication["contenu"], again.contenu)
    identical = publication["digest"] == again.digest and not found
    # Where the publication says it stood in each log (events applied when it was computed), beside what each log
    # holds recorded by its time: informative, not a finding. A higher position means events recorded after its
    # latest fact were applied too (ones that make no fact, e.g. an access record); a lower one, events recorded by
    # then that reporting had not read yet (the digest says whether they change any figure).
    positions = {
        service: {"publication": publication["positions"].get(service), "log_recorded_by_then": recorded[service]}
        for service in PRODUCERS
        if publication["positions"]
    }
    return identical, {
        "publication_id": publication["publication_id"],
        "titre": publication["titre"],
        "validee_par": publication["validee_par"],
        "diffusee_le": publication["diffusee_le"],
        **report,
        "digest_publie": publication["digest"],
        "positions": positions,
        "identique": identical,
        "differences": found[:50],
    }


def _known_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("--known-at needs its offset (e.g. 2023-08-28T14:00:00+02:00)")
    return moment


def print_report(report: dict[str, Any]) -> None:
    replay = report["replay"]
    print(
        f"replayed {replay['read']} events ({replay['applied']} applied, {replay['forged']} forged, "
        f"{replay['broken_chain']} out of their chain, {replay['unreadable']} unreadable)"
    )
    if "digest_publie" not in report:
        print(json.dumps(report["contenu"], ensure_ascii=False, indent=2, sort_keys=True))
        print(f"digest {report['digest_recalcule']} (as of {report['as_of']}, known at {report['known_at']})")
        return
    print(
        f"publication {report['publication_id']} « {report['titre']} », as of {report['as_of']}, "
        f"known at {report['known_at']}; cleared by {', '.join(report['validee_par']) or 'nobody yet'}"
    )
    print(f"  published  {report['digest_publie']}\n  recomputed {report['digest_recalcule']}")
    for service, where in report["positions"].items():
        agree = "agrees" if where["publication"] == where["log_recorded_by_then"] else "DIFFERS"
        print(
            f"  {service}: computed from {where['publication']} events; "
            f"its log holds {where['log_recorded_by_then']} recorded by then ({agree})"
        )
    for difference in report["differences"]:
        print(f"  DIFFERS    {difference} (published != recomputed)")
    print("identical: the published figures are what the log said" if report["identique"] else "NOT identical")
