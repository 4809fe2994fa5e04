"""Sentence vectors from an exported transformer on onnxruntime, with no torch at run time.

It reproduces the sentence-transformers pipeline of a Transformer + mean Pooling (+ Normalize)
model: the model folder's fast tokenizer (``tokenizer.json``, through the light ``tokenizers``
package rather than transformers) truncating at the model's ``max_seq_length``, the exported
transformer's token embeddings, the mean over real (unpadded) tokens, then L2 normalisation.
Vectors agree with sentence-transformers' to a cosine above 0.999 (tested), so vectors stored
by either runtime stay valid for the other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiwriter_kernel.errors import AIWriterError, one_line

if TYPE_CHECKING:
    import numpy as np

MEAN_POOLING = "sentence_transformers.models.Pooling"
SUPPORTED_MODULES = {
    "sentence_transformers.models.Transformer",
    MEAN_POOLING,
    "sentence_transformers.models.Normalize",
}
NORMALIZE_EPS = 1e-12  # torch.nn.functional.normalize's, as sentence-transformers uses


class UnsupportedModel(AIWriterError):
    """The model's pipeline is not Transformer + mean pooling, so only torch can run it."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UnsupportedModel(f"cannot read {path.name}: {error}") from error


def check_supported(model_dir: Path) -> None:
    """Refuse (``UnsupportedModel``) what this encoder cannot reproduce exactly."""
    modules = _read_json(model_dir / "modules.json")
    kinds = [module.get("type", "") for module in modules] if isinstance(modules, list) else []
    if not kinds or set(kinds) - SUPPORTED_MODULES or MEAN_POOLING not in kinds:
        raise UnsupportedModel(f"pipeline {kinds or 'unknown'} is not Transformer + Pooling")
    pooling_path = next(m.get("path", "") for m in modules if m.get("type") == MEAN_POOLING)
    pooling = _read_json(model_dir / pooling_path / "config.json")
    modes = {name for name, on in pooling.items() if name.startswith("pooling_mode") and on}
    if modes != {"pooling_mode_mean_tokens"}:
        raise UnsupportedModel(f"pooling {sorted(modes)} is not mean pooling")
    if not (model_dir / "tokenizer.json").is_file():
        raise UnsupportedModel("the model has no fast tokenizer (tokenizer.json)")


def max_seq_length(model_dir: Path) -> int | None:
    """Where sentence-transformers truncates: its config's ``max_seq_length``, capped by the
    tokenizer's ``model_max_length`` (the smaller one wins, as in its Transformer module)."""
    limits = [
        _read_json(model_dir / "sentence_bert_config.json").get("max_seq_length"),
        _read_json(model_dir / "tokenizer_config.json").get("model_max_length"),
    ]
    found = [int(limit) for limit in limits if isinstance(limit, int | float) and limit > 0]
    return min(found) if found else None


class OnnxEncoder:
    """One model's tokenizer and onnxruntime session; ``encode`` is thread-safe."""

    runtime = "onnx"

    def __init__(self, model_dir: Path, onnx_file: Path, *, threads: int | None = None) -> None:
        check_supported(model_dir)
        settings = _read_json(model_dir / "sentence_bert_config.json")
        self._lowercase = bool(settings.get("do_lower_case", False))
        self._tokenizer = _tokenizer(model_dir, max_seq_length(model_dir))
        self._session = _session(onnx_file, threads)
        self._inputs = [item.name for item in self._session.get_inputs()]
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """(n, dimension) float32 unit rows, one per text."""
        import numpy as np

        rows = [
            self._encode_batch(list(texts[start : start + batch_size]))
            for start in range(0, len(texts), batch_size)
        ]
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if self._lowercase:
            texts = [text.lower() for text in texts]
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens = self._session.run(None, {name: feed[name] for name in self._inputs})[0]
        mask = feed["attention_mask"][:, :, None].astype(np.float32)
        summed = (tokens * mask).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, NORMALIZE_EPS)


def _tokenizer(model_dir: Path, limit: int | None) -> Any:
    """The model's fast tokenizer, padding each batch to its longest text and truncating at
    ``limit``: the settings saved in tokenizer.json (often a fixed 128) are not the ones
    sentence-transformers encodes with."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    saved = tokenizer.padding or {}
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.enable_padding(
        pad_id=saved.get("pad_id", 0),
        pad_type_id=saved.get("pad_type_id", 0),
        pad_token=saved.get("pad_token", "[PAD]"),
    )
    if limit is not None:
        tokenizer.enable_truncation(max_length=limit)
    return tokenizer


def _session(onnx_file: Path, threads: int | None) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: its warnings are not the user's business
    if threads:
        options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(
        str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
    )


def load_onnx(model_dir: Path) -> OnnxEncoder:
    """The ONNX encoder for ``model_dir``, exporting it first if no process did yet.

    Raises ``UnsupportedModel`` or ``OnnxUnavailable``; an export that onnxruntime cannot load
    (a truncated or corrupted file) is noted as failed, like a failed export, so later
    processes go straight to torch.
    """
    from aiwriter_kernel.research import onnx_export

    check_supported(model_dir)
    onnx_file = onnx_export.ensure_export(model_dir)
    try:
        return OnnxEncoder(model_dir, onnx_file)
    except Exception as error:  # onnxruntime's own exception types vary by version
        reason = f"onnxruntime cannot load {onnx_file}: {one_line(error)}"
        onnx_export.record_failure(model_dir, reason)
        raise onnx_export.OnnxUnavailable(reason) from error


def prepare_background_load(model_dir: Path) -> bool:
    """Whether ``load_onnx`` can run in another thread without importing anything there:
    the model is supported, its export cached and not noted as failed. If so, the modules
    the load needs are imported now, in the calling thread."""
    from aiwriter_kernel.research import onnx_export

    try:
        check_supported(model_dir)
    except UnsupportedModel:
        return False
    if onnx_export.failure_note(model_dir) is not None:
        return False
    if onnx_export.cached_export(model_dir) is None:
        return False
    import filelock  # noqa: F401
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    return True
