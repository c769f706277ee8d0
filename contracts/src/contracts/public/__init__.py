"""The published language for downstream subscribers: what the programme made public, and nothing else."""
