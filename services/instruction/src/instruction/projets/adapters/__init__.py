"""No storage of its own: the projects are event streams in the service's store."""
