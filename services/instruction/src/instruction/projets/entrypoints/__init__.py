"""HTTP routes of the projects."""
