"""Use cases: read the figures as of a date, rebuild the projection from the Kafka log."""
