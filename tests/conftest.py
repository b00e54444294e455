"""Shared fixtures: a CLI runner, a scratch folder, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cjm.cli.app import main
from tests.postgres import fresh_database, server_binaries, throwaway_cluster

SHARED = Path(__file__).resolve().parents[2] / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the text models never reach for a hub
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Small data on two cores: few shuffle partitions, and no adaptive re-planning between the
# stages of a query (it costs more than it saves on a few thousand rows).
TEST_SPARK_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
}


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A disk cache of the test session's own (not the user's ~/.cache/cjm), empty at first,
    so each session compiles what it caches."""
    os.environ["CJM_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@dataclass
class Result:
    """What a CLI run printed and how it exited."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> object:
    """Run ``cjm ARGS`` in-process: ``cli("validate", "x.yaml") -> Result``."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch working folder with no store URL or author from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CJM_DATABASE_URL", raising=False)
    monkeypatch.setenv("CJM_AUTHOR", "tester")
    return tmp_path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the run: ``$CJM_TEST_DATABASE_URL`` or a throwaway cluster."""
    configured = os.environ.get("CJM_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    if server_binaries() is None:
        message = "PostgreSQL server binaries not found: run scripts/ensure-postgres"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    with fresh_database(server) as url:
        yield url


def _shared_data() -> Path:
    real = SHARED / "data" / "real"
    if not real.exists():
        if IN_CI:
            pytest.fail(f"{real} is missing in CI")
        pytest.skip(f"{real} does not exist (a user's own clone): real-data tests skipped")
    return real


@pytest.fixture
def shared_data() -> Path:
    """The real public data sets beside the project (skipped only where ../shared is absent)."""
    return _shared_data()


@pytest.fixture(scope="module")
def shared_data_module() -> Path:
    """The same, for module-scoped fixtures that load a real log once."""
    return _shared_data()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """A local Spark session (two cores, small shuffles, no UI), started as cjm starts one.

    Skipped where PySpark or Java is missing on a developer's machine; fails in CI, where
    ``make test`` installs both (the dev extra and scripts/ensure-java).
    """
    from cjm.analytics.engines import start_session
    from cjm.errors import InvalidInput

    try:
        session = start_session("local[2]", TEST_SPARK_SETTINGS)
    except InvalidInput as error:  # pragma: no cover - the dev extra and ensure-java
        message = f"{error.message} ({error.hint})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
