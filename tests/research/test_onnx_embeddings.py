"""The ONNX runtime of the embedder, on the real packaged all-MiniLM-L6-v2.

Its vectors must agree with sentence-transformers' (so homes embedded with torch stay valid),
the export must happen once per model for every process, and a broken or failed export must
fall back to torch, saying so, without retrying in every process. Processes are real
subprocesses where the claim is about a new process (the cache, torch not being imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aiwriter_kernel.config import Settings
from aiwriter_kernel.doctor import check_embedding_runtime
from aiwriter_kernel.research import onnx_export
from aiwriter_kernel.research.embeddings import Embedder, EmbeddingModelError, default_model_path

LONG = " ".join(f"word{i} of a long document about compost and soil" for i in range(200))
TEXTS = [
    "A cat sat on the mat.",
    "How long should a meta description be for search results?",
    "",
    " ",
    "?!",
    "naïve café — Straße, 東京の天気, emoji 😀🌱, Ελληνικά, עברית",
    LONG,  # far beyond max_seq_length (256 tokens): both runtimes truncate it
    "short",
    "Compost needs air, water and a mix of green and brown material. " * 20,
]

# Encodes one text in a new process and reports what ran and what got imported.
PROBE = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="LOG %(message)s")
from aiwriter_kernel.research.embeddings import Embedder
embedder = Embedder({model!r})
embedder.start_loading()  # in a background thread when the export is cached, as search does
vector = embedder.encode(["the same probe sentence"])[0]
print(json.dumps({{
    "runtime": embedder.runtime,
    "torch": "torch" in sys.modules,
    "vector": [float(x) for x in vector],
}}))
"""


def run_probe(cache: Path, *, runtime: str | None = None, model: str | None = None) -> dict:
    """Run ``PROBE`` in a fresh interpreter; its JSON report plus its log lines."""
    process = start_probe(cache, runtime=runtime, model=model)
    return finish_probe(process)


