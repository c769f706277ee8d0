"""Composition root and HTTP API of the candidature service."""
