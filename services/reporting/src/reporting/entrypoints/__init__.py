"""HTTP API, projection consumer wiring and the composition root."""
