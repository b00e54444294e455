"""Where the store lives: a SQLite file by default, PostgreSQL by URL; migrations on open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from cjm.errors import CJMError, InvalidInput, NotFound, StoreError

DEFAULT_FILE = "cjm.db"
URL_VARIABLE = "CJM_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str | None = None) -> URL:
    """The store's URL: ``url``, else ``$CJM_DATABASE_URL``, else ``sqlite:///cjm.db``."""
    text = url or os.environ.get(URL_VARIABLE) or f"sqlite:///{DEFAULT_FILE}"
    try:
        parsed = make_url(text)
        parsed.port  # noqa: B018 - a port that is not a number fails here, not later
    except (ArgumentError, ValueError):
        raise InvalidInput(
            f"not a database URL: {text!r}",
            hint="use sqlite:///path/to/cjm.db or postgresql://user:password@host/dbname",
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"unsupported database {parsed.get_backend_name()!r} in {shown(parsed)}",
            hint="cjm stores maps in SQLite (the default) or PostgreSQL",
        )
    return parsed


def shown(url: URL) -> str:
    """The URL as the user wrote it, with its password hidden, for messages."""
    name = url.drivername.removesuffix("+psycopg")
    return url.set(drivername=name).render_as_string(hide_password=True)


def connect(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine on the store, migrated to the current schema.

    With ``create=False`` a missing SQLite file is :class:`NotFound` instead of being made,
    so reading commands never leave an empty ``cjm.db`` behind.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_path(parsed, create)
    try:
        engine = create_engine(parsed, **_engine_options(parsed))
    except (ArgumentError, ValueError, TypeError) as exc:
        raise InvalidInput(
            f"cannot use the database URL {shown(parsed)}: {exc}",
            hint="use sqlite:///path/to/cjm.db or postgresql://user:password@host/dbname",
        ) from None
    except ModuleNotFoundError:
        raise StoreError(
            "the PostgreSQL driver is not installed",
            hint="pip install 'cjm[postgres]'",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine, shown(parsed), create=create)
    except (OperationalError, DBAPIError, CommandError) as exc:
        engine.dispose()
        raise _unusable(parsed, exc) from None
    except CJMError:
        engine.dispose()
        raise
    return engine


def migrate(engine: Engine, name: str = "the database", *, create: bool = True) -> None:
    """Bring a cjm store's schema to the newest migration; refuse any other database.

    An empty database becomes a store only with ``create``; one holding other tables, or a
    schema revision this cjm does not know, is refused untouched.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None:
            tables = inspect(connection).get_table_names()
            if tables:
                raise StoreError(
                    f"{name} is not a cjm store: it holds other tables ({', '.join(tables[:5])})",
                    hint="point CJM_DATABASE_URL at a new file or an empty database",
                )
            if not create:
                raise NotFound(
                    f"no cjm store in {name}",
                    hint=f"push a map first (cjm push FILE -m MESSAGE), or set {URL_VARIABLE}",
                )
        elif current not in {script.revision for script in scripts.walk_revisions()}:
            raise StoreError(
                f"{name} was written by another program or a newer cjm (schema {current!r})",
                hint="upgrade cjm, or point CJM_DATABASE_URL at another store",
            )
        if current != scripts.get_current_head():
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def _engine_options(url: URL) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _check_sqlite_path(url: URL, create: bool) -> None:
    if not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file", hint="give a file path")
    if not path.exists():
        if not create:
            raise NotFound(
                f"no store at {path}",
                hint=f"push a map first (cjm push FILE -m MESSAGE), or set {URL_VARIABLE}",
            )
        if not path.parent.exists():
            raise StoreError(
                f"cannot create the store {path}: folder {path.parent} does not exist",
                hint="create the folder first, or set CJM_DATABASE_URL",
            )


def _unusable(url: URL, exc: Exception) -> StoreError:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    if url.get_backend_name() == "sqlite":
        return StoreError(
            f"cannot use {url.database} as a cjm store: {detail}",
            hint="is it a cjm store? Point CJM_DATABASE_URL at another file to start afresh",
        )
    return StoreError(
        f"cannot use the database {shown(url)}: {detail}",
        hint=f"check {URL_VARIABLE} and that the server is running and reachable",
    )
