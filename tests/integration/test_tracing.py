"""OpenTelemetry tracing (kernel.adapters.tracing), off by default: when on, one trace follows a command from its
HTTP request through its SQL, the relay's publication of its event (the trace context recorded with the event) and
Kafka, to the consumer that applies it (its batch span links the message's trace; its own SQL runs under it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from candidature.app import create_app as candidature_app
from kernel.adapters.tracing import configure_tracing, disable_tracing, flush_spans, tracing_on
from kernel.clock import SimulatedClock
from reporting.app import create_app as reporting_app
from tests.integration.test_candidature_api import dossier, epci, siren
from tests.support import eventually, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


def test_tracing_is_off_by_default() -> None:
    assert configure_tracing("candidature") is False and not tracing_on()


async def test_one_trace_follows_a_command_from_http_to_the_consumer_that_applies_it(settings_for) -> None:  # type: ignore[no-untyped-def]
    exporter = InMemorySpanExporter()
    assert configure_tracing("tests", exporter)
    try:
        cand, rep = await settings_for("candidature"), await settings_for("reporting")
        clock = SimulatedClock(datetime(2023, 8, 29, 10, tzinfo=ZoneInfo("Europe/Paris")))
        async with running(candidature_app(cand, clock=clock)) as client, running(reporting_app(rep)):
            sirens = [siren()]
            cid = f"cand-{uuid.uuid4().hex[:8]}"
            created = await client.post(
                "/candidatures", json={"candidature_id": cid, **dossier(sirens)}, headers=epci(sirens[0])
            )
            assert created.status_code == 201, created.text
            request = next(s for s in _spans(exporter) if s.kind is SpanKind.SERVER and "/candidatures" in s.name)
            trace_id = request.context.trace_id

            def consumed() -> list[ReadableSpan]:
                return [
                    s
                    for s in _spans(exporter)
                    if s.kind is SpanKind.CONSUMER
                    and (s.context.trace_id == trace_id or any(link.context.trace_id == trace_id for link in s.links))
                ]

            async def applied() -> list[ReadableSpan]:
                return consumed()

            [consumer, *_] = await eventually(applied, what="reporting's consumer span for the draft's event")
        spans = _spans(exporter)
        in_trace = [s for s in spans if s.context.trace_id == trace_id]
        assert any(s.attributes and s.attributes.get("db.system") == "postgresql" for s in in_trace)  # the append
        assert any(s.kind is SpanKind.PRODUCER for s in in_trace)  # the relay's publication, in the command's trace
        under_consumer = _descendants(spans, consumer)  # FastStream's "process" span, then the batch's SQL under it
        assert any(s.attributes and s.attributes.get("db.system") == "postgresql" for s in under_consumer)
    finally:
        disable_tracing()
    assert not tracing_on()


def _descendants(spans: list[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    found, frontier = [], {root.context.span_id}
    while frontier:
        children = [s for s in spans if s.parent is not None and s.parent.span_id in frontier]
        found += children
        frontier = {s.context.span_id for s in children}
    return found


def _spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    flush_spans()  # flush what the batch processor holds
    return list(exporter.get_finished_spans())
