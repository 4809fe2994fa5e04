"""Where an uploaded topics CSV is kept: ``<home>/uploads/<owner>/batch/<digest>/<name>.csv``.

The client's file name is reduced to a safe stem and only ever used inside that folder, so
no upload names a path; the content hash in the folder keeps the same upload (and so its
batch run, which is named after stem and content) stable across re-uploads.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiwriter_kernel.batch.inputs import read_topics
from aiwriter_kernel.batch.layout import file_stem
from aiwriter_kernel.errors import ValidationError


def store_topics_upload(home: Path, owner_id: int | None, data: bytes, filename: str) -> Path:
    """Save the upload and check it is a usable topics file (``ValidationError`` if not:
    the file is then removed again)."""
    if not data.strip():
        raise ValidationError("the uploaded file is empty: it needs a header with a 'topic' column")
    owner = "operator" if owner_id is None else f"user-{owner_id}"
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = file_stem(Path(filename or "topics").stem or "topics")
    path = Path(home) / "uploads" / owner / "batch" / digest / f"{stem}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        read_topics(path)
    except ValidationError as error:
        path.unlink(missing_ok=True)
        # Name the file as the client did, not by its place on the server.
        raise ValidationError(str(error).replace(str(path), filename or "the upload")) from None
    return path
