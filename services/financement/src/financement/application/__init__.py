"""Use cases of financement: load, decide, append through the event-store port; read-side queries."""
