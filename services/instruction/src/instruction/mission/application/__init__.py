"""Use cases of the slice: load, decide, append through the event store port; reads; the ports they need."""
