"""The auditor's checks without I/O (kernel.log_audit): each event against its hash, its signature and its chain,
the log against signed checkpoints, and against the copy on Kafka. The same attacks on a real database and broker,
through the command line: tests/integration/test_audit_tampering.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.base import Role
from contracts.envelope import Actor, EventEnvelope
from contracts.financement.v1 import LaureatEnregistre
from contracts.log_checkpoint import DIGEST_OF_NOTHING, LogCheckpoint, fold_digest
from kernel.envelopes import envelop
from kernel.log_audit import LogAudit, compare_with_kafka, reconcile_checkpoints
from kernel.ports import CommandContext
from tests.fixtures import TEST_SIGNERS, TEST_VERIFIER

CONTEXT = CommandContext(
    actor=Actor(id="cdc-1", role=Role.INSTRUCTEUR_CDC), occurred_at=datetime(2023, 9, 1, tzinfo=UTC)
)


def stream(name: str, length: int, producer: str = "financement") -> list[EventEnvelope]:
    events = [
        LaureatEnregistre(territoire_id=name, nom_territoire=name, region_code="32", date_decision=date(2023, 7, 1))
        for _ in range(length)
    ]
    return [
        r.envelope for r in envelop(producer, f"enveloppe-{name}", events, 0, None, CONTEXT, TEST_SIGNERS[producer])
    ]


def checkpoint_of(envelopes: list[EventEnvelope], sequence: int = 1, signer: str = "financement") -> LogCheckpoint:
    digest = DIGEST_OF_NOTHING
    for envelope in envelopes:
        digest = fold_digest(digest, envelope.hash)
    unsigned = LogCheckpoint(
        service="financement",
        sequence=sequence,
        transaction_id=1,
        position=len(envelopes),
        events=len(envelopes),
        streams=sum(e.stream_version == 1 for e in envelopes),
        digest=digest,
        taken_at=datetime(2023, 9, 2, tzinfo=UTC),
    )
    return unsigned.model_copy(update={"signature": TEST_SIGNERS[signer].sign(unsigned.signed_text())})


def audited(envelopes: list[EventEnvelope], *checkpoints: LogCheckpoint) -> list[tuple[str, str]]:
    audit = LogAudit("financement", TEST_VERIFIER, checkpoints)
    for position, envelope in enumerate(envelopes, start=1):
        audit.add((1, position), envelope)
    return [(f.kind, f.where) for f in audit.finish()]


def test_a_whole_log_agrees_with_its_checkpoint() -> None:
    log = stream("A", 3) + stream("B", 2)
    assert audited(log, checkpoint_of(log)) == []


def test_each_alteration_is_named_by_its_kind() -> None:
    log = stream("A", 3) + stream("B", 2)
    checkpoint = checkpoint_of(log)
    edited = log[1].model_copy(update={"data": {**log[1].data, "nom_territoire": "X"}})
    assert audited([log[0], edited, *log[2:]], checkpoint) == [("altered", "enveloppe-A v2")]
    assert audited(log[:2] + log[3:], checkpoint) == [("events_deleted", "checkpoint #1")]  # A ends at v2
    assert audited(log[:3], checkpoint) == [("stream_deleted", "checkpoint #1")]
    assert audited(log[:1] + log[2:], checkpoint) == [
        ("chain_broken", "enveloppe-A v3"),
        ("events_deleted", "checkpoint #1"),
    ]


def test_an_event_signed_by_another_key_is_named_rewritten_and_another_producer_foreign() -> None:
    log = stream("A", 1)
    resigned = log[0].model_copy(update={"signature": TEST_SIGNERS["tests"].sign(log[0].hash)})
    assert audited([resigned]) == [("rewritten", "enveloppe-A v1")]
    assert audited(stream("A", 1, producer="instruction")) == [("foreign", "enveloppe-A v1")]


def test_a_forged_checkpoint_is_not_trusted_and_a_deleted_one_is_found_on_kafka() -> None:
    log = stream("A", 2)
    genuine, forged = checkpoint_of(log), checkpoint_of(log, sequence=2, signer="tests")
    kept, findings = reconcile_checkpoints("financement", [forged], [genuine], TEST_VERIFIER)
    assert kept == [genuine]
    assert [(f.kind, f.where) for f in findings] == [
        ("checkpoint_forged", "checkpoint #2"),
        ("checkpoint_deleted", "checkpoint #1"),
    ]


def test_kafka_names_the_truncated_the_deleted_and_the_different_streams() -> None:
    kafka = {("enveloppe-A", v): f"a{v}" for v in (1, 2, 3)} | {("enveloppe-B", 1): "b1", ("enveloppe-C", 1): "c1"}
    database = {("enveloppe-A", 1): "a1", ("enveloppe-B", 1): "other", ("enveloppe-D", 1): "d1"}
    compared = compare_with_kafka(database, kafka)
    assert [(f.kind, f.where) for f in compared.findings] == [
        ("differs_from_kafka", "enveloppe-B v1"),
        ("truncated", "enveloppe-A"),
        ("stream_deleted", "enveloppe-C"),
    ]
    assert (compared.on_kafka, compared.not_yet_on_kafka) == (5, 1)
