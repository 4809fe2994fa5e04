"""How a pipeline reports progress: one listener type and the listener nobody watches."""

from __future__ import annotations

from collections.abc import Callable

from aiwriter_kernel.pipelines.article_models import PipelineEvent

OnEvent = Callable[[PipelineEvent], None]


def quiet(event: PipelineEvent) -> None:
    """The default listener: nobody is watching."""
