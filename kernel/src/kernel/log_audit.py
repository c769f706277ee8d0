"""What an auditor proves about a service's log, without I/O: each event against its hash and its producer's
signature, each stream's chain, the whole log against the service's signed checkpoints, and the log against the
copy Kafka holds. Every finding names its kind, so the four ways an insider can alter a log are told apart:

- an event edited in place: its hash no longer matches its content (`altered`);
- a stream rewritten with its hashes recomputed: the hashes match, the producer's signature does not (`rewritten`);
- a stream truncated: fewer events than a checkpoint counted (`events_deleted`), and Kafka names the stream and the
  versions that went (`truncated`);
- a stream deleted: fewer streams than a checkpoint counted (`stream_deleted`), Kafka names it.

The database cannot vouch for itself: the signing keys are not in it, and the checkpoints and events also live on
Kafka, out of its insiders' reach."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from contracts.codec import hash_is_intact
from contracts.envelope import EventEnvelope
from contracts.log_checkpoint import DIGEST_OF_NOTHING, LogCheckpoint, fold_digest
from kernel.signing import UntrustedEvent, Verifier

KINDS = {
    "altered": "an event's content no longer matches its hash: edited in place",
    "rewritten": "an event's hash matches its content but not its producer's signature: rewritten, hash recomputed",
    "foreign": "an event this service's log holds but another producer names, or one without a known key",
    "chain_broken": "a stream's versions or hash links do not follow each other",
    "events_deleted": "fewer events than a signed checkpoint counted up to its place: events deleted (a truncation)",
    "stream_deleted": "fewer streams than a signed checkpoint counted up to its place: a whole stream deleted",
    "log_rewritten": "the counts agree with a signed checkpoint but not the digest of the events' hashes",
    "checkpoint_forged": "a checkpoint whose signature is not the service's",
    "checkpoint_deleted": "a signed checkpoint on Kafka that the database no longer holds",
    "checkpoint_differs": "the database's copy of a checkpoint is not the one published on Kafka",
    "truncated": "a stream's last versions are on Kafka but gone from the database",
    "differs_from_kafka": "an event of the database is not the one Kafka received under the same version",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    where: str  # `stream vN`, `checkpoint #N`, or the stream alone
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail}


Place = tuple[int, int]  # (transaction_id, position): the commit order


@dataclass
class LogAudit:
    """Feed it a service's events in commit order (`add`), then `finish()`: the findings, in the order found."""

    service: str
    verifier: Verifier | None  # None: signatures are not checked (no keys given), and the report says so
    checkpoints: Sequence[LogCheckpoint] = ()
    events: int = 0
    streams: int = 0
    digest: str = DIGEST_OF_NOTHING
    findings: list[Finding] = field(default_factory=list)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    checkpoints_matched: int = 0
    _pending: list[LogCheckpoint] = field(default_factory=list)
    _mismatches: int = 0

    def __post_init__(self) -> None:
        self._pending = sorted(self.checkpoints, key=lambda c: (c.transaction_id, c.position))

    def add(self, place: Place, envelope: EventEnvelope) -> None:
        self._close_checkpoints(before=place)
        where = f"{envelope.stream_id} v{envelope.stream_version}"
        if not hash_is_intact(envelope):
            self.findings.append(Finding("altered", where, "the content no longer matches its hash"))
        elif self.verifier is not None:
            if envelope.producer != self.service:
                self.findings.append(Finding("foreign", where, f"names {envelope.producer!r} as its producer"))
            else:
                try:
                    self.verifier.verify(envelope)
                except UntrustedEvent as error:
                    self.findings.append(Finding("rewritten", where, f"hash intact, but {error}"))
        self._check_chain(where, envelope)
        self.events += 1
        self.streams += envelope.stream_version == 1
        self.digest = fold_digest(self.digest, envelope.hash)

    def _check_chain(self, where: str, envelope: EventEnvelope) -> None:
        version, previous_hash = self.heads.get(envelope.stream_id, (0, None))
        if envelope.stream_version != version + 1:
            self.findings.append(Finding("chain_broken", where, f"version {envelope.stream_version} follows {version}"))
        elif envelope.previous_hash != previous_hash:
            self.findings.append(Finding("chain_broken", where, "previous_hash is not the preceding event's hash"))
        self.heads[envelope.stream_id] = (envelope.stream_version, envelope.hash)

    def _close_checkpoints(self, before: Place | None) -> None:
        """Compare the log so far with every checkpoint that ends before `before` (all of them at the end)."""
        while self._pending and (
            before is None or (self._pending[0].transaction_id, self._pending[0].position) < before
        ):
            self._compare(self._pending.pop(0))

    def _compare(self, checkpoint: LogCheckpoint) -> None:
        where = f"checkpoint #{checkpoint.sequence}"
        said = f"signed on {checkpoint.taken_at:%Y-%m-%d %H:%M:%S}: {checkpoint.events} events, {checkpoint.streams}"
        found = f"the database holds {self.events} events, {self.streams} streams up to there"
        if (self.events, self.streams, self.digest) == (checkpoint.events, checkpoint.streams, checkpoint.digest):
            self.checkpoints_matched += 1
            return
        self._mismatches += 1
        if self._mismatches > 1:
            return  # each later checkpoint covers the same damage: the first one names it
        if self.streams < checkpoint.streams:
            kind = "stream_deleted"
        elif self.events < checkpoint.events:
            kind = "events_deleted"
        else:
            kind = "log_rewritten"
        self.findings.append(Finding(kind, where, f"{said} streams; {found}"))

    def finish(self) -> list[Finding]:
        self._close_checkpoints(before=None)
        if self._mismatches > 1:
            self.findings.append(
                Finding(
                    "log_rewritten", "later checkpoints", f"{self._mismatches - 1} later checkpoint(s) disagree too"
                )
            )
        return self.findings


