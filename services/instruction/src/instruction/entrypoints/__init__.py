"""Edges of the instruction service: HTTP API, reactors to other services' events, composition root."""
