"""Pure rules of the projects: no I/O, no clock (dates arrive in the commands)."""
