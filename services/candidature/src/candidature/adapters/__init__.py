"""PostgreSQL adapters of the candidature service: the index of deposits and the unit of work around it."""
