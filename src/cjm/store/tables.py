"""The store's tables: journeys and their immutable revisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class JourneyRow(Base):
    """One journey, known by its id (the map's ``id`` slug)."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revisions: Mapped[list[RevisionRow]] = relationship(
        back_populates="journey", order_by="RevisionRow.number"
    )


class RevisionRow(Base):
    """One immutable revision of a journey map: never updated, never deleted."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("journey_id", "number", name="uq_revisions_journey_number"),
        Index("ix_revisions_journey_hash", "journey_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"))
    number: Mapped[int] = mapped_column(Integer)
    parent: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    journey: Mapped[JourneyRow] = relationship(back_populates="revisions")
