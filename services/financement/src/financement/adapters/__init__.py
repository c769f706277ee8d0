"""Storage adapters of financement: the unit of work that commits an envelope and the programme together."""
