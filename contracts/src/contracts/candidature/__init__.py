"""Events of the candidature service (topic candidature.candidature.v1, streams `candidature-<id>`)."""
