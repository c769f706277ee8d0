"""Pure rules of the slice: commands, the aggregate's state and evolve, its decider, refusals (no I/O, no clock)."""
