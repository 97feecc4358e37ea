"""The reconciler: pure rules over stored evidence -> findings (no network, no SQL)."""

from . import rules  # noqa: F401  (registers every rule)
from .context import LinkView, ReconcileContext, build_context
from .registry import RULES, run_rules

__all__ = ["LinkView", "RULES", "ReconcileContext", "build_context", "run_rules"]
