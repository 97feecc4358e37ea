"""Rule families; importing this package registers every rule with the registry."""

from . import archive, network, offline  # noqa: F401  (registration happens on import)
