"""Slice « selection »: one candidature's dossier, from its reception by instruction to the Prime Minister's decision
(stream `dossier-<candidature_id>`): eligibility, instruction on the 7 criteria, experts, the CDC's conclusions, the
comité's and the SGPI's opinions. Never imports the other slices."""
