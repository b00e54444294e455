"""The store: immutable revisions, history, pull with comments, lost-update refusal.

Every test runs on SQLite and on a real PostgreSQL server started by the harness.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from cjm.errors import Conflict, InvalidInput, InvalidMap, NotFound, StoreError
from cjm.examples import example_path
from cjm.model import load_journey
from cjm.store import Store, content_hash
from cjm.store.tables import Base, RevisionRow


def _copy_example(folder: Path, name: str = "subscription") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(example_path(name).read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def _revision_count(store: Store) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(RevisionRow)) or 0


def _stale_copy(store: Store, folder: Path) -> Path:
    """A copy pulled at revision 1 and edited, while 'bo' pushed revision 2 meanwhile."""
    path = _copy_example(folder)
    store.push(path, "first", author="ana")
    stale = folder / "stale.yaml"
    stale.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(path, "emotion: -1", "emotion: 0")
    store.push(path, "second", author="bo")
    _edit(stale, "emotion: 2", "emotion: 1")
    return stale


@pytest.fixture
def store(store_url: str) -> Store:
    with Store(store_url) as opened:
        yield opened


def test_push_stores_revision_one_and_writes_it_into_the_file(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    result = store.push(path, "first draft", author="ana")
    assert (result.status, result.revision.number, result.revision.author) == ("created", 1, "ana")
    assert load_journey(path).revision == 1
    assert "revision: 1\n" in path.read_text(encoding="utf-8")


def test_push_of_an_identical_map_is_a_no_op(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    again = store.push(path, "nothing new", author="ana")
    assert (again.status, again.revision.number) == ("unchanged", 1)
    assert _revision_count(store) == 1


def test_push_ignores_formatting_and_comments_when_deciding_identity(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    path.write_text("# a new comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert store.push(path, "comment only", author="ana").status == "unchanged"


def test_log_lists_revisions_newest_first_with_author_and_message(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    _edit(path, "emotion: -1", "emotion: 0")
    store.push(path, "calmer", author="bo")
    log = store.log("subscription")
    assert [(r.number, r.parent, r.author, r.message) for r in log] == [
        (2, 1, "bo", "calmer"),
        (1, None, "ana", "first"),
    ]
    assert log[0].created_at.tzinfo is not None
    assert log[0].content_hash == content_hash(load_journey(path))


def test_pull_gives_back_the_pushed_text_with_comments(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    pulled = store.pull("subscription")
    assert pulled == path.read_text(encoding="utf-8")
    assert pulled.count("#") >= 10


def test_pull_of_an_old_revision_returns_that_revision(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    first_text = path.read_text(encoding="utf-8")
    _edit(path, "emotion: -1", "emotion: 0")
    store.push(path, "second", author="ana")
    assert store.pull("subscription", 1) == first_text
    assert store.revision("subscription", 1).journey.revision == 1


def test_pull_to_json_converts_the_revision(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    target = tmp_path / "out.json"
    store.pull_to("subscription", target)
    assert load_journey(target) == load_journey(path)


def test_push_from_an_old_revision_is_refused_naming_the_newer_work(store: Store, tmp_path: Path):
    stale = _stale_copy(store, tmp_path)
    with pytest.raises(Conflict) as caught:
        store.push(stale, "my edit", author="cy")
    assert caught.value.message == (
        "the store has moved on: this file was edited from revision 1 of 'subscription', "
        "but the latest is revision 2 (1 newer, by bo)"
    )
    assert caught.value.hint is not None
    assert "cjm diff subscription 1 2" in caught.value.hint
    assert _revision_count(store) == 2
    assert load_journey(stale).revision == 1


def test_force_push_stores_on_top_and_reports_what_it_overrides(store: Store, tmp_path: Path):
    stale = _stale_copy(store, tmp_path)
    result = store.push(stale, "mine wins", author="cy", force=True)
    assert result.revision.number == 3
    assert [(r.number, r.author) for r in result.overwritten] == [(2, "bo")]
    assert [r.number for r in store.log("subscription")] == [3, 2, 1]


def test_push_of_a_file_without_revision_onto_an_existing_journey_is_refused(
    store: Store, tmp_path: Path
):
    path = _copy_example(tmp_path)
    fresh = tmp_path / "fresh.yaml"
    fresh.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    store.push(path, "first", author="ana")
    _edit(fresh, "emotion: -1", "emotion: 0")
    with pytest.raises(Conflict, match="it has no 'revision:' key"):
        store.push(fresh, "second", author="ana")


def test_failed_push_of_an_invalid_map_leaves_the_store_as_it_was(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    before = store.pull("subscription")
    _edit(path, "emotion: -1", "emotion: 9")
    with pytest.raises(InvalidMap):
        store.push(path, "broken", author="ana")
    assert _revision_count(store) == 1
    assert store.pull("subscription") == before


def test_push_needs_a_message(store: Store, tmp_path: Path):
    with pytest.raises(InvalidInput, match="a push needs a message"):
        store.push(_copy_example(tmp_path), "  ", author="ana")


def test_unknown_journey_suggests_the_closest_stored_one(store: Store, tmp_path: Path):
    store.push(_copy_example(tmp_path), "first", author="ana")
    with pytest.raises(NotFound) as caught:
        store.log("subscriptoin")
    assert caught.value.message == "no journey 'subscriptoin' in the store"
    assert caught.value.hint == "did you mean 'subscription'?"


def test_unknown_revision_says_which_exist(store: Store, tmp_path: Path):
    store.push(_copy_example(tmp_path), "first", author="ana")
    with pytest.raises(NotFound) as caught:
        store.revision("subscription", 7)
    assert caught.value.message == "journey 'subscription' has no revision 7"
    assert caught.value.hint == "it has revisions 1 to 1 (cjm log subscription)"


def test_journeys_lists_the_latest_revision_of_each(store: Store, tmp_path: Path):
    store.push(_copy_example(tmp_path, "subscription"), "s", author="ana")
    repair = _copy_example(tmp_path, "repair-return")
    store.push(repair, "r1", author="ana")
    _edit(repair, "emotion: -1", "emotion: 0")
    store.push(repair, "r2", author="bo")
    assert [(r.journey, r.number) for r in store.journeys()] == [
        ("instrument-repair", 2),
        ("subscription", 1),
    ]


def test_semantic_diff_between_revisions(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    _edit(path, "emotion: -1", "emotion: 0")
    store.push(path, "second", author="ana")
    changes = [str(c) for c in store.diff("subscription")]
    assert len(changes) == 1
    assert changes[0].endswith("emotion -1 → 0")


def test_migrations_create_exactly_the_tables_the_code_declares(store: Store):
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_reopening_an_existing_store_keeps_its_revisions(store_url: str, tmp_path: Path):
    with Store(store_url) as first:
        first.push(_copy_example(tmp_path), "first", author="ana")
    with Store(store_url) as again:
        assert [r.number for r in again.log("subscription")] == [1]


def test_sqlite_store_runs_in_wal_mode(tmp_path: Path):
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as store, store.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_reading_from_a_missing_sqlite_store_does_not_create_it(tmp_path: Path):
    path = tmp_path / "none.db"
    with pytest.raises(NotFound, match="no store at"):
        Store(f"sqlite:///{path}", create=False)
    assert not path.exists()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match=r"cannot use .* as a cjm store"):
        Store(f"sqlite:///{path}")
    assert path.read_bytes() == b"these are my notes, not a database" * 100


def test_an_unreachable_postgres_server_gives_a_clear_error():
    with pytest.raises(StoreError) as caught:
        Store("postgresql://cjm:secret@127.0.0.1:1/nothing?connect_timeout=2")
    assert "secret" not in caught.value.message
    assert caught.value.message.startswith("cannot use the database postgresql://cjm:***@")


def test_a_file_that_cannot_be_rewritten_is_still_pushed_with_a_note(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def refuse(*_: object) -> None:
        raise InvalidInput("cannot write it: Permission denied")

    monkeypatch.setattr("cjm.store.revisions.write_text", refuse)
    result = store.push(_copy_example(tmp_path), "first", author="ana")
    assert result.revision.number == 1
    assert result.note == (
        "stored, but cannot write it: Permission denied: set 'revision: 1' in it by hand"
    )


def test_another_programs_database_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(StoreError, match="is not a cjm store: it holds other tables"):
            Store(f"sqlite:///{path}", create=create)
    assert path.read_bytes() == before


def test_a_store_from_an_unknown_schema_revision_is_refused(tmp_path: Path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('abc123def')")
    with pytest.raises(StoreError, match="written by another program or a newer cjm"):
        Store(f"sqlite:///{path}")


def test_reading_an_empty_database_does_not_make_it_a_store(tmp_path: Path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with pytest.raises(NotFound, match="no cjm store in"):
        Store(f"sqlite:///{path}", create=False)
    assert path.read_bytes() == b""


def test_a_locked_store_is_a_clear_error(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    path = _copy_example(tmp_path)
    with Store(url) as store:
        store.engine.dispose()
        locked = create_engine(url, connect_args={"timeout": 0.1})
        store.engine = locked
        with sqlite3.connect(tmp_path / "locked.db", isolation_level=None) as holder:
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StoreError, match="the store did not answer: database is locked"):
                store.push(path, "blocked", author="ana")
            holder.execute("ROLLBACK")


def test_push_writes_only_the_revision_line_into_the_file(store: Store, tmp_path: Path):
    text = "# mine\r\nid: tiny   # keep\r\nname: &n Tiny\r\nstages:\r\n  - {id: a, name: *n}\r\n"
    path = tmp_path / "tiny.yaml"
    path.write_bytes(text.encode())
    store.push(path, "first", author="ana")
    expected = text.replace("# keep\r\n", "# keep\r\nrevision: 1\r\n")
    assert path.read_bytes() == expected.encode()
    assert store.pull("tiny") == expected


def test_push_through_a_symlink_keeps_the_link(store: Store, tmp_path: Path):
    target = _copy_example(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    store.push(link, "first", author="ana")
    assert link.is_symlink()
    assert load_journey(target).revision == 1


def test_changing_a_stored_maps_id_is_refused(store: Store, tmp_path: Path):
    path = _copy_example(tmp_path)
    store.push(path, "first", author="ana")
    _edit(path, "id: subscription", "id: subscription-2")
    with pytest.raises(Conflict, match="the store has no journey 'subscription-2': was its id"):
        store.push(path, "renamed", author="ana")
    assert store.push(path, "new journey", author="ana", force=True).revision.number == 1


def test_terminal_escapes_are_stripped_from_messages_and_authors(store: Store, tmp_path: Path):
    store.push(_copy_example(tmp_path), "first\x1b[31m red", author="a\x07na")
    (info,) = store.log("subscription")
    assert (info.message, info.author) == ("first[31m red", "ana")
