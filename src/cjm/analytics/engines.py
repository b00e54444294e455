"""Where the analytics run: DuckDB (embedded, the default) or Spark (the scale-out engine).

Every analytic is one Ibis expression; an engine only says where the canonical events live
and how the mapped events are kept for the many queries of one analysis. DuckDB keeps them in
a temporary table of the log's own connection. Spark gets the canonical events that DuckDB
read (handed over as Arrow, so Spark sees exactly the rows, types and order DuckDB does) and
caches the mapped events in the cluster's memory. Ibis is imported when an engine first runs
an analytic, not with this module: the single pass (:mod:`cjm.analytics.parts`) needs only
:func:`engine_for`.

>>> engine_for("duckdb").name
'duckdb'
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import shutil
import socket
import urllib.parse
from typing import TYPE_CHECKING, Any, Literal, Protocol

from cjm.errors import InvalidInput
from cjm.evidence.events import EventLog

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from pyspark.sql import DataFrame, SparkSession

EngineName = Literal["duckdb", "spark"]
JOURNEY_ORDER = ("customer_id", "timestamp", "seq")
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
MASTER_ENV = "CJM_SPARK_MASTER"
DEFAULT_MASTER = "local[*]"
CONNECT_TIMEOUT_S = 5.0
# The settings cjm needs from any session it runs on: timestamps stay in UTC.
SPARK_SETTINGS = {"spark.sql.session.timeZone": "UTC"}
# For the sessions cjm starts itself (a local or standalone application).
SPARK_DEFAULTS = {
    **SPARK_SETTINGS,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


class Engine(Protocol):
    """Runs the analytics of one analysis."""

    @property
    def name(self) -> str:
        """``duckdb`` or ``spark``."""
        ...

    def keep(self, log: EventLog, mapped: ir.Table) -> ir.Table:
        """``mapped`` (an expression over :meth:`events`) computed once and kept."""
        ...

    def events(self, log: EventLog) -> ir.Table:
        """The log's canonical events as an Ibis table on this engine."""
        ...

    def release(self) -> None:
        """Free what the last analysis kept."""
        ...


class DuckDBEngine:
    """The embedded default: the analytics run on the log's own DuckDB connection."""

    name = "duckdb"

    def events(self, log: EventLog) -> ir.Table:
        """The ``events`` table of the log's connection."""
        import ibis  # here, not at the top: the single pass runs without Ibis

        return ibis.duckdb.from_connection(log.connection).table(log.table)

    def keep(self, log: EventLog, mapped: ir.Table) -> ir.Table:
        """A TEMP TABLE ``mapped`` on the log's connection, through SQL: Ibis's ``cache()``
        and ``create_table`` do not work with DuckDB 2.0."""
        import ibis

        sql = ibis.to_sql(mapped, dialect="duckdb")
        log.connection.execute(f"CREATE OR REPLACE TEMP TABLE mapped AS {sql}")
        return ibis.duckdb.from_connection(log.connection).table("mapped")

    def release(self) -> None:
        """Nothing to free: the temporary table goes with the log's connection."""


