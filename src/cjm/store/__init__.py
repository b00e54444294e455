"""Persistence of journey maps and their revisions (SQLAlchemy; SQLite or PostgreSQL)."""

from cjm.store.database import connect, database_url
from cjm.store.revisions import PushResult, Revision, RevisionInfo, Store, content_hash

__all__ = [
    "PushResult",
    "Revision",
    "RevisionInfo",
    "Store",
    "connect",
    "content_hash",
    "database_url",
]
