"""The citation marker in a draft's text, " [2]" or " [1, 3]", defined at the bottom layer so
the channels (which strip it from posts) and the pipelines (which renumber it) share it."""

from __future__ import annotations

import re

MARKER = re.compile(r"\s?\[(\d+(?:\s*,\s*\d+)*)\]")
