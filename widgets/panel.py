"""The base of every panel: long work runs in a background thread, shows progress while it
runs and a one-line message when it fails, so the kernel stays free to redraw the page.

Widgets are updated from the worker by setting their traits, which ipywidgets sends to the
front end from any thread. A panel runs one job at a time; ``wait()`` lets tests and
scripts block until it has finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as w
from aiwriter_widgets.messages import warnings_html
from aiwriter_widgets.render import escape, status_mark

from aiwriter_kernel.errors import one_line

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench

T = TypeVar("T")


class Panel(w.VBox):
    """A VBox holding a workbench, a status line and at most one running job."""

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wb = workbench
        self.status = w.HTML(layout=w.Layout(min_height="1.5em"))
        self.status.add_class("aiw-status")
        self.warnings_html = w.HTML()  # a panel that shows warnings puts it under its status
        self.warnings_html.add_class("aiw-warnings")
        self.last_error: str | None = None
        self.last_warnings: list[str] = []
        self._thread: threading.Thread | None = None
        self._buttons: list[w.Button] = []

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self, label: str, work: Callable[[], T], done: Callable[[T], None]) -> bool:
        """Start ``work`` in a thread, then call ``done`` with its result (in that thread).

        Returns False without starting anything when a job is already running.
        """
        if self.running:
            self.show_error("still busy with the previous request; wait for it to finish")
            return False
        self.last_error = None
        self.progress(label)
        self._set_buttons(disabled=True)
        self._thread = threading.Thread(
            target=self._work, args=(work, done), name=f"{type(self).__name__} job", daemon=True
        )
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running job (if any) has finished; TimeoutError if it has not."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"{type(self).__name__} is still working")

    def progress(self, message: str) -> None:
        self.status.value = f"{status_mark('working')} {escape(message)}…"

    def show_done(self, message: str) -> None:
        self.status.value = f"{status_mark('done')} {escape(message)}"

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.status.value = f"{status_mark('error')} {escape(message)}"

    def show_warnings(self, warnings: Sequence[str]) -> None:
        """Replace the warnings shown with those of the job just finished (none clears)."""
        self.last_warnings = list(warnings)
        self.warnings_html.value = warnings_html(warnings)

    def button(self, description: str, on_click: Callable[[], None], css: str) -> w.Button:
        """A button disabled while this panel's job runs; ``css`` names it for browsers."""
        button = w.Button(description=description)
        button.add_class(css)
        button.on_click(lambda _: self._guarded(on_click))
        self._buttons.append(button)
        return button

    def _guarded(self, action: Callable[[], None]) -> None:
        """A click's own checks (before any thread) fail as a message, not a traceback."""
        try:
            action()
        except Exception as error:
            self.show_error(one_line(error))

    def _work(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        try:
            done(work())
        except Exception as error:
            self.show_error(one_line(error))
        finally:
            self._set_buttons(disabled=False)

    def _set_buttons(self, *, disabled: bool) -> None:
        for button in self._buttons:
            button.disabled = disabled


def allow_thin_checkbox() -> w.Checkbox:
    """The "Allow a thin article" option of the panels that plan articles: without it a
    topic the knowledge base does not cover is refused, with it the article is written
    from the little there is, and warns so."""
    checkbox = w.Checkbox(
        value=False,
        description="Allow a thin article",
        indent=False,
        tooltip="write even when the knowledge base covers the topic only thinly",
        layout=w.Layout(width="auto"),  # its label's width: the row's space goes to the topic
    )
    checkbox.add_class("aiw-allow-thin")
    return checkbox