def start_probe(cache: Path, *, runtime: str | None = None, model: str | None = None):
    env = dict(os.environ, AIWRITER_ONNX_CACHE=str(cache))
    if runtime is not None:
        env["AIWRITER_EMBEDDING_RUNTIME"] = runtime
    return subprocess.Popen(
        [sys.executable, "-c", PROBE.format(model=model)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_probe(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    report["log"] = [line for line in err.splitlines() if line.startswith("LOG ")]
    return report


def exports(report: dict) -> int:
    return sum("exporting the embedding model" in line for line in report["log"])


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """sentence-transformers on torch, as today's homes were embedded (not through the
    Embedder, so this process keeps a single loaded model per runtime)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(default_model_path()), device="cpu", local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture
def linked_model(tmp_path: Path) -> Path:
    """The packaged model under another path (symlinked files): a model no process has
    exported, without copying 90 MB."""
    folder = tmp_path / "linked-model"
    folder.mkdir()
    for item in default_model_path().iterdir():
        (folder / item.name).symlink_to(item)
    return folder


@pytest.mark.slow
def test_onnx_vectors_agree_with_sentence_transformers(reference: np.ndarray) -> None:
    embedder = Embedder()  # auto: onnx here (asserted), sharing the process's one model
    vectors = embedder.encode(TEXTS, batch_size=4)
    assert embedder.runtime == "onnx"
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    cosines = np.sum(vectors * reference, axis=1)
    assert cosines.min() >= 0.999, dict(zip(TEXTS, cosines.round(5), strict=True))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_onnx_truncates_where_sentence_transformers_does() -> None:
    """Words past max_seq_length change nothing, and the batch padding changes nothing."""
    embedder = Embedder()  # auto: onnx here (asserted), sharing the process's one model
    long, longer, alone = embedder.encode([LONG, LONG + " and an extra tail", "short"])
    np.testing.assert_allclose(long, longer, atol=1e-6)
    np.testing.assert_allclose(alone, embedder.encode(["short"])[0], atol=1e-5)


@pytest.mark.slow
def test_the_export_happens_once_and_later_processes_need_no_torch(tmp_path: Path) -> None:
    cache = tmp_path / "onnx-cache"
    first, second = start_probe(cache), start_probe(cache)  # at the same moment
    reports = [finish_probe(first), finish_probe(second)]
    assert sum(exports(report) for report in reports) == 1  # the lock let one of them export
    assert all(report["runtime"] == "onnx" for report in reports)
    [exported] = list(cache.glob(f"*/{onnx_export.MODEL_FILE}"))
    made = exported.stat().st_mtime_ns

    later = run_probe(cache)
    assert exports(later) == 0 and exported.stat().st_mtime_ns == made
    assert later["runtime"] == "onnx" and later["torch"] is False
    np.testing.assert_allclose(later["vector"], reports[0]["vector"], atol=1e-6)


@pytest.mark.slow
def test_a_corrupted_export_falls_back_to_torch_once_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "onnx-cache"
    monkeypatch.setenv("AIWRITER_ONNX_CACHE", str(cache))
    folder = onnx_export.export_folder(default_model_path())
    folder.mkdir(parents=True)
    (folder / onnx_export.MODEL_FILE).write_bytes(b"not an onnx model")

    report = run_probe(cache)
    assert report["runtime"] == "torch"
    # Met first by the background load (which notes it) or by encode itself: either way one
    # line says torch is used and why.
    assert any(
        "embedding runtime: torch, because ONNX is unavailable" in line
        and "onnxruntime cannot load" in line
        for line in report["log"]
    ), report["log"]
    assert (folder / onnx_export.FAILED_NOTE).is_file()

    again = run_probe(cache)  # the note is read: no new attempt, the same clear line
    assert again["runtime"] == "torch" and exports(again) == 0
    assert any("an earlier ONNX export failed" in line for line in again["log"]), again["log"]
    assert np.dot(again["vector"], report["vector"]) > 0.9999


def test_a_failed_export_is_not_retried_and_onnx_required_is_an_error(
    tmp_path: Path, linked_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIWRITER_ONNX_CACHE", str(tmp_path / "onnx-cache"))
    onnx_export.record_failure(linked_model, "RuntimeError: the exporter broke")

    def no_export(model_dir: Path, target: Path) -> None:
        raise AssertionError("a failed export was tried again")

    monkeypatch.setattr(onnx_export, "export_transformer", no_export)
    with pytest.raises(EmbeddingModelError, match="an earlier ONNX export failed"):
        Embedder(str(linked_model), runtime="onnx").encode(["x"])


def test_a_failing_export_leaves_a_note(
    tmp_path: Path, linked_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIWRITER_ONNX_CACHE", str(tmp_path / "onnx-cache"))

    def broken_export(model_dir: Path, target: Path) -> None:
        target.write_bytes(b"half")
        raise RuntimeError("unsupported operator\nwith a long trace")

    monkeypatch.setattr(onnx_export, "export_transformer", broken_export)
    with pytest.raises(onnx_export.OnnxUnavailable, match=r"RuntimeError: unsupported operator$"):
        onnx_export.ensure_export(linked_model)
    assert onnx_export.failure_note(linked_model) == "RuntimeError: unsupported operator"
    assert onnx_export.cached_export(linked_model) is None  # no half-written model is kept
    assert not list(onnx_export.export_folder(linked_model).glob("*.partial"))


@pytest.mark.slow
def test_runtime_torch_forced_works(tmp_path: Path) -> None:
    cache = tmp_path / "onnx-cache"
    report = run_probe(cache, runtime="torch")
    assert report["runtime"] == "torch" and report["torch"] is True
    assert not cache.exists()  # nothing exported when torch is asked for
    onnx = run_probe(cache)
    assert np.dot(report["vector"], onnx["vector"]) >= 0.999


def test_an_unknown_runtime_is_a_clear_error() -> None:
    with pytest.raises(EmbeddingModelError, match="'gpu' is not one of auto, onnx, torch"):
        Embedder(runtime="gpu")
    with pytest.raises(ValueError, match="embedding_runtime"):
        Settings(embedding_runtime="gpu")


def test_doctor_names_the_runtime(
    tmp_path: Path, linked_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIWRITER_ONNX_CACHE", str(tmp_path / "onnx-cache"))
    settings = Settings(home=tmp_path / "home", embedding_model=str(linked_model))

    pending = check_embedding_runtime(settings)
    assert (pending.status, pending.detail.split(",")[0]) == ("ok", "onnx")
    assert "on first use" in pending.detail

    folder = onnx_export.export_folder(linked_model)
    folder.mkdir(parents=True)
    (folder / onnx_export.MODEL_FILE).write_bytes(b"exported")
    assert check_embedding_runtime(settings).detail.startswith("onnx (onnxruntime)")

    forced = check_embedding_runtime(settings.model_copy(update={"embedding_runtime": "torch"}))
    assert (forced.status, forced.detail.split(" ")[0]) == ("ok", "torch")

    onnx_export.record_failure(linked_model, "RuntimeError: broke")
    fallback = check_embedding_runtime(settings)
    assert (
        fallback.status == "warn" and "ONNX export failed (RuntimeError: broke)" in fallback.detail
    )
    required = check_embedding_runtime(settings.model_copy(update={"embedding_runtime": "onnx"}))
    assert required.status == "fail"


def test_doctor_command_prints_the_runtime(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        AIWRITER_HOME=str(tmp_path / "home"),
        AIWRITER_ONNX_CACHE=str(tmp_path / "onnx-cache"),
        AIWRITER_EMBEDDING_RUNTIME="torch",
    )
    result = subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["embedding runtime"]["detail"].startswith("torch (sentence-transformers)")


def test_the_cache_key_follows_the_model_files(tmp_path: Path, linked_model: Path) -> None:
    key = onnx_export.model_key(linked_model)
    assert onnx_export.model_key(linked_model) == key
    (linked_model / "config.json").unlink()
    (linked_model / "config.json").write_text("{}")  # an edited model: a new export
    assert onnx_export.model_key(linked_model) != key
