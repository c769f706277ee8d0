"""Adapters of the instruction service beyond the kernel's event store: direct reads of its events table."""
