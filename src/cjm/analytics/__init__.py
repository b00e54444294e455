"""The event-log engine: every analytic written once as an Ibis expression.

DuckDB runs them by default; the same expressions compile for other Ibis backends.
"""

from cjm.analytics.flow import directly_follows, end_activities, start_activities
from cjm.analytics.tables import events_table
from cjm.analytics.variants import variants

__all__ = ["directly_follows", "end_activities", "events_table", "start_activities", "variants"]
