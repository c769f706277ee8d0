"""Use cases: load, decide and append through the event store port; read the folded state."""
