"""The kernel's adapters: PostgreSQL (event store, migrations), Kafka (broker, topics, subscriptions), the outbox
relay, the idempotent consumer, the service runtime that wires them, HTTP, access tokens, logs and the audit CLI.

The pure core (decider, ports, envelopes, in-memory store, testing, reactor) never imports them."""
