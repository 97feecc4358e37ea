"""provenance: does what a document cites still exist, is it still the same, and was it ever what the document says?"""

from typing import Any

from .version import __version__

__all__ = ["__version__", "audit", "load_config"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing one stage (e.g. provenance.records) does not import them all.
    if name == "audit":
        from .pipeline import audit

        return audit
    if name == "load_config":
        from .config import load_config

        return load_config
    raise AttributeError(name)
