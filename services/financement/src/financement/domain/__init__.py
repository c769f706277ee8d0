"""Pure business rules of financement: commands, the EnveloppeTerritoriale decider, refusals (no I/O)."""
