"""Where an uploaded topics CSV is kept: ``<home>/uploads/<owner>/batch/<digest>/<name>.csv``.

The client's file name is reduced to a safe stem and only ever used inside that folder, so
no upload names a path; the content hash in the folder keeps the same upload (and so its
batch run, which is named after stem and content) stable across re-uploads.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiwriter_kernel.batch.inputs import parse_topics
from aiwriter_kernel.batch.layout import file_stem
from aiwriter_kernel.errors import ValidationError


def store_topics_upload(
    home: Path, owner_id: int | None, data: bytes, filename: str, *, max_rows: int
) -> Path:
    """Check the upload is a usable topics file of at most ``max_rows`` rows
    (``ValidationError`` naming the client's file if not, with nothing written), then save it."""
    if not data.strip():
        raise ValidationError("the uploaded file is empty: it needs a header with a 'topic' column")
    parse_topics(data, filename or "the upload", max_rows=max_rows)
    owner = "operator" if owner_id is None else f"user-{owner_id}"
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = file_stem(Path(filename or "topics").stem or "topics")
    path = Path(home) / "uploads" / owner / "batch" / digest / f"{stem}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
