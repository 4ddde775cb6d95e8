"""The tables of accounts and confidentiality: users, roles, API tokens, sign-in sessions and attempts,
the forms already submitted, and what happens to a confidential need (expressions of interest, shares
with partners, access log).

Secrets are never stored: passwords as argon2 hashes, API tokens and session tokens as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from techbridge.storage.tables import Base, Need, Organization


class User(Base):
    """A person who signs in; belongs to at most one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A generated or administrator-set password: only the own account, a password change and signing
    # out are allowed until the user chooses their own (services.accounts.caller).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    organization: Mapped[Organization | None] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        cascade="all, delete-orphan", order_by="RoleGrant.id", lazy="selectin"
    )


class RoleGrant(Base):
    """A role a user holds, in one program or (``program_id`` empty) in all of them."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))


class ApiToken(Base):
    """A token for scripts: only its SHA-256 hash and its first characters (to recognise it) are kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A signed-in browser session: the cookie holds the token, the table its SHA-256 hash."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One password sign-in attempt, kept to slow down guessing (rate limiting)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FormSubmission(Base):
    """A web form that was submitted and stored: its one-time token, so that a second submission of
    the same form (a double click, a reload) stores nothing more."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class NeedInterest(Base):
    """An organisation's expression of interest in a need it knows only by its anonymised summary."""

    __tablename__ = "need_interests"
    __table_args__ = (UniqueConstraint("need_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    organization: Mapped[Organization] = relationship()


class NeedShare(Base):
    """The company's decision to show its full need to one partner organisation."""

    __tablename__ = "need_shares"
    __table_args__ = (UniqueConstraint("need_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    shared_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    need: Mapped[Need] = relationship()
    organization: Mapped[Organization] = relationship()


class NeedAccess(Base):
    """Who saw a need, how much of it (``full`` or ``summary``), through which interface, and when."""

    __tablename__ = "need_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    view: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
