"""Reporting service: read-only projections of the event log (SGPI transparency figures, as of any date)."""
