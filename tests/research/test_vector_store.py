"""The vector store on a real Chroma in a temporary directory (and one on a real Chroma server).

Most tests insert hand-made vectors, so they need Chroma but not the model; the ones marked
slow embed with the real packaged model, and one reopens the directory in a fresh interpreter
with the network cut off to prove the collection never needs Chroma's default (downloading)
embedding function.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from support import free_port

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import ConfigError, StoreError, ValidationError, VectorStoreError
from aiwriter_kernel.research.embeddings import PACKAGED_MODEL_NAME, Embedder, EmbeddingModelError
from aiwriter_kernel.research.hybrid import filters_to_where, passes
from aiwriter_kernel.research.models import SearchFilters
from aiwriter_kernel.research.vector_store import (
    EMBEDDING_FUNCTION_NAME,
    VectorStore,
    chunk_metadata,
    collection_name,
    embedding_function_class,
    parse_chroma_url,
    store_error,
)

pytest.importorskip("chromadb")

DAY = 86_400.0
TEXTS = {
    "compost": "Composting kitchen scraps turns food waste into rich garden soil.",
    "worms": "A worm bin breaks down vegetable peelings into fertile castings.",
    "rates": "The central bank raised interest rates to slow inflation.",
    "stocks": "Stock markets fell as investors feared a recession.",
    "novel": "The novelist rewrote the final chapter of her book three times.",
}
QUESTION = "How can I recycle leftover food at home?"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    return VectorStore(Settings(home=tmp_path / "home"))


def unit(*values: float) -> list[float]:
    vector = np.asarray(values, dtype=np.float64)
    return list(vector / np.linalg.norm(vector))


def add(store: VectorStore, workspace_id: int, vectors: dict[str, list[float]], **meta) -> None:
    """Insert hand-made vectors; metadata from keyword arguments, with defaults."""
    ids = list(vectors)
    metadatas = [
        chunk_metadata(
            meta.get("source_id", 1), ordinal, meta.get("added_at", 0.0), meta.get("tags", ())
        )
        for ordinal in range(len(ids))
    ]
    store.upsert(workspace_id, ids, ids, metadatas, embeddings=[vectors[i] for i in ids])


def test_upsert_query_count_ids_delete(store: VectorStore) -> None:
    add(store, 1, {"east": unit(1, 0), "north": unit(0, 1), "north_east": unit(1, 1)})
    assert store.count(1) == 3
    assert sorted(store.ids(1)) == ["east", "north", "north_east"]

    hits = store.query(1, unit(1, 0.1), k=2)
    assert [chunk_id for chunk_id, _ in hits] == ["east", "north_east"]
    assert hits[0][1] == pytest.approx(float(np.dot(unit(1, 0.1), unit(1, 0))), abs=1e-5)

    store.delete(1, ["east", "not-there"])
    assert store.count(1) == 2
    assert [chunk_id for chunk_id, _ in store.query(1, unit(1, 0), k=1)] == ["north_east"]


def test_upsert_replaces_vector_and_metadata(store: VectorStore) -> None:
    add(store, 1, {"a": unit(1, 0)}, source_id=1)
    add(store, 1, {"a": unit(0, 1)}, source_id=2)
    assert store.count(1) == 1
    assert store.query(1, unit(0, 1), k=1)[0][1] == pytest.approx(1.0, abs=1e-5)
    assert store.query(1, unit(0, 1), k=1, where={"source_id": 2})[0][0] == "a"


def test_k_larger_than_the_collection_returns_everything(store: VectorStore) -> None:
    add(store, 1, {"a": unit(1, 0), "b": unit(0, 1)})
    assert len(store.query(1, unit(1, 0), k=50)) == 2
    assert store.query(1, unit(1, 0), k=0) == []


def test_upserts_are_batched(store: VectorStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiwriter_kernel.research import vector_store

    monkeypatch.setattr(vector_store, "MAX_BATCH", 7)
    monkeypatch.setattr(vector_store, "ID_PAGE", 4)
    rng = np.random.default_rng(0)
    ids = [f"c{i}" for i in range(30)]
    metadatas = [chunk_metadata(1, i, 0.0) for i in range(30)]
    store.upsert(1, ids, ids, metadatas, embeddings=rng.normal(size=(30, 8)))
    assert store.count(1) == 30
    assert sorted(store.ids(1)) == sorted(ids)
    store.delete(1, ids[:20])
    assert sorted(store.ids(1)) == sorted(ids[20:])


def test_mismatched_lengths_are_refused(store: VectorStore) -> None:
    with pytest.raises(ValidationError):
        store.upsert(1, ["a"], ["x", "y"], [chunk_metadata(1, 0, 0.0)])
    with pytest.raises(ValidationError):
        store.upsert(1, ["a"], ["x"], [chunk_metadata(1, 0, 0.0)], embeddings=[])


def test_chunk_metadata_shape() -> None:
    moment = datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert chunk_metadata(4, 2, moment, ["b", "a", "b"]) == {
        "source_id": 4,
        "ordinal": 2,
        "added_at": moment.timestamp(),
        "tags": ["a", "b"],
    }
    assert "tags" not in chunk_metadata(4, 2, 0.0, [])  # Chroma refuses empty lists
    assert chunk_metadata(4, 2, datetime(2025, 3, 1, 12))["added_at"] == moment.timestamp()


def test_chroma_filters_agree_with_passes(store: VectorStore) -> None:
    rng = random.Random(1)
    tag_pool = ["essay", "draft", "climate", "food"]
    ids, metadatas = [], []
    for n in range(60):
        ids.append(f"c{n}")
        tags = rng.sample(tag_pool, rng.randint(0, 3))
        metadatas.append(chunk_metadata(rng.randint(1, 4), n, 1000 * DAY + n * DAY, tags))
    vectors = np.random.default_rng(1).normal(size=(60, 8))
    store.upsert(1, ids, ids, metadatas, embeddings=vectors)

    day = datetime.fromtimestamp(1000 * DAY, tz=UTC)
    cases = [
        SearchFilters(source_ids=(2,)),
        SearchFilters(source_ids=(1, 3)),
        SearchFilters(source_ids=()),
        SearchFilters(added_after=datetime.fromtimestamp(1020 * DAY, tz=UTC)),
        SearchFilters(added_before=datetime.fromtimestamp(1010 * DAY, tz=UTC)),
        SearchFilters(tags=("food",)),
        SearchFilters(tags=("essay", "draft")),
        SearchFilters(source_ids=(1, 2), added_after=day, tags=("climate",)),
    ]
    by_id = dict(zip(ids, metadatas, strict=True))
    for filters in cases:
        expected = {chunk_id for chunk_id in ids if passes(filters, by_id[chunk_id])}
        hits = store.query(1, vectors[0], k=60, where=filters_to_where(filters))
        assert {chunk_id for chunk_id, _ in hits} == expected, filters
    assert any(passes(case, by_id["c5"]) for case in cases[:2])  # the cases select something


def test_workspaces_are_isolated(store: VectorStore) -> None:
    add(store, 1, {"one": unit(1, 0)})
    add(store, 2, {"two": unit(1, 0)})
    assert store.query(1, unit(1, 0), k=5)[0][0] == "one"
    assert [chunk_id for chunk_id, _ in store.query(2, unit(1, 0), k=5)] == ["two"]

    store.delete_workspace(1)
    store.delete_workspace(1)  # deleting twice is fine
    assert store.count(1) == 0
    assert store.query(1, unit(1, 0), k=5) == []
    assert store.count(2) == 1


def test_reading_a_missing_workspace_creates_nothing(store: VectorStore) -> None:
    assert store.count(7) == 0
    assert store.ids(7) == []
    assert store.query(7, unit(1, 0), k=3) == []
    store.delete(7, ["x"])
    assert [c.name for c in store.client.list_collections()] == []


def test_collections_use_our_embedding_function_not_chromas_default(store: VectorStore) -> None:
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

    add(store, 1, {"a": unit(1, 0)})
    collection = store.collection(1)
    assert collection.name == collection_name(1) == "ws_1"
    persisted = collection.configuration_json["embedding_function"]
    assert persisted == {
        "type": "known",
        "name": EMBEDDING_FUNCTION_NAME,
        "config": {"model": PACKAGED_MODEL_NAME},
    }
    assert collection.configuration_json["hnsw"]["space"] == "cosine"
    in_use = collection._embedding_function
    assert isinstance(in_use, embedding_function_class())
    assert not isinstance(in_use, DefaultEmbeddingFunction)
    rebuilt = collection.configuration["embedding_function"]  # from the persisted config
    assert isinstance(rebuilt, embedding_function_class())


def test_a_collection_from_another_model_is_refused(store: VectorStore, tmp_path: Path) -> None:
    add(store, 1, {"a": unit(1, 0)})
    other_model = tmp_path / "other-model"
    other_model.mkdir()
    other = VectorStore(store._settings, embedder=Embedder(str(other_model)))
    with pytest.raises(EmbeddingModelError, match="re-index"):
        other.count(1)


def test_a_collection_with_chromas_default_function_is_refused(store: VectorStore) -> None:
    store.client.create_collection(collection_name(9))  # Chroma's default EF, not ours
    with pytest.raises(EmbeddingModelError, match="not made by aiwriter"):
        store.count(9)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8000", ("localhost", 8000, False)),
        ("https://chroma.example.org", ("chroma.example.org", 443, True)),
        ("http://10.0.0.5/", ("10.0.0.5", 80, False)),
    ],
)
def test_parse_chroma_url(url: str, expected: tuple[str, int, bool]) -> None:
    assert parse_chroma_url(url) == expected


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://host", "http://host/chroma", "http://"])
def test_bad_chroma_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_chroma_url(url)


def test_reading_a_missing_local_store_creates_nothing(store: VectorStore) -> None:
    assert store.query(1, unit(1, 0), k=3) == [] and store.ids(1) == []
    assert not store.exists() and not store._settings.chroma_path.exists()
    assert store.check({}) == [] and store.check({1: 0}) == []  # nothing expected: fine
    assert store.check({1: 3}) == ["the vector store is missing"]


def test_fewer_vectors_than_chunks_is_a_problem(store: VectorStore) -> None:
    add(store, 1, {"east": unit(1, 0), "north": unit(0, 1)})
    assert store.check({1: 2}) == []
    assert store.check({1: 3, 2: 1}) == [
        "workspace 1 has 3 chunks but 2 vectors",
        "workspace 2 has 1 chunks but 0 vectors",
    ]


def test_store_errors_name_no_server_path(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    database = settings.chroma_path / "chroma.sqlite3"
    error = store_error("open", OSError(f"unable to open {database} in {settings.home}"), settings)
    assert isinstance(error, VectorStoreError) and isinstance(error, StoreError)
    assert str(error) == (
        "cannot open the vector store: unable to open <vector store>/chroma.sqlite3 in <home>"
    )


def test_an_unreachable_server_is_a_store_error(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    store = VectorStore(Settings(home=tmp_path, chroma_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(StoreError, match="cannot open the vector store"):
        store.count(1)


@pytest.mark.slow
def test_texts_are_embedded_when_no_vectors_are_given(
    store: VectorStore, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = list(TEXTS)
    metadatas = [chunk_metadata(1, n, 0.0) for n in range(len(ids))]
    store.upsert(1, ids, list(TEXTS.values()), metadatas)
    hits = store.query(1, embedder.encode([QUESTION])[0], k=2)
    assert {chunk_id for chunk_id, _ in hits} == {"compost", "worms"}

    def no_encoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("precomputed embeddings were embedded again")

    monkeypatch.setattr(store.embedder, "encode", no_encoding)
    vectors = embedder.encode(["Another note on soil."])
    store.upsert(1, ["soil"], ["Another note on soil."], metadatas[:1], embeddings=vectors)
    assert store.count(1) == len(ids) + 1


REOPEN_SCRIPT = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network disabled by the test")

socket.socket.connect = refuse
socket.create_connection = refuse

from chromadb.utils import embedding_functions

def forbidden(*args, **kwargs):
    raise AssertionError("Chroma's default embedding function was used")

embedding_functions.ONNXMiniLM_L6_V2.__call__ = forbidden
embedding_functions.ONNXMiniLM_L6_V2._download_model_if_not_exists = forbidden

from pathlib import Path
from aiwriter_kernel.config import Settings
from aiwriter_kernel.research.vector_store import VectorStore

store = VectorStore(Settings(home=Path(sys.argv[1])))
collection = store.collection(1, create=False)
rebuilt = collection.configuration["embedding_function"]
query = store.embedder.encode([sys.argv[2]])[0]
by_text = collection.query(query_texts=[sys.argv[2]], n_results=3)["ids"][0]
print(json.dumps({
    "hits": store.query(1, query, 3),
    "by_text": by_text,
    "count": store.count(1),
    "rebuilt": type(rebuilt).__name__,
}))
"""


