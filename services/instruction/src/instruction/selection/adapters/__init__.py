"""Adapters of the slice. It persists only through the kernel's event store (kernel.adapters.postgres: the
service's events table, also read stream type by stream type for lists and watchers), so it needs none of its own
yet; a read model or an index of the slice would live here."""
