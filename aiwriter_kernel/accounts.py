"""API users and their keys, as the operator manages them (``aiwriter users``/``keys``).

The Workbench hands these out (``wb.users``, ``wb.keys``) so a front end manages accounts
without touching the store; each gets only the accounts repository, nothing else. A key is
returned in plain text once, by ``ApiKeys.create``: the store keeps only its hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from aiwriter_kernel.records import ApiKeyRecord, UserRecord

if TYPE_CHECKING:
    from aiwriter_kernel.store.accounts import AccountsRepository


class IssuedKey(BaseModel):
    """A new key: its record and the key itself, which nobody can read again later."""

    record: ApiKeyRecord
    key: str


class Users:
    """The people who may call the API: create, list, disable and enable them."""

    def __init__(self, accounts: AccountsRepository) -> None:
        self._accounts = accounts

    def create(self, name: str) -> UserRecord:
        """A new, enabled user."""
        return self._accounts.create_user(name)

    def list(self) -> list[UserRecord]:
        """Every user, by name."""
        return self._accounts.list_users()

    def get(self, name: str) -> UserRecord | None:
        """The user called ``name``, or None."""
        return self._accounts.get_user_by_name(name)

    def disable(self, name: str) -> UserRecord:
        """Stop the user's keys verifying, until the user is enabled again."""
        return self._accounts.set_user_disabled(name, True)

    def enable(self, name: str) -> UserRecord:
        """Let the user's unrevoked, unexpired keys verify again."""
        return self._accounts.set_user_disabled(name, False)


class ApiKeys:
    """The users' API keys: issue, list (never the keys themselves) and revoke them."""

    def __init__(self, accounts: AccountsRepository) -> None:
        self._accounts = accounts

    def create(
        self, user: str, *, name: str | None = None, expires_at: datetime | None = None
    ) -> IssuedKey:
        """A new key for ``user``; the returned ``key`` is the only copy there will be."""
        record, plain = self._accounts.create_api_key(user, name=name, expires_at=expires_at)
        return IssuedKey(record=record, key=plain)

    def list(self, user: str) -> list[ApiKeyRecord]:
        """The user's keys, revoked ones included, oldest first."""
        return self._accounts.list_api_keys(user)

    def revoke(self, key_id: int) -> ApiKeyRecord:
        """Revoke a key for good (revoking it again keeps the first time)."""
        return self._accounts.revoke_api_key(key_id)