@pytest.mark.slow
def test_a_fresh_offline_process_reopens_the_collection(tmp_path: Path, embedder: Embedder) -> None:
    home = tmp_path / "home"
    store = VectorStore(Settings(home=home), embedder=embedder)
    ids = list(TEXTS)
    vectors = embedder.encode(list(TEXTS.values()))
    metadatas = [chunk_metadata(1, n, 0.0) for n in range(len(ids))]
    store.upsert(1, ids, list(TEXTS.values()), metadatas, embeddings=vectors)
    expected = store.query(1, embedder.encode([QUESTION])[0], 3)

    empty_cache = tmp_path / "hf-home"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(empty_cache),
    }
    result = subprocess.run(
        [sys.executable, "-c", REOPEN_SCRIPT, str(home), QUESTION],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    reopened = json.loads(result.stdout.strip().splitlines()[-1])
    assert reopened["count"] == len(ids)
    assert reopened["rebuilt"] == "AIWriterEmbeddingFunction"
    assert [hit[0] for hit in reopened["hits"]] == [chunk_id for chunk_id, _ in expected]
    assert reopened["by_text"] == [chunk_id for chunk_id, _ in expected]
    for (_, similarity), (_, again) in zip(expected, reopened["hits"], strict=True):
        assert again == pytest.approx(similarity, abs=1e-4)
    assert not empty_cache.exists() or not any(empty_cache.rglob("*.onnx"))


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real ``chroma run`` server on a free local port, stopped after the test."""
    import httpx

    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists():
        pytest.skip("the chroma command is not installed next to this Python")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "run", "--path", str(tmp_path / "server"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the chroma server did not start")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.server
def test_a_chroma_server_works_like_the_local_store(tmp_path: Path, chroma_server: str) -> None:
    store = VectorStore(Settings(home=tmp_path, chroma_url=chroma_server))
    add(store, 1, {"a": unit(1, 0), "b": unit(0, 1)}, tags=("x",))
    add(store, 2, {"c": unit(1, 0)})
    assert store.query(1, unit(1, 0), k=1)[0][0] == "a"
    assert store.query(1, unit(1, 0), k=5, where=filters_to_where(SearchFilters(tags=("x",))))
    assert store.count(2) == 1
    persisted = store.collection(1).configuration_json["embedding_function"]
    assert persisted["name"] == EMBEDDING_FUNCTION_NAME
    store.delete_workspace(1)
    assert store.count(1) == 0