class SparkEngine:
    """Spark through Ibis's PySpark backend: an existing ``session``, or one cjm starts on
    ``master`` (``local[*]``, ``local[2]``, ``spark://host:7077``; default: the
    ``CJM_SPARK_MASTER`` environment variable, else ``local[*]``).

    The events reach Spark from DuckDB's canonical table as Arrow batches through the driver:
    the reading and checking of the raw file stays in one place (``cjm.evidence``), and Spark
    runs the analytics. What one analysis caches is freed by :meth:`release` (``analyze``
    calls it) or when the next analysis starts.
    """

    name = "spark"
    _views = itertools.count(1)

    def __init__(self, session: SparkSession | None = None, *, master: str | None = None) -> None:
        self._session = session
        self._master = master
        self._backend: Any = None
        self._kept: list[tuple[str, DataFrame | None]] = []

    @property
    def session(self) -> SparkSession:
        """The Spark session, started on first use when none was given."""
        if self._session is None:
            self._session = start_session(self._master)
        return self._session

    def events(self, log: EventLog) -> ir.Table:
        """The canonical events as a Spark temporary view (timestamps in UTC)."""
        self.release()
        arrow = log.connection.table(log.table).to_arrow_table()
        return self._view(self.session.createDataFrame(arrow), cache=False)

    def keep(self, log: EventLog, mapped: ir.Table) -> ir.Table:
        """The mapped events, computed once and cached in Spark's memory (spilling to disk),
        partitioned by customer and sorted in journey order: the window functions and
        per-customer aggregates of every analytic then run without another shuffle or sort.
        Two partitions per core, not Spark's 200 shuffle partitions: every analytic runs a
        task per partition of this frame (200 made 100,000 events take 155 s on 2 cores)."""
        frame = self.session.sql(self._ibis().compile(mapped))
        parts = self._partitions()
        by_customer = (
            frame.repartition(parts, "customer_id") if parts else frame.repartition("customer_id")
        )
        frame = by_customer.sortWithinPartitions(*JOURNEY_ORDER)
        return self._view(frame, cache=True)

    def _partitions(self) -> int | None:
        """Two per core of the session; None (Spark's own number) on a session without a
        SparkContext to ask (Spark Connect)."""
        try:
            return 2 * int(self.session.sparkContext.defaultParallelism)
        except Exception:  # Spark Connect raises its own not-implemented error
            return None

    def release(self) -> None:
        """Drop the views and cached data of the last analysis."""
        while self._kept:
            view, frame = self._kept.pop()
            with contextlib.suppress(Exception):  # the session may be gone already
                self.session.catalog.dropTempView(view)
                if frame is not None:
                    frame.unpersist()

    def _view(self, frame: DataFrame, *, cache: bool) -> ir.Table:
        import ibis.expr.datatypes as dt

        view = f"cjm_{os.getpid()}_{next(self._views)}"
        if cache:
            frame = frame.persist()
        frame.createOrReplaceTempView(view)
        self._kept.append((view, frame if cache else None))
        table = self._ibis().table(view)
        # Spark's TIMESTAMP is an instant shown in the session time zone (UTC, see
        # SPARK_SETTINGS); Ibis reads it as a naive timestamp. Say it is UTC, as on DuckDB,
        # so results carry the same type on both engines.
        return table.mutate(timestamp=table.timestamp.cast(dt.Timestamp(timezone="UTC")))

    def _ibis(self) -> Any:
        if self._backend is None:
            session = self.session
            for key, value in SPARK_SETTINGS.items():
                session.conf.set(key, value)
            import ibis

            self._backend = ibis.pyspark.connect(session)
        return self._backend


def engine_for(engine: EngineName | Engine, spark_master: str | None = None) -> Engine:
    """The engine named ``duckdb`` or ``spark`` (on ``spark_master``), or ``engine`` itself."""
    if not isinstance(engine, str):
        return engine
    if engine == "duckdb":
        return DuckDBEngine()
    if engine == "spark":
        return SparkEngine(master=spark_master)
    raise InvalidInput(f"unknown engine '{engine}'", hint=f"use one of: {', '.join(ENGINES)}")


def start_session(
    master: str | None = None, settings: dict[str, str] | None = None
) -> SparkSession:
    """A Spark session for cjm on ``master`` (with extra Spark ``settings``), or the one
    already running in this process; clear errors when Spark cannot start."""
    master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
    if importlib.util.find_spec("pyspark") is None:
        raise InvalidInput(
            "the spark engine needs PySpark, which is not installed",
            hint="pip install 'cjm[spark]' (PySpark also needs Java 17 or later)",
        )
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise InvalidInput(
            "the spark engine needs Java, which was not found (no JAVA_HOME, no 'java' on PATH)",
            hint="install Java 17 or later (e.g. apt-get install openjdk-17-jre-headless)",
        )
    check_master(master)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("cjm")
    for key, value in {**SPARK_DEFAULTS, **(settings or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Spark reports a failed start with many exception types
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InvalidInput(
            f"cannot start Spark on '{master}': {detail}",
            hint="check the master URL and that Java 17 or later is installed",
        ) from None


def check_master(master: str) -> None:
    """Refuse a master URL Spark cannot use, and a ``spark://`` master that does not answer
    (Spark itself would retry for a minute before giving up)."""
    if master == "local" or master.startswith(("local[", "local-cluster[")):
        return
    parsed = urllib.parse.urlsplit(master)
    if parsed.scheme not in ("spark", "yarn", "k8s", "mesos") and master != "yarn":
        raise InvalidInput(
            f"cannot use the Spark master '{master}'",
            hint="give local[*], local[N] or spark://host:7077",
        )
    if parsed.scheme != "spark":
        return
    for address in parsed.netloc.split(","):  # standalone masters with standby: a,b
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
                return
        except (OSError, ValueError):
            continue
    raise InvalidInput(
        f"cannot reach the Spark master at {master}",
        hint="check that the master runs and the host and port are right "
        "(the port of a standalone master is 7077 by default)",
    )
