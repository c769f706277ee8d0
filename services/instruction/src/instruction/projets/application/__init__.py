"""Use cases of the projects: load, decide, append through the kernel."""
