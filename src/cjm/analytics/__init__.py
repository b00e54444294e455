"""The event-log engine: every analytic written once as an Ibis expression (``flow``,
``funnel``, ``variants``...), run by DuckDB by default or by Spark (``engines``), and again
as compiled passes over the log sorted once (``parts``, ``single_pass``), which give the same
numbers without loading Ibis. :func:`cjm.analytics.analyze.analyze` runs them all.
"""
