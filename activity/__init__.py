"""Study activity: organisation units, visits to learning sites, events, research topics, statistics."""

from __future__ import annotations

from .stats import GROUPINGS, Count, visit_stats
from .units import KINDS, Unit
from .visits import ACTIVITIES, Visit

__all__ = ["ACTIVITIES", "GROUPINGS", "KINDS", "Count", "Unit", "Visit", "visit_stats"]
