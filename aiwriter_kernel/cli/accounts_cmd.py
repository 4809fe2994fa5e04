"""``aiwriter users ...`` and ``aiwriter keys ...``: the people and API keys of the API front end.

A key is printed once, by ``keys create``; the database keeps only its sha256, and no other
command ever prints a key or its hash.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiwriter_kernel.cli.options import JsonOption
from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.workbench_loader import open_workbench

if TYPE_CHECKING:
    from aiwriter_kernel.records import UserRecord

UserArgument = Annotated[str, typer.Argument(help="The user's name.")]

users_app = typer.Typer(help="API users: create, list, disable, enable.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


@users_app.command("create")
def create_user(name: UserArgument, json_output: JsonOption = False) -> None:
    """Create an enabled user."""
    with open_workbench() as workbench:
        user = workbench.users.create(name)
    emit(
        user,
        as_json=json_output,
        render=lambda console: console.print(
            f"created user {escape(repr(user.name))} (id {user.id})", highlight=False
        ),
    )


@users_app.command("list")
def list_users(json_output: JsonOption = False) -> None:
    """Every user, by name."""
    with open_workbench() as workbench:
        users = workbench.users.list()

    def render(console: Console) -> None:
        if not users:
            console.print("no users (aiwriter users create NAME)")
            return
        table = Table("id", "name", "created", "status", title="users")
        for user in users:
            status = "disabled" if user.disabled else "enabled"
            table.add_row(str(user.id), escape(user.name), _when(user.created_at), status)
        console.print(table)

    emit(users, as_json=json_output, render=render)


@users_app.command("disable")
def disable_user(name: UserArgument, json_output: JsonOption = False) -> None:
    """Disable a user: their keys stop verifying until the user is enabled again."""
    _set_disabled(name, disabled=True, json_output=json_output)


@users_app.command("enable")
def enable_user(name: UserArgument, json_output: JsonOption = False) -> None:
    """Enable a disabled user again: their unrevoked, unexpired keys verify again."""
    _set_disabled(name, disabled=False, json_output=json_output)


def _set_disabled(name: str, *, disabled: bool, json_output: bool) -> None:
    with open_workbench() as workbench:
        users = workbench.users
        user: UserRecord = users.disable(name) if disabled else users.enable(name)
    word = "disabled" if disabled else "enabled"
    emit(
        user,
        as_json=json_output,
        render=lambda console: console.print(
            f"{word} user {escape(repr(user.name))}", highlight=False
        ),
    )


@keys_app.command("create")
def create_key(
    user: UserArgument,
    name: Annotated[str | None, typer.Option("--name", help="A label for the key.")] = None,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Expire after this many days (1 or more).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Issue a key for USER and print it; it is shown this once only."""
    from aiwriter_kernel.errors import ValidationError

    expires_at: datetime | None = None
    if expires_days is not None:
        if expires_days < 1:
            raise ValidationError(f"--expires-days must be 1 or more, not {expires_days}")
        try:
            expires_at = datetime.now(UTC) + timedelta(days=expires_days)
        except OverflowError:
            raise ValidationError(f"--expires-days {expires_days} is too far away") from None
    with open_workbench() as workbench:
        issued = workbench.keys.create(user, name=name, expires_at=expires_at)
    record, plain = issued.record, issued.key

    def render(console: Console) -> None:
        console.print(plain, highlight=False, markup=False)
        expiry = (
            "never expires" if record.expires_at is None else f"expires {_when(record.expires_at)}"
        )
        console.print(
            f"key {record.id} for user {escape(repr(user))}, {expiry}. "
            "Store it now: it will not be shown again.",
            highlight=False,
        )

    emit(
        {
            "key": plain,
            "id": record.id,
            "prefix": record.prefix,
            "expires_at": None if record.expires_at is None else record.expires_at.isoformat(),
        },
        as_json=json_output,
        render=render,
    )


@keys_app.command("list")
def list_keys(user: UserArgument, json_output: JsonOption = False) -> None:
    """USER's keys, revoked ones included; never the keys themselves."""
    with open_workbench() as workbench:
        keys = workbench.keys.list(user)

    def render(console: Console) -> None:
        if not keys:
            console.print(f"no keys for {escape(repr(user))} (aiwriter keys create {escape(user)})")
            return
        table = Table(
            "id",
            "prefix",
            "name",
            "created",
            "expires",
            "revoked",
            "last used",
            title=f"keys: {escape(user)}",
        )
        for key in keys:
            table.add_row(
                str(key.id),
                escape(key.prefix) + "…",
                escape(key.name or ""),
                _when(key.created_at),
                _when(key.expires_at),
                _when(key.revoked_at),
                _when(key.last_used_at),
            )
        console.print(table)

    emit(keys, as_json=json_output, render=render)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[int, typer.Argument(help="The key's id (see aiwriter keys list USER).")],
    json_output: JsonOption = False,
) -> None:
    """Revoke a key for good."""
    with open_workbench() as workbench:
        key = workbench.keys.revoke(key_id)
    emit(
        key,
        as_json=json_output,
        render=lambda console: console.print(
            f"revoked key {key.id} ({escape(key.prefix)}…)", highlight=False
        ),
    )


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")
