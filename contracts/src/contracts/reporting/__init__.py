"""Events of the reporting service: the publication workflow (internal, confidential until cleared)."""
