"""Maps with history: push immutable revisions, list them, read them back, refuse lost updates.

Every revision keeps the exact text it was pushed from (with its ``revision`` number written
in), so pulling it gives back the file a person wrote, comments and all.

>>> from cjm.examples import example_path
>>> from cjm.model import read_document
>>> store = Store("sqlite://")
>>> document = read_document(example_path("subscription"))
>>> store.push(document, "first draft", author="ana").revision.number
1
>>> store.revision("subscription").journey.revision
1
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, defer

from cjm.errors import Conflict, InvalidInput, NotFound, StoreError
from cjm.model.diagnostics import did_you_mean
from cjm.model.diff import Change, diff_journeys
from cjm.model.files import (
    Document,
    Format,
    format_of,
    read_document,
    with_revision,
    write_text,
)
from cjm.model.io import dump_journey, journey_from_document
from cjm.model.journey import Journey
from cjm.store.database import connect
from cjm.store.tables import JourneyRow, RevisionRow


@dataclass(frozen=True)
class RevisionInfo:
    """What ``cjm log`` shows of a revision."""

    journey: str
    number: int
    parent: int | None
    author: str
    message: str
    created_at: dt.datetime
    content_hash: str


@dataclass(frozen=True)
class Revision:
    """A stored revision: its facts, its file text and its journey."""

    info: RevisionInfo
    text: str
    format: Format
    content: dict[str, Any]

    @property
    def journey(self) -> Journey:
        """The journey this revision holds (from its stored content, not by re-parsing)."""
        return Journey.model_validate({**self.content, "revision": self.info.number})


@dataclass(frozen=True)
class PushResult:
    """What a push did: ``created`` a revision, or nothing because the map is ``unchanged``."""

    status: str
    revision: RevisionInfo
    overwritten: list[RevisionInfo] = field(default_factory=list)
    note: str | None = None

    @property
    def created(self) -> bool:
        """Whether a new revision was stored."""
        return self.status == "created"


def content_hash(journey: Journey) -> str:
    """SHA-256 of the map's content: the same for the same map, whatever its formatting."""
    canonical = json.dumps(journey.content(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_author() -> str:
    """``$CJM_AUTHOR``, else the login name."""
    try:
        return os.environ.get("CJM_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    """Journey maps and their revisions in SQLite (default) or PostgreSQL.

    ``Store()`` opens ``$CJM_DATABASE_URL`` or ``sqlite:///cjm.db``; ``create=False`` refuses to
    make a new SQLite file (for commands that only read).
    """

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        self.engine: Engine = connect(url, create=create)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """A session; database failures (a lock held too long, a lost server) become
        :class:`~cjm.errors.StoreError`, after the transaction rolled back."""
        try:
            with Session(self.engine) as session:
                if write:
                    with session.begin():
                        yield session
                else:
                    yield session
        except OperationalError as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(
                f"the store did not answer: {detail}",
                hint="another program may be writing to it: try again in a moment",
            ) from None

    # Writing -----------------------------------------------------------------------------

    def push(
        self,
        source: str | Path | Document,
        message: str,
        *,
        author: str | None = None,
        force: bool = False,
        write_back: bool = True,
    ) -> PushResult:
        """Store the map in ``source`` as a new revision, unless it is identical to the latest.

        Refuses (:class:`~cjm.errors.Conflict`) a file edited from an older revision than the
        latest, so nobody's changes are lost; ``force=True`` stores it anyway on top and
        reports which revisions it overrides (they stay in the history). With ``write_back``
        the file's ``revision:`` key is updated to the stored revision, comments kept.
        """
        if not _clean(message):
            raise InvalidInput("a push needs a message", hint="say what changed with -m 'MESSAGE'")
        document = source if isinstance(source, Document) else read_document(source)
        journey = journey_from_document(document)
        digest = content_hash(journey)
        text: str | None = None  # the stamped text, when a revision is stored
        with self._session(write=True) as session:
            row = session.scalars(select(JourneyRow).where(JourneyRow.slug == journey.id)).first()
            latest = _latest(session, row)
            if latest is not None and latest.content_hash == digest:
                result = PushResult("unchanged", _info(latest, journey.id))
            else:
                if row is None and journey.revision is not None and not force:
                    raise Conflict(
                        f"this file says it is revision {journey.revision}, but the store has "
                        f"no journey '{journey.id}': was its id changed?",
                        hint="ids never change once stored: put the old id back, or push "
                        f"--force to start a new journey '{journey.id}'",
                    )
                overwritten = _check_base(session, journey, latest, force)
                row = row or _new_journey_row(session, journey)
                row.name = journey.name
                number = latest.number + 1 if latest else 1
                text = _stamped_text(journey, document, number)
                revision = RevisionRow(
                    journey=row,
                    number=number,
                    parent=latest.number if latest else None,
                    author=_clean(author or default_author())[:200] or "unknown",
                    message=_clean(message),
                    created_at=dt.datetime.now(dt.UTC),
                    content_hash=digest,
                    format=document.format,
                    text=text,
                    content=journey.content(),
                )
                session.add(revision)
                try:
                    session.flush()
                except IntegrityError:
                    raise Conflict(
                        f"someone else pushed journey '{journey.id}' at the same moment",
                        hint=f"pull the latest (cjm pull {journey.id}), merge your edits, "
                        "push again",
                    ) from None
                result = PushResult("created", _info(revision, journey.id), overwritten)
        number = result.revision.number
        if write_back and not isinstance(source, Document) and journey.revision != number:
            try:
                write_text(source, text or _stamped_text(journey, document, number))
            except InvalidInput as exc:
                note = f"stored, but {exc.message}: set 'revision: {number}' in it by hand"
                result = dataclasses.replace(result, note=note)
        return result

    # Reading -----------------------------------------------------------------------------

    def journeys(self) -> list[RevisionInfo]:
        """The latest revision of every stored journey, by journey id."""
        latest = (
            select(RevisionRow.journey_id, func.max(RevisionRow.number).label("number"))
            .group_by(RevisionRow.journey_id)
            .subquery()
        )
        query = (
            _summary_query()
            .join(
                latest,
                (RevisionRow.journey_id == latest.c.journey_id)
                & (RevisionRow.number == latest.c.number),
            )
            .order_by(JourneyRow.slug)
        )
        with self._session() as session:
            return [_info(revision, slug) for revision, slug in session.execute(query)]

    def log(self, journey_id: str) -> list[RevisionInfo]:
        """Every revision of a journey, newest first."""
        with self._session() as session:
            row = _journey_row(session, journey_id)
            query = (
                _summary_query()
                .where(RevisionRow.journey_id == row.id)
                .order_by(RevisionRow.number.desc())
            )
            return [_info(revision, slug) for revision, slug in session.execute(query)]

    def revision(self, journey_id: str, number: int | None = None) -> Revision:
        """One revision (the latest when ``number`` is None)."""
        with self._session() as session:
            row = _journey_row(session, journey_id)
            latest = _latest(session, row)
            assert latest is not None  # _journey_row refuses journeys without revisions
            if number is None or number == latest.number:
                found: RevisionRow | None = latest
            else:
                found = session.scalars(
                    select(RevisionRow).where(
                        RevisionRow.journey_id == row.id, RevisionRow.number == number
                    )
                ).first()
            if found is None:
                raise NotFound(
                    f"journey '{journey_id}' has no revision {number}",
                    hint=f"it has revisions 1 to {latest.number} (cjm log {journey_id})",
                )
            return Revision(
                _info(found, journey_id),
                found.text,
                "json" if found.format == "json" else "yaml",
                found.content,
            )

    def pull(self, journey_id: str, number: int | None = None, fmt: Format | None = None) -> str:
        """The file text of a revision; in its own format it is the very text pushed."""
        revision = self.revision(journey_id, number)
        if fmt is None or fmt == revision.format:
            return revision.text
        return dump_journey(revision.journey, fmt)

    def pull_to(self, journey_id: str, path: str | Path, number: int | None = None) -> Revision:
        """Write a revision to ``path`` (YAML or JSON by its extension)."""
        revision = self.revision(journey_id, number)
        write_text(path, self.pull(journey_id, revision.info.number, format_of(Path(path))))
        return revision

    def diff(self, journey_id: str, old: int | None = None, new: int | None = None) -> list[Change]:
        """Semantic changes between two revisions (default: the latest and the one before)."""
        newest = self.revision(journey_id, new)
        if old is None:
            old = max(newest.info.number - 1, 1)
        return diff_journeys(self.revision(journey_id, old).journey, newest.journey)


def _clean(text: str) -> str:
    """Text without control characters (terminal escapes), for a shared history."""
    return "".join(c for c in text if c.isprintable() or c in "\n\t").strip()


def _stamped_text(journey: Journey, document: Document, number: int) -> str:
    """The document's text with ``revision: number`` written into it, all else as it was."""
    stamped = with_revision(document, number)
    if stamped is not None:
        return stamped
    return dump_journey(journey.model_copy(update={"revision": number}), document.format, document)


def _latest(session: Session, row: JourneyRow | None) -> RevisionRow | None:
    if row is None or row.id is None:
        return None
    return session.scalars(
        select(RevisionRow)
        .where(RevisionRow.journey_id == row.id)
        .order_by(RevisionRow.number.desc())
        .limit(1)
    ).first()


def _summary_query() -> Select[RevisionRow, str]:
    """Revisions with their journey's id, without the heavy text and content columns."""
    return (
        select(RevisionRow, JourneyRow.slug)
        .join(JourneyRow)
        .options(defer(RevisionRow.text), defer(RevisionRow.content))
    )


def _check_base(
    session: Session, journey: Journey, latest: RevisionRow | None, force: bool
) -> list[RevisionInfo]:
    """The revisions a push overrides; raise :class:`Conflict` unless forced."""
    if latest is None:
        return []
    base = journey.revision
    if base == latest.number:
        return []
    if base is not None and base > latest.number:
        if force:
            return []
        raise Conflict(
            f"this file says it is revision {base} of '{journey.id}', but the store's "
            f"latest is revision {latest.number}",
            hint="is CJM_DATABASE_URL pointing at the right store? "
            "push --force stores the file anyway",
        )
    query = (
        _summary_query()
        .where(RevisionRow.journey_id == latest.journey_id, RevisionRow.number > (base or 0))
        .order_by(RevisionRow.number)
    )
    newer = [_info(revision, slug) for revision, slug in session.execute(query)]
    if force:
        return newer
    if base is None:
        raise Conflict(
            f"journey '{journey.id}' already has {latest.number} revision"
            f"{'s' if latest.number > 1 else ''} in the store, and this file does not say "
            "which one it was edited from (it has no 'revision:' key)",
            hint=f"pull the latest (cjm pull {journey.id} -o FILE), re-apply your edits and "
            "push again; or push --force to store this file on top",
        )
    authors = ", ".join(sorted({r.author for r in newer}))
    raise Conflict(
        f"the store has moved on: this file was edited from revision {base} of "
        f"'{journey.id}', but the latest is revision {latest.number} "
        f"({len(newer)} newer, by {authors})",
        hint=f"see what changed with 'cjm diff {journey.id} {base} {latest.number}', "
        f"bring those changes into your file and set 'revision: {latest.number}'; "
        "or push --force to store your file on top of them",
    )


def _journey_row(session: Session, journey_id: str) -> JourneyRow:
    row = session.scalars(select(JourneyRow).where(JourneyRow.slug == journey_id)).first()
    if row is None or _latest(session, row) is None:
        known = session.scalars(select(JourneyRow.slug).order_by(JourneyRow.slug)).all()
        raise NotFound(
            f"no journey '{journey_id}' in the store",
            hint=did_you_mean(journey_id, known, "journeys")
            if known
            else "push one first: cjm push FILE -m MESSAGE",
        )
    return row


def _new_journey_row(session: Session, journey: Journey) -> JourneyRow:
    row = JourneyRow(slug=journey.id, name=journey.name, created_at=dt.datetime.now(dt.UTC))
    session.add(row)
    return row


def _info(row: RevisionRow, journey_id: str) -> RevisionInfo:
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no time zone; cjm writes UTC
        created = created.replace(tzinfo=dt.UTC)
    return RevisionInfo(
        journey=journey_id,
        number=row.number,
        parent=row.parent,
        author=row.author,
        message=row.message,
        created_at=created,
        content_hash=row.content_hash,
    )
