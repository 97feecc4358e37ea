"""Rule families; importing this package registers every rule with the registry."""

from . import archive, network, offline

__all__ = ["archive", "network", "offline"]  # imported for their @rule registrations
