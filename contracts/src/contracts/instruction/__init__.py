"""Events of the instruction service (topic instruction.dossier.v1, streams `dossier-<candidature_id>`)."""
