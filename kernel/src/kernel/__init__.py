"""The small shared event-sourcing kernel; it knows no business rule.

Its pure core (no I/O, no framework): `decider` (decide/evolve, refusals and their kinds), `ports` (the event store
port, command context), `envelopes` (sealing and chaining), `command_handler` (load, decide, append, answer with
the Decision), `reactor` (event → command, and the context of a reaction), `memory` (the in-memory store),
`testing` (given/when/then), `clock`. Its adapters live in `kernel.adapters` (PostgreSQL, Kafka, relay, consumer,
runtime, HTTP, tokens, logs, audit); the core never imports them (an import contract checks it)."""
