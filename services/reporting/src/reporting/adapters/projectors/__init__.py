"""Projectors: each writes one event type's public facts into a projection schema (idempotent per fact)."""
