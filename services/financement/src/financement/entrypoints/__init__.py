"""Composition root and adapters to the outside: HTTP API, reactors to instruction's events, app factory."""
