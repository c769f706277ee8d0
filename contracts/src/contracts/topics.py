"""Kafka topics (`<service>.<stream-type>.v<N>`): each carries the events of one stream type, keyed by
stream_id, with unlimited retention; they are the shared log that reporting and auditors replay."""

from __future__ import annotations

from contracts.catalog import all_models

PARTITIONS = 3

CANDIDATURE = "candidature.candidature.v1"
INSTRUCTION = "instruction.dossier.v1"
FINANCEMENT = "financement.enveloppe.v1"
PUBLICATION = "reporting.publication.v1"  # the publication workflow: internal, confidential until cleared
PUBLIC = "public.publications.v1"  # the published language: cleared publications only (contracts.public)
DEAD_LETTERS = "rebond.dead-letters.v1"
REPLAY_REQUESTS = "rebond.replay-requests.v1"  # a consumer that found a gap asks the producer to republish a stream
LOG_CHECKPOINTS = "rebond.log-checkpoints.v1"  # each service's signed checkpoints of its log (contracts.log_checkpoint)

ALL = (CANDIDATURE, INSTRUCTION, FINANCEMENT, PUBLICATION, PUBLIC, DEAD_LETTERS, REPLAY_REQUESTS, LOG_CHECKPOINTS)

# stream-type prefix → topic, for each producing service's relay
STREAM_TOPICS = {
    "candidature": CANDIDATURE,  # a territory's candidature
    "vague": CANDIDATURE,  # a wave and its relève
    "ami": CANDIDATURE,  # the AMI itself (early closure)
    "dossier": INSTRUCTION,  # the selection of a candidature
    "mission": INSTRUCTION,  # a laureate's engineering mission and its COPIL
    "recensement": INSTRUCTION,  # the companies a mission's consultants met
    "projet": INSTRUCTION,  # one industrial project: census, qualification, aid request, Bpifrance's instruction
    "enveloppe": FINANCEMENT,  # a territory's envelope, its aids, their payments and repayments
    "programme": FINANCEMENT,  # the programme's ledgers: the 90 M€ fund and the 10 M€ of engineering
    "publication": PUBLICATION,  # one publication's request, clearances, refusal and release
    "public": PUBLIC,  # one publication as it was made public
}


def topic_for_stream(stream_id: str) -> str:
    prefix = stream_id.split("-", 1)[0]
    try:
        return STREAM_TOPICS[prefix]
    except KeyError:
        raise ValueError(f"no topic for stream type {prefix!r} (stream {stream_id!r})") from None


def topics_of(service: str) -> list[str]:
    """The topics a service's relay feeds with its events."""
    return sorted({topic for topic in STREAM_TOPICS.values() if topic.startswith(f"{service}.")})


def event_types_on(topic: str) -> list[str]:
    """The event types published on a service topic (by the contracts module they are declared in)."""
    service = topic.split(".", 1)[0]
    return sorted(t for t, model in all_models().items() if model.__module__.startswith(f"contracts.{service}."))
