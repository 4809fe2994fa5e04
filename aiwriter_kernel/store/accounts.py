"""Users and their API keys, for the multi-user API front end.

A key is shown once, at creation; the database keeps only its sha256. Plain sha256 (no
salt, no slow hash) is right here because keys are 256-bit random tokens, not passwords:
nothing can be guessed, and lookup by hash keeps verification one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.store.records import ApiKeyRecord, UserRecord
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import ApiKey, User, as_utc, utcnow

KEY_PREFIX = "aiw_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
SHOWN_PREFIX_LENGTH = 12


def hash_api_key(plain: str) -> str:
    """The sha256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


class AccountsRepository(Repository):
    """Create users, issue, verify and revoke their API keys."""

    def create_user(self, name: str) -> UserRecord:
        """A new, enabled user; ``ValidationError`` when the name is empty or taken."""
        name = name.strip()
        if not name:
            raise ValidationError("a user name must not be empty")
        try:
            with self._session() as session:
                if _user_named(session, name) is not None:
                    raise ValidationError(f"user {name!r} already exists")
                user = User(name=name)
                session.add(user)
                session.flush()
                return UserRecord.model_validate(user)
        except IntegrityError:  # created concurrently between the check and the insert
            raise ValidationError(f"user {name!r} already exists") from None

    def get_user_by_name(self, name: str) -> UserRecord | None:
        with self._session() as session:
            user = _user_named(session, name)
            return None if user is None else UserRecord.model_validate(user)

    def list_users(self) -> list[UserRecord]:
        with self._session() as session:
            users = session.scalars(select(User).order_by(User.name))
            return [UserRecord.model_validate(user) for user in users]

    def set_user_disabled(self, name: str, disabled: bool = True) -> UserRecord:
        """Disable (or re-enable) a user: a disabled user's keys stop verifying."""
        with self._session() as session:
            user = _require_user(session, name)
            user.disabled = disabled
            session.flush()
            return UserRecord.model_validate(user)

    def create_api_key(
        self, user_name: str, *, name: str | None = None, expires_at: datetime | None = None
    ) -> tuple[ApiKeyRecord, str]:
        """A new key for ``user_name``: its record, and the plain key, returned this once only."""
        plain = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._session() as session:
            user = _require_user(session, user_name)
            key = ApiKey(
                user_id=user.id,
                prefix=plain[:SHOWN_PREFIX_LENGTH],
                key_hash=hash_api_key(plain),
                name=name,
                expires_at=None if expires_at is None else as_utc(expires_at),
            )
            session.add(key)
            session.flush()
            return ApiKeyRecord.model_validate(key), plain

    def verify_api_key(self, plain: str) -> UserRecord | None:
        """The key's user, or None when the key is unknown, revoked, expired or its user disabled.

        A successful check records ``last_used_at`` (to the minute) so stale keys can be spotted
        and revoked.
        """
        if not plain:
            return None
        now = utcnow()
        with self._session() as session:
            found = session.execute(
                select(ApiKey, User)
                .join(User, ApiKey.user_id == User.id)
                .where(ApiKey.key_hash == hash_api_key(plain))
            ).one_or_none()
            if found is None:
                return None
            key, user = found
            expired = key.expires_at is not None and key.expires_at <= now
            if key.revoked_at is not None or expired or user.disabled:
                return None
            # At most one write a minute per key: the API verifies on every request, and a
            # write each time would serialise all requests of a key on one row.
            if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
                key.last_used_at = now
            return UserRecord.model_validate(user)

    def list_api_keys(self, user_name: str) -> list[ApiKeyRecord]:
        """Every key of the user, revoked ones included, oldest first."""
        with self._session() as session:
            user = _require_user(session, user_name)
            keys = session.scalars(
                select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)
            )
            return [ApiKeyRecord.model_validate(key) for key in keys]

    def revoke_api_key(self, key_id: int) -> ApiKeyRecord:
        """Revoke a key for good; revoking it again keeps the first revocation time."""
        with self._session() as session:
            key = session.get(ApiKey, key_id)
            if key is None:
                raise NotFoundError(f"API key {key_id} does not exist")
            if key.revoked_at is None:
                key.revoked_at = utcnow()
                session.flush()
            return ApiKeyRecord.model_validate(key)


def _user_named(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def _require_user(session: Session, name: str) -> User:
    user = _user_named(session, name)
    if user is None:
        raise NotFoundError(f"user {name!r} does not exist")
    return user
