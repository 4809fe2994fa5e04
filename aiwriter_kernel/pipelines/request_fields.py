"""Field types every pipeline request shares, bounded as the database columns they end up
in are, so an over-long name is a clear validation error rather than a database failure."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

WorkspaceName = Annotated[
    str, Field(min_length=1, max_length=100, description="The workspace to work in.")
]
ProviderName = Annotated[
    str | None, Field(max_length=50, description="A provider; None: the configured one.")
]
ModelName = Annotated[
    str | None, Field(max_length=200, description="A model; None: the provider's default.")
]
