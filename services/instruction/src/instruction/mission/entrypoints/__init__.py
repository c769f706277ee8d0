"""Edges of the slice: its HTTP routes, its reactors to published events, its watchers."""
