"""Help text that lists the registered channels when it is shown, not when it is imported.

Typer reads an option's ``help`` each time it builds the command line, so a help that is
computed then lists a channel a plugin or a notebook registered after this module loaded.
"""

from __future__ import annotations

from typer.models import OptionInfo

from aiwriter_kernel.channels import aliases, names


def channel_choices() -> str:
    """'linkedin, x-thread, ... or youtube (also thread, twitter, x, newsletter)'."""
    *first, last = names()
    listed = f"{', '.join(first)} or {last}" if first else last
    other_names = ", ".join(aliases())
    return f"{listed} (also {other_names})" if other_names else listed


class ChannelsHelp(OptionInfo):
    """An option whose help is ``template`` with ``{channels}`` filled in from the registry
    whenever it is read."""

    def __init__(self, option: OptionInfo, template: str) -> None:
        self.__dict__.update(vars(option))  # the option as typer.Option built it
        self.template = template

    @property  # type: ignore[override]
    def help(self) -> str:
        return self.template.format(channels=channel_choices())
