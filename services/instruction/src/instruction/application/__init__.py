"""Use cases of the instruction service: load, decide, append through the event store port."""
