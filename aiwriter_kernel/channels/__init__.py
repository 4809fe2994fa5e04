"""Channels: one module per channel (its rules, parts, parsing, limits, prompt rules and
offline shape) and the registry every list of channels is read from.

Adding a channel is adding one module (see README, "Adding a channel"): the built-ins are
listed once, below, in the order front ends show them; plugins are found by entry point.
"""

from __future__ import annotations

import importlib

from aiwriter_kernel.channels.base import (
    Channel,
    ChannelRules,
    LimitCheck,
    OfflineMaterial,
    Parts,
)
from aiwriter_kernel.channels.registry import (
    ChannelName,
    aliases,
    get,
    load_plugins,
    names,
    parts_type,
    register,
    resolve_channel,
    unregister,
)

BUILT_IN = ("linkedin", "x_thread", "facebook", "instagram", "email", "product", "youtube")

for _module in BUILT_IN:
    importlib.import_module(f"{__name__}.{_module}")  # each module registers its channel
load_plugins()

ChannelParts = parts_type()
"""The parts of any channel, told apart by their ``channel`` field (results, stored meta)."""

__all__ = [
    "Channel",
    "ChannelName",
    "ChannelParts",
    "ChannelRules",
    "LimitCheck",
    "OfflineMaterial",
    "Parts",
    "aliases",
    "get",
    "names",
    "register",
    "resolve_channel",
    "unregister",
]
