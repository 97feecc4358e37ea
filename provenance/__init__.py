"""provenance: does what a document cites still exist, is it still the same, and was it ever what the document says?"""

__version__ = "0.1.0"

from .config import load_config  # noqa: E402
from .pipeline import audit  # noqa: E402

__all__ = ["__version__", "audit", "load_config"]
