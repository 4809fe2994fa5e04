"""The channels by name: the built-ins, any plugin's, and any a notebook or test registers.

Every list of channels (the ``ChannelName`` type tasks and requests validate against, the
CLI's help, the apps' choices, error messages) reads this registry, so a channel added
with ``register`` appears everywhere at once. A plugin package adds one by declaring an
entry point in the ``aiwriter.channels`` group whose object is a ``Channel`` instance:

    [project.entry-points."aiwriter.channels"]
    sms = "my_package.sms:SMS"
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Annotated, Any, Union

from pydantic import (
    AfterValidator,
    Field,
    GetJsonSchemaHandler,
    SerializeAsAny,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import core_schema

from aiwriter_kernel.channels.base import Channel, Parts
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.extension_points import CHANNELS

ENTRY_POINT_GROUP = CHANNELS.group
_CHANNELS: dict[str, Channel] = {}
_ALIASES: dict[str, str] = {}


def register(channel: Channel) -> Channel:
    """Add ``channel`` (and its aliases) under its name; a name already taken is an error,
    so a plugin cannot silently replace a built-in."""
    if channel.name in _CHANNELS or channel.name in _ALIASES:
        raise ValueError(f"a channel named {channel.name!r} is already registered")
    _CHANNELS[channel.name] = channel
    for alias in channel.aliases:
        _ALIASES.setdefault(alias, channel.name)
    return channel


def unregister(name: str) -> None:
    """Remove a channel and its aliases (tests register toy channels and clean up)."""
    _CHANNELS.pop(name, None)
    for alias in [alias for alias, target in _ALIASES.items() if target == name]:
        del _ALIASES[alias]


def names() -> tuple[str, ...]:
    """The channels' names, in the order they were registered (built-ins first)."""
    return tuple(_CHANNELS)


def aliases() -> dict[str, str]:
    """Other names for channels ("twitter" -> "x-thread")."""
    return dict(_ALIASES)


def resolve_channel(name: str) -> str:
    """The channel ``name`` stands for, accepting the usual aliases; an unknown name is a
    ``ValidationError`` listing the valid ones."""
    key = " ".join(name.split()).lower()
    key = _ALIASES.get(key, key)
    if key not in _CHANNELS:
        valid = ", ".join(_CHANNELS)
        known = ", ".join(f"{alias} ({target})" for alias, target in _ALIASES.items())
        raise ValidationError(f"unknown channel {name!r}: use one of {valid}; aliases: {known}")
    return key


def get(name: str) -> Channel:
    """The channel called ``name`` (or one of its aliases)."""
    return _CHANNELS[resolve_channel(name)]


def load_plugins() -> None:
    """Register the channels installed packages declare (see the module's docstring)."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name not in _CHANNELS:
            register(entry_point.load())


# -- types that follow the registry ------------------------------------------------------------


def _registered(name: str) -> str:
    """A channel's exact name, as registered (no aliases: tasks carry resolved names)."""
    if name not in _CHANNELS:
        raise ValueError(f"unknown channel {name!r}: use one of {', '.join(_CHANNELS)}")
    return name


class _NamesAsEnum:
    """Shows the registered names as the JSON schema's ``enum``, read when the schema is
    generated, so documentation lists a channel registered after import too."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(schema), "enum": list(_CHANNELS)}


ChannelName = Annotated[str, AfterValidator(_registered), _NamesAsEnum()]
"""A registered channel's name, checked against the registry when a model is validated."""


def _any_channel_parts(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """Parts of any registered channel: built ones as they are, stored ones (a dict) by
    the model of the channel they name; the union covers the rest and its errors."""
    if isinstance(value, Parts):
        return value
    if isinstance(value, dict) and value.get("channel") in _CHANNELS:
        return _CHANNELS[value["channel"]].parts.model_validate(value)
    return handler(value)


def parts_type() -> Any:
    """The parts of every channel registered so far as one pydantic type, told apart by
    their ``channel`` field (its JSON schema lists each channel's parts); parts of a
    channel registered later validate and serialise as well."""
    models = tuple(channel.parts for channel in _CHANNELS.values())
    union = Union[models]  # noqa: UP007 - built at run time from the registry
    return SerializeAsAny[
        Annotated[union, Field(discriminator="channel"), WrapValidator(_any_channel_parts)]
    ]
