"""The small shared event-sourcing kernel: decider, event store port and adapters, command handler,
outbox relay, idempotent consumer, logging. Services build on it; it knows no business rule."""
