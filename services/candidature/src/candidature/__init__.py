"""Candidature service: a territory deposits its dossier to a wave of the AMI « Rebond industriel »."""
