"""OpenTelemetry tracing, off by default: `REBOND_TRACING=otlp` sends spans to the collector the standard variables
name (OTEL_EXPORTER_OTLP_ENDPOINT, …), `console` prints them; `off` (the default) installs nothing and costs nothing.

One trace follows a command across the services: its HTTP request (FastAPI), its SQL (asyncpg), then, since the
events cross later and through the log, the trace context recorded with each event (events.trace_context) under
which the relay publishes it (its traceparent header); a consumer's batch span (FastStream's Kafka middleware)
links the trace of each message it applied, and its own SQL runs under that span."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

MODES = ("off", "otlp", "console")
_PROPAGATOR = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


def configure_tracing(service: str, exporter: SpanExporter | None = None) -> bool:
    """Install tracing for this process once (REBOND_TRACING, or the exporter given: a test's); whether it is on."""
    global _provider
    if _provider is not None:
        return True
    mode = os.environ.get("REBOND_TRACING", "off").strip().lower() or "off"
    if mode not in MODES:
        raise ValueError(f"REBOND_TRACING: one of {', '.join(MODES)}, not {mode!r}")
    if exporter is None and mode == "off":
        return False
    if exporter is None:
        exporter = ConsoleSpanExporter() if mode == "console" else _otlp()
    provider = TracerProvider(resource=Resource.create({"service.name": f"rebond-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    _provider = provider
    return True


def _otlp() -> SpanExporter:
    """The OTLP/HTTP exporter, configured by the standard variables; one of the endpoints must be given (else spans
    would go to localhost, silently)."""
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        raise ValueError("REBOND_TRACING=otlp needs OTEL_EXPORTER_OTLP_ENDPOINT (or its TRACES_ variant)")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def tracing_on() -> bool:
    return _provider is not None


def instrument_app(app: Any) -> None:
    """Spans for every HTTP request of a FastAPI app, when tracing is on."""
    if _provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls="health,metrics")


def kafka_middlewares() -> tuple[Any, ...]:
    """FastStream's Kafka telemetry (publish and consume spans, trace headers), when tracing is on."""
    if _provider is None:
        return ()
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

    return (KafkaTelemetryMiddleware(tracer_provider=_provider),)


def current_trace_context() -> str | None:
    """The W3C traceparent of the span in progress (None without one: tracing off, or no request)."""
    if _provider is None:  # every append asks: nothing to do when tracing is off
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def within_trace(traceparent: str | None) -> Iterator[None]:
    """Run the block inside the trace a traceparent names (nothing changes without one)."""
    if not traceparent:
        yield
        return
    token = context.attach(_PROPAGATOR.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        context.detach(token)


def flush_spans() -> None:
    """Flush the spans still buffered (a process that stops)."""
    if _provider is not None:
        _provider.force_flush()


def disable_tracing() -> None:
    """Stop tracing what starts from now on (a test that turned it on for itself): no new app, broker or query is
    instrumented. OpenTelemetry's global provider cannot be unset; nothing of ours uses it afterwards."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    _provider.force_flush()
    AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
    _provider = None
