"""Rebond's published language: the event envelope, every event's schema, topics and codec.

Every event a service records is published (its events table is its outbox), so these models are
both what the domain decides and what downstream subscribers read."""
