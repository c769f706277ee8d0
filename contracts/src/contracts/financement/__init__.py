"""Events of the financement service (topic financement.enveloppe.v1, streams `enveloppe-<territoire_id>`)."""
