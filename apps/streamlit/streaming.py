"""Pipeline events turned into text for ``st.write_stream``.

A pipeline reports through a callback (``on_event``) while it runs; Streamlit streams by
iterating a generator in the script thread. ``EventStream`` joins the two: the pipeline runs
in a worker thread and puts each event on a queue; iterating the stream yields each written
section as soon as it arrives (escaped, see safe_markdown.py) and passes the other events to
``on_message`` so the page can show what the pipeline is doing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from aiwriter_apps.streamlit.safe_markdown import escape_html

from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.events import OnEvent

T = TypeVar("T")
INTRODUCTION = "Introduction"  # the section the article pipeline writes without a heading
_FINISHED = object()


class EventStream(Generic[T]):
    """Run ``work(on_event)`` in a thread; iterate for its sections, then ask ``outcome()``."""

    def __init__(
        self, work: Callable[[OnEvent], T], on_message: Callable[[str], None] | None = None
    ) -> None:
        self._work = work
        self._on_message = on_message or (lambda message: None)
        self._events: queue.Queue[object] = queue.Queue()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __iter__(self) -> Iterator[str]:
        self._start()
        while True:
            event = self._events.get()
            if event is _FINISHED:
                break
            assert isinstance(event, PipelineEvent)
            if event.stage == "section" and event.text:
                yield section_markdown(event)
            self._on_message(event.message)
        assert self._thread is not None
        self._thread.join()

    def outcome(self) -> T:
        """The work's result, or its exception raised here (after the stream was read)."""
        if self._thread is None:
            for _ in self:  # nobody streamed it: run it to the end now
                pass
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    def _start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("an EventStream can be read only once")
        self._thread = threading.Thread(target=self._run, name="EventStream worker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._work(self._events.put)
        except BaseException as error:  # handed to the script thread by outcome()
            self._error = error
        finally:
            self._events.put(_FINISHED)


def section_markdown(event: PipelineEvent) -> str:
    """A written section as safe Markdown: its heading (none for the introduction), its text."""
    body = escape_html(event.text or "")
    heading = event.section or ""
    if heading in ("", INTRODUCTION):
        return f"{body}\n\n"
    return f"## {escape_html(heading)}\n\n{body}\n\n"
