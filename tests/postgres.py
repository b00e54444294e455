"""A throwaway PostgreSQL cluster for the store tests, started and stopped by the harness.

It uses the server binaries installed on the machine (``scripts/ensure-postgres`` installs
them where they are missing), runs on a Unix socket in a temporary folder, and is deleted at
the end of the run. ``CJM_TEST_DATABASE_URL`` points the tests at an existing server instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL ``bin`` folder, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: Path) -> int:
    return int(path.parts[-3]) if path.parts[-3].isdigit() else 0


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private cluster; yield a SQLAlchemy URL of its ``postgres`` database."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found (run scripts/ensure-postgres)")
    root = Path(tempfile.mkdtemp(prefix="cjm-pg-"))
    run_as = _run_as(root)
    data = root / "data"
    try:
        subprocess.run(
            [
                *run_as,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-N",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [
                *run_as,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(root / "server.log"),
                "start",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@/postgres?host={root}"
    finally:
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _run_as(root: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    shutil.chown(root, user="postgres", group="postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server; yield its URL; drop it afterwards."""
    url = make_url(server_url)
    name = f"cjm_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
