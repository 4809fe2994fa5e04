"""A sentence-transformers model's transformer exported once to ONNX, kept in a cache folder.

Loading torch costs seconds in every new process, which dominated ``aiwriter search``. The
transformer is exported to ONNX the first time a model is used (torch is needed that once),
and every later process runs the export with onnxruntime instead (``onnx_encoder``).

The cache folder is ``AIWRITER_ONNX_CACHE`` or ``~/.cache/aiwriter/onnx``, one sub-folder per
model keyed by the model's path and a fingerprint of its files (name, size, modification
time: reinstalling or editing a model gives a new key, and no process has to hash 90 MB on
every start). A file lock makes two processes starting at once export only once. An export
that fails leaves an ``export.failed`` note: later processes read it and use torch straight
away instead of failing the same slow way every time (delete the folder to try again).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from aiwriter_kernel.errors import AIWriterError, one_line

EXPORT_FORMAT = 1  # bump when the exported graph changes, so old exports are not reused
MODEL_FILE = "model.onnx"
FAILED_NOTE = "export.failed"
LOCK_FILE = "export.lock"
LOCK_TIMEOUT_S = 600
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
FINGERPRINT_FILES = ("config.json", "tokenizer.json", *WEIGHT_FILES)

log = logging.getLogger(__name__)


class OnnxUnavailable(AIWriterError):
    """This model cannot run on onnxruntime here (export failed before, or just now)."""


def cache_root() -> Path:
    """Where exports live: ``AIWRITER_ONNX_CACHE`` or the per-user cache folder."""
    configured = os.environ.get("AIWRITER_ONNX_CACHE", "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "aiwriter" / "onnx"


def model_key(model_dir: Path) -> str:
    """A stable name for one model's files: the same files give the same key."""
    parts = [f"format={EXPORT_FORMAT}", str(model_dir.resolve())]
    for name in FINGERPRINT_FILES:
        path = model_dir / name
        if path.is_file():
            status = path.stat()
            parts.append(f"{name}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def export_folder(model_dir: Path) -> Path:
    return cache_root() / model_key(model_dir)


def cached_export(model_dir: Path) -> Path | None:
    """The exported model if it exists already; never exports."""
    path = export_folder(model_dir) / MODEL_FILE
    return path if path.is_file() else None


def failure_note(model_dir: Path) -> str | None:
    """Why an earlier export of this model failed, or None if none did."""
    note = export_folder(model_dir) / FAILED_NOTE
    try:
        return note.read_text(encoding="utf-8").strip() or "unknown reason"
    except OSError:
        return None


def record_failure(model_dir: Path, reason: str) -> None:
    """Leave a note so later processes skip ONNX for this model instead of retrying."""
    folder = export_folder(model_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILED_NOTE).write_text(reason + "\n", encoding="utf-8")
    except OSError as error:  # a read-only cache: we will just try again next time
        log.warning("cannot write %s: %s", folder / FAILED_NOTE, error)


def ensure_export(model_dir: Path) -> Path:
    """The ONNX file for ``model_dir``, exported now if no process did it before.

    Raises ``OnnxUnavailable`` (with the reason) when an export failed, now or earlier.
    """
    from filelock import FileLock, Timeout

    _raise_if_failed(model_dir)  # first: a noted file may exist but not load
    found = cached_export(model_dir)
    if found is not None:
        return found
    folder = export_folder(model_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(folder / LOCK_FILE), timeout=LOCK_TIMEOUT_S):
            found = cached_export(model_dir)  # another process may have finished meanwhile
            if found is not None:
                return found
            _raise_if_failed(model_dir)
            return _export_once(model_dir, folder / MODEL_FILE)
    except (OSError, Timeout) as error:
        raise OnnxUnavailable(f"cannot use the ONNX cache {folder}: {error}") from error


def _raise_if_failed(model_dir: Path) -> None:
    reason = failure_note(model_dir)
    if reason is not None:
        raise OnnxUnavailable(
            f"an earlier ONNX export failed ({reason}); delete {export_folder(model_dir)} "
            "to try again"
        )


def _export_once(model_dir: Path, target: Path) -> Path:
    log.info("exporting the embedding model at %s to ONNX (once): %s", model_dir, target)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        export_transformer(model_dir, partial)
        os.replace(partial, target)
    except Exception as error:  # any failure: note it, and let the caller fall back to torch
        partial.unlink(missing_ok=True)
        reason = one_line(error)
        record_failure(model_dir, reason)
        raise OnnxUnavailable(f"exporting the embedding model to ONNX failed: {reason}") from error
    return target


def export_transformer(model_dir: Path, target: Path) -> None:
    """Export the model's transformer (token embeddings out) with ``torch.onnx.export``.

    Pooling and normalising stay outside the graph, in numpy, as sentence-transformers
    does them after its transformer. Eager attention traces into plain ops that every
    onnxruntime runs; batch and sequence axes stay dynamic.
    """
    import torch
    from transformers import AutoModel

    from aiwriter_kernel.quiet_libraries import quiet_transformers

    quiet_transformers()
    model = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    )
    model.eval()
    sample = {name: torch.ones((2, 8), dtype=torch.long) for name in INPUTS}
    sample["token_type_ids"] = torch.zeros((2, 8), dtype=torch.long)
    names = [name for name in INPUTS if name in inspect.signature(model.forward).parameters]
    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, "token_embeddings"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's and the legacy exporter's notices
        torch.onnx.export(
            _positional(model, names),
            tuple(sample[name] for name in names),
            str(target),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _positional(model: Any, names: list[str]) -> Any:
    """The model as a module taking its inputs positionally and returning token embeddings
    only, which is the shape ``torch.onnx.export`` traces."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, tensors, strict=True)))[0]

    return TokenEmbeddings()