def reconcile_checkpoints(
    service: str,
    in_database: Iterable[LogCheckpoint],
    on_kafka: Iterable[LogCheckpoint] | None,
    verifier: Verifier | None,
) -> tuple[list[LogCheckpoint], list[Finding]]:
    """The checkpoints to compare the log with (signed by the service), and what is wrong with the copies: a
    forged one, one deleted from the database, two copies that differ (Kafka's is trusted if its signature holds)."""
    findings: list[Finding] = []
    kept: dict[int, LogCheckpoint] = {}

    def trusted(checkpoint: LogCheckpoint, source: str) -> bool:
        if checkpoint.service != service:
            return False
        if verifier is None:
            return True
        try:
            verifier.verify_text(service, checkpoint.signed_text(), checkpoint.signature, "log checkpoint")
        except UntrustedEvent as error:
            findings.append(Finding("checkpoint_forged", f"checkpoint #{checkpoint.sequence}", f"{source}: {error}"))
            return False
        return True

    database = {c.sequence: c for c in in_database if trusted(c, "in the database")}
    kept |= database
    if on_kafka is not None:
        for checkpoint in on_kafka:
            if not trusted(checkpoint, "on Kafka"):
                continue
            copy = database.get(checkpoint.sequence)
            where = f"checkpoint #{checkpoint.sequence}"
            if copy is None:
                findings.append(Finding("checkpoint_deleted", where, "published on Kafka, absent from the database"))
            elif copy != checkpoint:
                findings.append(Finding("checkpoint_differs", where, "the database's copy is not Kafka's"))
            kept[checkpoint.sequence] = checkpoint
    return [kept[n] for n in sorted(kept)], findings


@dataclass(frozen=True, slots=True)
class KafkaComparison:
    findings: list[Finding]
    on_kafka: int  # distinct events of this service on its topics
    not_yet_on_kafka: int  # in the database, not on Kafka (the relay's lag, or a broker that lost them)


def compare_with_kafka(
    database: Mapping[tuple[str, int], str], kafka: Mapping[tuple[str, int], str]
) -> KafkaComparison:
    """Each (stream, version) → hash of the database against what Kafka received: what is gone, what differs."""
    findings: list[Finding] = []
    in_database: dict[str, int] = defaultdict(int)
    for stream_id, version in database:
        in_database[stream_id] = max(in_database[stream_id], version)
    gone: dict[str, list[int]] = defaultdict(list)
    for (stream_id, version), event_hash in sorted(kafka.items()):
        known = database.get((stream_id, version))
        if known is None:
            gone[stream_id].append(version)
        elif known != event_hash:
            findings.append(Finding("differs_from_kafka", f"{stream_id} v{version}", "not the event Kafka received"))
    for stream_id, versions in sorted(gone.items()):
        span = f"v{versions[0]}" if len(versions) == 1 else f"v{versions[0]}–v{versions[-1]}"
        if stream_id not in in_database:
            findings.append(
                Finding(
                    "stream_deleted", stream_id, f"{len(versions)} event(s) on Kafka ({span}), none in the database"
                )
            )
        elif versions[0] > in_database[stream_id]:
            findings.append(
                Finding("truncated", stream_id, f"ends at v{in_database[stream_id]} in the database; {span} on Kafka")
            )
        else:
            findings.append(Finding("events_deleted", stream_id, f"{span} on Kafka, missing from the database"))
    not_yet = sum(1 for key in database if key not in kafka)
    return KafkaComparison(findings, len(kafka), not_yet)
