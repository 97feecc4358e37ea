"""The reconciler: pure rules over stored evidence -> findings (no network, no SQL)."""

from . import rules
from .context import LinkView, ReconcileContext, build_context
from .registry import RULES, run_rules

__all__ = ["LinkView", "RULES", "ReconcileContext", "build_context", "rules", "run_rules"]
