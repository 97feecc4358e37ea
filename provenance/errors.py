"""The exception tree.

    ProvenanceError                 anything the CLI reports as one stderr line and exit 2
    ├── ConfigError (ValueError)    a config file or option that cannot be used
    ├── InputError                  a path or URL that cannot be read at all
    ├── StorageError                the database cannot be opened, migrated or written
    ├── ArchiveUnavailable          an archive could not be asked (never means "not archived")
    ├── UnsafeDestination           a request refused by the private-address guard
    └── LeaseHeld                   another daemon holds the database's lease (exit 3)

Network failures of link checks are not exceptions: they are CheckResult values.
"""


class ProvenanceError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(ProvenanceError, ValueError):
    """The configuration cannot be used."""


class InputError(ProvenanceError):
    """An input cannot be read at all."""


class StorageError(ProvenanceError):
    """The store cannot be opened, migrated or written."""


class ArchiveUnavailable(ProvenanceError):
    """An archive could not be asked; says nothing about whether it holds the URL."""


class UnsafeDestination(ProvenanceError):
    """The private-address guard refused a destination."""

    def __init__(self, url: str, address: str, reason: str) -> None:
        super().__init__(f"refused {url}: {address} is {reason}")
        self.url = url
        self.address = address
        self.reason = reason


class LeaseHeld(ProvenanceError):
    """Another daemon holds this database's lease."""
