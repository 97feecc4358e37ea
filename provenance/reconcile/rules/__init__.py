"""Rule families; importing this package registers every rule with the registry."""

from . import archive, link_text, network, offline

__all__ = ["archive", "link_text", "network", "offline"]  # imported for their @rule registrations
