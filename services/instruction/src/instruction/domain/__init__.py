"""Pure domain of the instruction service: the Dossier aggregate as decide/evolve, no I/O, no clock."""
